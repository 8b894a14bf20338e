// The moons training step, as micrograd's demo.ipynb does it, through the
// project's own MLP, hingeLoss and SGD: forward on 100 points, hinge loss
// plus L2, zeroGrad, backward, SGD update. The floor does the same step with
// moonsStepFloor() in floor.ts.
import {
  compile,
  sum,
  type Tape as EngineTape,
  type Value,
} from "../engine/mod.ts";
import { hingeLoss, MLP } from "../nn/mod.ts";
import { SGD } from "../optim/mod.ts";
import { makeMoons as generateMoons } from "../examples/datasets.ts";
import { moonsStepFloor, Tape } from "./floor.ts";

/** Points, labels ±1, and the step's constants. */
export interface Moons {
  /** The points, [x, y] each. */
  xs: number[][];
  /** Their labels, -1 or 1. */
  ys: number[];
}

/** MLP(2, [16, 16, 1]) as in micrograd's demo. */
export const NIN = 2;
/** Layer widths. */
export const NOUTS: readonly number[] = [16, 16, 1];
/** The L2 factor (micrograd's demo: 1e-4). */
export const ALPHA = 1e-4;
/** A fixed learning rate. */
export const LR = 0.05;

/**
 * Steps each side runs before the moons step is timed. A process's first
 * steps grow V8's young generation, and on this machine each step that first
 * touched new pages took 9-23 ms against 1.8 (370-1,140 page faults in each
 * such step, 0-2 in the others); the first 50 steps averaged 8.4 ms, steps
 * 400-800 1.8-2.0. A training run is thousands of steps.
 */
export const WARM_UP_STEPS = 300;

/** The example's two-moons data (examples/datasets.ts) with labels ±1. */
export function makeMoons(n: number, noise = 0.1, seed = 1): Moons {
  const { x, y } = generateMoons(n, { noise, seed });
  return { xs: x, ys: y.map((label) => (label === 1 ? 1 : -1)) };
}

/** The engine side: a model, its optimizer and the step. */
export class EngineMoons {
  /** The model. */
  model: MLP;
  /** Its parameters, in order. */
  params: Value[];
  /** The optimizer. */
  opt: SGD;
  /** The data. */
  data: Moons;

  /** A seeded model on `data`. */
  constructor(data: Moons, seed = 1) {
    this.model = new MLP(NIN, NOUTS as number[], { seed });
    this.params = this.model.parameters();
    this.opt = new SGD(this.params, { lr: LR });
    this.data = data;
  }

  /** Builds the loss graph (forward): hinge loss + L2. */
  forward(): Value {
    const { xs, ys } = this.data;
    const scores: Value[] = new Array(xs.length);
    for (let i = 0; i < xs.length; i++) {
      scores[i] = this.model.forward(xs[i])[0];
    }
    const params = this.params;
    const squares: Value[] = new Array(params.length);
    for (let i = 0; i < params.length; i++) {
      squares[i] = params[i].mul(params[i]);
    }
    return hingeLoss(scores, ys).add(sum(squares).mul(ALPHA));
  }

  /** zeroGrad, backward, SGD update. */
  update(loss: Value): void {
    this.opt.zeroGrad();
    loss.backward();
    this.opt.step();
  }

  /** The whole step; returns the loss. */
  step(): number {
    const loss = this.forward();
    this.update(loss);
    return loss.data;
  }
}

/** The floor side: the same parameters on a reused tape. */
export class FloorMoons {
  /** The parameters, in MLP.parameters() order. */
  params: Float64Array;
  /** The tape, reset each step. */
  tape: Tape;
  /** The data. */
  data: Moons;

  /** Starts from the engine model's parameters. */
  constructor(data: Moons, params: readonly Value[]) {
    this.params = Float64Array.from(params, (p) => p.data);
    this.tape = new Tape();
    this.data = data;
  }

  /** The whole step; returns the loss and the node count. */
  step(): { loss: number; nodes: number } {
    return moonsStepFloor(
      this.tape,
      this.params,
      NIN,
      NOUTS,
      this.data.xs,
      this.data.ys,
      ALPHA,
      LR,
    );
  }
}

/**
 * The engine's compiled replay of the same step: the loss graph recorded
 * once with `compile`, then each step replays forward and backward on the
 * parameters' new values and runs the SGD update.
 */
export class ReplayMoons {
  /** The model and optimizer, as EngineMoons. */
  engine: EngineMoons;
  /** The recorded loss graph. */
  tape: EngineTape;

  /** Records the loss graph of `engine` once. */
  constructor(engine: EngineMoons, codegen: boolean) {
    this.engine = engine;
    this.tape = compile(engine.forward(), { codegen });
  }

  /** The whole step; returns the loss. */
  step(): number {
    const loss = this.tape.forward();
    this.engine.opt.zeroGrad();
    this.tape.backward();
    this.engine.opt.step();
    return loss;
  }
}

/**
 * The floor's replay of the step: its tape recorded once (parameters are its
 * first slots), then each step writes the parameters in, replays forward and
 * backward, and updates them.
 */
export class FloorReplayMoons {
  /** The parameters, in MLP.parameters() order. */
  params: Float64Array;
  /** The tape, recorded once. */
  tape: Tape;
  /** Slot of the loss. */
  root: number;

  /** Records the step once, from the engine model's parameters. */
  constructor(data: Moons, params: readonly Value[]) {
    const floor = new FloorMoons(data, params);
    // moonsStepFloor records then updates; record with lr 0 to keep them.
    moonsStepFloor(
      floor.tape,
      floor.params,
      NIN,
      NOUTS,
      data.xs,
      data.ys,
      ALPHA,
      0,
    );
    this.params = floor.params;
    this.tape = floor.tape;
    this.root = floor.tape.size - 1;
  }

  /** The whole step; returns the loss. */
  step(): number {
    const { tape, params } = this;
    // The parameters are the tape's first slots (moonsStepFloor records them first).
    for (let i = 0; i < params.length; i++) {
      tape.data[i] = params[i];
      tape.grad[i] = 0; // zeroGrad: leaves accumulate, as in the engine
    }
    tape.forward();
    tape.backward(this.root);
    for (let i = 0; i < params.length; i++) params[i] -= LR * tape.grad[i];
    return tape.data[this.root];
  }
}
