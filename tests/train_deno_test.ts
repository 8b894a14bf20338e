// Runs examples/train.ts as a subprocess (Deno.Command: Deno only).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Run, runDeno } from "./_run_deno.ts";

const TRAIN = new URL("../examples/train.ts", import.meta.url).pathname;
const CONFIG = new URL("../deno.json", import.meta.url).pathname;

let dir = "";

function train(...args: string[]): Promise<Run> {
  return runDeno(
    ["run", "--allow-read", "--allow-write", "--allow-env", TRAIN, ...args],
    dir,
  );
}

const ACCURACY =
  /^accuracy (\d+\.\d)% \((\d+)\/(\d+) points\) after (\d+) steps/m;

function accuracy(run: Run): number {
  const match = ACCURACY.exec(run.stdout);
  assert.ok(match, `no accuracy line in:\n${run.stdout}\n${run.stderr}`);
  return Number(match[1]);
}

// A small well-formedness check: one root <svg> with the SVG namespace, and
// every element closed in order (no DOM parser in Deno).
function assertWellFormedSvg(text: string): void {
  assert.match(text, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(text, /<\/svg>\n$/);
  const stack: string[] = [];
  let roots = 0;
  for (
    const [tag, close, name, selfClose] of text.matchAll(
      /<(\/?)([a-zA-Z]+)[^<>]*?(\/?)>/g,
    ) as Iterable<string[]>
  ) {
    if (close === "/") {
      assert.equal(stack.pop(), name, `unbalanced ${tag}`);
    } else if (selfClose !== "/") {
      if (stack.length === 0) roots++;
      stack.push(name);
    }
  }
  assert.deepEqual([stack, roots], [[], 1]);
  assert.doesNotMatch(
    text.replace(/<[^<>]*>/g, ""),
    /[<>]|&(?!amp;|lt;|gt;|quot;)/,
  );
}

before(async () => {
  dir = await Deno.makeTempDir({ prefix: "micrograd_train_test_" });
});

after(async () => {
  await Deno.remove(dir, { recursive: true });
});

describe("deno task train", () => {
  it("reaches >= 97% training accuracy on moons with the defaults", async () => {
    const run = await train("--quiet");
    assert.equal(run.code, 0, run.stderr);
    assert.ok(accuracy(run) >= 97, run.stdout);
    assert.match(run.stdout, /\(\d+\/100 points\) after 100 steps/);
    // --quiet: the accuracy line only.
    assert.equal(run.stdout.trim().split("\n").length, 1, run.stdout);
  });

  it("prints plain progress lines, the boundary and no control characters when piped", async () => {
    const run = await train("--steps", "20", "--samples", "40");
    assert.equal(run.code, 0, run.stderr);
    const steps = run.stdout.match(
      /^step +\d+\/20 +loss \d+\.\d{4} +accuracy +\d+\.\d% +lr [\d.]+ +[\d.]+ steps\/s$/gm,
    );
    // Step 1, then every 2 steps (a tenth of 20): 1, 2, 4, ..., 20.
    assert.equal(steps?.length, 11, run.stdout);
    assert.match(run.stdout, /^\+-{64}\+$/m); // the frame of the boundary
    assert.match(
      run.stdout,
      /^o class 0 \(region " "\) {3}x class 1 \(region "."\)$/m,
    );
    assert.match(run.stdout, /^loss$/m);
    const control = [...run.stdout].filter((ch) => {
      const code = ch.charCodeAt(0);
      return (code < 32 && ch !== "\n") || code === 127;
    });
    assert.deepEqual(control, []);
    accuracy(run);
  });

  it("writes a well-formed SVG with the boundary, every point and the loss curve", async () => {
    const run = await train(
      "--steps",
      "7",
      "--samples",
      "30",
      "--plot",
      "out.svg",
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^wrote out\.svg$/m);
    const svg = await Deno.readTextFile(`${dir}/out.svg`);
    assertWellFormedSvg(svg);
    assert.equal(svg.match(/<circle /g)?.length, 30);
    const curve = /<polyline points="([^"]*)"/.exec(svg);
    assert.equal(curve?.[1].split(" ").length, 7);
    assert.match(svg, /decision boundary/);
    assert.match(svg, /accuracy \d+\.\d%/);
  });

  it("writes the CSV log: step, loss, accuracy, lr per step", async () => {
    const run = await train(
      "--steps",
      "10",
      "--samples",
      "20",
      "--csv",
      "log.csv",
    );
    assert.equal(run.code, 0, run.stderr);
    const lines = (await Deno.readTextFile(`${dir}/log.csv`)).trim().split(
      "\n",
    );
    assert.equal(lines[0], "step,loss,accuracy,lr");
    assert.equal(lines.length, 11);
    for (let i = 1; i <= 10; i++) {
      const [step, loss, acc, lr] = lines[i].split(",").map(Number);
      assert.equal(step, i);
      assert.ok(loss >= 0 && acc >= 0 && acc <= 1);
      // sgd's default schedule: 1 - 0.9 * k / steps for the k-th step from 0.
      assert.ok(Math.abs(lr - (1 - 0.9 * (i - 1) / 10)) < 1e-12, lines[i]);
    }
  });

  it("saves a model that --load reads back to the same accuracy", async () => {
    const first = await train(
      "--quiet",
      "--steps",
      "15",
      "--samples",
      "40",
      "--save",
      "model.json",
    );
    assert.equal(first.code, 0, first.stderr);
    const json = JSON.parse(await Deno.readTextFile(`${dir}/model.json`));
    assert.deepEqual(
      [json.format, json.version, json.nin, json.nouts, json.activation],
      ["micrograd.mlp", 1, 2, [16, 16, 1], "relu"],
    );
    const again = await train(
      "--quiet",
      "--steps",
      "0",
      "--samples",
      "40",
      "--load",
      "model.json",
    );
    assert.equal(again.code, 0, again.stderr);
    assert.equal(accuracy(again), accuracy(first));
  });

  it("replaces an existing output file and leaves no temporary file", async () => {
    await Deno.writeTextFile(`${dir}/old.svg`, "old");
    const run = await train(
      "--quiet",
      "--steps",
      "2",
      "--samples",
      "10",
      "--plot",
      "old.svg",
    );
    assert.equal(run.code, 0, run.stderr);
    assertWellFormedSvg(await Deno.readTextFile(`${dir}/old.svg`));
    for await (const entry of Deno.readDir(dir)) {
      assert.doesNotMatch(entry.name, /\.tmp$/);
    }
  });

  it("keeps an existing output file when the run fails", async () => {
    await Deno.writeTextFile(`${dir}/keep.csv`, "old");
    const run = await train("--csv", "keep.csv", "--steps", "x");
    assert.equal(run.code, 2);
    assert.equal(await Deno.readTextFile(`${dir}/keep.csv`), "old");
  });

  it("trains on a CSV file with a header and string labels", async () => {
    // Two separable classes: x1 < 0 is "left", x1 > 0 is "right".
    const rows = ["x1,x2,side"];
    for (let i = 0; i < 20; i++) {
      const x = (i % 10 + 1) / 10;
      rows.push(`${-x},${i / 20},left`, `${x},"${-i / 20}",right`);
    }
    await Deno.writeTextFile(`${dir}/sides.csv`, rows.join("\n") + "\n");
    const run = await train(
      "--dataset",
      "sides.csv",
      "--steps",
      "30",
      "--plot",
      "sides.svg",
    );
    assert.equal(run.code, 0, run.stderr);
    assert.equal(accuracy(run), 100);
    assert.match(run.stdout, /^sides\.csv: 40 points, 2 features, 2 classes/m);
    assert.match(run.stdout, /o class left .* x class right/);
  });

  it("trains on more than 2 features, without the boundary picture", async () => {
    const rows = ["a,b,c,label"];
    for (let i = 0; i < 12; i++) {
      rows.push(`${i % 2},${i / 12},${-i / 12},${i % 2}`);
    }
    await Deno.writeTextFile(`${dir}/three.csv`, rows.join("\n"));
    const run = await train(
      "--dataset",
      "three.csv",
      "--steps",
      "5",
      "--plot",
      "three.svg",
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /drawn for 2 features only/);
    const svg = await Deno.readTextFile(`${dir}/three.svg`);
    assertWellFormedSvg(svg);
    assert.match(svg, /drawn for 2 features only/);
  });

  it("accepts every dataset, loss, optimizer and activation", async () => {
    const cases = [
      ["--dataset", "circles", "--noise", "0.05"],
      ["--dataset", "spiral", "--classes", "4"],
      ["--dataset", "xor", "--loss", "bce", "--optimizer", "adam"],
      ["--dataset", "blobs", "--optimizer", "adamw", "--lr", "0.1"],
      ["--loss", "mse", "--activation", "tanh", "--batch-size", "8"],
      [
        "--loss",
        "ce",
        "--activation",
        "sigmoid",
        "--hidden",
        "4",
        "--seed",
        "3",
      ],
      ["--activation", "linear", "--l2", "0"],
    ];
    for (const args of cases) {
      const run = await train(
        "--quiet",
        "--samples",
        "24",
        "--steps",
        "3",
        ...args,
      );
      assert.equal(run.code, 0, `${args.join(" ")}: ${run.stderr}`);
      accuracy(run);
    }
  });

  it("prints the help with every flag", async () => {
    const run = await train("--help");
    assert.equal(run.code, 0);
    for (
      const flag of [
        "--dataset",
        "--samples",
        "--noise",
        "--classes",
        "--hidden",
        "--activation",
        "--load",
        "--loss",
        "--l2",
        "--optimizer",
        "--lr",
        "--schedule",
        "--clip",
        "--steps",
        "--batch-size",
        "--engine",
        "--seed",
        "--save",
        "--csv",
        "--plot",
        "--quiet",
        "--help",
      ]
    ) {
      assert.match(run.stdout, new RegExp(`^  ${flag} `, "m"), flag);
    }
  });

  it("rejects bad input with one line and exit code 2", async () => {
    await Deno.writeTextFile(
      `${dir}/bad.csv`,
      "x1,x2,label\n1,2,a\n3,oops,b\n",
    );
    await Deno.writeTextFile(`${dir}/quote.csv`, '1,2,a\n3,4,"b\n');
    await Deno.writeTextFile(`${dir}/notjson.json`, "{");
    await Deno.writeTextFile(`${dir}/wrong.json`, '{"format":"x"}');
    await Deno.mkdir(`${dir}/outdir`, { recursive: true });
    const model = "model.json"; // 2 inputs, 1 output, from the test above
    const cases: [string[], RegExp][] = [
      [
        ["--bogus"],
        /^Cannot parse flags: unknown flag "--bogus", run with --help for the list$/,
      ],
      [["stray"], /^Cannot parse flags: unexpected argument "stray"/],
      [["--steps"], /^Cannot parse flags: --steps expects a value/],
      [["--quiet=yes"], /^Cannot parse flags: --quiet takes no value$/],
      [
        ["--steps", "ten"],
        /^Cannot parse --steps: expected an integer >= 0, got "ten"$/,
      ],
      [
        ["--steps=-1"],
        /^Cannot parse --steps: expected an integer >= 0, got "-1"$/,
      ],
      [["--lr", "0"], /^Cannot parse --lr: expected a number > 0, got "0"$/],
      [
        ["--samples", "2.5"],
        /^Cannot parse --samples: expected an integer >= 1 and <= 100000, got "2.5"$/,
      ],
      [
        ["--hidden", "16,,16"],
        /^Cannot parse --hidden: expected layer sizes .* got "16,,16"$/,
      ],
      [
        ["--loss", "l1"],
        /^Cannot parse --loss: expected hinge, bce, mse or ce, got "l1"$/,
      ],
      [
        ["--optimizer", "rmsprop"],
        /^Cannot parse --optimizer: expected sgd, adam, adamw or lbfgs, got "rmsprop"$/,
      ],
      [
        ["--activation", "gelu"],
        /^Cannot parse --activation: expected relu, tanh, sigmoid or linear/,
      ],
      [
        ["--dataset", "nope.csv"],
        /^Cannot load --dataset "nope.csv": no such file, expected one of moons, circles/,
      ],
      [
        ["--dataset", "bad.csv"],
        /^Cannot load CSV "bad.csv": line 3, column 2 \("x2"\): expected a number, got "oops"$/,
      ],
      [
        ["--dataset", "quote.csv"],
        /^Cannot load CSV "quote.csv": not valid CSV: Quote Not Closed/,
      ],
      [
        ["--dataset", "bad.csv", "--samples", "5"],
        /^Cannot use --samples with a CSV dataset/,
      ],
      [
        ["--dataset", "moons", "--classes", "3"],
        /^Cannot use --classes with --dataset moons/,
      ],
      [
        ["--dataset", "spiral", "--loss", "hinge"],
        /^Cannot use --loss hinge: it needs 2 classes, the data has 3; use --loss ce$/,
      ],
      [
        ["--samples", "1"],
        /^Cannot make dataset "moons": samples must be an integer >= 2/,
      ],
      [
        ["--load", "missing.json"],
        /^Cannot load --load "missing.json": no such file, expected a model JSON file written by --save$/,
      ],
      [
        ["--load", "notjson.json"],
        /^Cannot load --load "notjson.json": not valid JSON/,
      ],
      [["--load", "wrong.json"], /^Cannot load --load "wrong.json": .*field "/],
      [
        ["--load", model, "--dataset", "spiral"],
        /^Cannot use --load "model.json": the model has 1 output, --loss ce on 3 classes needs 3$/,
      ],
      [
        ["--load", model, "--hidden", "4"],
        /^Cannot use --hidden with --load: the model file sets the layers$/,
      ],
      [
        ["--load", model, "--dataset", "three.csv"],
        /^Cannot use --load "model.json": the model takes 2 inputs, the data has 3 features$/,
      ],
      [
        ["--plot", "missing/out.svg"],
        /^Cannot write --plot "missing\/out.svg": directory ".*\/missing" does not exist$/,
      ],
      [
        ["--plot", "outdir"],
        /^Cannot write --plot "outdir": it is a directory, expected a regular file or a new path$/,
      ],
      [
        ["--loss", "mse", "--lr", "1e6"],
        /^Cannot train: the loss (became (NaN|Infinity)|exploded from \S+ at step 1 to \S+) at step \d+, try a smaller --lr \(now 1000000\)$/,
      ],
    ];
    for (const [args, message] of cases) {
      const run = await train("--quiet", ...args);
      const what = args.join(" ");
      assert.equal(run.code, 2, `${what}: ${run.stdout}${run.stderr}`);
      assert.equal(
        run.stderr.split("\n").length,
        2,
        `${what}: one line + newline:\n${run.stderr}`,
      );
      assert.match(run.stderr.trim(), message, `${what}: ${run.stderr}`);
      assert.doesNotMatch(run.stdout, ACCURACY, what);
    }
    // A failed write removes its temporary file.
    for await (const entry of Deno.readDir(dir)) {
      assert.doesNotMatch(entry.name, /\.tmp$/);
    }
  });

  it("prints no Download lines as deno task train on a cold cache", async () => {
    // A fresh DENO_DIR: Deno fetches the npm packages and, unless the task
    // runs quietly, prints "Download ..." on stderr before the program does.
    const cache = await Deno.makeTempDir({ prefix: "micrograd_deno_dir_" });
    try {
      const run = await runDeno(
        ["task", "--quiet", "--config", CONFIG, "train", "--bogus"],
        dir,
        { DENO_DIR: cache },
      );
      assert.equal(run.code, 2, run.stderr);
      assert.equal(
        run.stderr,
        'Cannot parse flags: unknown flag "--bogus", run with --help for the list\n',
      );
    } finally {
      await Deno.remove(cache, { recursive: true });
    }
  });

  it("resolves relative paths against the caller's directory (INIT_CWD)", async () => {
    // deno task runs the program in the repository; it sets INIT_CWD to the
    // directory the user typed the command in.
    const sub = `${dir}/caller`;
    await Deno.mkdir(sub, { recursive: true });
    const run = await runDeno(
      [
        "task",
        "--quiet",
        "--config",
        CONFIG,
        "train",
        "--quiet",
        "--steps",
        "1",
        "--samples",
        "10",
        "--save",
        "here.json",
      ],
      sub,
    );
    assert.equal(run.code, 0, run.stderr);
    assert.ok((await Deno.stat(`${sub}/here.json`)).isFile);
  });

  it("refuses to save a diverged model and writes nothing", async () => {
    const run = await train(
      "--quiet",
      "--lr",
      "1e300",
      "--l2",
      "1e10",
      "--steps",
      "1",
      "--save",
      "diverged.json",
    );
    assert.equal(run.code, 2, run.stdout);
    assert.match(
      run.stderr,
      /^Cannot train: parameter \d+ became (NaN|-?Infinity) at step 1, try a smaller --lr \(now 1e\+300\)\n$/,
    );
    await assert.rejects(
      Deno.stat(`${dir}/diverged.json`),
      Deno.errors.NotFound,
    );
  });

  it("stops a run whose loss explodes, with advice", async () => {
    // Two separable classes, features in [-30, 30]: mse with lr 0.1 blows
    // up within a few steps, long before the loss overflows to Infinity.
    const rows = ["a,b,label"];
    for (let i = 0; i < 40; i++) {
      const x = ((i * 37) % 40 - 19.5) * 1.5;
      rows.push(`${x},${((i * 13) % 40 - 20) * 1.5},${x > 0 ? 1 : 0}`);
    }
    await Deno.writeTextFile(`${dir}/wide.csv`, rows.join("\n") + "\n");
    const run = await train(
      "--quiet",
      "--dataset",
      "wide.csv",
      "--loss",
      "mse",
      "--steps",
      "3",
    );
    assert.equal(run.code, 2, run.stdout);
    assert.match(
      run.stderr,
      /^Cannot train: the loss exploded from \S+ at step 1 to \S+ at step \d, try a smaller --lr \(now 0\.1\) or standardise the features/,
    );
  });

  it("refuses an output that is the dataset or another output, before training", async () => {
    const csv = "0,0,a\n1,1,b\n0,1,a\n1,0,b\n";
    await Deno.writeTextFile(`${dir}/data.csv`, csv);
    const cases: [string[], RegExp][] = [
      [
        ["--dataset", "data.csv", "--csv", "data.csv"],
        /^Cannot write --csv "data.csv": it is the same file as --dataset "data.csv", expected a different path$/,
      ],
      [
        ["--dataset", "data.csv", "--save", `${dir}/./data.csv`],
        /^Cannot write --save ".*data.csv": it is the same file as --dataset "data.csv"/,
      ],
      [
        ["--csv", "same.out", "--plot", "same.out"],
        /^Cannot write --plot "same.out": it is the same file as --csv "same.out"/,
      ],
    ];
    for (const [args, message] of cases) {
      const run = await train(...args);
      assert.equal(run.code, 2, args.join(" "));
      assert.match(run.stderr.trim(), message);
      assert.equal(run.stdout, "", "refused before training");
    }
    assert.equal(await Deno.readTextFile(`${dir}/data.csv`), csv);
    // --save may replace the model --load read.
    await train("--quiet", "--steps", "1", "--save", "again.json");
    const again = await train(
      "--quiet",
      "--steps",
      "1",
      "--load",
      "again.json",
      "--save",
      "again.json",
    );
    assert.equal(again.code, 0, again.stderr);
  });

  it("reads only regular files of at most the stated size", async () => {
    await new Deno.Command("mkfifo", { args: [`${dir}/fifo.csv`] }).output();
    const big = await Deno.open(`${dir}/big.csv`, {
      write: true,
      create: true,
    });
    await big.truncate(64 * 1024 * 1024 + 1); // sparse: no disk used
    big.close();
    const cases: [string[], RegExp][] = [
      [
        ["--dataset", "/dev/zero"],
        /^Cannot load --dataset "\/dev\/zero": it is a character device, expected a regular file$/,
      ],
      [
        ["--load", "/dev/zero"],
        /^Cannot load --load "\/dev\/zero": it is a character device, expected a regular file$/,
      ],
      [
        ["--dataset", "fifo.csv"],
        /^Cannot load --dataset "fifo.csv": it is a FIFO, expected a regular file$/,
      ],
      [
        ["--dataset", "big.csv"],
        /^Cannot load --dataset "big.csv": the file is larger than 64 MiB, the most this reads$/,
      ],
    ];
    for (const [args, message] of cases) {
      const run = await train("--quiet", ...args);
      assert.equal(run.code, 2, args.join(" "));
      assert.match(run.stderr.trim(), message);
    }
    const help = await train("--help");
    assert.match(help.stdout, /at most 64 MiB/);
    assert.match(help.stdout, /at most\s+256 MiB/);
  });

  it("shows control characters from a CSV file escaped", async () => {
    const evil = "a\x1b[2J\x07";
    await Deno.writeTextFile(
      `${dir}/evil.csv`,
      `0,0,"${evil}"\n1,1,b\n0,1,"${evil}"\n1,0,b\n`,
    );
    const run = await train("--dataset", "evil.csv", "--steps", "2");
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /class a\\x1b\[2J\\x07/);
    // deno-lint-ignore no-control-regex
    assert.doesNotMatch(run.stdout, /[\x07\x1b]/);
    await Deno.writeTextFile(`${dir}/evil2.csv`, `0,"\x1b[31m",a\n`);
    const bad = await train("--dataset", "evil2.csv");
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /got "\\x1b\[31m"/);
    // deno-lint-ignore no-control-regex
    assert.doesNotMatch(bad.stderr, /\x1b/);
  });

  it("keeps to limits that fit in memory", async () => {
    const cases: [string[], RegExp][] = [
      [
        ["--samples", "200000000"],
        /^Cannot parse --samples: expected an integer >= 1 and <= 100000, got "200000000"$/,
      ],
      [
        ["--samples", "100000"],
        /^Cannot train: one step would build about \S+ graph nodes \(100000 points x the model\), more than the 2\.0e\+7 that fit; use a smaller --batch-size or --hidden$/,
      ],
      [["--hidden", "4096,4096"], /^Cannot train: one step would build about/],
    ];
    for (const [args, message] of cases) {
      const run = await train("--quiet", ...args);
      assert.equal(run.code, 2, args.join(" "));
      assert.match(run.stderr.trim(), message);
    }
    const ok = await train(
      "--quiet",
      "--samples",
      "100000",
      "--batch-size",
      "64",
      "--steps",
      "1",
    );
    assert.equal(ok.code, 0, ok.stderr);
  });

  it("checks every output before training, and the model survives a failed one", async () => {
    await Deno.writeTextFile(`${dir}/keep.json`, "old model");
    const cases: [string[], RegExp][] = [
      [
        ["--save", "keep.json", "--plot", "/proc/self/x.svg"],
        /^Cannot write --plot "\/proc\/self\/x.svg": "\/proc\/self" is a system directory/,
      ],
      [
        ["--save", "keep.json", "--csv", "nodir/log.csv"],
        /^Cannot write --csv "nodir\/log.csv": directory ".*\/nodir" does not exist$/,
      ],
      [
        ["--save", "/dev/null"],
        /^Cannot write --save "\/dev\/null": it is a character device, expected a regular file or a new path$/,
      ],
    ];
    for (const [args, message] of cases) {
      const run = await train(...args);
      assert.equal(run.code, 2, args.join(" "));
      assert.match(run.stderr.trim(), message);
      assert.equal(run.stdout, "", "refused before training");
    }
    assert.equal(await Deno.readTextFile(`${dir}/keep.json`), "old model");
  });

  it("saves what --load needs: the dataset, loss and class names", async () => {
    const rows = ["x,y,kind"];
    for (let i = 0; i < 20; i++) {
      rows.push(`${i % 2 ? 1 : -1},${i / 20},${i % 2 ? "cat" : "dog"}`);
    }
    await Deno.writeTextFile(`${dir}/pets.csv`, rows.join("\n"));
    const first = await train(
      "--quiet",
      "--dataset",
      "pets.csv",
      "--loss",
      "bce",
      "--steps",
      "20",
      "--save",
      "pets.json",
    );
    assert.equal(first.code, 0, first.stderr);
    const json = JSON.parse(await Deno.readTextFile(`${dir}/pets.json`));
    assert.deepEqual(json.meta, {
      dataset: `${dir}/pets.csv`,
      loss: "bce",
      labels: ["cat", "dog"],
    });
    // No --dataset or --loss: both come from the file; same accuracy.
    const again = await train("--steps", "0", "--load", "pets.json");
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /pets\.csv: 20 points/);
    assert.match(again.stdout, /^bce loss/m);
    assert.equal(accuracy(again), accuracy(first));
    // Data with other class names is refused.
    const other = await train(
      "--quiet",
      "--steps",
      "0",
      "--load",
      "pets.json",
      "--dataset",
      "sides.csv",
    );
    assert.equal(other.code, 2);
    assert.match(
      other.stderr,
      /the model was trained on the classes "cat, dog", the data has "left, right"/,
    );
  });

  it("evaluates a --load model on its own generated data, whatever --seed says", async () => {
    const first = await train(
      "--quiet",
      "--dataset",
      "spiral",
      "--classes",
      "4",
      "--samples",
      "40",
      "--seed",
      "7",
      "--steps",
      "10",
      "--save",
      "spiral.json",
    );
    assert.equal(first.code, 0, first.stderr);
    const again = await train(
      "--steps",
      "0",
      "--seed",
      "99",
      "--load",
      "spiral.json",
      "--save",
      "spiral.json",
    );
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^spiral: 40 points, 2 features, 4 classes/m);
    assert.equal(accuracy(again), accuracy(first));
    const json = JSON.parse(await Deno.readTextFile(`${dir}/spiral.json`));
    assert.deepEqual(json.meta, {
      dataset: "spiral",
      samples: 40,
      seed: 7,
      classes: 4,
      loss: "ce",
      labels: ["0", "1", "2", "3"],
    });
  });
});
