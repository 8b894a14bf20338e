// `deno task train`: trains an MLP classifier on a toy dataset or a CSV file,
// as in micrograd's demo.ipynb, with live progress, the decision boundary in
// the terminal and, on request, an SVG picture, a CSV log and a model file.
//
//   deno task train                        # micrograd's demo: moons, >= 97%
//   deno task train --dataset spiral --samples 300 --optimizer adam --steps 200 --batch-size 64
//   deno task train --help                 # every flag
//
// examples/moons.svg, the picture in the README, is the default run's plot:
//   deno task train --plot examples/moons.svg
//
// Bad input (unknown flag, bad number, bad CSV, a model that does not fit
// the data) prints one line saying what was wrong and exits with code 2.

import { parseArgs } from "node:util";
import { stringify } from "csv-stringify/sync";
import asciichart from "asciichart";
import { mean, sum, type Value } from "@micrograd/micrograd/engine";
import {
  type Activation,
  binaryCrossEntropy,
  hingeLoss,
  MLP,
  mse,
  softmaxCrossEntropy,
} from "@micrograd/micrograd/nn";
import { Adam, AdamW, SGD } from "@micrograd/micrograd/optim";
import { Random } from "../nn/_random.ts";
import { type Dataset, GENERATORS, makeDataset } from "./datasets.ts";
import { loadCsvDataset } from "./csv_dataset.ts";
import {
  boundsOf,
  renderSvg,
  renderTerminal,
  sampleGrid,
  terminalLegend,
} from "./_plot.ts";
import { parseArgsMessage, runMain, UsageError } from "./_cli.ts";

const HELP = `Train an MLP classifier with micrograd, as in micrograd's demo.

Usage: deno task train [flags]

Data
  --dataset NAME     moons, circles, spiral, xor, blobs, or a CSV file:
                     numeric feature columns, the label last, header
                     optional (default: moons)
  --samples N        points to generate (default: 100)
  --noise X          noise of the generator (default: moons 0.1,
                     circles 0.08, spiral 0.2 on the angle, xor 0.1,
                     blobs 0.5)
  --classes K        classes of spiral and blobs (default: 3)

Model
  --hidden SIZES     hidden layer sizes, comma-separated (default: 16,16)
  --activation NAME  relu, tanh, sigmoid or linear (default: relu)
  --load FILE        start from a model written by --save; it sets the
                     layers, and --steps 0 only evaluates it

Training
  --loss NAME        hinge, bce or mse (2 classes, one output), or ce
                     (softmax cross-entropy, one output per class)
                     (default: hinge, or ce for more than 2 classes)
  --l2 X             add X * sum(p^2) over the parameters to the loss
                     (default: 1e-4)
  --optimizer NAME   sgd, adam or adamw (default: sgd)
  --lr X             first learning rate; it decays linearly towards a tenth
                     of X over the run (default: sgd 1, or 0.1 with
                     --loss mse; adam and adamw 0.05)
  --steps N          optimizer steps (default: 100)
  --batch-size N     points per step, drawn at random; 0 for all of them
                     (default: 0)
  --seed N           seed of the data, the weights and the batches
                     (default: 1337)

Output
  --save FILE        write the trained model as JSON
  --csv FILE         write a log with columns step, loss, accuracy, lr
  --plot FILE        write an SVG: decision boundary, points, loss curve
  --quiet            print only the final accuracy line
  --help             print this help

An output file is replaced only once the new one is complete. Bad input
prints one line and exits with code 2. NO_COLOR turns colours off.`;

interface Options {
  dataset: string;
  samples: number | undefined;
  noise: number | undefined;
  classes: number | undefined;
  hidden: number[] | undefined;
  activation: Activation | undefined;
  load: string | undefined;
  loss: Loss | undefined;
  l2: number;
  optimizer: "sgd" | "adam" | "adamw";
  lr: number | undefined;
  steps: number;
  batchSize: number;
  seed: number;
  save: string | undefined;
  csv: string | undefined;
  plot: string | undefined;
  quiet: boolean;
}

type Loss = "hinge" | "bce" | "mse" | "ce";

const STRING_FLAGS = [
  "dataset",
  "samples",
  "noise",
  "classes",
  "hidden",
  "activation",
  "load",
  "loss",
  "l2",
  "optimizer",
  "lr",
  "steps",
  "batch-size",
  "seed",
  "save",
  "csv",
  "plot",
] as const;

function parseOptions(args: string[]): Options | "help" {
  let values: Record<string, string | boolean | undefined>;
  try {
    const options: Record<string, { type: "string" | "boolean" }> = {
      quiet: { type: "boolean" },
      help: { type: "boolean" },
    };
    for (const name of STRING_FLAGS) options[name] = { type: "string" };
    values = parseArgs({ args, options, strict: true, allowPositionals: false })
      .values;
  } catch (error) {
    throw new UsageError(parseArgsMessage(error));
  }
  if (values.help === true) return "help";
  const text = (name: string): string | undefined =>
    values[name] as string | undefined;
  return {
    dataset: text("dataset") ?? "moons",
    samples: integer("samples", text("samples"), 1),
    noise: number("noise", text("noise"), 0),
    classes: integer("classes", text("classes"), 2),
    hidden: sizes(text("hidden")),
    activation: choice("activation", text("activation"), [
      "relu",
      "tanh",
      "sigmoid",
      "linear",
    ]),
    load: text("load"),
    loss: choice("loss", text("loss"), ["hinge", "bce", "mse", "ce"]),
    l2: number("l2", text("l2"), 0) ?? 1e-4,
    optimizer: choice("optimizer", text("optimizer"), [
      "sgd",
      "adam",
      "adamw",
    ]) ?? "sgd",
    lr: number("lr", text("lr"), 0, true),
    steps: integer("steps", text("steps"), 0) ?? 100,
    batchSize: integer("batch-size", text("batch-size"), 0) ?? 0,
    seed: integer("seed", text("seed"), 0) ?? 1337,
    save: path("save", text("save")),
    csv: path("csv", text("csv")),
    plot: path("plot", text("plot")),
    quiet: values.quiet === true,
  };
}

function integer(
  flag: string,
  text: string | undefined,
  min: number,
): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (
    !/^\s*\+?\d+\s*$/.test(text) || !Number.isSafeInteger(value) || value < min
  ) {
    throw new UsageError(
      `Cannot parse --${flag}: expected an integer >= ${min}, got "${text}"`,
    );
  }
  return value;
}

function number(
  flag: string,
  text: string | undefined,
  min: number,
  exclusive = false,
): number | undefined {
  if (text === undefined) return undefined;
  const value = text.trim() === "" ? NaN : Number(text);
  if (!Number.isFinite(value) || (exclusive ? value <= min : value < min)) {
    throw new UsageError(
      `Cannot parse --${flag}: expected a number ${
        exclusive ? ">" : ">="
      } ${min}, got "${text}"`,
    );
  }
  return value;
}

function sizes(text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined;
  const parts = text.split(",").map((s) => s.trim());
  if (
    parts.some((p) => !/^\d+$/.test(p) || Number(p) < 1 || Number(p) > 4096)
  ) {
    throw new UsageError(
      `Cannot parse --hidden: expected layer sizes from 1 to 4096 separated by commas, like 16,16, got "${text}"`,
    );
  }
  return parts.map(Number);
}

function choice<T extends string>(
  flag: string,
  text: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (text === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(text)) {
    throw new UsageError(
      `Cannot parse --${flag}: expected ${listOr(allowed)}, got "${text}"`,
    );
  }
  return text as T;
}

function path(flag: string, text: string | undefined): string | undefined {
  if (text === "") {
    throw new UsageError(
      `Cannot parse --${flag}: expected a file path, got ""`,
    );
  }
  return text;
}

function listOr(items: readonly string[]): string {
  return items.length === 1
    ? items[0]
    : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

// ---------------------------------------------------------------------------
// Data and model

async function loadData(options: Options): Promise<Dataset> {
  if (GENERATORS.includes(options.dataset)) {
    if (
      options.classes !== undefined &&
      options.dataset !== "spiral" && options.dataset !== "blobs"
    ) {
      throw new UsageError(
        `Cannot use --classes with --dataset ${options.dataset}: it has 2 classes, --classes applies to spiral and blobs`,
      );
    }
    try {
      return makeDataset(options.dataset, options.samples ?? 100, {
        noise: options.noise,
        seed: options.seed,
        classes: options.classes,
      });
    } catch (error) {
      if (error instanceof RangeError) throw new UsageError(error.message);
      throw error;
    }
  }
  for (const flag of ["samples", "noise", "classes"] as const) {
    if (options[flag] !== undefined) {
      throw new UsageError(
        `Cannot use --${flag} with a CSV dataset: it applies to the generated datasets (${
          GENERATORS.join(", ")
        })`,
      );
    }
  }
  try {
    await Deno.stat(options.dataset);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new UsageError(
        `Cannot load --dataset "${options.dataset}": no such file, expected one of ${
          GENERATORS.join(", ")
        } or the path of a CSV file`,
      );
    }
    throw error;
  }
  try {
    return await loadCsvDataset(options.dataset);
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message);
    throw error;
  }
}

async function loadModel(file: string): Promise<MLP> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    const state = error instanceof Deno.errors.NotFound
      ? "no such file"
      : error instanceof Error
      ? error.message
      : String(error);
    throw new UsageError(
      `Cannot load --load "${file}": ${state}, expected a model JSON file written by --save`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `Cannot load --load "${file}": not valid JSON (${
        (error as Error).message
      }), expected a model written by --save`,
    );
  }
  try {
    return MLP.fromJSON(json);
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError) {
      // "Cannot load MLP from JSON: field ... is missing": keep the state.
      const state = error.message.replace(/^Cannot [^:]*: /, "");
      throw new UsageError(`Cannot load --load "${file}": ${state}`);
    }
    throw error;
  }
}

/** The model, loss and output count for the data, or a UsageError. */
async function buildModel(
  options: Options,
  data: Dataset,
): Promise<{ model: MLP; loss: Loss }> {
  const nin = data.x[0].length;
  const binary = data.classes === 2;
  if (options.load === undefined) {
    const loss = options.loss ?? (binary ? "hinge" : "ce");
    checkLoss(loss, data);
    const nout = loss === "ce" ? data.classes : 1;
    const model = new MLP(nin, [...(options.hidden ?? [16, 16]), nout], {
      activation: options.activation ?? "relu",
      seed: options.seed,
    });
    return { model, loss };
  }
  for (const flag of ["hidden", "activation"] as const) {
    if (options[flag] !== undefined) {
      throw new UsageError(
        `Cannot use --${flag} with --load: the model file sets the layers`,
      );
    }
  }
  const model = await loadModel(options.load);
  const nout = model.nouts[model.nouts.length - 1];
  if (model.nin !== nin) {
    throw new UsageError(
      `Cannot use --load "${options.load}": the model takes ${model.nin} inputs, the data has ${nin} features`,
    );
  }
  const loss = options.loss ?? (nout === 1 && binary ? "hinge" : "ce");
  checkLoss(loss, data);
  const expected = loss === "ce" ? data.classes : 1;
  if (nout !== expected) {
    throw new UsageError(
      `Cannot use --load "${options.load}": the model has ${nout} output${
        nout === 1 ? "" : "s"
      }, --loss ${loss} on ${data.classes} classes needs ${expected}`,
    );
  }
  return { model, loss };
}

function checkLoss(loss: Loss, data: Dataset): void {
  if (loss !== "ce" && data.classes !== 2) {
    throw new UsageError(
      `Cannot use --loss ${loss}: it needs 2 classes, the data has ${data.classes}; use --loss ce`,
    );
  }
}

// The loss of one batch: the data loss, averaged over the points, plus the
// L2 penalty alpha * sum(p^2) over all parameters (as micrograd's demo).
function batchLoss(
  outputs: Value[][],
  labels: number[],
  loss: Loss,
  params: Value[],
  l2: number,
): Value {
  let data: Value;
  if (loss === "ce") {
    const terms: Value[] = [];
    for (let i = 0; i < outputs.length; i++) {
      terms.push(softmaxCrossEntropy(outputs[i], labels[i]));
    }
    data = mean(terms);
  } else {
    const scores = outputs.map((o) => o[0]);
    data = loss === "hinge"
      ? hingeLoss(scores, labels.map((k) => 2 * k - 1))
      : loss === "bce"
      ? binaryCrossEntropy(scores, labels)
      : mse(scores, labels.map((k) => 2 * k - 1));
  }
  if (l2 === 0) return data;
  const squares: Value[] = [];
  for (const p of params) squares.push(p.mul(p));
  return data.add(sum(squares).mul(l2));
}

/** The class the outputs stand for: sign of one score, else argmax. */
function classOf(output: readonly number[]): number {
  if (output.length === 1) return output[0] > 0 ? 1 : 0;
  let best = 0;
  for (let k = 1; k < output.length; k++) {
    if (output[k] > output[best]) best = k;
  }
  return best;
}

function outputClass(output: readonly Value[]): number {
  return classOf(output.map((v) => v.data));
}

function accuracyOf(model: MLP, data: Dataset): number {
  let right = 0;
  for (let i = 0; i < data.x.length; i++) {
    if (classOf(model.predict(data.x[i])) === data.y[i]) right++;
  }
  return right / data.x.length;
}

// ---------------------------------------------------------------------------
// Output

const encoder = new TextEncoder();

function write(text: string): void {
  const bytes = encoder.encode(text);
  let written = 0;
  while (written < bytes.length) {
    written += Deno.stdout.writeSync(bytes.subarray(written));
  }
}

function duration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  const m = Math.floor(seconds / 60);
  return `${m} min ${Math.round(seconds - 60 * m)} s`;
}

function percent(fraction: number): string {
  return `${(100 * fraction).toFixed(1)}%`;
}

/**
 * Checks, before training, that each output file's directory exists and
 * that the file is not a directory, so a long run does not fail at the end.
 */
async function checkOutputs(options: Options): Promise<void> {
  for (const flag of ["save", "csv", "plot"] as const) {
    const file = options[flag];
    if (file === undefined) continue;
    const slash = file.lastIndexOf("/");
    const dir = slash < 0 ? "." : slash === 0 ? "/" : file.slice(0, slash);
    let isDirectory = false;
    try {
      isDirectory = (await Deno.stat(dir)).isDirectory;
    } catch {
      // missing: reported below
    }
    if (!isDirectory) {
      throw new UsageError(
        `Cannot write --${flag} "${file}": directory "${dir}" does not exist`,
      );
    }
    let target: Deno.FileInfo | undefined;
    try {
      target = await Deno.stat(file);
    } catch {
      // a new file
    }
    if (target !== undefined && !target.isFile) {
      throw new UsageError(
        `Cannot write --${flag} "${file}": it is a directory, expected a file path`,
      );
    }
  }
}

/**
 * Writes `text` to a temporary file next to `file`, then renames it over
 * `file`: an existing file is replaced only by a complete new one.
 */
async function writeAtomic(
  flag: string,
  file: string,
  text: string,
): Promise<void> {
  const temp = `${file}.${Deno.pid}.tmp`;
  try {
    await Deno.writeTextFile(temp, text);
    await Deno.rename(temp, file);
  } catch (error) {
    try {
      await Deno.remove(temp);
    } catch {
      // the temporary file was never created
    }
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(`Cannot write --${flag} "${file}": ${message}`);
  }
}

/**
 * Progress: on a terminal, one line redrawn in place (at most 12 times a
 * second); otherwise a plain line every tenth of the run, no control codes.
 */
class Progress {
  readonly total: number;
  readonly live: boolean;
  readonly quiet: boolean;
  readonly start: number = performance.now();
  lastDraw = -Infinity;
  open = false; // a live line is on screen, not yet ended by a newline

  constructor(total: number, live: boolean, quiet: boolean) {
    this.total = total;
    this.live = live;
    this.quiet = quiet;
  }

  update(step: number, loss: number, accuracy: number, lr: number): void {
    if (this.quiet) return;
    const now = performance.now();
    const seconds = (now - this.start) / 1000;
    const rate = step / Math.max(seconds, 1e-9);
    const done = step === this.total;
    const fields = `loss ${loss.toFixed(4)}  accuracy ${
      percent(accuracy).padStart(6)
    }  lr ${lr.toPrecision(3)}  ${rate.toFixed(rate < 10 ? 1 : 0)} steps/s`;
    const counter = `step ${
      String(step).padStart(String(this.total).length)
    }/${this.total}`;
    if (this.live) {
      if (!done && now - this.lastDraw < 80) return;
      this.lastDraw = now;
      const eta = done
        ? `took ${duration(seconds)}`
        : `ETA ${duration((this.total - step) / rate)}`;
      // The bar takes what room is left, up to 20 cells; the line is cut to
      // the terminal's width, since a wrapped line cannot be redrawn.
      const columns = terminalWidth() - 1;
      const text = `${fields}  ${eta}`;
      const room = Math.min(20, columns - counter.length - text.length - 2);
      const filled = Math.round(Math.max(0, room) * step / this.total);
      const bar = room < 5
        ? " "
        : ` ${"█".repeat(filled)}${"░".repeat(room - filled)} `;
      write(`\r\x1b[2K${(counter + bar + text).slice(0, columns)}`);
      this.open = true;
      if (done) this.end();
      return;
    }
    const every = Math.max(1, Math.ceil(this.total / 10));
    if (step === 1 || step % every === 0 || done) {
      console.log(`${counter}  ${fields}`);
    }
  }

  /** Ends the live line, if one is on screen. */
  end(): void {
    if (this.open) write("\n");
    this.open = false;
  }
}

// ---------------------------------------------------------------------------
// Main

async function main(args: string[]): Promise<void> {
  const options = parseOptions(args);
  if (options === "help") {
    console.log(HELP);
    return;
  }
  await checkOutputs(options);
  const data = await loadData(options);
  const { model, loss } = await buildModel(options, data);
  const params = model.parameters();
  const steps = options.steps;
  // mse's gradient 2(s - y) grows with the score: it needs smaller steps.
  const lr0 = options.lr ??
    (options.optimizer !== "sgd" ? 0.05 : loss === "mse" ? 0.1 : 1);
  // Linear decay to a tenth, as micrograd's demo: 1.0 - 0.9 * k / 100.
  const lr = (step: number): number =>
    lr0 * (1 - 0.9 * step / Math.max(1, steps));
  const optimizer = options.optimizer === "sgd"
    ? new SGD(params, { lr })
    : options.optimizer === "adam"
    ? new Adam(params, { lr })
    : new AdamW(params, { lr });

  const isTerminal = Deno.stdout.isTerminal();
  const color = isTerminal && (Deno.env.get("NO_COLOR") ?? "") === "";
  const n = data.x.length;
  const batchSize = options.batchSize === 0
    ? n
    : Math.min(options.batchSize, n);
  if (!options.quiet) {
    const nouts = model.nouts.join(", ");
    console.log(
      `${data.name}: ${n} points, ${
        data.x[0].length
      } features, ${data.classes} classes | MLP(${model.nin}, [${nouts}]) ${model.activation}, ${params.length} parameters`,
    );
    console.log(
      `${loss} loss + ${options.l2} L2 | ${options.optimizer} lr ${lr0} -> ${
        Number((lr0 * 0.1).toPrecision(6))
      } | ${steps} steps, batch ${batchSize}${
        options.load === undefined ? "" : ` | from ${options.load}`
      }`,
    );
  }

  const log: [number, number, number, number][] = [];
  const losses: number[] = [];
  const rng = new Random(options.seed ^ 0x5bd1e995);
  const progress = new Progress(steps, isTerminal, options.quiet);
  const start = performance.now();
  const order = Array.from({ length: n }, (_, i) => i);
  for (let step = 0; step < steps; step++) {
    let batch = order;
    if (batchSize < n) {
      // A partial Fisher-Yates shuffle: the first batchSize are the batch.
      for (let i = 0; i < batchSize; i++) {
        const j = i + rng.int(n - i);
        [order[i], order[j]] = [order[j], order[i]];
      }
      batch = order.slice(0, batchSize);
    }
    const outputs: Value[][] = [];
    const labels: number[] = [];
    let right = 0;
    for (const i of batch) {
      const output = model.forward(data.x[i]);
      outputs.push(output);
      labels.push(data.y[i]);
      if (outputClass(output) === data.y[i]) right++;
    }
    const total = batchLoss(outputs, labels, loss, params, options.l2);
    const rate = lr(step);
    optimizer.zeroGrad();
    total.backward();
    optimizer.step();
    losses.push(total.data);
    log.push([step + 1, total.data, right / batch.length, rate]);
    progress.update(step + 1, total.data, right / batch.length, rate);
    if (!Number.isFinite(total.data)) {
      progress.end();
      throw new UsageError(
        `Cannot train: the loss became ${total.data} at step ${
          step + 1
        }, try a smaller --lr (now ${lr0})`,
      );
    }
  }
  const seconds = (performance.now() - start) / 1000;
  const accuracy = accuracyOf(model, data);

  const twoD = data.x[0].length === 2;
  const classify = (p: number[]): number => classOf(model.predict(p));
  if (!options.quiet) {
    if (twoD) {
      const cols = isTerminal
        ? Math.max(16, Math.min(64, terminalWidth() - 2))
        : 64;
      const rows = 24;
      // A terminal cell is about twice as tall as it is wide.
      const bounds = boundsOf(data.x, cols / 2 / rows);
      const grid = sampleGrid(bounds, cols, rows, classify);
      console.log();
      console.log(renderTerminal(grid, data.x, data.y, color));
      console.log(terminalLegend(data.labels, color));
    } else {
      console.log("\n(the decision boundary is drawn for 2 features only)");
    }
    if (losses.length >= 2) {
      console.log("\nloss");
      console.log(
        asciichart.plot(downsample(losses, 60), {
          height: 8,
          format: (x: number) => x.toFixed(3).padStart(8),
          ...(color ? { colors: [asciichart.blue] } : {}),
        }),
      );
    }
    console.log();
  }
  const right = Math.round(accuracy * n);
  console.log(
    `accuracy ${
      percent(accuracy)
    } (${right}/${n} points) after ${steps} steps in ${duration(seconds)}${
      steps > 0 ? ` (${(steps / seconds).toFixed(0)} steps/s)` : ""
    }`,
  );

  if (options.plot !== undefined) {
    const grid = twoD
      ? sampleGrid(boundsOf(data.x), 120, 120, classify)
      : undefined;
    const title = `${data.name} | MLP(${model.nin}, [${
      model.nouts.join(", ")
    }]) ${model.activation} | ${loss} loss, ${options.optimizer}, ${steps} steps | accuracy ${
      percent(accuracy)
    }`;
    await writeAtomic(
      "plot",
      options.plot,
      renderSvg({ title, grid, x: data.x, y: data.y, losses }),
    );
    if (!options.quiet) console.log(`wrote ${options.plot}`);
  }
  if (options.csv !== undefined) {
    const text = stringify(log, {
      header: true,
      columns: ["step", "loss", "accuracy", "lr"],
    });
    await writeAtomic("csv", options.csv, text);
    if (!options.quiet) console.log(`wrote ${options.csv}`);
  }
  if (options.save !== undefined) {
    const json = JSON.stringify(model.toJSON());
    await writeAtomic("save", options.save, json + "\n");
    if (!options.quiet) console.log(`wrote ${options.save}`);
  }
}

function terminalWidth(): number {
  try {
    return Deno.consoleSize().columns;
  } catch {
    return 80; // no size known, e.g. a pseudo-terminal without one
  }
}

// Every k-th value, so a long curve fits the terminal; keeps the last one.
function downsample(values: readonly number[], most: number): number[] {
  if (values.length <= most) return values.slice();
  const out: number[] = [];
  for (let i = 0; i < most; i++) {
    out.push(values[Math.round(i * (values.length - 1) / (most - 1))]);
  }
  return out;
}

if (import.meta.main) await runMain(main);
