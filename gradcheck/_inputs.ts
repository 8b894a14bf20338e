// Internal: validating the f, inputs and options of gradcheck and
// gradgradcheck (same rules, same messages).
import { Value } from "../engine/mod.ts";
import { describe } from "../engine/_validate.ts";
import { readOptions, type Resolved } from "./_options.ts";

/** What a checker of an expression needs, validated. */
export interface Checked {
  /** f's name, `"f"` if it has none. */
  name: string;
  o: Resolved;
  /** Builds f at `xs` from fresh leaves: the leaves and the output. */
  run: (xs: readonly number[]) => [Value[], Value];
}

/**
 * Checks `f`, `inputs` and `options` as gradcheck does; errors start with
 * `action` ("Cannot run gradcheck").
 */
export function readInputs(
  f: unknown,
  inputs: unknown,
  options: unknown,
  action: string,
): Checked {
  if (typeof f !== "function") {
    throw new TypeError(`${action}: f must be a function, got ${describe(f)}`);
  }
  const name = f.name === "" ? "f" : f.name;
  if (!Array.isArray(inputs)) {
    throw new TypeError(
      `${action}: inputs must be an array of numbers, got ${describe(inputs)}`,
    );
  }
  for (let k = 0; k < inputs.length; k++) {
    const x: unknown = inputs[k];
    if (typeof x !== "number") {
      throw new TypeError(
        `${action}: input ${k} must be a number, got ${describe(x)}`,
      );
    }
    if (!Number.isFinite(x)) {
      throw new RangeError(`${action}: input ${k} must be finite, got ${x}`);
    }
  }
  const o = readOptions(options, action);
  for (const k of o.constants) {
    if (k >= inputs.length) {
      throw new RangeError(
        `${action}: constant index ${k} is out of range for ${inputs.length} inputs`,
      );
    }
  }
  if (inputs.length === 0 || new Set(o.constants).size >= inputs.length) {
    throw new RangeError(
      `${action}: ${
        inputs.length === 0 ? "inputs is empty" : "every input is constant"
      }, so there is nothing to check`,
    );
  }
  const run = (xs: readonly number[]): [Value[], Value] => {
    const leaves = xs.map((x) => new Value(x));
    const y: unknown = f(...leaves);
    if (!(y instanceof Value)) {
      throw new TypeError(
        `${action}: f must return a Value, got ${describe(y)}`,
      );
    }
    return [leaves, y];
  };
  return { name, o, run };
}
