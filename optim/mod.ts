/**
 * Optimizers that update parameters from their gradients, with the
 * semantics of `torch.optim`: {@linkcode SGD} (momentum, weight decay),
 * {@linkcode Adam} (L2 weight decay) and {@linkcode AdamW} (decoupled weight
 * decay).
 *
 * Give an optimizer the parameters (`model.parameters()`) and a learning
 * rate, a number or a schedule called with the step number (0 first). Each
 * training step: `zeroGrad()`, compute the loss, `backward()`, `step()`.
 *
 * ```ts
 * import { Adam } from "@micrograd/micrograd/optim";
 * import { MLP, mse } from "@micrograd/micrograd/nn";
 * import assert from "node:assert/strict";
 *
 * const model = new MLP(1, [8, 1], { activation: "tanh" });
 * const opt = new Adam(model.parameters(), { lr: 0.05 });
 * const xs = [-1, -0.5, 0, 0.5, 1];
 * const ys = xs.map((x) => x * x); // learn y = x²
 * let loss = Infinity;
 * for (let step = 0; step < 200; step++) {
 *   const l = mse(xs.map((x) => model.forward([x])[0]), ys);
 *   opt.zeroGrad();
 *   l.backward();
 *   opt.step();
 *   loss = l.data;
 * }
 * assert.ok(loss < 0.01);
 * ```
 *
 * @module
 */
export * from "./optimizer.ts";
export * from "./sgd.ts";
export * from "./adam.ts";
export * from "./adamw.ts";
export * from "./clip_grad_norm.ts";
export * from "./lr_schedules.ts";
export * from "./lbfgs.ts";
