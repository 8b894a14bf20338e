/**
 * Optimizers that update parameters from their gradients, with the
 * semantics of `torch.optim`: {@linkcode SGD} (momentum, weight decay),
 * {@linkcode Adam} (L2 weight decay), {@linkcode AdamW} (decoupled weight
 * decay) and {@linkcode LBFGS} (quasi-Newton, with an optional strong Wolfe
 * line search); the learning-rate schedules {@linkcode stepLR},
 * {@linkcode cosineLR} and {@linkcode linearLR} (torch's StepLR,
 * CosineAnnealingLR and LinearLR); and {@linkcode clipGradNorm} (torch's
 * `clip_grad_norm_`).
 *
 * Give an optimizer the parameters (`model.parameters()`, leaf Values only)
 * and a learning rate, a number or a schedule called with the step number (0
 * first). Each training step: `zeroGrad()`, compute the loss, `backward()`,
 * optionally `clipGradNorm(params, maxNorm)`, then `step()`. {@linkcode LBFGS}
 * instead takes a closure that does the first three, and calls it as often
 * as it needs.
 *
 * ```ts
 * import { Adam, clipGradNorm, cosineLR } from "@micrograd/micrograd/optim";
 * import { MLP, mse } from "@micrograd/micrograd/nn";
 * import assert from "node:assert/strict";
 *
 * const model = new MLP(1, [8, 1], { activation: "tanh" });
 * const params = model.parameters();
 * const opt = new Adam(params, { lr: cosineLR({ lr: 0.05, steps: 200 }) });
 * const xs = [-1, -0.5, 0, 0.5, 1];
 * const ys = xs.map((x) => x * x); // learn y = x²
 * let loss = Infinity;
 * for (let step = 0; step < 200; step++) {
 *   const l = mse(xs.map((x) => model.forward([x])[0]), ys);
 *   opt.zeroGrad();
 *   l.backward();
 *   clipGradNorm(params, 1);
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
