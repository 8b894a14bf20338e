/**
 * The autodiff engine: {@linkcode Value}, a scalar that remembers the op and
 * inputs that made it, and reverse-mode differentiation with
 * `Value.backward()`.
 *
 * Build an expression from Values and numbers, call `backward()` on the
 * result, and read each Value's `grad`: the derivative of the result with
 * respect to it. Every op is one entry of the {@linkcode ops} table; add
 * your own with {@linkcode defineOp}. {@linkcode grad} gives derivatives
 * without touching `.grad`, to any order; {@linkcode compile} records a graph
 * to replay it on new leaf values; {@linkcode backwardSteps},
 * {@linkcode toDot} and {@linkcode toMermaid} show how backward works.
 *
 * ```ts
 * import { Value } from "@micrograd/micrograd/engine";
 * import assert from "node:assert/strict";
 *
 * const a = new Value(2, { label: "a" });
 * const b = new Value(-3, { label: "b" });
 * const c = new Value(10, { label: "c" });
 * const y = a.mul(b).add(c).tanh();   // tanh(4)
 * y.backward();
 * assert.equal(y.data, Math.tanh(4));
 * assert.equal(a.grad, (1 - y.data ** 2) * -3);
 * ```
 *
 * @module
 */
export * from "./op.ts";
export * from "./ops.ts";
// Named, not `*`: value.ts also holds an internal helper for defineOp.
export { mean, sum, Value } from "./value.ts";
export type { BackwardOptions, ValueOptions } from "./value.ts";
export * from "./topo.ts";
export * from "./to_dot.ts";
export * from "./to_mermaid.ts";
export * from "./define_op.ts";
export * from "./grad.ts";
export * from "./backward_steps.ts";
export * from "./compile.ts";
