import type { Value } from "../engine/value.ts";
import { Adam, type AdamOptions } from "./adam.ts";

/** Options for {@linkcode AdamW}: those of {@linkcode Adam}, decay decoupled. */
export interface AdamWOptions
  extends Omit<AdamOptions, "weightDecay" | "decoupledWeightDecay"> {
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
 * moments. It is {@linkcode Adam} with `decoupledWeightDecay: true` and a
 * default weight decay of 0.01, as in torch. For each parameter p with
 * gradient g, at step t (from 0):
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
 * assert.equal(opt.decoupledWeightDecay, true);
 * ```
 */
export class AdamW extends Adam {
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
    super(
      params,
      // Anything but an object goes to Adam as it is, to be reported there.
      typeof options === "object" && options !== null
        ? {
          ...options,
          weightDecay: options.weightDecay ?? 0.01,
          decoupledWeightDecay: true,
        }
        : options,
    );
  }
}
