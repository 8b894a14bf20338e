// The Web Worker side: trains the model in slices of about 20 ms, and after
// each slice posts the loss and accuracy of every step since the last post
// plus the decision-boundary grid. The page only draws. The same worker
// code serves the custom-op checks (in a worker of their own).

import {
  type Bounds,
  type ModelConfig,
  type Points,
  type StepConfig,
  Trainer,
} from "./trainer.ts";
import { type CustomOpInput, runCustomOp } from "./custom_op.ts";

/** Messages from the page. */
export type ToWorker =
  | {
    type: "reset";
    points: Points;
    model: ModelConfig;
    step: StepConfig;
    bounds: Bounds;
  }
  | { type: "config"; step: StepConfig }
  | { type: "play" }
  | { type: "pause" }
  | { type: "step" }
  | { type: "addPoint"; x: number; y: number; label: number }
  | { type: "check"; input: CustomOpInput };

/** Messages to the page. */
export type FromWorker =
  | {
    type: "state";
    /** The model's generation: the page drops states of older models. */
    generation: number;
    steps: number;
    playing: boolean;
    /** Whether steps replay a compiled tape (else build the graph). */
    compiled: boolean;
    losses: number[];
    accuracies: number[];
    grid: Float32Array;
    gridSize: number;
    /** Seconds of training (wall time while playing) to 95% accuracy, or -1. */
    secondsTo95: number;
    stepsTo95: number;
  }
  | { type: "error"; message: string }
  | { type: "checked"; result: ReturnType<typeof runCustomOp> };

/** Grid cells per side of the decision boundary. */
export const GRID = 48;
/** Time per slice of training between two posts, in ms. */
const SLICE_MS = 20;

interface Scope {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
}

/** Starts the worker's message loop on `scope` (the worker's global). */
export function startWorker(scope: Scope): void {
  let trainer: Trainer | null = null;
  let bounds: Bounds = { xmin: -1, xmax: 1, ymin: -1, ymax: 1 };
  let generation = 0;
  let playing = false;
  let scheduled = false;
  let losses: number[] = [];
  let accuracies: number[] = [];
  let trainedMs = 0;
  let secondsTo95 = -1;
  let stepsTo95 = -1;

  const fail = (error: unknown): void => {
    playing = false;
    scope.postMessage({
      type: "error",
      message: error instanceof Error ? error.message : String(error),
    });
  };

  // Training time is wall time while playing: the steps, the grids and the
  // posts, everything but the pauses.
  let sliceStart = 0;
  const oneStep = (t: Trainer): void => {
    const loss = t.step();
    const acc = t.accuracy();
    losses.push(loss);
    accuracies.push(acc);
    if (secondsTo95 < 0 && acc >= 0.95) {
      secondsTo95 = (trainedMs + performance.now() - sliceStart) / 1000;
      stepsTo95 = t.steps;
    }
  };

  const post = (): void => {
    if (trainer === null) return;
    const grid = trainer.grid(bounds, GRID);
    scope.postMessage({
      type: "state",
      generation,
      steps: trainer.steps,
      playing,
      compiled: trainer.compiled,
      losses,
      accuracies,
      grid,
      gridSize: GRID,
      secondsTo95,
      stepsTo95,
    }, [grid.buffer]);
    losses = [];
    accuracies = [];
  };

  const slice = (): void => {
    scheduled = false;
    if (!playing || trainer === null) return;
    const t = trainer;
    const start = sliceStart = performance.now();
    try {
      do oneStep(t); while (performance.now() - start < SLICE_MS);
      if (!Number.isFinite(losses[losses.length - 1])) {
        throw new Error(
          `Training stopped at step ${t.steps}: the loss is not finite; lower the learning rate and press reset`,
        );
      }
    } catch (error) {
      fail(error);
    }
    post();
    trainedMs += performance.now() - start;
    schedule();
  };

  const schedule = (): void => {
    if (scheduled || !playing) return;
    scheduled = true;
    // A macrotask, so messages (pause, new settings) get in between slices.
    setTimeout(slice, 0);
  };

  scope.onmessage = (event: MessageEvent<ToWorker>): void => {
    const msg = event.data;
    try {
      switch (msg.type) {
        case "reset":
          trainer = new Trainer(msg.points, msg.model, msg.step);
          bounds = msg.bounds;
          generation++;
          losses = [];
          accuracies = [];
          trainedMs = 0;
          secondsTo95 = -1;
          stepsTo95 = -1;
          post();
          break;
        case "config":
          trainer?.setStepConfig(msg.step);
          break;
        case "play":
          playing = true;
          schedule();
          break;
        case "pause":
          playing = false;
          post();
          break;
        case "step":
          if (trainer !== null) {
            sliceStart = performance.now();
            oneStep(trainer);
            post();
            trainedMs += performance.now() - sliceStart;
          }
          break;
        case "addPoint":
          trainer?.addPoint(msg.x, msg.y, msg.label);
          if (!playing) post();
          break;
        case "check":
          scope.postMessage({
            type: "checked",
            result: runCustomOp(msg.input),
          });
          break;
      }
    } catch (error) {
      fail(error);
    }
  };
}
