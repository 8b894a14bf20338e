// deno task train's --engine, --clip, --schedule and --optimizer lbfgs, run
// as subprocesses (Deno.Command: Deno only).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Run, runDeno } from "./_run_deno.ts";

const TRAIN = new URL("../examples/train.ts", import.meta.url).pathname;

let dir = "";

function train(...args: string[]): Promise<Run> {
  return runDeno(
    ["run", "--allow-read", "--allow-write", "--allow-env", TRAIN, ...args],
    dir,
  );
}

const FINAL =
  /^accuracy \d+\.\d% \(\d+\/\d+ points\) after (\d+) steps in \S+ s(?: \((\d+) steps\/s, (object|tape|codegen)\))?$/m;

interface Saved {
  weights: number[];
}

/** The parameters of a saved model, in order. */
function weights(model: Saved): number[] {
  assert.ok(Array.isArray(model.weights), "a weights array");
  return model.weights;
}

let runs = 0;

/** Trains with `args`, saves the model; returns it, the output and the engine that ran. */
async function trained(
  args: string[],
): Promise<{ model: Saved; run: Run; engine: string }> {
  const file = `model${runs++}.json`;
  const run = await train(...args, "--save", file);
  assert.equal(run.code, 0, `${args.join(" ")}: ${run.stderr}`);
  const final = FINAL.exec(run.stdout);
  assert.ok(final, `no final line in:\n${run.stdout}`);
  // Steps per second and the engine, unless there were no steps.
  assert.equal(final[2] === undefined, final[1] === "0", final[0]);
  const model = JSON.parse(await Deno.readTextFile(`${dir}/${file}`));
  return { model, run, engine: final[3] };
}

before(async () => {
  dir = await Deno.makeTempDir({ prefix: "micrograd_train_engines_test_" });
});

after(async () => {
  await Deno.remove(dir, { recursive: true });
});

describe("deno task train --engine", () => {
  it("gives the same weights bit for bit with object, tape and codegen", async () => {
    const start = await trained(["--quiet", "--steps", "0"]);
    const cases = [
      ["--steps", "20"], // the default: full batch, hinge, sgd
      ["--steps", "20", "--batch-size", "16"], // new inputs and labels each step
      [
        "--steps",
        "20",
        "--loss",
        "mse",
        "--batch-size",
        "8",
        "--optimizer",
        "adam",
        "--clip",
        "0.5",
        "--schedule",
        "cosine",
      ],
      ["--steps", "5", "--optimizer", "lbfgs", "--samples", "40"],
    ];
    for (const args of cases) {
      const results = [];
      for (const engine of ["object", "tape", "codegen"]) {
        const result = await trained(["--quiet", ...args, "--engine", engine]);
        assert.equal(result.engine, engine, args.join(" "));
        results.push(weights(result.model));
      }
      const what = args.join(" ");
      assert.ok(results[0].length > 300, what);
      assert.deepEqual(results[1], results[0], `tape vs object: ${what}`);
      assert.deepEqual(results[2], results[0], `codegen vs object: ${what}`);
      if (!args.includes("--samples")) {
        // Training moved every layer away from the seeded start.
        assert.notDeepEqual(results[0], weights(start.model), what);
      }
    }
  });

  it("logs the same loss, batch accuracy and rate with every engine", async () => {
    const logs: string[] = [];
    const progress: string[] = [];
    for (const engine of ["object", "tape", "codegen"]) {
      const run = await train(
        "--steps",
        "12",
        "--batch-size",
        "10",
        "--engine",
        engine,
        "--csv",
        `log_${engine}.csv`,
      );
      assert.equal(run.code, 0, run.stderr);
      logs.push(await Deno.readTextFile(`${dir}/log_${engine}.csv`));
      // The progress lines without their steps/s, which differ.
      progress.push(
        run.stdout.split("\n").filter((l) => l.startsWith("step "))
          .map((l) => l.replace(/ +[\d.]+ steps\/s$/, "")).join("\n"),
      );
    }
    assert.equal(logs[0].trim().split("\n").length, 13);
    assert.equal(logs[1], logs[0]);
    assert.equal(logs[2], logs[0]);
    assert.match(progress[0], /^step {2}1\/12 +loss \d\.\d{4} +accuracy/);
    assert.equal(progress[1], progress[0]);
    assert.equal(progress[2], progress[0]);
  });

  it("replays the tape by default where the loss keeps its shape, else builds objects", async () => {
    const cases: [string[], string][] = [
      [[], "tape"],
      [["--loss", "mse", "--batch-size", "8"], "tape"],
      [["--loss", "bce"], "object"],
      [["--dataset", "spiral"], "object"], // ce
    ];
    for (const [args, engine] of cases) {
      const run = await train("--steps", "3", "--samples", "30", ...args);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(FINAL.exec(run.stdout)?.[3], engine, args.join(" "));
      assert.match(run.stdout, new RegExp(`, batch \\d+, ${engine}\\n`));
    }
  });
});

describe("deno task train --schedule and --clip", () => {
  async function rates(args: string[]): Promise<number[]> {
    const file = `rates${runs++}.csv`;
    const run = await train("--quiet", ...args, "--csv", file);
    assert.equal(run.code, 0, run.stderr);
    const lines = (await Deno.readTextFile(`${dir}/${file}`)).trim().split(
      "\n",
    );
    return lines.slice(1).map((line) => Number(line.split(",")[3]));
  }

  it("logs the rate of each schedule, as its formula says", async () => {
    const S = 10;
    const base = ["--steps", String(S), "--samples", "20"];
    const check = (got: number[], want: (k: number) => number): void => {
      assert.equal(got.length, S);
      got.forEach((lr, k) =>
        assert.ok(Math.abs(lr - want(k)) < 1e-12, `step ${k}: ${lr}`)
      );
    };
    // torch's CosineAnnealingLR (eta_min 0) and StepLR (gamma 0.1, step
    // size half the run), from lr 0.05 (adam's default).
    check(
      await rates([...base, "--optimizer", "adam", "--schedule", "cosine"]),
      (k) => 0.05 * (1 + Math.cos(Math.PI * k / S)) / 2,
    );
    check(
      await rates([...base, "--lr", "0.3", "--schedule", "step"]),
      (k) => k < 5 ? 0.3 : 0.03,
    );
    check(
      await rates([...base, "--schedule", "linear"]),
      (k) => 1 - 0.9 * k / S,
    );
  });

  it("limits each step's gradient to the --clip norm", async () => {
    // One SGD step of rate 1 from the seeded start: the parameters move by
    // the clipped gradient, whose 2-norm is 0.01 * total / (total + 1e-6).
    const start = weights((await trained(["--quiet", "--steps", "0"])).model);
    const clipped = weights(
      (await trained(["--quiet", "--steps", "1", "--clip", "0.01"])).model,
    );
    const free = weights((await trained(["--quiet", "--steps", "1"])).model);
    const norm = (a: number[]): number =>
      Math.sqrt(a.reduce((s, x, i) => s + (x - start[i]) ** 2, 0));
    const moved = norm(clipped);
    assert.ok(norm(free) > 0.1, `unclipped step ${norm(free)}`);
    assert.ok(Math.abs(moved - 0.01) < 1e-8, `clipped step ${moved}`);
    // Under the limit nothing changes.
    const loose = weights(
      (await trained(["--quiet", "--steps", "1", "--clip", "1e9"])).model,
    );
    assert.deepEqual(loose, free);
  });
});

describe("deno task train --optimizer lbfgs", () => {
  it("trains on the full batch", async () => {
    const run = await train("--steps", "10", "--optimizer", "lbfgs");
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /\| lbfgs lr 1, strong Wolfe line search \|/);
    const losses = [...run.stdout.matchAll(/^step +\d+\/10 +loss (\S+)/gm)]
      .map((m) => Number(m[1]));
    assert.ok(losses.length >= 2);
    assert.ok(losses[losses.length - 1] < losses[0], String(losses));
  });

  it("rejects bad flags with one line and exit code 2", async () => {
    const cases: [string[], RegExp][] = [
      [
        ["--optimizer", "lbfgs", "--batch-size", "10"],
        /^Cannot use --optimizer lbfgs with --batch-size 10: it needs the full batch \(--batch-size 0\), the data has 100 points$/,
      ],
      [
        ["--optimizer", "lbfgs", "--clip", "1"],
        /^Cannot use --clip with --optimizer lbfgs: /,
      ],
      [
        ["--optimizer", "lbfgs", "--schedule", "linear"],
        /^Cannot use --schedule with --optimizer lbfgs: /,
      ],
      [
        ["--clip", "0"],
        /^Cannot parse --clip: expected a number > 0, got "0"$/,
      ],
      [["--clip=-1"], /^Cannot parse --clip: expected a number > 0/],
      [
        ["--schedule", "exp"],
        /^Cannot parse --schedule: expected linear, cosine or step, got "exp"$/,
      ],
      [
        ["--engine", "fast"],
        /^Cannot parse --engine: expected object, tape or codegen, got "fast"$/,
      ],
      [
        ["--engine", "tape", "--loss", "ce"],
        /^Cannot use --engine tape with --loss ce: its graph changes shape/,
      ],
      [
        ["--engine", "codegen", "--loss", "bce"],
        /^Cannot use --engine codegen with --loss bce: its graph changes shape/,
      ],
      [
        ["--optimizer", "lbfgs", "--lr", "1e300"],
        /^Cannot train: the loss became (NaN|-?Infinity) at step 1, try a smaller --lr \(now 1e\+300\)$/,
      ],
      [
        ["--lr", "1e300", "--clip", "1", "--steps", "5"],
        /^Cannot train: the loss became (NaN|-?Infinity) at step \d, try a smaller --lr \(now 1e\+300\)$/,
      ],
    ];
    for (const [args, message] of cases) {
      const run = await train("--quiet", ...args);
      const what = args.join(" ");
      assert.equal(run.code, 2, `${what}: ${run.stdout}${run.stderr}`);
      assert.equal(run.stderr.split("\n").length, 2, `${what}: ${run.stderr}`);
      assert.match(run.stderr.trim(), message, what);
      assert.doesNotMatch(run.stdout, FINAL, what);
    }
  });
});
