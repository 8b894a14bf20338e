import { _sumOwned, Value } from "../engine/value.ts";
import { Module } from "./module.ts";
import { Random } from "./_random.ts";
import { checkInputs, checkOptions, checkSize } from "./_check.ts";

/**
 * The nonlinearity a neuron applies to its weighted sum: `"relu"`, `"tanh"`,
 * `"sigmoid"`, or `"linear"` (none).
 */
export type Activation = "relu" | "tanh" | "sigmoid" | "linear";

/** Options for {@linkcode Neuron}, {@linkcode Layer} and {@linkcode MLP}. */
export interface NeuronOptions {
  /**
   * The nonlinearity. For an MLP it applies to the hidden layers; the last
   * layer is always linear, as in micrograd.
   *
   * @default {"relu"}
   */
  activation?: Activation;
  /**
   * Seed of the generator the weights are drawn from: the same seed gives
   * the same weights on every run and runtime, another seed other weights.
   *
   * @default {1337}
   */
  seed?: number;
}

/**
 * One neuron: `activation(b + w·x)`, with weights drawn uniformly from
 * [-1, 1] and the bias starting at 0, as in micrograd.
 *
 * The forward pass builds a single n-ary `sum` node over the bias and the
 * products `w[i] * x[i]`, then one activation node.
 *
 * @example Usage
 * ```ts
 * import { Neuron } from "@micrograd/micrograd/nn";
 * import assert from "node:assert/strict";
 *
 * const n = new Neuron(2, { activation: "tanh" });
 * const y = n.forward([1, -1]);
 * assert.equal(y.data, Math.tanh(n.w[0].data - n.w[1].data));
 * y.backward();
 * assert.equal(n.w[0].grad, 1 - y.data ** 2);
 * ```
 */
export class Neuron extends Module {
  /** The weights, one per input. */
  readonly w: readonly Value[];
  /** The bias. */
  readonly b: Value;
  /** The nonlinearity applied to the weighted sum. */
  readonly activation: Activation;

  /**
   * Creates a neuron with `nin` weights drawn from the seeded generator.
   *
   * @param nin The number of inputs: a positive integer.
   * @param options The activation (default `"relu"`) and seed.
   * @throws {TypeError} If `nin` is not a number, or an option has the wrong
   *   type.
   * @throws {RangeError} If `nin` is not a positive integer, the activation
   *   is unknown or the seed is not an integer.
   */
  constructor(nin: number, options?: NeuronOptions) {
    super();
    const action = "Cannot create Neuron";
    checkSize(action, "nin", nin);
    const { activation, seed } = checkOptions(action, options, "relu");
    const rng = new Random(seed);
    const w: Value[] = new Array(nin);
    for (let i = 0; i < nin; i++) w[i] = new Value(rng.uniform(-1, 1));
    this.w = w;
    this.b = new Value(0);
    this.activation = activation;
  }

  /**
   * Computes `activation(b + Σ w[i] x[i])` as a graph.
   *
   * @param x The inputs: Values or numbers, as many as weights.
   * @returns The output Value.
   * @throws {TypeError} If `x` is not an array of Values and numbers.
   * @throws {RangeError} If `x` has the wrong length (the message names both
   *   lengths) or holds a non-finite number.
   * @example Usage
   * ```ts
   * import { Neuron } from "@micrograd/micrograd/nn";
   * import assert from "node:assert/strict";
   * const n = new Neuron(3, { activation: "linear" });
   * const y = n.forward([1, 0, 0]);
   * assert.equal(y.data, n.w[0].data); // the bias starts at 0
   * ```
   */
  forward(x: readonly (Value | number)[]): Value {
    const w = this.w;
    const n = w.length;
    if (!Array.isArray(x) || x.length !== n) {
      checkInputs("Cannot run Neuron.forward()", x, n, true);
    }
    // One sum node over [b, w0*x0, w1*x1, ...], then the activation node.
    const terms: Value[] = new Array(n + 1);
    terms[0] = this.b;
    try {
      for (let i = 0; i < n; i++) terms[i + 1] = w[i].mul(x[i]);
    } catch (error) {
      // Name this function and the input, as Layer and MLP do; checking
      // every element up front would cost the hot path.
      checkInputs("Cannot run Neuron.forward()", x, n, true);
      throw error;
    }
    const z = _sumOwned(terms);
    switch (this.activation) {
      case "relu":
        return z.relu();
      case "tanh":
        return z.tanh();
      case "sigmoid":
        return z.sigmoid();
      default:
        return z;
    }
  }

  /**
   * The trainable Values: the weights, then the bias (micrograd's order).
   *
   * @returns A new array of `nin + 1` Values.
   * @example Usage
   * ```ts
   * import { Neuron } from "@micrograd/micrograd/nn";
   * import assert from "node:assert/strict";
   * const n = new Neuron(3);
   * assert.equal(n.parameters().length, 4);
   * assert.equal(n.parameters()[3], n.b);
   * ```
   */
  parameters(): Value[] {
    const w = this.w;
    const params: Value[] = new Array(w.length + 1);
    for (let i = 0; i < w.length; i++) params[i] = w[i];
    params[w.length] = this.b;
    return params;
  }

  /**
   * Describes the neuron as micrograd does: `ReLUNeuron(2)`, `TanhNeuron(3)`,
   * `SigmoidNeuron(4)` or `LinearNeuron(1)`, with its number of inputs.
   *
   * @returns The description.
   * @example Usage
   * ```ts
   * import { Neuron } from "@micrograd/micrograd/nn";
   * import assert from "node:assert/strict";
   * assert.equal(String(new Neuron(2)), "ReLUNeuron(2)");
   * ```
   */
  override toString(): string {
    return `${NAMES[this.activation]}Neuron(${this.w.length})`;
  }
}

const NAMES: Readonly<Record<Activation, string>> = {
  relu: "ReLU",
  tanh: "Tanh",
  sigmoid: "Sigmoid",
  linear: "Linear",
};
