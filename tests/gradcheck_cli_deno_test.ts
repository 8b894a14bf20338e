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
      /\n16 ops: \d+ checks at \d+ points: \d+ passed, 0 failed, 0 non-finite, \d+ inconclusive \(seed 1\)\n$/,
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
      /2 ops: \d+ checks .* [1-9]\d* failed, 0 non-finite, \d+ inconclusive \(seed 1\)$/m,
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
    assert.match(
      run.stderr.trim(),
      /^Cannot run checkOp on op "hypot" at \([^)]+\): Cannot run backward: op "hypot" derivatives must return 2 numbers, got 1 value \(module "tests\/fixtures\/wrong_length\.ts"\)$/,
    );
  });

  it("names the op whose forward throws", async () => {
    // Before: the line held only the forward's own message, "too big".
    const run = await gradcheck(["tests/fixtures/throwing_forward.ts"]);
    assert.equal(run.code, 1);
    assert.match(
      run.stderr.trim(),
      /^Cannot run checkOp on op "brittle" at \([\d.]+\): too big \(module "tests\/fixtures\/throwing_forward\.ts"\)$/,
    );
  });

  it("reports every exported op, even three with one name, and fails if one is wrong", async () => {
    // Before: reports were keyed by name, so the wrong one was overwritten
    // and the run printed two passing rows and exited 0.
    const run = await gradcheck(["tests/fixtures/twins.ts"]);
    assert.equal(run.code, 1, run.stdout);
    const rows = run.stdout.split("\n").filter((l) => /^twin\b/.test(l));
    assert.equal(rows.length, 3, run.stdout);
    assert.match(rows[0], /^twin +pass /);
    assert.match(rows[1], /^twin \(tests\/fixtures\/twins\.ts\) +FAIL /);
    assert.match(rows[2], /^twin \(tests\/fixtures\/twins\.ts\) #3 +pass /);
    assert.match(run.stdout, /^3 ops: /m);
  });

  it("prints the diagnosis under the table", async () => {
    const run = await gradcheck(["tests/fixtures/twins.ts"]);
    assert.match(
      run.stdout,
      /^diagnosis of twin \(tests\/fixtures\/twins\.ts\): constant factor: analytic = 1\/2 × numeric at every point \(halved\?\)/m,
    );
  });

  it("prints the failing table the README shows, with its diagnosis", async () => {
    const readme = await Deno.readTextFile(new URL("README.md", root));
    const command = "$ deno task gradcheck tests/fixtures/naive_softplus.ts\n";
    const start = readme.indexOf(command);
    assert.ok(start >= 0, "README shows the command");
    const shown = readme.slice(
      start + command.length,
      readme.indexOf("```", start),
    );
    const run = await gradcheck(["tests/fixtures/naive_softplus.ts"]);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, shown);
    assert.match(
      run.stdout,
      /^diagnosis of softplus: non-finite only at some points/m,
    );
  });

  it("resolves a relative path against the directory deno task was typed in", async () => {
    // deno task runs in the repository root and sets INIT_CWD to the
    // caller's directory. Before: "module "softsign.ts" does not exist".
    // deno task keeps an INIT_CWD it inherits (as when this suite itself
    // runs under deno task), so the child gets an environment without one.
    const env = Deno.env.toObject();
    delete env.INIT_CWD;
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["task", "gradcheck", "softsign.ts"],
      cwd: new URL("tests/fixtures/", root).pathname,
      env: { ...env, NO_COLOR: "1" },
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder();
    assert.equal(output.code, 0, text.decode(output.stderr));
    assert.match(text.decode(output.stdout), /^softsign +pass /m);
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
        '--samples must be an integer from 1 to 10000, got "0"',
      ],
      // The old limit, 1e6, ran out of memory after 115 s.
      [
        ["--samples", "1000000"],
        '--samples must be an integer from 1 to 10000, got "1000000"',
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
