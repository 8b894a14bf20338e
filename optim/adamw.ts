import type { Value } from "../engine/value.ts";
import type { LearningRate, Optimizer } from "./optimizer.ts";
import {
  checkLr,
  checkOptionsObject,
  checkParams,
  checkRange,
  rateAt,
} from "./_check.ts";
import { adamUpdate, type Moments } from "./_adam.ts";

/** Options for {@linkcode AdamW}. */
export interface AdamWOptions {
  /** The learning rate: a number > 0, or a schedule `(step) => rate`. */
  lr: LearningRate;
  /**
   * Decay rate of the first moment (the mean of gradients), in [0, 1).
   *
   * @default {0.9}
   */
  beta1?: number;
  /**
   * Decay rate of the second moment (the mean of squared gradients), in
   * [0, 1).
   *
   * @default {0.999}
   */
  beta2?: number;
  /**
   * Added to the denominator for numerical stability; >= 0.
   *
   * @default {1e-8}
   */
  eps?: number;
  /**
   * Decoupled weight decay: each step first scales p by
   * `1 - lr * weightDecay`, apart from the gradient; >= 0.
   *
   * @default {0.01}
   */
  weightDecay?: number;
}

/**
 * AdamW: Adam with decoupled weight decay (Loshchilov and Hutter), with the
 * semantics of `torch.optim.AdamW`: the decay shrinks the parameter directly
 * instead of being added to the gradient, so it is not rescaled by the
 * moments. For each parameter p with gradient g, at step t (from 0):
 *
 * ```text
 * p = p * (1 - lr(t) * weightDecay)
 * m = beta1 * m + (1 - beta1) * g
 * v = beta2 * v + (1 - beta2) * g²
 * p = p - lr(t) * mhat / (sqrt(vhat) + eps)
 *   with mhat = m / (1 - beta1^(t+1)), vhat = v / (1 - beta2^(t+1))
 * ```
 *
 * @example Usage
 * ```ts
 * import { AdamW } from "@micrograd/micrograd/optim";
 * import { Value } from "@micrograd/micrograd/engine";
 * import assert from "node:assert/strict";
 *
 * const x = new Value(1);
 * const opt = new AdamW([x], { lr: 0.1, weightDecay: 0.5 });
 * x.mul(x).backward(); // g = 2
 * opt.step(); // shrink by 1 - 0.1 * 0.5, then move by about lr
 * assert.ok(Math.abs(x.data - (0.95 - 0.1)) < 1e-8);
 * ```
 */
export class AdamW implements Optimizer {
  /** The Values the optimizer updates, in the order given. */
  readonly params: readonly Value[];
  /** The learning rate or schedule. */
  readonly lr: LearningRate;
  /** Decay rate of the first moment. */
  readonly beta1: number;
  /** Decay rate of the second moment. */
  readonly beta2: number;
  /** Added to the denominator for numerical stability. */
  readonly eps: number;
  /** The decoupled weight decay factor. */
  readonly weightDecay: number;
  /** How many times `step()` has run: the step number the schedule gets next. */
  steps: number;
  #moments: Moments;

  /**
   * Creates the optimizer; checks every option.
   *
   * @param params The Values to update: a non-empty array of distinct Values
   *   (usually `model.parameters()`).
   * @param options The learning rate (required), betas, eps and weight decay
   *   (default 0.01, as torch).
   * @throws {TypeError} If `params` is not an array of Values, or an option
   *   has the wrong type.
   * @throws {RangeError} If `params` is empty or repeats a Value, `lr` <= 0,
   *   a beta is outside [0, 1), or `eps` or `weightDecay` is negative.
   */
  constructor(params: readonly Value[], options: AdamWOptions) {
    const action = "Cannot create AdamW";
    this.params = checkParams(action, params);
    checkOptionsObject(action, options);
    this.lr = checkLr(action, options.lr);
    this.beta1 = checkRange(action, "beta1", options.beta1, 0.9, 0, 1);
    this.beta2 = checkRange(action, "beta2", options.beta2, 0.999, 0, 1);
    this.eps = checkRange(action, "eps", options.eps, 1e-8, 0, Infinity);
    this.weightDecay = checkRange(
      action,
      "weightDecay",
      options.weightDecay,
      0.01,
      0,
      Infinity,
    );
    this.steps = 0;
    const n = this.params.length;
    this.#moments = { m: new Float64Array(n), v: new Float64Array(n) };
  }

  /**
   * Updates every parameter from its `grad` (see the class doc for the
   * formula), then counts the step.
   *
   * @throws {TypeError} If the lr schedule returns something other than a
   *   number.
   * @throws {RangeError} If the lr schedule returns a negative or non-finite
   *   rate. Nothing is updated then.
   * @example Usage
   * ```ts
   * import { AdamW } from "@micrograd/micrograd/optim";
   * import { Value } from "@micrograd/micrograd/engine";
   * import assert from "node:assert/strict";
   * const p = new Value(0);
   * const opt = new AdamW([p], { lr: 0.01, eps: 0, weightDecay: 0 });
   * p.grad = -5;
   * opt.step(); // mhat = g, vhat = g², so p moves by lr * sign(-g)
   * assert.ok(Math.abs(p.data - 0.01) < 1e-15);
   * ```
   */
  step(): void {
    const lr = rateAt("Cannot run AdamW.step()", this.lr, this.steps);
    adamUpdate(
      this.params,
      this.#moments,
      this.steps,
      lr,
      this.beta1,
      this.beta2,
      this.eps,
      0,
      this.weightDecay,
    );
    this.steps++;
  }

  /**
   * Sets every parameter's `grad` to 0.
   *
   * @example Usage
   * ```ts
   * import { AdamW } from "@micrograd/micrograd/optim";
   * import { Value } from "@micrograd/micrograd/engine";
   * import assert from "node:assert/strict";
   * const p = new Value(1);
   * p.grad = 5;
   * new AdamW([p], { lr: 0.1 }).zeroGrad();
   * assert.equal(p.grad, 0);
   * ```
   */
  zeroGrad(): void {
    const params = this.params;
    for (let i = 0; i < params.length; i++) params[i].grad = 0;
  }
}
