// Runs examples/lecture.ts as a subprocess (Deno.Command: Deno only).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Run, runDeno } from "./_run_deno.ts";

const LECTURE = new URL("../examples/lecture.ts", import.meta.url).pathname;

let dir = "";

// PATH is set to `path` only, so no Graphviz `dot` can be found (Deno
// itself is started by its absolute path).
function lecture(path: string, ...args: string[]): Promise<Run> {
  return runDeno(
    [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-run",
      "--allow-env",
      LECTURE,
      ...args,
    ],
    dir,
    { PATH: path },
  );
}

before(async () => {
  dir = await Deno.makeTempDir({ prefix: "micrograd_lecture_test_" });
  await Deno.mkdir(`${dir}/empty`);
});

after(async () => {
  await Deno.remove(dir, { recursive: true });
});

describe("deno task lecture", () => {
  let run: Run;

  before(async () => {
    run = await lecture(`${dir}/empty`, "--out", "graphs", "--steps", "5");
  });

  it("exits 0 and prints the six steps in order", () => {
    assert.equal(run.code, 0, run.stderr);
    const headings = [
      "1. The derivative is a slope",
      "2. L = (a*b + c) * f, and backpropagation",
      "3. A neuron: o = tanh(x1*w1 + x2*w2 + b)",
      "4. tanh built from exp",
      "5. The a + a bug, and why gradients accumulate",
      "6. Training MLP(3, [4, 4, 1]) on four examples",
    ];
    const at = headings.map((h) => run.stdout.indexOf(h));
    assert.ok(at.every((i) => i >= 0), run.stdout);
    assert.deepEqual(at, [...at].sort((a, b) => a - b));
  });

  it("estimates the slope of 3x^2 - 4x + 5 near 6x - 4", () => {
    // (f(x+h) - f(x)) / h = 6x - 4 + 3h exactly: 14.0003 at x = 3, h = 1e-4.
    assert.match(
      run.stdout,
      /x = 3 .* = {2}14\.0003 {3}exact 6x - 4 = 14\.0000/,
    );
    assert.match(run.stdout, /x = -3 .* = -21\.9997/);
  });

  it("prints L = -8 and the chain-rule gradients", () => {
    // d = 4, f = -2: dL/df = d = 4, dL/dd = dL/dc = dL/de = f = -2,
    // dL/da = f * b = 6, dL/db = f * a = -4.
    assert.match(run.stdout, /^L = -8\.0000$/m);
    for (
      const [name, grad] of [
        ["L", "1"],
        ["f", "4"],
        ["d", "-2"],
        ["c", "-2"],
        ["e", "-2"],
        ["a", "6"],
        ["b", "-4"],
      ]
    ) {
      assert.match(
        run.stdout,
        new RegExp(`^  ${name}: data .* grad +${grad}\\.0000 `, "m"),
        name,
      );
    }
    assert.match(run.stdout, /check: \(L\(a \+ h\) - L\(a\)\) \/ h = 6\.0000/);
  });

  it("shows the neuron's o = 0.7071 and its gradients, by hand and from exp", () => {
    // o = tanh(n) = 1/sqrt(2); do/dn = 1 - o^2 = 0.5; x1: w1 * 0.5 = -1.5,
    // w1: x1 * 0.5 = 1, x2: w2 * 0.5 = 0.5, w2: x2 * 0.5 = 0.
    assert.match(run.stdout, /o = tanh\(n\) = 0\.7071/);
    assert.match(run.stdout, /1 - o\^2 = 0\.5000/);
    const grads =
      "x1.grad = -1.5000  w1.grad = 1.0000  x2.grad = 0.5000  w2.grad = 0.0000";
    assert.equal(run.stdout.split(grads).length - 1, 2, run.stdout); // tanh, then exp
  });

  it("replays the neuron's backward pass with backwardSteps, one op a line", () => {
    // The same closed form: do/dn = 0.5 flows through the adds unchanged,
    // then each mul sends 0.5 times the other operand.
    const steps = [...run.stdout.matchAll(/^ {2}step (\d): (.*)$/gm)];
    assert.deepEqual(steps.map((m) => Number(m[1])), [1, 2, 3, 4, 5]);
    const lines = steps.map((m) => m[2]);
    assert.deepEqual(lines.slice(0, 3), [
      "o (tanh) -> n.grad = 0.5000",
      "n (add) -> (x1*w1 + x2*w2).grad = 0.5000, b.grad = 0.5000",
      "x1*w1 + x2*w2 (add) -> x1*w1.grad = 0.5000, x2*w2.grad = 0.5000",
    ]);
    // The two products may come in either order.
    assert.deepEqual(lines.slice(3).sort(), [
      "x1*w1 (mul) -> x1.grad = -1.5000, w1.grad = 1.0000",
      "x2*w2 (mul) -> x2.grad = 0.5000, w2.grad = 0.0000",
    ]);
  });

  it("shows the a + a bug: 1 when assigning, 2 when adding", () => {
    assert.match(run.stdout, /assigning .*a\.grad = 1\.0000 {2}\(wrong\)/);
    assert.match(run.stdout, /adding .*a\.grad = 2\.0000 {2}\(right\)/);
    // f = (ab)(a + b): df/da = 2ab + b^2 = -3, df/db = a^2 + 2ab = -8.
    assert.match(run.stdout, /adding: a\.grad = -3\.0000, b\.grad = -8\.0000/);
  });

  it("prints the loss of every training step, and it falls", () => {
    const losses = [
      ...run.stdout.matchAll(/^ {2}step +(\d+) {2}loss (\d+\.\d{4})$/gm),
    ];
    assert.deepEqual(losses.map((m) => Number(m[1])), [1, 2, 3, 4, 5]);
    assert.ok(Number(losses[4][2]) < Number(losses[0][2]), run.stdout);
  });

  it("writes the graphs as DOT and SVG with no Graphviz install", async () => {
    // PATH holds only an empty directory: no `dot` to call.
    for (const name of ["expression", "neuron"]) {
      const dot = await Deno.readTextFile(`${dir}/graphs/${name}.dot`);
      assert.match(dot, /^digraph \{/);
      assert.match(
        run.stdout,
        new RegExp(
          `^graph: wrote graphs/${name}\\.dot and graphs/${name}\\.svg$`,
          "m",
        ),
      );
    }
    assert.match(
      await Deno.readTextFile(`${dir}/graphs/expression.dot`),
      /\{ a \| data 2\.0000 \| grad 6\.0000 \}/,
    );
    // Graphviz's SVG: one <text> per record field, as in the DOT label.
    const svg = await Deno.readTextFile(`${dir}/graphs/neuron.svg`);
    assert.match(svg, /<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, />data 0\.7071<\/text>/);
    assert.match(svg, />grad &#45;1\.5000<\/text>|>grad -1\.5000<\/text>/);
    assert.doesNotMatch(run.stdout, /Graphviz dot is not on PATH/);
  });

  it("rejects bad flags with one line and exit code 2", async () => {
    const cases: [string[], RegExp][] = [
      [
        ["--bogus"],
        /^Cannot parse flags: unknown flag "--bogus", run with --help for the list$/,
      ],
      [
        ["--steps", "many"],
        /^Cannot parse --steps: expected an integer >= 0, got "many"$/,
      ],
      [
        ["--lr", "-1"],
        /^Cannot parse flags: --lr needs a value and the next argument starts with "-", write --lr=VALUE$/,
      ],
      [["--lr=-1"], /^Cannot parse --lr: expected a number > 0, got "-1"$/],
    ];
    for (const [args, message] of cases) {
      const bad = await lecture(`${dir}/empty`, ...args);
      assert.equal(bad.code, 2, args.join(" "));
      assert.equal(bad.stderr.split("\n").length, 2, bad.stderr);
      assert.match(bad.stderr.trim(), message);
      assert.equal(bad.stdout, "");
    }
  });

  it("prints its help", async () => {
    const help = await lecture(`${dir}/empty`, "--help");
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--out DIR/);
    assert.match(help.stdout, /--steps N/);
  });

  it("refuses an --out that is a file before the first section", async () => {
    await Deno.writeTextFile(`${dir}/afile`, "keep");
    const bad = await lecture(`${dir}/empty`, "--out", "afile");
    assert.equal(bad.code, 2, bad.stderr);
    assert.equal(
      bad.stderr,
      'Cannot write --out "afile": it is a regular file, expected a directory\n',
    );
    assert.equal(bad.stdout, "");
    assert.equal(await Deno.readTextFile(`${dir}/afile`), "keep");
  });

  it("writes --out relative to the caller's directory (INIT_CWD)", async () => {
    const elsewhere = await Deno.makeTempDir();
    try {
      const run = await runDeno(
        ["run", "--allow-all", LECTURE, "--out", "rel", "--steps", "0"],
        elsewhere,
        { PATH: `${dir}/empty`, INIT_CWD: dir },
      );
      assert.equal(run.code, 0, run.stderr);
      assert.ok((await Deno.stat(`${dir}/rel/neuron.dot`)).isFile);
      assert.ok((await Deno.stat(`${dir}/rel/neuron.svg`)).isFile);
      await assert.rejects(Deno.stat(`${elsewhere}/rel`), Deno.errors.NotFound);
    } finally {
      await Deno.remove(elsewhere, { recursive: true });
    }
  });
});
