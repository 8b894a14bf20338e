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
import { describe } from "../engine/_validate.ts";

/** Options for {@linkcode Adam}. */
export interface AdamOptions {
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
   * Weight decay, >= 0: an L2 penalty, `weightDecay * p` added to each
   * gradient, or with `decoupledWeightDecay` a shrink of p itself.
   *
   * @default {0}
   */
  weightDecay?: number;
  /**
   * Decouple the weight decay from the gradient: each step first scales p by
   * `1 - lr * weightDecay`, as {@linkcode AdamW} does (torch:
   * `decoupled_weight_decay`).
   *
   * @default {false}
   */
  decoupledWeightDecay?: boolean;
}

/**
 * Adam, with the semantics of `torch.optim.Adam` (bias-corrected moments, L2
 * weight decay added to the gradient, no AMSGrad). For each parameter p with
 * gradient g, at step t (from 0):
 *
 * ```text
 * g = g + weightDecay * p
 * m = beta1 * m + (1 - beta1) * g
 * v = beta2 * v + (1 - beta2) * g²
 * p = p - lr(t) * mhat / (sqrt(vhat) + eps)
 *   with mhat = m / (1 - beta1^(t+1)), vhat = v / (1 - beta2^(t+1))
 * ```
 *
 * @example Usage
 * ```ts
 * import { Adam } from "@micrograd/micrograd/optim";
 * import { Value } from "@micrograd/micrograd/engine";
 * import assert from "node:assert/strict";
 *
 * const x = new Value(1);
 * const opt = new Adam([x], { lr: 0.1 });
 * x.mul(x).backward(); // g = 2
 * opt.step(); // the first step moves by about lr: mhat / sqrt(vhat) = 1
 * assert.ok(Math.abs(x.data - 0.9) < 1e-8);
 * ```
 */
export class Adam implements Optimizer {
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
  /** The weight decay factor. */
  readonly weightDecay: number;
  /** Whether the decay shrinks p directly (AdamW) rather than adding to g. */
  readonly decoupledWeightDecay: boolean;
  /** How many times `step()` has run: the step number the schedule gets next. */
  steps: number;
  #moments: Moments;
  // "Adam" or "AdamW", for error messages.
  #name: string;

  /**
   * Creates the optimizer; checks every option.
   *
   * @param params The Values to update: a non-empty array of distinct Values
   *   (usually `model.parameters()`).
   * @param options The learning rate (required), betas, eps and weight
   *   decay, and whether the decay is decoupled.
   * @throws {TypeError} If `params` is not an array of Values, or an option
   *   has the wrong type.
   * @throws {RangeError} If `params` is empty or repeats a Value, `lr` <= 0,
   *   a beta is outside [0, 1), or `eps` or `weightDecay` is negative.
   */
  constructor(params: readonly Value[], options: AdamOptions) {
    this.#name = new.target.name;
    const action = `Cannot create ${this.#name}`;
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
      0,
      0,
      Infinity,
    );
    const decoupled = options.decoupledWeightDecay ?? false;
    if (typeof decoupled !== "boolean") {
      throw new TypeError(
        `${action}: decoupledWeightDecay must be a boolean, got ${
          describe(decoupled)
        }`,
      );
    }
    this.decoupledWeightDecay = decoupled;
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
   * import { Adam } from "@micrograd/micrograd/optim";
   * import { Value } from "@micrograd/micrograd/engine";
   * import assert from "node:assert/strict";
   * const p = new Value(0);
   * const opt = new Adam([p], { lr: 0.01, eps: 0 });
   * p.grad = -5;
   * opt.step(); // mhat = g, vhat = g², so p moves by lr * sign(-g)
   * assert.ok(Math.abs(p.data - 0.01) < 1e-15);
   * ```
   */
  step(): void {
    const lr = rateAt(`Cannot run ${this.#name}.step()`, this.lr, this.steps);
    const decay = this.weightDecay;
    const decoupled = this.decoupledWeightDecay;
    adamUpdate(
      this.params,
      this.#moments,
      this.steps,
      lr,
      this.beta1,
      this.beta2,
      this.eps,
      decoupled ? 0 : decay,
      decoupled ? decay : 0,
    );
    this.steps++;
  }

  /**
   * Sets every parameter's `grad` to 0.
   *
   * @example Usage
   * ```ts
   * import { Adam } from "@micrograd/micrograd/optim";
   * import { Value } from "@micrograd/micrograd/engine";
   * import assert from "node:assert/strict";
   * const p = new Value(1);
   * p.grad = 5;
   * new Adam([p], { lr: 0.1 }).zeroGrad();
   * assert.equal(p.grad, 0);
   * ```
   */
  zeroGrad(): void {
    const params = this.params;
    for (let i = 0; i < params.length; i++) params[i].grad = 0;
  }
}
