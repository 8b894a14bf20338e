import type { Value } from "./value.ts";

/**
 * The definition of an operation: its forward function and its local partial
 * derivatives. Pass one to {@linkcode defineOp} to add your own op.
 *
 * @example A softsign op
 * ```ts
 * import { defineOp, type OpSpec, Value } from "@micrograd/micrograd/engine";
 * import assert from "node:assert/strict";
 *
 * const spec: OpSpec = {
 *   name: "softsign",
 *   forward: (x) => x / (1 + Math.abs(x)),
 *   derivatives: ([x]) => [1 / (1 + Math.abs(x)) ** 2],
 * };
 * const softsign = defineOp(spec);
 * const x = new Value(1);
 * const y = softsign(x);
 * y.backward();
 * assert.deepEqual([y.data, x.grad], [0.5, 0.25]);
 * ```
 */
export interface OpSpec {
  /** The op's name, shown as `node.op`; non-empty and not a built-in op's name. */
  name: string;
  /**
   * How many inputs the op takes: 1 to 4 for user ops, -1 for n-ary (`sum`).
   *
   * @default {forward.length}
   */
  arity?: number;
  /** Computes the output from the input values. */
  forward(...inputs: number[]): number;
  /**
   * The local partial derivatives d(output)/d(input_k), one per input, given
   * the input values and the output value.
   */
  derivatives(inputs: readonly number[], output: number): number[];
  /**
   * The same partials as `derivatives`, built from ops on the input and
   * output Values, so that `grad(..., { createGraph: true })` can
   * differentiate them again (second and higher derivatives). Optional:
   * without it the op works with `backward()` and plain `grad()`.
   * Entries for constant inputs are ignored.
   */
  derivativeValues?(inputs: readonly Value[], output: Value): Value[];
  /** Where the op is defined and differentiable (log: x > 0); used by gradcheck to sample. */
  domain?: (...inputs: number[]) => boolean;
  /** Unary ops: the points where the op is not differentiable (relu: [0]). */
  kinks?: number[];
}

/**
 * An op as stored in the {@linkcode ops} table or returned by
 * {@linkcode defineOp}: an {@linkcode OpSpec} with its arity resolved.
 *
 * @example Reading the table
 * ```ts
 * import { ops } from "@micrograd/micrograd/engine";
 * import assert from "node:assert/strict";
 *
 * assert.equal(ops.mul.arity, 2);
 * assert.equal(ops.mul.forward(3, 4), 12);
 * assert.deepEqual(ops.mul.derivatives([3, 4], 12), [4, 3]);
 * ```
 */
export interface Op extends OpSpec {
  /** Number of inputs: 1 to 4, or -1 for an n-ary op such as `sum`. */
  readonly arity: number;
}

/**
 * A callable op made by {@linkcode defineOp}: takes Values or numbers and
 * returns the output node. Its definition is in `op`.
 *
 * @example Calling a custom op
 * ```ts
 * import { defineOp, Value } from "@micrograd/micrograd/engine";
 * import assert from "node:assert/strict";
 *
 * const square = defineOp({
 *   name: "square",
 *   forward: (x) => x * x,
 *   derivatives: ([x]) => [2 * x],
 * });
 * const y = square(new Value(3));
 * assert.equal(y.data, 9);
 * assert.equal(square.op.name, "square");
 * ```
 */
export interface OpFunction {
  /** Applies the op to its operands (numbers become constants). */
  (...args: (Value | number)[]): Value;
  /** The op's definition. */
  readonly op: Op;
}
