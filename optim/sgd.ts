import type { Value } from "../engine/value.ts";
import type { LearningRate, Optimizer } from "./optimizer.ts";
import {
  checkLr,
  checkOptionsObject,
  checkParams,
  checkRange,
  rateAt,
} from "./_check.ts";

/** Options for {@linkcode SGD}. */
export interface SGDOptions {
  /** The learning rate: a number > 0, or a schedule `(step) => rate`. */
  lr: LearningRate;
  /**
   * Momentum factor in [0, 1); 0 is plain gradient descent.
   *
   * @default {0}
   */
  momentum?: number;
  /**
   * L2 penalty: `weightDecay * p` is added to each gradient; >= 0.
   *
   * @default {0}
   */
  weightDecay?: number;
}

/**
 * Stochastic gradient descent with optional momentum and weight decay, with
 * the semantics of `torch.optim.SGD` (no dampening, no Nesterov). For each
 * parameter p with gradient g, at step t (from 0):
 *
 * ```text
 * g = g + weightDecay * p
 * b = t == 0 ? g : momentum * b + g      (only when momentum > 0)
 * p = p - lr(t) * b
 * ```
 *
 * @example Usage
 * ```ts
 * import { SGD } from "@micrograd/micrograd/optim";
 * import { Value } from "@micrograd/micrograd/engine";
 * import assert from "node:assert/strict";
 *
 * const x = new Value(1);
 * const opt = new SGD([x], { lr: 0.1 });
 * const loss = x.mul(x); // d/dx = 2x = 2
 * opt.zeroGrad();
 * loss.backward();
 * opt.step();
 * assert.equal(x.data, 1 - 0.1 * 2);
 * ```
 */
export class SGD implements Optimizer {
  /** The Values the optimizer updates, in the order given. */
  readonly params: readonly Value[];
  /** The learning rate or schedule. */
  readonly lr: LearningRate;
  /** The momentum factor. */
  readonly momentum: number;
  /** The L2 penalty added to each gradient. */
  readonly weightDecay: number;
  /** How many times `step()` has run: the step number the schedule gets next. */
  steps: number;
  // The momentum buffer b of each parameter.
  #buffers: Float64Array;

  /**
   * Creates the optimizer; checks every option.
   *
   * @param params The Values to update: a non-empty array of distinct Values
   *   (usually `model.parameters()`).
   * @param options The learning rate (required), momentum and weight decay.
   * @throws {TypeError} If `params` is not an array of Values, or an option
   *   has the wrong type.
   * @throws {RangeError} If `params` is empty or repeats a Value, `lr` <= 0,
   *   `momentum` is outside [0, 1) or `weightDecay` < 0.
   */
  constructor(params: readonly Value[], options: SGDOptions) {
    const action = "Cannot create SGD";
    this.params = checkParams(action, params);
    checkOptionsObject(action, options);
    this.lr = checkLr(action, options.lr);
    this.momentum = checkRange(action, "momentum", options.momentum, 0, 0, 1);
    this.weightDecay = checkRange(
      action,
      "weightDecay",
      options.weightDecay,
      0,
      0,
      Infinity,
    );
    this.steps = 0;
    this.#buffers = new Float64Array(this.params.length);
  }

  /**
   * Updates every parameter from its `grad` (see the class doc for the
   * formula), then counts the step.
   *
   * @throws {TypeError} If the lr schedule returns something other than a
   *   number.
   * @throws {RangeError} If the lr schedule returns a negative or non-finite
   *   rate. Nothing is updated then.
   * @example Momentum
   * ```ts
   * import { SGD } from "@micrograd/micrograd/optim";
   * import { Value } from "@micrograd/micrograd/engine";
   * import assert from "node:assert/strict";
   * const p = new Value(0);
   * const opt = new SGD([p], { lr: 1, momentum: 0.5 });
   * p.grad = 1;
   * opt.step(); // b = 1
   * opt.step(); // b = 0.5 * 1 + 1
   * assert.equal(p.data, -1 - 1.5);
   * ```
   */
  step(): void {
    const lr = rateAt("Cannot run SGD.step()", this.lr, this.steps);
    const params = this.params;
    const buffers = this.#buffers;
    const momentum = this.momentum;
    const wd = this.weightDecay;
    const first = this.steps === 0;
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      let g = p.grad;
      if (wd !== 0) g += wd * p.data;
      if (momentum !== 0) {
        buffers[i] = first ? g : momentum * buffers[i] + g;
        g = buffers[i];
      }
      p.data -= lr * g;
    }
    this.steps++;
  }

  /**
   * Sets every parameter's `grad` to 0.
   *
   * @example Usage
   * ```ts
   * import { SGD } from "@micrograd/micrograd/optim";
   * import { Value } from "@micrograd/micrograd/engine";
   * import assert from "node:assert/strict";
   * const p = new Value(1);
   * p.grad = 5;
   * new SGD([p], { lr: 0.1 }).zeroGrad();
   * assert.equal(p.grad, 0);
   * ```
   */
  zeroGrad(): void {
    const params = this.params;
    for (let i = 0; i < params.length; i++) params[i].grad = 0;
  }
}
