/**
 * micrograd for Deno: a scalar-valued reverse-mode autodiff engine with a
 * small neural-net library on top, after Andrej Karpathy's micrograd.
 *
 * This module re-exports everything: the engine (`Value`, `sum`, `ops`,
 * `defineOp`, `grad`, `compile`, `backwardSteps`, `toDot`, `toMermaid`), the
 * neural nets (`MLP` and losses), the optimizers (`SGD`, `Adam`, `AdamW`,
 * `LBFGS`, `clipGradNorm` and the learning-rate schedules) and the gradient
 * checker (`gradcheck`, `gradgradcheck`, `checkOp`).
 *
 * ```ts
 * import { Value } from "@micrograd/micrograd";
 * import assert from "node:assert/strict";
 *
 * const x = new Value(3);
 * const y = x.mul(x).add(x); // x² + x
 * y.backward();
 * assert.equal(x.grad, 7); // 2x + 1
 * ```
 *
 * @module
 */
export * from "./engine/mod.ts";
export * from "./nn/mod.ts";
export * from "./optim/mod.ts";
export * from "./gradcheck/mod.ts";
