// `deno task train`'s loop: the loss of a batch and its gradients, built as
// objects every step or replayed from a compiled tape (--engine), accuracy,
// the progress line, and the checks that stop a run that diverged or would
// not fit in memory.

import {
  compile,
  mean,
  sum,
  type Tape,
  Value,
} from "@micrograd/micrograd/engine";
import {
  binaryCrossEntropy,
  hingeLoss,
  type MLP,
  mse,
  softmaxCrossEntropy,
} from "@micrograd/micrograd/nn";
import {
  clipGradNorm,
  LBFGS,
  type Optimizer,
} from "@micrograd/micrograd/optim";
import { Random } from "../nn/_random.ts";
import type { Dataset } from "./datasets.ts";
import { UsageError } from "./_cli.ts";
import { type Engine, type Loss, MAX_STEP_NODES } from "./_train_options.ts";

/**
 * A loss this many times the first step's (or 1, if larger) means the run
 * diverged: a healthy run's loss falls, a diverging one grows without bound
 * (on the way to 1e300 and then NaN).
 */
export const EXPLODED = 1e6;

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
export function classOf(output: readonly number[]): number {
  if (output.length === 1) return output[0] > 0 ? 1 : 0;
  let best = 0;
  for (let k = 1; k < output.length; k++) {
    if (output[k] > output[best]) best = k;
  }
  return best;
}

/** The fraction of all points the model classifies right. */
export function accuracyOf(model: MLP, data: Dataset): number {
  let right = 0;
  for (let i = 0; i < data.x.length; i++) {
    if (classOf(model.predict(data.x[i])) === data.y[i]) right++;
  }
  return right / data.x.length;
}

/**
 * About how many graph nodes one step builds for an MLP(nin, nouts): per
 * point, each neuron's products (and constant inputs), its sum and
 * activation, and the loss; then the L2 penalty's square per parameter.
 */
export function stepNodes(
  nin: number,
  nouts: readonly number[],
  batch: number,
): number {
  let perPoint = 4 + 2 * nouts[nouts.length - 1];
  let params = 0;
  let fanIn = nin;
  for (const n of nouts) {
    perPoint += n * (2 * fanIn + 3);
    params += n * (fanIn + 1);
    fanIn = n;
  }
  return batch * perPoint + 2 * params + 3;
}

/**
 * Refuses a model whose step graph would not fit (see MAX_STEP_NODES),
 * before the model is built: its parameters alone may take minutes.
 */
export function checkStepSize(
  nin: number,
  nouts: readonly number[],
  batch: number,
): void {
  const nodes = stepNodes(nin, nouts, batch);
  if (nodes > MAX_STEP_NODES) {
    throw new UsageError(
      `Cannot train: one step would build about ${
        nodes.toPrecision(2)
      } graph nodes (${batch} points x the model), more than the ${
        MAX_STEP_NODES.toPrecision(2)
      } that fit; use a smaller --batch-size or --hidden`,
    );
  }
}

/**
 * Whether --engine tape and codegen can train with this loss: its graph must
 * keep its shape from step to step. hinge and mse do (relu is one op, and
 * the labels enter as leaves, see tapeLoss); nn's binaryCrossEntropy picks
 * one of two formulas by the sign of each score, and softmaxCrossEntropy
 * shifts the scores by their largest value, a constant a replay would keep.
 */
export function replayable(loss: Loss): boolean {
  return loss === "hinge" || loss === "mse";
}

// hinge and mse as nn's hingeLoss and mse compute them, operation for
// operation (so with the same bits), but with each label a leaf Value
// (the constant nn makes of it: -y for hinge, the target y for mse), so a
// recorded tape takes a new batch's labels. Inputs are leaves likewise.
function tapeLoss(
  scores: Value[],
  labels: Value[],
  loss: Loss,
  params: Value[],
  l2: number,
): Value {
  const terms: Value[] = new Array(scores.length);
  for (let i = 0; i < scores.length; i++) {
    if (loss === "hinge") {
      terms[i] = scores[i].mul(labels[i]).add(1).relu();
    } else {
      const d = scores[i].sub(labels[i]);
      terms[i] = d.mul(d);
    }
  }
  const data = mean(terms);
  if (l2 === 0) return data;
  const squares: Value[] = [];
  for (const p of params) squares.push(p.mul(p));
  return data.add(sum(squares).mul(l2));
}

/** What the caller of trainLoop needs to know about the run. */
export interface TrainSettings {
  steps: number;
  batchSize: number;
  l2: number;
  loss: Loss;
  seed: number;
  lr0: number;
  /** The rate of each step (0 first), for the log. */
  lr: (step: number) => number;
  /** object, or tape / codegen (then the loss must be replayable). */
  engine: Engine;
  /** Clip the gradients to this total 2-norm before each update. */
  clip: number | undefined;
  /**
   * Whether the row of this step (from 1) needs the batch accuracy; when
   * not, its accuracy is NaN (it costs a forward pass over the batch).
   */
  needAccuracy: (step: number) => boolean;
  /** Advice added when the run diverges (e.g. standardise CSV features). */
  advice: string;
}

/** One row of the log: step, loss, batch accuracy, learning rate. */
export type LogRow = [number, number, number, number];

/** What the run used, known once the first step ran. */
export interface TrainResult {
  /** The engine that ran: codegen may fall back to tape (see compile). */
  engine: Engine;
}

/**
 * Runs the optimizer steps. After each one the loss must be finite and not
 * exploded, and every parameter finite; otherwise a UsageError with advice.
 * An LBFGS optimizer gets a closure over the batch (the full data).
 */
export function trainLoop(
  model: MLP,
  data: Dataset,
  optimizer: Optimizer | LBFGS,
  settings: TrainSettings,
  onStep: (row: LogRow) => void,
): TrainResult {
  const params = model.parameters();
  const n = data.x.length;
  const { steps, batchSize } = settings;
  const rng = new Random(settings.seed ^ 0x5bd1e995);
  const order = Array.from({ length: n }, (_, i) => i);
  const diverged = (what: string): never => {
    throw new UsageError(
      `Cannot train: ${what}, try a smaller --lr (now ${settings.lr0})${settings.advice}`,
    );
  };
  // A gradient that is not finite (clipGradNorm and LBFGS refuse them).
  const badGradient = (loss: number, step: number): never => {
    if (!Number.isFinite(loss)) {
      diverged(`the loss became ${loss} at step ${step + 1}`);
    }
    const k = params.findIndex((p) => !Number.isFinite(p.grad));
    return diverged(
      k < 0
        ? `a gradient became NaN or infinite at step ${step + 1}`
        : `the gradient of parameter ${k} became ${params[k].grad} at step ${
          step + 1
        }`,
    );
  };
  const evaluate = settings.engine === "object"
    ? objectEngine(model, data, settings)
    : tapeEngine(model, data, settings);
  let engine = settings.engine;
  let first = NaN;
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
    // The batch accuracy before the update, from plain-number forward
    // passes: the same arithmetic as the graph's (MLP.predict).
    let accuracy = NaN;
    if (settings.needAccuracy(step + 1)) {
      let right = 0;
      for (const i of batch) {
        if (classOf(model.predict(data.x[i])) === data.y[i]) right++;
      }
      accuracy = right / batch.length;
    }
    let loss: number;
    let rate: number;
    if (optimizer instanceof LBFGS) {
      let last = NaN;
      rate = optimizer.lr;
      try {
        loss = optimizer.step(() => {
          optimizer.zeroGrad();
          last = evaluate.run(batch);
          return new Value(last);
        }).data;
      } catch (error) {
        // A loss or gradient that is not finite; LBFGS restored the
        // parameters.
        if (!(error instanceof RangeError)) throw error;
        loss = badGradient(last, step);
      }
    } else {
      rate = settings.lr(step);
      optimizer.zeroGrad();
      loss = evaluate.run(batch);
      if (settings.clip !== undefined) {
        try {
          clipGradNorm(params, settings.clip);
        } catch (error) {
          if (!(error instanceof RangeError)) throw error;
          badGradient(loss, step);
        }
      }
      optimizer.step();
    }
    if (step === 0) engine = evaluate.engine();
    onStep([step + 1, loss, accuracy, rate]);
    if (!Number.isFinite(loss)) {
      diverged(`the loss became ${loss} at step ${step + 1}`);
    }
    if (step === 0) first = loss;
    if (loss > EXPLODED * Math.max(1, first)) {
      diverged(
        `the loss exploded from ${first.toPrecision(3)} at step 1 to ${
          loss.toPrecision(3)
        } at step ${step + 1}`,
      );
    }
    for (let k = 0; k < params.length; k++) {
      if (!Number.isFinite(params[k].data)) {
        diverged(
          `parameter ${k} became ${params[k].data} at step ${step + 1}`,
        );
      }
    }
  }
  return { engine };
}

/** One engine: computes a batch's loss and adds its gradients to .grad. */
interface Evaluator {
  /** The loss of the batch (indices into the data); gradients added. */
  run(batch: readonly number[]): number;
  /** The engine that ran (after the first run). */
  engine(): Engine;
}

// Builds the graph every step: inputs as numbers, nn's losses.
function objectEngine(
  model: MLP,
  data: Dataset,
  settings: TrainSettings,
): Evaluator {
  const params = model.parameters();
  return {
    run(batch: readonly number[]): number {
      const outputs: Value[][] = [];
      const labels: number[] = [];
      for (const i of batch) {
        outputs.push(model.forward(data.x[i]));
        labels.push(data.y[i]);
      }
      const total = batchLoss(
        outputs,
        labels,
        settings.loss,
        params,
        settings.l2,
      );
      total.backward();
      return total.data;
    },
    engine: (): Engine => "object",
  };
}

// Records the graph of a batch once, with the inputs and labels as leaves,
// then writes each batch's numbers into those leaves and replays it. The
// batch has the same size every step, so the graph has the same shape.
function tapeEngine(
  model: MLP,
  data: Dataset,
  settings: TrainSettings,
): Evaluator {
  if (!replayable(settings.loss)) {
    throw new Error(`loss ${settings.loss} cannot be replayed`);
  }
  const params = model.parameters();
  const nin = model.nin;
  let tape: Tape | undefined;
  let inputs: Value[][] = [];
  let labels: Value[] = [];
  // The number the loss's label leaf holds: -y for hinge (nn's hingeLoss
  // multiplies by -y), y for mse; y is -1 or 1 for classes 0 and 1.
  const label = settings.loss === "hinge"
    ? (k: number): number => -(2 * k - 1)
    : (k: number): number => 2 * k - 1;
  return {
    run(batch: readonly number[]): number {
      if (tape === undefined) {
        inputs = batch.map(() =>
          Array.from({ length: nin }, () => new Value(0))
        );
        labels = batch.map(() => new Value(0));
      }
      for (let j = 0; j < batch.length; j++) {
        const x = data.x[batch[j]];
        const leaves = inputs[j];
        for (let f = 0; f < nin; f++) leaves[f].data = x[f];
        labels[j].data = label(data.y[batch[j]]);
      }
      if (tape === undefined) {
        const scores = inputs.map((x) => model.forward(x)[0]);
        const total = tapeLoss(
          scores,
          labels,
          settings.loss,
          params,
          settings.l2,
        );
        tape = compile(total, { codegen: settings.engine === "codegen" });
      }
      const loss = tape.forward();
      tape.backward();
      return loss;
    },
    engine: (): Engine =>
      tape === undefined ? settings.engine : tape.codegen ? "codegen" : "tape",
  };
}

// ---------------------------------------------------------------------------
// Progress

const encoder = new TextEncoder();

function write(text: string): void {
  const bytes = encoder.encode(text);
  let written = 0;
  while (written < bytes.length) {
    written += Deno.stdout.writeSync(bytes.subarray(written));
  }
}

export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  const m = Math.floor(seconds / 60);
  return `${m} min ${Math.round(seconds - 60 * m)} s`;
}

export function percent(fraction: number): string {
  return `${(100 * fraction).toFixed(1)}%`;
}

/**
 * Progress: on a terminal, one line redrawn in place (at most 12 times a
 * second); otherwise a plain line every tenth of the run, no control codes.
 */
export class Progress {
  readonly total: number;
  readonly live: boolean;
  readonly quiet: boolean;
  readonly start: number = performance.now();
  lastDraw = -Infinity;
  open = false; // a live line is on screen, not yet ended by a newline
  dueStep = 0; // the last step due() said yes to

  constructor(total: number, live: boolean, quiet: boolean) {
    this.total = total;
    this.live = live;
    this.quiet = quiet;
  }

  /**
   * Whether step `step` (from 1) gets a line: on a terminal when 80 ms have
   * passed since the last, else step 1 and every tenth of the run; always
   * the last. Asked before the step (its line needs the batch accuracy);
   * `update` then draws exactly the steps this said yes to.
   */
  due(step: number): boolean {
    if (this.quiet) return false;
    let due: boolean;
    if (this.live) {
      const now = performance.now();
      due = step === this.total || now - this.lastDraw >= 80;
      if (due) this.lastDraw = now;
    } else {
      const every = Math.max(1, Math.ceil(this.total / 10));
      due = step === 1 || step % every === 0 || step === this.total;
    }
    if (due) this.dueStep = step;
    return due;
  }

  update(step: number, loss: number, accuracy: number, lr: number): void {
    if (this.quiet || step !== this.dueStep) return;
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
    console.log(`${counter}  ${fields}`);
  }

  /** Ends the live line, if one is on screen. */
  end(): void {
    if (this.open) write("\n");
    this.open = false;
  }
}

export function terminalWidth(): number {
  try {
    return Deno.consoleSize().columns;
  } catch {
    return 80; // no size known, e.g. a pseudo-terminal without one
  }
}
