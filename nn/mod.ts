/**
 * Neural nets on the engine, as in micrograd: {@linkcode Neuron},
 * {@linkcode Layer}, {@linkcode MLP}, and the losses to train them with.
 *
 * Weights are drawn from a seeded generator, so a model is the same on every
 * run unless you pass another `seed`. `MLP.forward` builds a graph to call
 * `backward()` on; `MLP.predict` evaluates with plain numbers; `toJSON` and
 * `MLP.fromJSON` save and load. The losses ({@linkcode mse},
 * {@linkcode hingeLoss}, {@linkcode binaryCrossEntropy},
 * {@linkcode softmaxCrossEntropy}) average over the examples given and stay
 * finite at extreme logits.
 *
 * ```ts
 * import { MLP, mse } from "@micrograd/micrograd/nn";
 * import assert from "node:assert/strict";
 *
 * const model = new MLP(3, [4, 4, 1], { activation: "tanh" });
 * const xs = [[2, 3, -1], [3, -1, 0.5], [0.5, 1, 1], [1, 1, -1]];
 * const ys = [1, -1, -1, 1];
 * for (let step = 0; step < 50; step++) {
 *   const pred = xs.map((x) => model.forward(x)[0]);
 *   const loss = mse(pred, ys);
 *   model.zeroGrad();
 *   loss.backward();
 *   for (const p of model.parameters()) p.data -= 0.05 * p.grad;
 * }
 * const pred = xs.map((x) => model.predict(x)[0]);
 * assert.ok(pred[0] > 0 && pred[1] < 0);
 * ```
 *
 * @module
 */
export * from "./module.ts";
export * from "./neuron.ts";
export * from "./layer.ts";
export * from "./mlp.ts";
export * from "./losses.ts";
