import type { Value } from "../engine/value.ts";

/**
 * A learning rate: a positive number, or a schedule called with the step
 * number (0 for the first `step()`) that returns the rate for that step.
 *
 * @example A warm-up then a step decay
 * ```ts
 * import { type LearningRate, SGD } from "@micrograd/micrograd/optim";
 * import { Value } from "@micrograd/micrograd/engine";
 * import assert from "node:assert/strict";
 * const lr: LearningRate = (step) => step < 10 ? 0.01 * (step + 1) : 0.1;
 * const p = new Value(1);
 * const opt = new SGD([p], { lr });
 * p.grad = 1;
 * opt.step(); // step 0: lr 0.01
 * assert.equal(p.data, 0.99);
 * ```
 */
export type LearningRate = number | ((step: number) => number);

/**
 * What every optimizer offers: the parameters it updates, how many steps it
 * has taken, `step()` and `zeroGrad()`. {@linkcode SGD}, {@linkcode Adam} and
 * {@linkcode AdamW} implement it.
 *
 * @example Train with any optimizer
 * ```ts
 * import { Adam, type Optimizer, SGD } from "@micrograd/micrograd/optim";
 * import { Value } from "@micrograd/micrograd/engine";
 * import assert from "node:assert/strict";
 *
 * function minimise(opt: Optimizer, x: Value, steps: number): void {
 *   for (let i = 0; i < steps; i++) {
 *     const loss = x.sub(3).pow(2); // (x - 3)², smallest at x = 3
 *     opt.zeroGrad();
 *     loss.backward();
 *     opt.step();
 *   }
 * }
 * const a = new Value(0);
 * minimise(new SGD([a], { lr: 0.1 }), a, 100);
 * const b = new Value(0);
 * minimise(new Adam([b], { lr: 0.1 }), b, 300);
 * assert.ok(Math.abs(a.data - 3) < 1e-6 && Math.abs(b.data - 3) < 1e-2);
 * ```
 */
export interface Optimizer {
  /** The Values the optimizer updates, in the order given. */
  readonly params: readonly Value[];
  /** How many times `step()` has run: the step number the schedule gets next. */
  readonly steps: number;
  /** Updates every parameter from its `grad`, then counts the step. */
  step(): void;
  /** Sets every parameter's `grad` to 0. */
  zeroGrad(): void;
}
