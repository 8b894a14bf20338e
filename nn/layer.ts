import type { Value } from "../engine/value.ts";
import { Module } from "./module.ts";
import { Neuron, type NeuronOptions } from "./neuron.ts";
import { Random } from "./_random.ts";
import { checkInputs, checkOptions, checkSize } from "./_check.ts";

/**
 * A layer of `nout` neurons that all read the same `nin` inputs.
 *
 * Each neuron gets its own seed, drawn from a generator seeded with
 * `options.seed`, so the neurons differ and the layer is reproducible.
 *
 * @example Usage
 * ```ts
 * import { Layer } from "@micrograd/micrograd/nn";
 * import assert from "node:assert/strict";
 *
 * const layer = new Layer(2, 3, { activation: "tanh" });
 * const ys = layer.forward([0.5, -1]);
 * assert.equal(ys.length, 3);
 * assert.equal(layer.parameters().length, 3 * (2 + 1));
 * ```
 */
export class Layer extends Module {
  /** The neurons, one per output. */
  readonly neurons: readonly Neuron[];

  /**
   * Creates `nout` neurons with `nin` inputs each.
   *
   * @param nin The number of inputs: a positive integer.
   * @param nout The number of neurons (outputs): a positive integer.
   * @param options The activation of every neuron (default `"relu"`) and the
   *   seed.
   * @throws {TypeError} If `nin` or `nout` is not a number, or an option has
   *   the wrong type.
   * @throws {RangeError} If `nin` or `nout` is not a positive integer, the
   *   activation is unknown or the seed is not an integer.
   */
  constructor(nin: number, nout: number, options?: NeuronOptions) {
    super();
    const action = "Cannot create Layer";
    checkSize(action, "nin", nin);
    checkSize(action, "nout", nout);
    const { activation, seed } = checkOptions(action, options, "relu");
    const rng = new Random(seed);
    const neurons: Neuron[] = new Array(nout);
    for (let j = 0; j < nout; j++) {
      neurons[j] = new Neuron(nin, { activation, seed: rng.int(2 ** 32) });
    }
    this.neurons = neurons;
  }

  /**
   * Runs every neuron on the inputs.
   *
   * @param x The inputs: Values or numbers, `nin` of them.
   * @returns One Value per neuron.
   * @throws {TypeError} If `x` is not an array of Values and numbers.
   * @throws {RangeError} If `x` has the wrong length (the message names both
   *   lengths) or holds a non-finite number.
   * @example Usage
   * ```ts
   * import { Layer } from "@micrograd/micrograd/nn";
   * import assert from "node:assert/strict";
   * const layer = new Layer(2, 2, { activation: "linear" });
   * const [y0, y1] = layer.forward([1, 0]);
   * assert.deepEqual(
   *   [y0.data, y1.data],
   *   [layer.neurons[0].w[0].data, layer.neurons[1].w[0].data],
   * );
   * ```
   */
  forward(x: readonly (Value | number)[]): Value[] {
    const neurons = this.neurons;
    checkInputs("Cannot run Layer.forward()", x, neurons[0].w.length, true);
    const out: Value[] = new Array(neurons.length);
    for (let j = 0; j < neurons.length; j++) out[j] = neurons[j].forward(x);
    return out;
  }

  /**
   * The trainable Values: each neuron's weights then bias, neuron by neuron.
   *
   * @returns A new array of `nout * (nin + 1)` Values.
   * @example Usage
   * ```ts
   * import { Layer } from "@micrograd/micrograd/nn";
   * import assert from "node:assert/strict";
   * const layer = new Layer(3, 2);
   * assert.equal(layer.parameters()[3], layer.neurons[0].b);
   * ```
   */
  parameters(): Value[] {
    const params: Value[] = [];
    const neurons = this.neurons;
    for (let j = 0; j < neurons.length; j++) {
      const w = neurons[j].w;
      for (let i = 0; i < w.length; i++) params.push(w[i]);
      params.push(neurons[j].b);
    }
    return params;
  }

  /**
   * Describes the layer as micrograd does: `Layer of [ReLUNeuron(2), ...]`.
   *
   * @returns The description.
   * @example Usage
   * ```ts
   * import { Layer } from "@micrograd/micrograd/nn";
   * import assert from "node:assert/strict";
   * assert.equal(
   *   String(new Layer(2, 2)),
   *   "Layer of [ReLUNeuron(2), ReLUNeuron(2)]",
   * );
   * ```
   */
  override toString(): string {
    const neurons = this.neurons;
    let s = "";
    for (let j = 0; j < neurons.length; j++) {
      s += (j === 0 ? "" : ", ") + neurons[j].toString();
    }
    return `Layer of [${s}]`;
  }
}
