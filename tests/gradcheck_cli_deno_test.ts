// The gradcheck CLI, run as a subprocess: exit codes, table and messages.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Run, runDeno } from "./_run_deno.ts";

const root = new URL("../", import.meta.url);
const cli = new URL("gradcheck/cli.ts", root).pathname;

/** Runs `deno task gradcheck`'s command with `args`, from `cwd`. */
function gradcheck(args: string[], cwd: URL = root): Promise<Run> {
  return runDeno(
    ["run", "--allow-read", "--allow-env", cli, ...args],
    cwd.pathname,
  );
}

const OPS = [
  "add",
  "sub",
  "mul",
  "div",
  "neg",
  "pow",
  "exp",
  "log",
  "sqrt",
  "tanh",
  "sigmoid",
  "relu",
  "abs",
  "sin",
  "cos",
  "sum",
];

describe("deno task gradcheck", () => {
  it("lists all 16 built-in ops as passing and exits 0", async () => {
    const run = await gradcheck([]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, "");
    for (const op of OPS) {
      assert.match(run.stdout, new RegExp(`^${op} +pass `, "m"));
    }
    assert.match(
      run.stdout,
      /\n16 ops: \d+ checks at \d+ points: \d+ passed, 0 failed \(seed 1\)\n$/,
    );
  });

  it("exits 1 on a wrong derivative, showing which op, where, and by how much", async () => {
    const run = await gradcheck(["tests/fixtures/wrong_derivative.ts"]);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^bad_softsign +FAIL /m);
    assert.match(run.stdout, /^square +pass /m);
    // A failing row: status, op, kind, input, point, analytic, numeric, errors.
    assert.match(
      run.stdout,
      /^FAIL +bad_softsign +(partial|upstream) +0 +\(-?[\d.e-]+\) +-?[\d.e-]+ +-?[\d.e-]+ +[\d.e-]+ +[\d.e-]+/m,
    );
    assert.match(
      run.stdout,
      /2 ops: \d+ checks .* [1-9]\d* failed \(seed 1\)$/m,
    );
  });

  it("exits 0 on a module of correct ops, resolving paths against the working directory", async () => {
    const run = await gradcheck(
      ["softsign.ts"],
      new URL("tests/fixtures/", root),
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^softsign +pass /m);
    assert.match(run.stdout, /^1 op: /m);
  });

  it("exits 1 with a message when an op throws while it is checked", async () => {
    const run = await gradcheck(["tests/fixtures/wrong_length.ts"]);
    assert.equal(run.code, 1);
    assert.equal(
      run.stderr.trim(),
      'Cannot check op "hypot" from "tests/fixtures/wrong_length.ts": Cannot run backward: op "hypot" derivatives must return 2 numbers, got 1 value',
    );
  });

  it("prints JSON with --json, using --samples and --seed", async () => {
    const run = await gradcheck(["--json", "--samples", "8", "--seed", "42"]);
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout);
    assert.deepEqual([json.ok, json.seed, json.samples], [true, 42, 8]);
    assert.deepEqual(Object.keys(json.reports), OPS);
    assert.equal(json.reports.tanh.seed, 42);
    assert.equal(json.reports.tanh.checks[0].kind, "partial");
  });

  it("replays the same table for the same seed", async () => {
    const a = await gradcheck([
      "--seed",
      "3",
      "tests/fixtures/wrong_derivative.ts",
    ]);
    const b = await gradcheck([
      "--seed",
      "3",
      "tests/fixtures/wrong_derivative.ts",
    ]);
    assert.equal(a.stdout, b.stdout);
    assert.match(a.stdout, /\(seed 3\)$/m);
  });

  it("prints help and exits 0", async () => {
    const run = await gradcheck(["--help"]);
    assert.equal(run.code, 0);
    assert.match(
      run.stdout,
      /^Usage: deno task gradcheck \[options\] \[module\.ts \.\.\.\]/,
    );
    assert.match(run.stdout, /--samples N/);
  });

  it("exits 2 with a one-line message on bad usage", async () => {
    const cases: [string[], string][] = [
      [["--frobnicate"], 'unknown flag "--frobnicate" (see --help)'],
      [["--samples"], 'flag "--samples" needs a value'],
      [["--json=yes"], 'flag "--json" takes no value'],
      [
        ["--samples", "0"],
        '--samples must be an integer from 1 to 1000000, got "0"',
      ],
      [
        ["--seed", "-1"],
        'flag "--seed" needs a value (write --seed=VALUE for one that starts with "-")',
      ],
      [
        ["--seed=-1"],
        '--seed must be an integer from 0 to 4294967295, got "-1"',
      ],
      [
        ["--seed", "x"],
        '--seed must be an integer from 0 to 4294967295, got "x"',
      ],
      [["missing.ts"], 'module "missing.ts" does not exist'],
      [["tests/fixtures"], 'module "tests/fixtures" is not a file'],
      [
        ["tests/fixtures/no_ops.ts"],
        'module "tests/fixtures/no_ops.ts" exports no OpFunction or Op',
      ],
      [
        ["tests/fixtures/throws_on_import.ts"],
        'cannot import "tests/fixtures/throws_on_import.ts": this module fails on import',
      ],
      // Bad usage anywhere stops the run before any op is checked.
      [
        ["tests/fixtures/softsign.ts", "missing.ts"],
        'module "missing.ts" does not exist',
      ],
    ];
    for (const [args, message] of cases) {
      const run = await gradcheck(args);
      assert.equal(run.code, 2, args.join(" "));
      assert.equal(run.stderr, `Cannot run gradcheck: ${message}\n`);
      assert.equal(run.stdout, "");
    }
  });
});
