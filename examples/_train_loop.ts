// `deno task train`'s loop: the loss of a batch, accuracy, the progress line,
// and the checks that stop a run that diverged or would not fit in memory.

import { mean, sum, type Value } from "@micrograd/micrograd/engine";
import {
  binaryCrossEntropy,
  hingeLoss,
  type MLP,
  mse,
  softmaxCrossEntropy,
} from "@micrograd/micrograd/nn";
import type { Optimizer } from "@micrograd/micrograd/optim";
import { Random } from "../nn/_random.ts";
import type { Dataset } from "./datasets.ts";
import { UsageError } from "./_cli.ts";
import { type Loss, MAX_STEP_NODES } from "./_train_options.ts";

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

function outputClass(output: readonly Value[]): number {
  return classOf(output.map((v) => v.data));
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

/** What the caller of trainLoop needs to know about the run. */
export interface TrainSettings {
  steps: number;
  batchSize: number;
  l2: number;
  loss: Loss;
  seed: number;
  lr0: number;
  lr: (step: number) => number;
  /** Advice added when the run diverges (e.g. standardise CSV features). */
  advice: string;
}

/** One row of the log: step, loss, batch accuracy, learning rate. */
export type LogRow = [number, number, number, number];

/**
 * Runs the optimizer steps. After each one the loss must be finite and not
 * exploded, and every parameter finite; otherwise a UsageError with advice.
 */
export function trainLoop(
  model: MLP,
  data: Dataset,
  optimizer: Optimizer,
  settings: TrainSettings,
  onStep: (row: LogRow) => void,
): void {
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
    const outputs: Value[][] = [];
    const labels: number[] = [];
    let right = 0;
    for (const i of batch) {
      const output = model.forward(data.x[i]);
      outputs.push(output);
      labels.push(data.y[i]);
      if (outputClass(output) === data.y[i]) right++;
    }
    const total = batchLoss(
      outputs,
      labels,
      settings.loss,
      params,
      settings.l2,
    );
    const rate = settings.lr(step);
    optimizer.zeroGrad();
    total.backward();
    optimizer.step();
    onStep([step + 1, total.data, right / batch.length, rate]);
    if (!Number.isFinite(total.data)) {
      diverged(`the loss became ${total.data} at step ${step + 1}`);
    }
    if (step === 0) first = total.data;
    if (total.data > EXPLODED * Math.max(1, first)) {
      diverged(
        `the loss exploded from ${first.toPrecision(3)} at step 1 to ${
          total.data.toPrecision(3)
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

export function terminalWidth(): number {
  try {
    return Deno.consoleSize().columns;
  } catch {
    return 80; // no size known, e.g. a pseudo-terminal without one
  }
}
