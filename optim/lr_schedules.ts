import { describe } from "../engine/_validate.ts";
import {
  checkInteger,
  checkKnownKeys,
  checkOptionsObject,
  checkRange,
} from "./_check.ts";

/** Options for {@linkcode stepLR}. */
export interface StepLROptions {
  /** The rate of the first steps: a finite number > 0. */
  lr: number;
  /** How many steps between two decays: an integer >= 1. */
  stepSize: number;
  /**
   * The factor applied every `stepSize` steps: a finite number > 0.
   *
   * @default {0.1}
   */
  gamma?: number;
}

/** Options for {@linkcode cosineLR}. */
export interface CosineLROptions {
  /** The rate at step 0: a finite number > 0. */
  lr: number;
  /** The step at which the rate reaches `minLr` (torch: `T_max`): an integer >= 1. */
  steps: number;
  /**
   * The lowest rate (torch: `eta_min`), in [0, lr].
   *
   * @default {0}
   */
  minLr?: number;
}

/** Options for {@linkcode linearLR}. */
export interface LinearLROptions {
  /** The base rate, which the factors multiply: a finite number > 0. */
  lr: number;
  /** The step at which the factor reaches `endFactor` (torch: `total_iters`): an integer >= 1. */
  steps: number;
  /**
   * The factor at step 0, in (0, 1] (as torch).
   *
   * @default {1/3}
   */
  startFactor?: number;
  /**
   * The factor from step `steps` on, in [0, 1] (as torch).
   *
   * @default {1}
   */
  endFactor?: number;
}

/** Checks `lr` of a schedule: a finite number > 0. */
function checkBaseLr(action: string, lr: unknown): number {
  if (typeof lr !== "number") {
    throw new TypeError(`${action}: lr must be a number, got ${describe(lr)}`);
  }
  if (!(lr > 0) || !Number.isFinite(lr)) {
    throw new RangeError(
      `${action}: lr must be a finite number > 0, got ${describe(lr)}`,
    );
  }
  return lr;
}

/** Checks the step a schedule is called with: an integer >= 0. */
function checkStep(name: string, step: unknown): number {
  const action = `Cannot compute the ${name} rate`;
  if (typeof step !== "number") {
    throw new TypeError(
      `${action}: step must be a number, got ${describe(step)}`,
    );
  }
  if (!Number.isSafeInteger(step) || step < 0) {
    throw new RangeError(
      `${action}: step must be an integer >= 0, got ${describe(step)}`,
    );
  }
  return step;
}

/**
 * A step decay, as `torch.optim.lr_scheduler.StepLR`: the rate is `lr` for
 * the first `stepSize` steps, then multiplied by `gamma` every `stepSize`
 * steps:
 *
 * ```text
 * rate(step) = lr * gamma^floor(step / stepSize)
 * ```
 *
 * Give the result as the `lr` of {@linkcode SGD}, {@linkcode Adam} or
 * {@linkcode AdamW}: they call it with the step number, 0 for the first
 * `step()` (the rate torch's optimizer uses after that many
 * `scheduler.step()` calls).
 *
 * @param options The first rate, the decay interval and factor.
 * @returns The schedule: step number (an integer >= 0) to rate.
 * @throws {TypeError} If `options` is not an object, has an unknown key, or
 *   an option is not a number.
 * @throws {RangeError} If `lr` or `gamma` is not a finite number > 0, or
 *   `stepSize` not an integer >= 1. The schedule throws a RangeError for a
 *   step that is not an integer >= 0.
 * @example Halve the rate every 3 steps
 * ```ts
 * import { SGD, stepLR } from "@micrograd/micrograd/optim";
 * import { Value } from "@micrograd/micrograd/engine";
 * import assert from "node:assert/strict";
 *
 * const lr = stepLR({ lr: 0.1, stepSize: 3, gamma: 0.5 });
 * assert.deepEqual([0, 2, 3, 5, 6].map(lr), [0.1, 0.1, 0.05, 0.05, 0.025]);
 * const opt = new SGD([new Value(1)], { lr });
 * assert.equal(opt.lr, lr);
 * ```
 */
export function stepLR(options: StepLROptions): (step: number) => number {
  const action = "Cannot create stepLR";
  checkOptionsObject(action, options);
  checkKnownKeys(action, options, ["lr", "stepSize", "gamma"]);
  const lr = checkBaseLr(action, options.lr);
  const stepSize = checkInteger(action, "stepSize", options.stepSize, 1);
  const gamma = checkRange(action, "gamma", options.gamma, 0.1, 0, Infinity);
  if (gamma === 0) {
    throw new RangeError(`${action}: gamma must be > 0, got 0`);
  }
  return (step: number): number =>
    lr * gamma ** Math.floor(checkStep("stepLR", step) / stepSize);
}

/**
 * A cosine annealing, as `torch.optim.lr_scheduler.CosineAnnealingLR`: the
 * rate falls from `lr` at step 0 to `minLr` at step `steps` along half a
 * cosine. Past `steps` it follows the same cosine back up, as torch's does
 * (it does not stay at `minLr`); stop at `steps`, or choose `steps` as the
 * run's length, to avoid that.
 *
 * ```text
 * rate(step) = minLr + (lr - minLr) * (1 + cos(pi * step / steps)) / 2
 * ```
 *
 * Give the result as the `lr` of an optimizer, which calls it with the step
 * number, 0 for the first `step()`.
 *
 * @param options The first rate, the length of the descent and the lowest
 *   rate.
 * @returns The schedule: step number (an integer >= 0) to rate.
 * @throws {TypeError} If `options` is not an object, has an unknown key, or
 *   an option is not a number.
 * @throws {RangeError} If `lr` is not a finite number > 0, `steps` not an
 *   integer >= 1, or `minLr` outside [0, lr]. The schedule throws a
 *   RangeError for a step that is not an integer >= 0.
 * @example From 0.1 down to 0 in 10 steps
 * ```ts
 * import { Adam, cosineLR } from "@micrograd/micrograd/optim";
 * import { Value } from "@micrograd/micrograd/engine";
 * import assert from "node:assert/strict";
 *
 * const lr = cosineLR({ lr: 0.1, steps: 10 });
 * assert.equal(lr(0), 0.1);
 * assert.ok(Math.abs(lr(5) - 0.05) < 1e-15);
 * assert.equal(lr(10), 0);
 * const opt = new Adam([new Value(1)], { lr });
 * assert.equal(opt.lr, lr);
 * ```
 */
export function cosineLR(options: CosineLROptions): (step: number) => number {
  const action = "Cannot create cosineLR";
  checkOptionsObject(action, options);
  checkKnownKeys(action, options, ["lr", "steps", "minLr"]);
  const lr = checkBaseLr(action, options.lr);
  const steps = checkInteger(action, "steps", options.steps, 1);
  const minLr = checkRange(action, "minLr", options.minLr, 0, 0, Infinity);
  if (minLr > lr) {
    throw new RangeError(
      `${action}: minLr must be in [0, lr], got ${minLr} with lr ${lr}`,
    );
  }
  return (step: number): number =>
    minLr +
    (lr - minLr) *
      (1 + Math.cos(Math.PI * checkStep("cosineLR", step) / steps)) /
      2;
}

/**
 * A linear ramp, as `torch.optim.lr_scheduler.LinearLR`: the rate is `lr`
 * times a factor that moves in a straight line from `startFactor` at step 0
 * to `endFactor` at step `steps`, and stays there. With the defaults (as
 * torch's) it is a warm-up from lr / 3 to lr over `steps` steps; with
 * `startFactor: 1, endFactor: 0.1` a decay to a tenth.
 *
 * ```text
 * rate(step) = lr * (startFactor + (endFactor - startFactor) * min(step, steps) / steps)
 * ```
 *
 * Give the result as the `lr` of an optimizer, which calls it with the step
 * number, 0 for the first `step()`.
 *
 * @param options The base rate, the length of the ramp and its two factors.
 * @returns The schedule: step number (an integer >= 0) to rate.
 * @throws {TypeError} If `options` is not an object, has an unknown key, or
 *   an option is not a number.
 * @throws {RangeError} If `lr` is not a finite number > 0, `steps` not an
 *   integer >= 1, `startFactor` outside (0, 1] or `endFactor` outside
 *   [0, 1]. The schedule throws a RangeError for a step that is not an
 *   integer >= 0.
 * @example Decay linearly to a tenth over 100 steps
 * ```ts
 * import { linearLR, SGD } from "@micrograd/micrograd/optim";
 * import { Value } from "@micrograd/micrograd/engine";
 * import assert from "node:assert/strict";
 *
 * const lr = linearLR({ lr: 1, steps: 100, startFactor: 1, endFactor: 0.1 });
 * assert.equal(lr(0), 1);
 * assert.ok(Math.abs(lr(50) - 0.55) < 1e-15);
 * assert.ok(Math.abs(lr(100) - 0.1) < 1e-15);
 * assert.equal(lr(1000), lr(100));
 * const opt = new SGD([new Value(1)], { lr });
 * assert.equal(opt.lr, lr);
 * ```
 */
export function linearLR(options: LinearLROptions): (step: number) => number {
  const action = "Cannot create linearLR";
  checkOptionsObject(action, options);
  checkKnownKeys(action, options, ["lr", "steps", "startFactor", "endFactor"]);
  const lr = checkBaseLr(action, options.lr);
  const steps = checkInteger(action, "steps", options.steps, 1);
  const start = checkRange(
    action,
    "startFactor",
    options.startFactor,
    1 / 3,
    0,
    Infinity,
  );
  if (!(start > 0 && start <= 1)) {
    throw new RangeError(
      `${action}: startFactor must be in (0, 1], got ${start}`,
    );
  }
  const end = checkRange(
    action,
    "endFactor",
    options.endFactor,
    1,
    0,
    Infinity,
  );
  if (end > 1) {
    throw new RangeError(`${action}: endFactor must be in [0, 1], got ${end}`);
  }
  return (step: number): number =>
    lr *
    (start +
      (end - start) * Math.min(checkStep("linearLR", step), steps) / steps);
}
