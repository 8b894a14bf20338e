// Internal: validation shared by Neuron, Layer, MLP and the losses. Every
// error message is "<action>: <state>", as in the engine.
import { describe } from "../engine/_validate.ts";
import { Value } from "../engine/value.ts";
import type { Activation, NeuronOptions } from "./neuron.ts";

export { describe };

/** The seed used when none is given (micrograd's demo seeds with 1337). */
export const DEFAULT_SEED = 1337;

/** The activations, in the order error messages list them. */
export const ACTIVATIONS: readonly Activation[] = Object.freeze([
  "relu",
  "tanh",
  "sigmoid",
  "linear",
]);

/** Options after validation: every field present. */
export interface CheckedOptions {
  activation: Activation;
  seed: number;
}

/** Checks that `n` is an integer >= 1 (a layer size); returns it. */
export function checkSize(action: string, field: string, n: unknown): number {
  if (typeof n !== "number") {
    throw new TypeError(
      `${action}: ${field} must be a positive integer, got ${describe(n)}`,
    );
  }
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(
      `${action}: ${field} must be a positive integer, got ${describe(n)}`,
    );
  }
  return n;
}

/** Checks an activation name; returns it. */
export function checkActivation(
  action: string,
  field: string,
  activation: unknown,
): Activation {
  if (typeof activation !== "string") {
    throw new TypeError(
      `${action}: ${field} must be a string, got ${describe(activation)}`,
    );
  }
  if (!(ACTIVATIONS as readonly string[]).includes(activation)) {
    throw new RangeError(
      `${action}: ${field} must be one of ${
        ACTIVATIONS.map((a) => `"${a}"`).join(", ")
      }, got ${describe(activation)}`,
    );
  }
  return activation as Activation;
}

/** Checks Neuron/Layer/MLP options and fills in the defaults. */
export function checkOptions(
  action: string,
  options: NeuronOptions | undefined,
  defaultActivation: Activation,
): CheckedOptions {
  if (options === undefined) {
    return { activation: defaultActivation, seed: DEFAULT_SEED };
  }
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `${action}: options must be an object, got ${describe(options)}`,
    );
  }
  const activation = options.activation === undefined
    ? defaultActivation
    : checkActivation(action, "activation", options.activation);
  let seed = DEFAULT_SEED;
  if (options.seed !== undefined) {
    seed = options.seed;
    if (typeof seed !== "number") {
      throw new TypeError(
        `${action}: seed must be an integer, got ${describe(seed)}`,
      );
    }
    if (!Number.isSafeInteger(seed)) {
      throw new RangeError(
        `${action}: seed must be an integer, got ${describe(seed)}`,
      );
    }
  }
  return { activation, seed };
}

/**
 * Checks that `x` is an array of `n` inputs, each a Value (when allowed) or
 * a finite number.
 */
export function checkInputs(
  action: string,
  x: unknown,
  n: number,
  allowValues: boolean,
): void {
  if (!Array.isArray(x)) {
    throw new TypeError(
      `${action}: x must be an array, got ${describe(x)}`,
    );
  }
  if (x.length !== n) {
    throw new RangeError(
      `${action}: expected ${n} ${
        n === 1 ? "input" : "inputs"
      }, got ${x.length}`,
    );
  }
  for (let i = 0; i < n; i++) {
    const xi: unknown = x[i];
    if (typeof xi === "number") {
      if (!Number.isFinite(xi)) {
        throw new RangeError(
          `${action}: input ${i} must be finite, got ${describe(xi)}`,
        );
      }
    } else if (!allowValues || !(xi instanceof Value)) {
      throw new TypeError(
        `${action}: input ${i} must be ${
          allowValues ? "a Value or a number" : "a number"
        }, got ${describe(xi)}`,
      );
    }
  }
}
