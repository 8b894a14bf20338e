// `deno task train`'s inputs: the dataset (a generator or a CSV file), the
// model (new, or read by --load with what it was trained on), and the checks
// that they fit each other.

import { MLP } from "@micrograd/micrograd/nn";
import { type Dataset, GENERATORS, makeDataset } from "./datasets.ts";
import { parseCsvDataset } from "./csv_dataset.ts";
import { UsageError } from "./_cli.ts";
import { quote, readInput, userPath } from "./_outputs.ts";
import { checkStepSize } from "./_train_loop.ts";
import {
  type Loss,
  MAX_DATASET_BYTES,
  MAX_MODEL_BYTES,
  MAX_SAMPLES,
  type Options,
} from "./_train_options.ts";

/**
 * What `--save` stores next to the weights (MLPJSON's `meta` field), so that
 * `--load FILE --steps 0` evaluates the model on the data it was trained on.
 */
export interface TrainMeta {
  /** A generator's name, or the absolute path of the CSV file. */
  dataset: string;
  /** The generator's settings (generated datasets only). */
  samples?: number;
  noise?: number;
  classes?: number;
  seed?: number;
  /** The loss it was trained with. */
  loss: Loss;
  /** The class names, by class index. */
  labels: string[];
}

/** A model read by --load, with the meta data its file carries, if any. */
export interface LoadedModel {
  model: MLP;
  meta: Partial<TrainMeta>;
}

const LOSSES: readonly string[] = ["hinge", "bce", "mse", "ce"];

/** Reads and checks a model file written by --save. */
export async function loadModel(file: string): Promise<LoadedModel> {
  const text = await readInput(
    "--load",
    file,
    MAX_MODEL_BYTES,
    "expected a model JSON file written by --save",
  );
  const fail = (state: string): never => {
    throw new UsageError(`Cannot load --load ${quote(file)}: ${state}`);
  };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    fail(
      `not valid JSON (${
        (error as Error).message
      }), expected a model written by --save`,
    );
  }
  let model: MLP | undefined;
  try {
    model = MLP.fromJSON(json);
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError) {
      // "Cannot load MLP from JSON: field ... is missing": keep the state.
      fail(error.message.replace(/^Cannot [^:]*: /, ""));
    }
    throw error;
  }
  const raw = (json as { meta?: Record<string, unknown> }).meta ?? {};
  const meta: Partial<TrainMeta> = {};
  const bad = (field: string, expected: string): never =>
    fail(`meta.${field} must be ${expected}, got ${quote(String(raw[field]))}`);
  if (raw.dataset !== undefined) {
    if (typeof raw.dataset !== "string" || raw.dataset === "") {
      bad("dataset", "a dataset name or a file path");
    }
    meta.dataset = raw.dataset as string;
  }
  for (const field of ["samples", "classes", "seed"] as const) {
    const value = raw[field];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || (value as number) < 0) {
      bad(field, "an integer >= 0");
    }
    meta[field] = value as number;
  }
  if (raw.noise !== undefined) {
    if (
      typeof raw.noise !== "number" || !Number.isFinite(raw.noise) ||
      raw.noise < 0
    ) {
      bad("noise", "a number >= 0");
    }
    meta.noise = raw.noise as number;
  }
  if (raw.loss !== undefined) {
    if (!LOSSES.includes(raw.loss as string)) {
      bad("loss", "hinge, bce, mse or ce");
    }
    meta.loss = raw.loss as Loss;
  }
  if (raw.labels !== undefined) {
    if (
      !Array.isArray(raw.labels) ||
      !raw.labels.every((l) => typeof l === "string")
    ) {
      bad("labels", "an array of class names");
    }
    meta.labels = raw.labels as string[];
  }
  return { model: model!, meta };
}

/**
 * The dataset --dataset names; without --dataset, the one a --load model was
 * trained on (with its generator settings), else moons.
 */
export async function loadData(
  options: Options,
  meta: Partial<TrainMeta> = {},
): Promise<Dataset> {
  const fromMeta = options.dataset === undefined && meta.dataset !== undefined;
  const name = options.dataset ?? meta.dataset ?? "moons";
  if (GENERATORS.includes(name)) {
    const samples = options.samples ?? (fromMeta ? meta.samples : undefined) ??
      100;
    const classes = options.classes ?? (fromMeta ? meta.classes : undefined);
    if (
      classes !== undefined && name !== "spiral" && name !== "blobs" &&
      options.classes !== undefined
    ) {
      throw new UsageError(
        `Cannot use --classes with --dataset ${name}: it has 2 classes, --classes applies to spiral and blobs`,
      );
    }
    if (samples > MAX_SAMPLES) {
      throw new UsageError(
        `Cannot make dataset ${
          quote(name)
        }: samples must be at most ${MAX_SAMPLES}, got ${samples}`,
      );
    }
    try {
      return makeDataset(name, samples, {
        noise: options.noise ?? (fromMeta ? meta.noise : undefined),
        seed: fromMeta && meta.seed !== undefined ? meta.seed : options.seed,
        classes: name === "spiral" || name === "blobs" ? classes : undefined,
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
  const text = await readInput(
    "--dataset",
    name,
    MAX_DATASET_BYTES,
    `expected one of ${GENERATORS.join(", ")} or the path of a CSV file`,
  );
  try {
    return parseCsvDataset(text, name);
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message);
    throw error;
  }
}

/** The path of a CSV --dataset, as typed, or undefined for a generator. */
export function datasetFile(
  options: Options,
  meta: Partial<TrainMeta> = {},
): string | undefined {
  const name = options.dataset ?? meta.dataset ?? "moons";
  return GENERATORS.includes(name) ? undefined : name;
}

/**
 * What --save stores about the data and the loss: the generator settings
 * loadData used (the --load file's own, where the dataset came from it).
 */
export function metaOf(
  options: Options,
  data: Dataset,
  loss: Loss,
  loaded: Partial<TrainMeta> = {},
): TrainMeta {
  if (!GENERATORS.includes(data.name)) {
    return {
      dataset: userPath(data.name),
      loss,
      labels: data.labels.slice(),
    };
  }
  const fromMeta = options.dataset === undefined &&
    loaded.dataset !== undefined;
  const meta: TrainMeta = {
    dataset: data.name,
    samples: data.x.length,
    seed: fromMeta && loaded.seed !== undefined ? loaded.seed : options.seed,
    loss,
    labels: data.labels.slice(),
  };
  const noise = options.noise ?? (fromMeta ? loaded.noise : undefined);
  if (noise !== undefined) meta.noise = noise;
  if (data.name === "spiral" || data.name === "blobs") {
    meta.classes = data.classes;
  }
  return meta;
}

/** The model, loss and output count for the data, or a UsageError. */
export function buildModel(
  options: Options,
  data: Dataset,
  loaded: LoadedModel | undefined,
): { model: MLP; loss: Loss } {
  const nin = data.x[0].length;
  const binary = data.classes === 2;
  if (loaded === undefined) {
    const loss = options.loss ?? (binary ? "hinge" : "ce");
    checkLoss(loss, data);
    const nout = loss === "ce" ? data.classes : 1;
    const nouts = [...(options.hidden ?? [16, 16]), nout];
    checkStepSize(nin, nouts, batchOf(options, data));
    const model = new MLP(nin, nouts, {
      activation: options.activation ?? "relu",
      seed: options.seed,
    });
    return { model, loss };
  }
  const file = quote(options.load ?? "");
  for (const flag of ["hidden", "activation"] as const) {
    if (options[flag] !== undefined) {
      throw new UsageError(
        `Cannot use --${flag} with --load: the model file sets the layers`,
      );
    }
  }
  const { model, meta } = loaded;
  if (options.steps > 0) {
    checkStepSize(model.nin, model.nouts, batchOf(options, data));
  }
  const nout = model.nouts[model.nouts.length - 1];
  if (model.nin !== nin) {
    throw new UsageError(
      `Cannot use --load ${file}: the model takes ${model.nin} inputs, the data has ${nin} features`,
    );
  }
  // The saved loss, where it fits this data; else one that fits the model.
  const saved = meta.loss !== undefined && (meta.loss === "ce" || binary)
    ? meta.loss
    : undefined;
  const loss = options.loss ?? saved ??
    (nout === 1 && binary ? "hinge" : "ce");
  checkLoss(loss, data);
  const expected = loss === "ce" ? data.classes : 1;
  if (nout !== expected) {
    throw new UsageError(
      `Cannot use --load ${file}: the model has ${nout} output${
        nout === 1 ? "" : "s"
      }, --loss ${loss} on ${data.classes} classes needs ${expected}`,
    );
  }
  if (
    meta.labels !== undefined &&
    meta.labels.join("\u0000") !== data.labels.join("\u0000")
  ) {
    throw new UsageError(
      `Cannot use --load ${file}: the model was trained on the classes ${
        quote(meta.labels.join(", "))
      }, the data has ${quote(data.labels.join(", "))}`,
    );
  }
  return { model, loss };
}

/** The points of one step: --batch-size, or all of them for 0. */
export function batchOf(options: Options, data: Dataset): number {
  const n = data.x.length;
  return options.batchSize === 0 ? n : Math.min(options.batchSize, n);
}

function checkLoss(loss: Loss, data: Dataset): void {
  if (loss !== "ce" && data.classes !== 2) {
    throw new UsageError(
      `Cannot use --loss ${loss}: it needs 2 classes, the data has ${data.classes}; use --loss ce`,
    );
  }
}
