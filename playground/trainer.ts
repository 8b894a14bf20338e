// The playground's training loop, free of DOM and worker APIs so it can run
// (and be tested) anywhere: an MLP, a loss, an optimizer and the points, one
// optimizer step per call, plus the decision-boundary grid the page draws.

import { compile, sum, type Tape, type Value } from "../engine/mod.ts";
import {
  type Activation,
  binaryCrossEntropy,
  hingeLoss,
  MLP,
  mse,
  softmaxCrossEntropy,
} from "../nn/mod.ts";
import { Adam, AdamW, type Optimizer, SGD } from "../optim/mod.ts";
import { Random } from "../nn/_random.ts";

/** The losses the page offers; hinge, bce and mse need 2 classes. */
export type LossName = "hinge" | "bce" | "mse" | "ce";
/** The optimizers the page offers. */
export type OptimizerName = "sgd" | "adam" | "adamw";

/** What defines the model: changing any of it starts a new one. */
export interface ModelConfig {
  hidden: number[];
  activation: Activation;
  loss: LossName;
  seed: number;
}

/** What can change while training runs. */
export interface StepConfig {
  optimizer: OptimizerName;
  lr: number;
  /** Points per step, drawn at random; 0 for all of them. */
  batchSize: number;
}

/** Labelled 2-D points. */
export interface Points {
  x: number[][];
  y: number[];
  classes: number;
}

/** The plane's window the page shows: [xmin, xmax] × [ymin, ymax]. */
export interface Bounds {
  xmin: number;
  xmax: number;
  ymin: number;
  ymax: number;
}

/** Weight of the L2 penalty on the parameters, as micrograd's demo. */
const L2 = 1e-4;

/** The window around the points, with a margin, as a square. */
export function boundsOf(x: readonly (readonly number[])[]): Bounds {
  let xmin = Infinity, xmax = -Infinity, ymin = Infinity, ymax = -Infinity;
  for (const [a, b] of x) {
    xmin = Math.min(xmin, a);
    xmax = Math.max(xmax, a);
    ymin = Math.min(ymin, b);
    ymax = Math.max(ymax, b);
  }
  const cx = (xmin + xmax) / 2, cy = (ymin + ymax) / 2;
  const half = Math.max(xmax - xmin, ymax - ymin) / 2 + 0.5;
  return { xmin: cx - half, xmax: cx + half, ymin: cy - half, ymax: cy + half };
}

/** The class an output vector stands for: the sign of one score, else argmax. */
export function classOf(output: ArrayLike<number>): number {
  if (output.length === 1) return output[0] > 0 ? 1 : 0;
  let best = 0;
  for (let k = 1; k < output.length; k++) {
    if (output[k] > output[best]) best = k;
  }
  return best;
}

/**
 * Checks that a loss suits the number of classes; returns the message to
 * show next to the loss field, or "" when they fit.
 */
export function lossProblem(loss: LossName, classes: number): string {
  if (loss === "ce" || classes === 2) return "";
  return `${loss} needs 2 classes, the data has ${classes}: choose cross-entropy`;
}

/** An MLP trained one optimizer step at a time on a set of points. */
export class Trainer {
  readonly model: MLP;
  readonly loss: LossName;
  readonly points: Points;
  steps = 0;
  /**
   * Whether to replay a compiled tape when the graph is static (see
   * `compiled`); false always builds the graph, as the tests compare.
   */
  useCompile = true;
  #params: Value[];
  #tape: Tape | null = null;
  #step: StepConfig;
  #optimizer: Optimizer;
  #rng: Random;

  constructor(points: Points, model: ModelConfig, step: StepConfig) {
    const problem = lossProblem(model.loss, points.classes);
    if (problem !== "") throw new RangeError(`Cannot train: ${problem}`);
    this.points = {
      x: points.x.slice(),
      y: points.y.slice(),
      classes: points.classes,
    };
    this.loss = model.loss;
    const nout = model.loss === "ce" ? points.classes : 1;
    this.model = new MLP(2, [...model.hidden, nout], {
      activation: model.activation,
      seed: model.seed,
    });
    this.#params = this.model.parameters();
    this.#rng = new Random(model.seed + 1);
    this.#step = { ...step };
    this.#optimizer = this.#makeOptimizer(step.optimizer);
  }

  /** Changes the optimizer, learning rate or batch size; training goes on. */
  setStepConfig(step: StepConfig): void {
    const kind = this.#step.optimizer;
    if (step.batchSize !== this.#step.batchSize) this.#tape = null;
    this.#step = { ...step };
    if (step.optimizer !== kind) {
      this.#optimizer = this.#makeOptimizer(step.optimizer);
    }
  }

  /** Adds a labelled point to the training set. */
  addPoint(x: number, y: number, label: number): void {
    if (!Number.isInteger(label) || label < 0 || label >= this.points.classes) {
      throw new RangeError(
        `Cannot add point: class must be 0 to ${
          this.points.classes - 1
        }, got ${label}`,
      );
    }
    this.points.x.push([x, y]);
    this.points.y.push(label);
    this.#tape = null; // the loss has a new term: record it again
  }

  /**
   * Whether steps replay a compiled tape: when every step builds the same
   * graph, i.e. the whole training set each step (inputs and labels are
   * then the same constants) and a loss whose graph does not depend on the
   * data (hinge and mse; bce branches on each logit's sign and cross-entropy
   * shifts the logits by their current maximum).
   */
  get compiled(): boolean {
    return this.useCompile &&
      (this.#step.batchSize === 0 ||
        this.#step.batchSize >= this.points.x.length) &&
      (this.loss === "hinge" || this.loss === "mse");
  }

  #makeOptimizer(name: OptimizerName): Optimizer {
    // The learning rate is read at every step, so a new lr applies at once.
    const lr = (): number => this.#step.lr;
    if (name === "sgd") return new SGD(this.#params, { lr });
    if (name === "adam") return new Adam(this.#params, { lr });
    return new AdamW(this.#params, { lr });
  }

  /** The indices of the next batch: all points, or a random draw. */
  #batch(): number[] {
    const n = this.points.x.length;
    const size = this.#step.batchSize;
    const all: number[] = [];
    if (size === 0 || size >= n) {
      for (let i = 0; i < n; i++) all.push(i);
      return all;
    }
    for (let i = 0; i < size; i++) all.push(this.#rng.int(n));
    return all;
  }

  /**
   * One optimizer step on the next batch; returns the batch loss.
   *
   * This is the one place that builds the graph and runs backward. When
   * `compile(root)` lands in the engine, a fixed-size batch can be replayed
   * here instead: compile the loss once, then per step write the batch into
   * the input leaves' `.data` and call `tape.forward()` and `tape.backward()`.
   */
  step(): number {
    let value: number;
    if (this.compiled) {
      // The graph is the same every step: record it once, then replay it.
      // The optimizer writes the parameters' .data, which the tape reads.
      // The typed-array replay, not codegen: on this 41k-node graph (moons,
      // 100 points, 16-16) codegen took 1.2 s to compile and replayed slower
      // (65 vs 18 ms a step, measured in Deno 2.9 on a loaded machine).
      this.#tape ??= compile(this.#buildLoss(this.#batch()));
      this.#optimizer.zeroGrad();
      value = this.#tape.forward();
      this.#tape.backward();
    } else {
      const loss = this.#buildLoss(this.#batch());
      this.#optimizer.zeroGrad();
      loss.backward();
      value = loss.data;
    }
    this.#optimizer.step();
    this.steps++;
    return value;
  }

  /** Builds the graph of the loss on the points `batch`. */
  #buildLoss(batch: readonly number[]): Value {
    const outputs: Value[][] = new Array(batch.length);
    const labels: number[] = new Array(batch.length);
    for (let i = 0; i < batch.length; i++) {
      outputs[i] = this.model.forward(this.points.x[batch[i]]);
      labels[i] = this.points.y[batch[i]];
    }
    return batchLoss(outputs, labels, this.loss, this.#params);
  }

  /** The fraction of all points the model classifies right. */
  accuracy(): number {
    const { x, y } = this.points;
    let right = 0;
    for (let i = 0; i < x.length; i++) {
      if (classOf(this.model.predict(x[i])) === y[i]) right++;
    }
    return x.length === 0 ? 0 : right / x.length;
  }

  /**
   * The model on an n × n grid over `bounds`, row by row from the top: for
   * each cell, its class plus a confidence in [0, 1) as the fraction
   * (class 2 at confidence 0.5 is 2.5).
   */
  grid(bounds: Bounds, n: number, out?: Float32Array): Float32Array {
    const cells = out ?? new Float32Array(n * n);
    const point = [0, 0];
    const { xmin, xmax, ymin, ymax } = bounds;
    for (let r = 0; r < n; r++) {
      point[1] = ymax - (r + 0.5) * (ymax - ymin) / n;
      for (let c = 0; c < n; c++) {
        point[0] = xmin + (c + 0.5) * (xmax - xmin) / n;
        const o = this.model.predict(point);
        const k = classOf(o);
        cells[r * n + c] = k + Math.min(0.999, confidence(o, k));
      }
    }
    return cells;
  }
}

// How sure the outputs are of class k, from 0 (a tie) to 1.
function confidence(o: readonly number[], k: number): number {
  if (o.length === 1) return Math.tanh(Math.abs(o[0]));
  let total = 0;
  for (let j = 0; j < o.length; j++) total += Math.exp(o[j] - o[k]);
  const p = 1 / total; // softmax probability of class k
  return (p - 1 / o.length) / (1 - 1 / o.length);
}

// The data loss averaged over the batch, plus L2 * sum(p^2), as
// examples/train.ts does.
function batchLoss(
  outputs: Value[][],
  labels: number[],
  loss: LossName,
  params: Value[],
): Value {
  let data: Value;
  if (loss === "ce") {
    data = softmaxCrossEntropy(outputs, labels);
  } else {
    const scores = outputs.map((o) => o[0]);
    data = loss === "hinge"
      ? hingeLoss(scores, labels.map((k) => 2 * k - 1))
      : loss === "bce"
      ? binaryCrossEntropy(scores, labels)
      : mse(scores, labels.map((k) => 2 * k - 1));
  }
  const squares: Value[] = new Array(params.length);
  for (let i = 0; i < params.length; i++) squares[i] = params[i].mul(params[i]);
  return data.add(sum(squares).mul(L2));
}
