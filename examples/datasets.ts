// Toy datasets for the examples: seeded generators in the spirit of
// scikit-learn's make_moons / make_circles / make_blobs, the CS231n spiral and
// XOR, plus the checks behind the CSV loader (csv_dataset.ts does the parsing).
//
// No npm or Deno imports here, so the same file runs under Node and Deno.

import { Random } from "../nn/_random.ts";

/** A labelled set of points: `x[i]` has class `y[i]` in `0 .. classes - 1`. */
export interface Dataset {
  /** Where the data came from: a generator's name or a file path. */
  name: string;
  /** The feature vectors, all of the same length. */
  x: number[][];
  /** The class index of each point. */
  y: number[];
  /** The number of classes. */
  classes: number;
  /** The name of each class, indexed by class (the CSV label text). */
  labels: string[];
}

/** Options shared by the generators. */
export interface GeneratorOptions {
  /**
   * Standard deviation of the Gaussian noise (for spiral: of the angle).
   *
   * @default {DEFAULT_NOISE[name]}
   */
  noise?: number;
  /**
   * Seed of the generator: same seed, same points.
   *
   * @default {1337}
   */
  seed?: number;
  /**
   * Number of classes (spiral and blobs only; the others have 2).
   *
   * @default {3}
   */
  classes?: number;
}

/** The generators by name, as `--dataset` accepts them. */
export const GENERATORS: readonly string[] = [
  "moons",
  "circles",
  "spiral",
  "xor",
  "blobs",
];

/** The default noise of each generator. */
export const DEFAULT_NOISE: Readonly<Record<string, number>> = {
  moons: 0.1,
  circles: 0.08,
  spiral: 0.2,
  xor: 0.1,
  blobs: 0.5,
};

/**
 * Makes a dataset by generator name.
 *
 * @param name One of {@linkcode GENERATORS}.
 * @param samples Number of points (at least 2, and one per class).
 * @param options Noise, seed and, for spiral and blobs, the class count.
 * @returns The dataset, its points in shuffled order.
 * @throws {RangeError} If the name is unknown or a count is out of range.
 */
export function makeDataset(
  name: string,
  samples: number,
  options: GeneratorOptions = {},
): Dataset {
  switch (name) {
    case "moons":
      return makeMoons(samples, options);
    case "circles":
      return makeCircles(samples, options);
    case "spiral":
      return makeSpiral(samples, options);
    case "xor":
      return makeXor(samples, options);
    case "blobs":
      return makeBlobs(samples, options);
  }
  throw new RangeError(
    `Cannot make dataset: unknown generator "${name}", expected one of ${
      GENERATORS.join(", ")
    }`,
  );
}

/**
 * Two interleaving half circles, as scikit-learn's `make_moons`: class 0 is
 * the upper moon (cos t, sin t), class 1 the lower one (1 - cos t,
 * 0.5 - sin t), t evenly spaced in [0, pi]; then shuffled, plus noise.
 *
 * @param samples Number of points; the upper moon gets the smaller half.
 * @param options `noise` (default 0.1) and `seed`.
 * @returns The dataset.
 * @throws {RangeError} If `samples` < 2 or `noise` < 0.
 */
export function makeMoons(
  samples: number,
  options: GeneratorOptions = {},
): Dataset {
  const { rng, noise } = setup("moons", samples, 2, options);
  const outer = Math.floor(samples / 2);
  const inner = samples - outer;
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < outer; i++) {
    const t = outer === 1 ? 0 : Math.PI * i / (outer - 1);
    x.push([Math.cos(t), Math.sin(t)]);
    y.push(0);
  }
  for (let i = 0; i < inner; i++) {
    const t = inner === 1 ? 0 : Math.PI * i / (inner - 1);
    x.push([1 - Math.cos(t), 1 - Math.sin(t) - 0.5]);
    y.push(1);
  }
  return finish("moons", x, y, 2, rng, noise);
}

/**
 * Two concentric circles, as scikit-learn's `make_circles` with factor 0.5:
 * class 0 on the unit circle, class 1 on the circle of radius 0.5, angles
 * evenly spaced; then shuffled, plus noise.
 *
 * @param samples Number of points; the outer circle gets the smaller half.
 * @param options `noise` (default 0.08) and `seed`.
 * @returns The dataset.
 * @throws {RangeError} If `samples` < 2 or `noise` < 0.
 */
export function makeCircles(
  samples: number,
  options: GeneratorOptions = {},
): Dataset {
  const { rng, noise } = setup("circles", samples, 2, options);
  const outer = Math.floor(samples / 2);
  const inner = samples - outer;
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < outer; i++) {
    const t = 2 * Math.PI * i / outer;
    x.push([Math.cos(t), Math.sin(t)]);
    y.push(0);
  }
  for (let i = 0; i < inner; i++) {
    const t = 2 * Math.PI * i / inner;
    x.push([0.5 * Math.cos(t), 0.5 * Math.sin(t)]);
    y.push(1);
  }
  return finish("circles", x, y, 2, rng, noise);
}

/**
 * Interleaved spiral arms, one per class, as in the CS231n notes: arm j has
 * radius r evenly spaced in [0, 1] and angle 4j + 4r plus Gaussian noise;
 * the point is (r sin angle, r cos angle). Then shuffled.
 *
 * @param samples Number of points, spread over the arms as evenly as possible.
 * @param options `classes` (default 3), `noise` on the angle (default 0.2)
 *   and `seed`.
 * @returns The dataset.
 * @throws {RangeError} If `classes` < 2 or `samples` < `classes`.
 */
export function makeSpiral(
  samples: number,
  options: GeneratorOptions = {},
): Dataset {
  const classes = options.classes ?? 3;
  const { rng, noise } = setup("spiral", samples, classes, options);
  const x: number[][] = [];
  const y: number[] = [];
  for (let j = 0; j < classes; j++) {
    const count = share(samples, classes, j);
    for (let i = 0; i < count; i++) {
      const r = count === 1 ? 1 : i / (count - 1);
      const t = 4 * j + 4 * r + noise * rng.normal();
      x.push([r * Math.sin(t), r * Math.cos(t)]);
      y.push(j);
    }
  }
  return finish("spiral", x, y, classes, rng, 0);
}

/**
 * The XOR problem: points uniform in the square [-1, 1]², class 1 where the
 * two coordinates have opposite signs, class 0 where they agree; then noise
 * (after labelling, so a few points near the axes cross over).
 *
 * @param samples Number of points.
 * @param options `noise` (default 0.1) and `seed`.
 * @returns The dataset.
 * @throws {RangeError} If `samples` < 2 or `noise` < 0.
 */
export function makeXor(
  samples: number,
  options: GeneratorOptions = {},
): Dataset {
  const { rng, noise } = setup("xor", samples, 2, options);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < samples; i++) {
    const a = rng.uniform(-1, 1);
    const b = rng.uniform(-1, 1);
    x.push([a, b]);
    y.push(a * b < 0 ? 1 : 0);
  }
  return finish("xor", x, y, 2, rng, noise);
}

/**
 * Gaussian blobs, as scikit-learn's `make_blobs`, with the centres evenly
 * spaced on the circle of radius 2 (so they never overlap by chance): class
 * j is centred at angle 2 pi j / classes, its spread is `noise`.
 *
 * @param samples Number of points, spread over the classes as evenly as
 *   possible.
 * @param options `classes` (default 3), `noise` (default 0.5) and `seed`.
 * @returns The dataset.
 * @throws {RangeError} If `classes` < 2 or `samples` < `classes`.
 */
export function makeBlobs(
  samples: number,
  options: GeneratorOptions = {},
): Dataset {
  const classes = options.classes ?? 3;
  const { rng, noise } = setup("blobs", samples, classes, options);
  const x: number[][] = [];
  const y: number[] = [];
  for (let j = 0; j < classes; j++) {
    const angle = 2 * Math.PI * j / classes + Math.PI / 2;
    const cx = 2 * Math.cos(angle);
    const cy = 2 * Math.sin(angle);
    const count = share(samples, classes, j);
    for (let i = 0; i < count; i++) {
      x.push([cx, cy]);
      y.push(j);
    }
  }
  return finish("blobs", x, y, classes, rng, noise);
}

/** The most classes a CSV dataset may have: more means continuous labels. */
export const MAX_CLASSES = 100;

/**
 * Turns parsed CSV rows into a dataset: every column but the last is a
 * numeric feature, the last is the label. Nothing is changed silently:
 *
 * - The first row is data when all its feature cells are numbers, a header
 *   when none of its cells looks like a number (digits, NaN, Infinity), and
 *   anything else is an error naming its line and column.
 * - A first row of numbers whose label is text while every other label is a
 *   number is an error: it is a header with numbers for column names.
 * - Labels that are all numbers are compared as numbers (`1`, `1.0` and `+1`
 *   are one class, named `1`) and sorted numerically, so -1/1 and 0/1 map to
 *   classes 0 and 1; other labels are compared and sorted as text.
 * - More than {@linkcode MAX_CLASSES} classes is an error: such labels look
 *   continuous (regression targets), not like classes.
 *
 * @param rows The cells, row by row (as csv-parse returns them).
 * @param name The file name, for the dataset and the error messages.
 * @param lines The file line of each row, for the error messages; default:
 *   row i is on line i + 1.
 * @returns The dataset.
 * @throws {RangeError} If the rows are malformed: fewer than 2 columns, rows
 *   of different lengths, a feature that is not a finite number, an empty
 *   label, no data rows, fewer than 2 or more than MAX_CLASSES classes, or
 *   a first row that is neither a header nor data. The message names the
 *   line and column.
 */
export function datasetFromRows(
  rows: readonly (readonly string[])[],
  name: string,
  lines?: readonly number[],
): Dataset {
  const line = (r: number): number => lines?.[r] ?? r + 1;
  const fail = (state: string): never => {
    throw new RangeError(`Cannot load CSV "${name}": ${state}`);
  };
  if (rows.length === 0) fail("the file is empty, expected rows of numbers");
  const width = rows[0].length;
  if (width < 2) {
    fail(
      `expected at least 2 columns (features, then the label), got ${width}`,
    );
  }
  let first = 0;
  let header: readonly string[] | undefined;
  const numbers = rows[0].slice(0, width - 1).map(parseNumber);
  if (numbers.some((v) => v === undefined)) {
    if (rows[0].some(looksNumeric)) {
      const c = numbers.findIndex((v) => v === undefined);
      fail(
        `line ${line(0)}, column ${c + 1}: expected a number, got "${
          rows[0][c]
        }" (the first row is a header only when none of its cells is a number)`,
      );
    }
    header = rows[0];
    first = 1;
  }
  if (rows.length === first) fail("no data rows after the header");
  const column = (c: number): string =>
    header === undefined
      ? `column ${c + 1}`
      : `column ${c + 1} ("${header[c].trim()}")`;
  const x: number[][] = [];
  const texts: string[] = [];
  for (let r = first; r < rows.length; r++) {
    const row = rows[r];
    if (row.length !== width) {
      fail(`line ${line(r)} has ${row.length} columns, expected ${width}`);
    }
    const features: number[] = [];
    for (let c = 0; c < width - 1; c++) {
      const value = parseNumber(row[c]);
      if (value === undefined) {
        fail(
          `line ${line(r)}, ${column(c)}: expected a number, got "${row[c]}"`,
        );
      }
      features.push(value as number);
    }
    const label = row[width - 1].trim();
    if (label === "") {
      fail(`line ${line(r)}, ${column(width - 1)}: the label is empty`);
    }
    x.push(features);
    texts.push(label);
  }
  const numericLabels = texts.map(parseNumber);
  if (
    header === undefined && texts.length > 1 &&
    numericLabels[0] === undefined &&
    numericLabels.slice(1).every((v) => v !== undefined)
  ) {
    fail(
      `line ${line(0)}, column ${width}: the label "${
        texts[0]
      }" is text while every other label is a number; if line ${
        line(0)
      } is a header, its column names must not be numbers`,
    );
  }
  const numeric = numericLabels.every((v) => v !== undefined);
  // Numeric labels are compared as numbers: "1", "1.0" and "+1" are one class.
  const keys = numeric ? numericLabels.map((v) => String(v as number)) : texts;
  const names = [...new Set(keys)];
  names.sort(numeric ? (a, b) => Number(a) - Number(b) : undefined);
  if (names.length < 2) {
    fail(
      `expected at least 2 classes in the last column, got 1 ("${names[0]}")`,
    );
  }
  if (names.length > MAX_CLASSES) {
    fail(
      `the last column holds ${names.length} different labels, more than the ${MAX_CLASSES} classes allowed: the labels look continuous (regression targets?), expected class labels`,
    );
  }
  const index = new Map(names.map((n, i) => [n, i]));
  const y = keys.map((t) => index.get(t) as number);
  return { name, x, y, classes: names.length, labels: names };
}

// Whether a cell looks like a number, valid or not: digits, or NaN/Infinity.
function looksNumeric(text: string): boolean {
  const t = text.trim();
  return /^[+-]?\.?\d/.test(t) || /^[+-]?(nan|inf|infinity)$/i.test(t);
}

// A finite number written in decimal or exponent form, else undefined
// (Number("") is 0 and Number("0x10") is 16: neither is a CSV number).
function parseNumber(text: string): number | undefined {
  const t = text.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return undefined;
  const value = Number(t);
  return Number.isFinite(value) ? value : undefined;
}

function setup(
  name: string,
  samples: number,
  classes: number,
  options: GeneratorOptions,
): { rng: Random; noise: number } {
  const noise = options.noise ?? DEFAULT_NOISE[name];
  if (!Number.isInteger(classes) || classes < 2) {
    throw new RangeError(
      `Cannot make dataset "${name}": classes must be an integer >= 2, got ${classes}`,
    );
  }
  if (!Number.isInteger(samples) || samples < classes) {
    throw new RangeError(
      `Cannot make dataset "${name}": samples must be an integer >= ${classes} (one per class), got ${samples}`,
    );
  }
  if (!Number.isFinite(noise) || noise < 0) {
    throw new RangeError(
      `Cannot make dataset "${name}": noise must be a finite number >= 0, got ${noise}`,
    );
  }
  return { rng: new Random(options.seed ?? 1337), noise };
}

// How many of `total` points class j gets when they are dealt out evenly.
function share(total: number, parts: number, j: number): number {
  return Math.floor(total / parts) + (j < total % parts ? 1 : 0);
}

// Shuffles (Fisher-Yates), then adds Gaussian noise to every coordinate.
function finish(
  name: string,
  x: number[][],
  y: number[],
  classes: number,
  rng: Random,
  noise: number,
): Dataset {
  for (let i = x.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [x[i], x[j]] = [x[j], x[i]];
    [y[i], y[j]] = [y[j], y[i]];
  }
  if (noise > 0) {
    for (const point of x) {
      for (let d = 0; d < point.length; d++) point[d] += noise * rng.normal();
    }
  }
  const labels = Array.from({ length: classes }, (_, i) => String(i));
  return { name, x, y, classes, labels };
}
