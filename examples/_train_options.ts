// `deno task train`'s flags: the help text, the options and their parsing.
// Every rule about what a flag accepts is here; a bad value is a UsageError
// (one line, exit code 2).

import { parseArgs } from "node:util";
import type { Activation } from "@micrograd/micrograd/nn";
import { parseArgsMessage, UsageError } from "./_cli.ts";
import { quote } from "./_outputs.ts";

/** The most points a generator makes (--samples). */
export const MAX_SAMPLES = 100_000;
/** The largest CSV file --dataset reads, in bytes. */
export const MAX_DATASET_BYTES = 64 << 20;
/** The largest model file --load reads, in bytes. */
export const MAX_MODEL_BYTES = 256 << 20;
/**
 * The most graph nodes one training step may build (batch x model): about
 * 2 GB of the engine's objects, well inside a machine of 24 GB.
 */
export const MAX_STEP_NODES = 20_000_000;

export const HELP =
  `Train an MLP classifier with micrograd, as in micrograd's demo.

Usage: deno task train [flags]

Data
  --dataset NAME     moons, circles, spiral, xor, blobs, or a CSV file:
                     numeric feature columns, the label last, header
                     optional; at most ${
    MAX_DATASET_BYTES >> 20
  } MiB (default: moons,
                     or the dataset a --load model was trained on)
  --samples N        points to generate, at most ${MAX_SAMPLES} (default: 100)
  --noise X          noise of the generator (default: moons 0.1,
                     circles 0.08, spiral 0.2 on the angle, xor 0.1,
                     blobs 0.5)
  --classes K        classes of spiral and blobs (default: 3)

Model
  --hidden SIZES     hidden layer sizes, comma-separated (default: 16,16)
  --activation NAME  relu, tanh, sigmoid or linear (default: relu)
  --load FILE        start from a model written by --save (at most
                     ${
    MAX_MODEL_BYTES >> 20
  } MiB); it sets the layers, and its dataset and
                     loss unless given; --steps 0 only evaluates it

Training
  --loss NAME        hinge, bce or mse (2 classes, one output), or ce
                     (softmax cross-entropy, one output per class)
                     (default: hinge, or ce for more than 2 classes)
  --l2 X             add X * sum(p^2) over the parameters to the loss
                     (default: 1e-4)
  --optimizer NAME   sgd, adam, adamw or lbfgs (default: sgd); lbfgs makes
                     one iteration with a strong Wolfe line search per
                     step, on the full batch, without --schedule or --clip
  --lr X             first learning rate (default: sgd 1, or 0.1 with
                     --loss mse; adam and adamw 0.05; lbfgs 1)
  --schedule NAME    how the rate falls over the run: linear (to a tenth
                     of --lr), cosine (towards 0) or step (a tenth of --lr
                     from half way) (default: linear)
  --clip X           scale the gradients down to a total 2-norm of X
                     when it is larger, before each update (default: none)
  --steps N          optimizer steps (default: 100)
  --batch-size N     points per step, drawn at random; 0 for all of them
                     (default: 0); one step builds at most ${
    MAX_STEP_NODES / 1e6
  }e6 graph
                     nodes (batch x model)
  --seed N           seed of the data, the weights and the batches
                     (default: 1337)

Engine
  --engine NAME      object (build the graph every step), tape (record it
                     once, replay it from typed arrays) or codegen (replay
                     it with generated code); the same results bit for
                     bit; tape and codegen need --loss hinge or mse, whose
                     graph keeps its shape (default: tape for hinge and
                     mse, else object)

Output
  --save FILE        write the trained model as JSON, with the dataset,
                     loss and class names --load needs
  --csv FILE         write a log with columns step, loss, accuracy, lr
  --plot FILE        write an SVG: decision boundary, points, loss curve
  --quiet            print only the final accuracy line
  --help             print this help

Progress lines show the loss and accuracy of the step's batch; the final
line is the accuracy on all the data and the speed of the whole run, the
tape's recording included. Relative paths are taken from the directory the
command is run in. Outputs are checked before training, must differ from
each other and from --dataset (--save may be the --load file), and an
output file is replaced only once the new one is complete. Bad input
prints one line and exits with code 2. NO_COLOR turns colours off.`;

/** The engines --engine names. */
export type Engine = "object" | "tape" | "codegen";

/** The loss functions --loss names. */
export type Loss = "hinge" | "bce" | "mse" | "ce";

/** The parsed flags; undefined where the user gave none and it has no default. */
export interface Options {
  dataset: string | undefined;
  samples: number | undefined;
  noise: number | undefined;
  classes: number | undefined;
  hidden: number[] | undefined;
  activation: Activation | undefined;
  load: string | undefined;
  loss: Loss | undefined;
  l2: number;
  optimizer: "sgd" | "adam" | "adamw" | "lbfgs";
  lr: number | undefined;
  /** undefined: not given (linear for the optimizers that take one). */
  schedule: "linear" | "cosine" | "step" | undefined;
  clip: number | undefined;
  /** undefined: not given (tape where the graph keeps its shape). */
  engine: Engine | undefined;
  steps: number;
  batchSize: number;
  seed: number;
  save: string | undefined;
  csv: string | undefined;
  plot: string | undefined;
  quiet: boolean;
}

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
  "schedule",
  "clip",
  "engine",
  "steps",
  "batch-size",
  "seed",
  "save",
  "csv",
  "plot",
] as const;

/** Parses the flags, or returns "help"; throws a UsageError on bad input. */
export function parseOptions(args: string[]): Options | "help" {
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
  const options: Options = {
    dataset: path("dataset", text("dataset")),
    samples: integer("samples", text("samples"), 1, MAX_SAMPLES),
    noise: number("noise", text("noise"), 0),
    classes: integer("classes", text("classes"), 2),
    hidden: sizes(text("hidden")),
    activation: choice("activation", text("activation"), [
      "relu",
      "tanh",
      "sigmoid",
      "linear",
    ]),
    load: path("load", text("load")),
    loss: choice("loss", text("loss"), ["hinge", "bce", "mse", "ce"]),
    l2: number("l2", text("l2"), 0) ?? 1e-4,
    optimizer: choice("optimizer", text("optimizer"), [
      "sgd",
      "adam",
      "adamw",
      "lbfgs",
    ]) ?? "sgd",
    lr: number("lr", text("lr"), 0, true),
    schedule: choice("schedule", text("schedule"), [
      "linear",
      "cosine",
      "step",
    ]),
    clip: number("clip", text("clip"), 0, true),
    engine: choice("engine", text("engine"), ["object", "tape", "codegen"]),
    steps: integer("steps", text("steps"), 0) ?? 100,
    batchSize: integer("batch-size", text("batch-size"), 0) ?? 0,
    seed: integer("seed", text("seed"), 0) ?? 1337,
    save: path("save", text("save")),
    csv: path("csv", text("csv")),
    plot: path("plot", text("plot")),
    quiet: values.quiet === true,
  };
  if (options.optimizer === "lbfgs") {
    for (const flag of ["schedule", "clip"] as const) {
      if (options[flag] !== undefined) {
        throw new UsageError(
          `Cannot use --${flag} with --optimizer lbfgs: its line search chooses each step's length`,
        );
      }
    }
  }
  return options;
}

function integer(
  flag: string,
  text: string | undefined,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (
    !/^\s*\+?\d+\s*$/.test(text) || !Number.isSafeInteger(value) ||
    value < min || value > max
  ) {
    throw new UsageError(
      `Cannot parse --${flag}: expected an integer >= ${min}${
        max === Number.MAX_SAFE_INTEGER ? "" : ` and <= ${max}`
      }, got ${quote(text)}`,
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
      } ${min}, got ${quote(text)}`,
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
      `Cannot parse --hidden: expected layer sizes from 1 to 4096 separated by commas, like 16,16, got ${
        quote(text)
      }`,
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
      `Cannot parse --${flag}: expected ${listOr(allowed)}, got ${quote(text)}`,
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
