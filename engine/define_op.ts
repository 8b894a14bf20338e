import { CUSTOM, makeOp } from "./_make_op.ts";
import { describe } from "./_validate.ts";
import type { OpFunction, OpSpec } from "./op.ts";
import { ops } from "./ops.ts";
import { _apply, type Value } from "./value.ts";

/**
 * Defines a new op from its forward function and local derivatives, and
 * returns a function that applies it to Values or numbers. `backward()`
 * multiplies `derivatives(inputs, output)[k]` by the upstream gradient for
 * input k, exactly as for the built-in ops; check the derivatives with
 * `checkOp` from `@micrograd/micrograd/gradcheck`.
 *
 * The built-in {@linkcode ops} table is not changed.
 *
 * @param spec The op: `name`, `forward`, `derivatives`, and optionally
 *   `arity`, `derivativeValues` (for higher-order gradients), `domain` and
 *   `kinks`.
 * @returns The op as a function, with its definition in `.op`.
 * @throws {TypeError} If `spec` or one of its fields has the wrong type.
 * @throws {RangeError} If the name is empty or a built-in op's, the arity
 *   is not 1 to 4, or `kinks` is given for an op that is not unary or holds
 *   a non-finite number.
 * @example A user op
 * ```ts
 * import { defineOp, Value } from "@micrograd/micrograd/engine";
 * import assert from "node:assert/strict";
 *
 * // hypot: y = √(a² + b²)    dy/da = a / y, dy/db = b / y
 * const hypot = defineOp({
 *   name: "hypot",
 *   forward: (a, b) => Math.hypot(a, b),
 *   derivatives: ([a, b], y) => [a / y, b / y],
 * });
 * const a = new Value(3);
 * const y = hypot(a, 4);
 * y.backward();
 * assert.deepEqual([y.data, y.op, a.grad], [5, "hypot", 0.6]);
 * ```
 */
export function defineOp(spec: OpSpec): OpFunction {
  if (typeof spec !== "object" || spec === null) {
    throw new TypeError(
      `Cannot define op: spec must be an object, got ${describe(spec)}`,
    );
  }
  const { name, forward, derivatives, derivativeValues, domain, kinks } = spec;
  if (typeof name !== "string") {
    throw new TypeError(
      `Cannot define op: name must be a string, got ${describe(name)}`,
    );
  }
  if (name === "") {
    throw new RangeError("Cannot define op: name must not be empty");
  }
  if (Object.hasOwn(ops, name)) {
    throw new RangeError(
      `Cannot define op "${name}": the name is taken by a built-in op`,
    );
  }
  const fail = (what: string, value: unknown): TypeError =>
    new TypeError(
      `Cannot define op "${name}": ${what}, got ${describe(value)}`,
    );
  if (typeof forward !== "function") {
    throw fail("forward must be a function", forward);
  }
  if (typeof derivatives !== "function") {
    throw fail("derivatives must be a function", derivatives);
  }
  if (
    derivativeValues !== undefined && typeof derivativeValues !== "function"
  ) {
    throw fail(
      "derivativeValues must be a function or undefined",
      derivativeValues,
    );
  }
  if (domain !== undefined && typeof domain !== "function") {
    throw fail("domain must be a function or undefined", domain);
  }
  const arity = spec.arity ?? forward.length;
  if (typeof arity !== "number") throw fail("arity must be a number", arity);
  if (!Number.isInteger(arity) || arity < 1 || arity > 4) {
    throw new RangeError(
      `Cannot define op "${name}": arity must be an integer from 1 to 4, got ${arity}${
        spec.arity === undefined ? " (from forward.length; pass arity)" : ""
      }`,
    );
  }
  if (kinks !== undefined) {
    if (!Array.isArray(kinks)) throw fail("kinks must be an array", kinks);
    if (arity !== 1) {
      throw new RangeError(
        `Cannot define op "${name}": kinks are only for unary ops, got arity ${arity}`,
      );
    }
    for (const kink of kinks) {
      if (typeof kink !== "number" || !Number.isFinite(kink)) {
        throw new RangeError(
          `Cannot define op "${name}": kinks must be finite numbers, got ${
            describe(kink)
          }`,
        );
      }
    }
  }
  const op = makeOp(
    { name, arity, forward, derivatives, derivativeValues, domain, kinks },
    CUSTOM,
  );
  const apply = (...args: (Value | number)[]): Value => _apply(op, args);
  Object.defineProperty(apply, "name", { value: name });
  Object.defineProperty(apply, "op", { value: op, enumerable: true });
  return apply as OpFunction;
}
