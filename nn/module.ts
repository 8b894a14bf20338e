import type { Value } from "../engine/value.ts";

/**
 * The base of every network part, as in micrograd and `torch.nn.Module`: a
 * module owns parameters (leaf Values) and can reset their gradients.
 *
 * Subclasses implement `parameters()`. Since `backward()` accumulates into
 * leaves, call `zeroGrad()` (or the optimizer's) before each backward pass.
 *
 * @example A module of your own
 * ```ts
 * import { Module } from "@micrograd/micrograd/nn";
 * import { Value } from "@micrograd/micrograd/engine";
 * import assert from "node:assert/strict";
 *
 * class Scale extends Module {
 *   k: Value = new Value(2);
 *   parameters(): Value[] {
 *     return [this.k];
 *   }
 * }
 * const m = new Scale();
 * const y = m.k.mul(3);
 * y.backward();
 * assert.equal(m.k.grad, 3);
 * m.zeroGrad();
 * assert.equal(m.k.grad, 0);
 * ```
 */
export abstract class Module {
  /**
   * The module's trainable Values, in a fixed order (for a Neuron: its
   * weights, then its bias).
   *
   * @returns A new array of the parameters.
   */
  abstract parameters(): Value[];

  /**
   * Sets the gradient of every parameter to 0.
   *
   * @example Usage
   * ```ts
   * import { MLP } from "@micrograd/micrograd/nn";
   * import assert from "node:assert/strict";
   * const model = new MLP(2, [3, 1]);
   * model.forward([1, 2])[0].backward();
   * model.zeroGrad();
   * assert.ok(model.parameters().every((p) => p.grad === 0));
   * ```
   */
  zeroGrad(): void {
    const params = this.parameters();
    for (let i = 0; i < params.length; i++) params[i].grad = 0;
  }
}
