import type { Value } from "../engine/value.ts";
import { ops } from "../engine/ops.ts";
import { Module } from "./module.ts";
import { Layer } from "./layer.ts";
import type { Activation, Neuron, NeuronOptions } from "./neuron.ts";
import { Random } from "./_random.ts";
import {
  checkActivation,
  checkInputs,
  checkOptions,
  checkSize,
  describe,
} from "./_check.ts";

/**
 * An MLP saved as plain data by {@linkcode MLP.prototype.toJSON}, read back
 * by {@linkcode MLP.fromJSON}.
 */
export interface MLPJSON {
  /** Always `"micrograd.mlp"`. */
  format: "micrograd.mlp";
  /** The format version: 1. */
  version: 1;
  /** The number of inputs. */
  nin: number;
  /** The size of each layer; the last is the number of outputs. */
  nouts: number[];
  /** The activation of the hidden layers (the last layer is linear). */
  activation: Activation;
  /** Every parameter's value, in `parameters()` order. */
  weights: number[];
  /**
   * Anything a tool needs to use the model again, as a plain JSON object:
   * `deno task train` stores the dataset, the loss and the class names here.
   * `toJSON()` leaves it out; `fromJSON` accepts it and ignores its contents.
   */
  meta?: Record<string, unknown>;
}

/** The largest `nin` or layer size `fromJSON` accepts. */
const MAX_SIZE = 1 << 20;
/** The most layers `fromJSON` accepts. */
const MAX_LAYERS = 1024;
const FIELDS: readonly string[] = [
  "format",
  "version",
  "nin",
  "nouts",
  "activation",
  "weights",
];
const OPTIONAL_FIELDS: readonly string[] = ["meta"];

// JSON.stringify writes -0 as 0. Where the engine has JSON.rawJSON (ES2025;
// Deno, Node >= 21, current browsers), the weights array carries a toJSON
// that writes -0 as the text -0, which JSON.parse reads back as -0.
const rawJSON = (JSON as { rawJSON?: (text: string) => unknown }).rawJSON;
function weightsToJSON(this: number[]): unknown[] {
  if (rawJSON === undefined) return this.slice();
  const out: unknown[] = new Array(this.length);
  for (let i = 0; i < this.length; i++) {
    out[i] = Object.is(this[i], -0) ? rawJSON("-0") : this[i];
  }
  return out;
}

/**
 * A multi-layer perceptron: layers of neurons, each layer reading the
 * previous one's outputs. Hidden layers use `options.activation` (default
 * `"relu"`); the last layer is linear, as in micrograd.
 *
 * `forward` builds a graph to train through; `predict` computes the same
 * numbers with plain arithmetic, for evaluation loops. `toJSON` and
 * `fromJSON` save and load the model.
 *
 * @example Train on one point
 * ```ts
 * import { MLP, mse } from "@micrograd/micrograd/nn";
 * import { SGD } from "@micrograd/micrograd/optim";
 * import assert from "node:assert/strict";
 *
 * const model = new MLP(2, [8, 1], { activation: "tanh" });
 * const opt = new SGD(model.parameters(), { lr: 0.05 });
 * const loss0 = mse(model.forward([1, -1]), [0.5]).data;
 * for (let i = 0; i < 20; i++) {
 *   const loss = mse(model.forward([1, -1]), [0.5]);
 *   opt.zeroGrad();
 *   loss.backward();
 *   opt.step();
 * }
 * assert.ok(mse(model.forward([1, -1]), [0.5]).data < loss0);
 * ```
 */
export class MLP extends Module {
  /** The number of inputs. */
  readonly nin: number;
  /** The size of each layer; the last is the number of outputs. */
  readonly nouts: readonly number[];
  /** The activation of the hidden layers. */
  readonly activation: Activation;
  /** The layers, first to last. */
  readonly layers: readonly Layer[];
  // predict()'s scratch space: one buffer per layer, reused across calls.
  #buffers: Float64Array[];

  /**
   * Creates the layers `nin -> nouts[0] -> ... -> nouts[last]`, with weights
   * drawn uniformly from [-1, 1] (seeded) and biases at 0.
   *
   * @param nin The number of inputs: a positive integer.
   * @param nouts The size of each layer: a non-empty array of positive
   *   integers; the last is the number of outputs.
   * @param options The hidden layers' activation (default `"relu"`) and the
   *   seed.
   * @throws {TypeError} If `nin` is not a number, `nouts` not an array of
   *   numbers, or an option has the wrong type.
   * @throws {RangeError} If a size is not a positive integer, `nouts` is
   *   empty, the activation is unknown or the seed is not an integer.
   */
  constructor(nin: number, nouts: readonly number[], options?: NeuronOptions) {
    super();
    const action = "Cannot create MLP";
    checkSize(action, "nin", nin);
    if (!Array.isArray(nouts)) {
      throw new TypeError(
        `${action}: nouts must be an array, got ${describe(nouts)}`,
      );
    }
    if (nouts.length === 0) {
      throw new RangeError(`${action}: nouts must not be empty`);
    }
    for (let l = 0; l < nouts.length; l++) {
      checkSize(action, `nouts[${l}]`, nouts[l]);
    }
    const { activation, seed } = checkOptions(action, options, "relu");
    const rng = new Random(seed);
    const layers: Layer[] = new Array(nouts.length);
    const buffers: Float64Array[] = new Array(nouts.length);
    for (let l = 0; l < nouts.length; l++) {
      const last = l === nouts.length - 1;
      layers[l] = new Layer(l === 0 ? nin : nouts[l - 1], nouts[l], {
        activation: last ? "linear" : activation,
        seed: rng.int(2 ** 32),
      });
      buffers[l] = new Float64Array(nouts[l]);
    }
    this.nin = nin;
    this.nouts = Object.freeze(nouts.slice());
    this.activation = activation;
    this.layers = layers;
    this.#buffers = buffers;
  }

  /**
   * Runs the network on one input vector, building the graph to call
   * `backward()` on.
   *
   * @param x The inputs: Values or numbers, `nin` of them.
   * @returns The last layer's outputs, one Value each.
   * @throws {TypeError} If `x` is not an array of Values and numbers.
   * @throws {RangeError} If `x` has the wrong length (the message names both
   *   lengths) or holds a non-finite number.
   * @example Usage
   * ```ts
   * import { MLP } from "@micrograd/micrograd/nn";
   * import assert from "node:assert/strict";
   * const model = new MLP(3, [4, 4, 1]);
   * const [y] = model.forward([2, 3, -1]);
   * y.backward();
   * assert.equal(model.predict([2, 3, -1])[0], y.data);
   * assert.throws(() => model.forward([1, 2]), {
   *   name: "RangeError",
   *   message: "Cannot run MLP.forward(): expected 3 inputs, got 2",
   * });
   * ```
   */
  forward(x: readonly (Value | number)[]): Value[] {
    checkInputs("Cannot run MLP.forward()", x, this.nin, true);
    const layers = this.layers;
    let h: readonly (Value | number)[] = x;
    for (let l = 0; l < layers.length; l++) {
      const neurons = layers[l].neurons;
      const out: Value[] = new Array(neurons.length);
      for (let j = 0; j < neurons.length; j++) out[j] = neurons[j].forward(h);
      h = out;
    }
    return h as Value[];
  }

  /**
   * Runs the network on plain numbers without building a graph: the same
   * arithmetic as `forward`, in the same order, so the outputs equal
   * `forward(x)[k].data` exactly. Reuses internal buffers, so evaluating
   * many points (a decision boundary) makes no garbage but the result.
   *
   * @param x The inputs: `nin` finite numbers.
   * @returns The outputs, as a new array.
   * @throws {TypeError} If `x` is not an array of numbers.
   * @throws {RangeError} If `x` has the wrong length (the message names both
   *   lengths) or holds a non-finite number.
   * @example Usage
   * ```ts
   * import { MLP } from "@micrograd/micrograd/nn";
   * import assert from "node:assert/strict";
   * const model = new MLP(2, [16, 16, 1]);
   * const [y] = model.predict([0.5, -0.25]);
   * assert.equal(y, model.forward([0.5, -0.25])[0].data);
   * ```
   */
  predict(x: readonly number[]): number[] {
    checkInputs("Cannot run MLP.predict()", x, this.nin, false);
    const layers = this.layers;
    const buffers = this.#buffers;
    let input: ArrayLike<number> = x;
    for (let l = 0; l < layers.length; l++) {
      const neurons = layers[l].neurons;
      const out = buffers[l];
      for (let j = 0; j < neurons.length; j++) {
        out[j] = evaluate(neurons[j], input);
      }
      input = out;
    }
    const n = input.length;
    const result: number[] = new Array(n);
    for (let k = 0; k < n; k++) result[k] = input[k];
    return result;
  }

  /**
   * The trainable Values, layer by layer (each neuron's weights, then its
   * bias): the order of `toJSON().weights`.
   *
   * @returns A new array of the parameters.
   * @example Usage
   * ```ts
   * import { MLP } from "@micrograd/micrograd/nn";
   * import assert from "node:assert/strict";
   * // (2 + 1) * 16 + (16 + 1) * 16 + (16 + 1) * 1
   * assert.equal(new MLP(2, [16, 16, 1]).parameters().length, 337);
   * ```
   */
  parameters(): Value[] {
    const params: Value[] = [];
    for (const layer of this.layers) {
      for (const p of layer.parameters()) params.push(p);
    }
    return params;
  }

  /**
   * Describes the network as micrograd does:
   * `MLP of [Layer of [ReLUNeuron(2), ...], Layer of [LinearNeuron(16)]]`.
   *
   * @returns The description.
   * @example Usage
   * ```ts
   * import { MLP } from "@micrograd/micrograd/nn";
   * import assert from "node:assert/strict";
   * assert.equal(
   *   String(new MLP(1, [2, 1], { activation: "tanh" })),
   *   "MLP of [Layer of [TanhNeuron(1), TanhNeuron(1)], Layer of [LinearNeuron(2)]]",
   * );
   * ```
   */
  override toString(): string {
    const layers = this.layers;
    let s = "";
    for (let l = 0; l < layers.length; l++) {
      s += (l === 0 ? "" : ", ") + layers[l].toString();
    }
    return `MLP of [${s}]`;
  }

  /**
   * The model as plain data ({@linkcode MLPJSON}): its shape, activation and
   * every parameter's value. `JSON.stringify(model)` calls it; numbers
   * survive the round trip bit for bit, -0 included (where the engine has
   * `JSON.rawJSON`, as Deno, Node >= 21 and current browsers do).
   *
   * @returns A new MLPJSON object.
   * @throws {RangeError} If a parameter is NaN or infinite (a diverged
   *   run): JSON would write it as null. The message names the parameter.
   * @example Save and load
   * ```ts
   * import { MLP } from "@micrograd/micrograd/nn";
   * import assert from "node:assert/strict";
   * const model = new MLP(2, [3, 1], { seed: 7 });
   * const text = JSON.stringify(model);
   * const copy = MLP.fromJSON(JSON.parse(text));
   * assert.deepEqual(copy.predict([1, 2]), model.predict([1, 2]));
   * assert.equal(model.toJSON().weights.length, 13);
   * ```
   * @example A diverged model cannot be saved
   * ```ts
   * import { MLP } from "@micrograd/micrograd/nn";
   * import assert from "node:assert/strict";
   * const model = new MLP(2, [3, 1]);
   * model.parameters()[4].data = NaN;
   * assert.throws(() => JSON.stringify(model), {
   *   name: "RangeError",
   *   message: /weights\[4\] \(layer 0, neuron 1, w\[1\]\) is NaN/,
   * });
   * ```
   */
  toJSON(): MLPJSON {
    const params = this.parameters();
    const weights: number[] = new Array(params.length);
    for (let i = 0; i < params.length; i++) {
      const w = params[i].data;
      if (!Number.isFinite(w)) {
        throw new RangeError(
          `Cannot save MLP to JSON: weights[${i}] (${
            this.#where(i)
          }) is ${w}, expected a finite number (did training diverge?)`,
        );
      }
      weights[i] = w;
    }
    Object.defineProperty(weights, "toJSON", { value: weightsToJSON });
    return {
      format: "micrograd.mlp",
      version: 1,
      nin: this.nin,
      nouts: this.nouts.slice(),
      activation: this.activation,
      weights,
    };
  }

  // "layer 1, neuron 0, b": where parameter i sits (parameters() order).
  #where(i: number): string {
    let fanIn = this.nin;
    for (let l = 0; l < this.nouts.length; l++) {
      const size = this.nouts[l] * (fanIn + 1);
      if (i < size) {
        const neuron = Math.floor(i / (fanIn + 1));
        const k = i % (fanIn + 1);
        return `layer ${l}, neuron ${neuron}, ${k === fanIn ? "b" : `w[${k}]`}`;
      }
      i -= size;
      fanIn = this.nouts[l];
    }
    return "unknown";
  }

  /**
   * Builds an MLP from {@linkcode MLPJSON} data (an object, or the JSON
   * text), checking everything first: the format and version, each field's
   * type, the sizes (at most 2^20 per layer, 1024 layers), that the number of
   * weights matches the shape, and that every weight is a finite number.
   * Unknown fields, including prototype keys such as `__proto__`, and
   * objects that are not plain are rejected; the optional `meta` field must
   * be a plain object and is otherwise ignored. `-0` weights stay `-0`.
   *
   * @param json An MLPJSON object, as made by `toJSON()` or `JSON.parse`, or
   *   a string of JSON text.
   * @returns A new MLP with the saved weights.
   * @throws {TypeError} If the text is not JSON, the data is not a plain
   *   object, a field is missing, unknown or of the wrong type; the message
   *   names the field.
   * @throws {RangeError} If the format, version, a size, the activation or
   *   the number of weights is wrong, or a weight is not finite; the message
   *   names the field.
   * @example Usage
   * ```ts
   * import { MLP } from "@micrograd/micrograd/nn";
   * import assert from "node:assert/strict";
   * const model = MLP.fromJSON({
   *   format: "micrograd.mlp",
   *   version: 1,
   *   nin: 1,
   *   nouts: [1],
   *   activation: "relu",
   *   weights: [2, 0.5], // w, b
   * });
   * assert.deepEqual(model.predict([3]), [6.5]);
   * assert.throws(() => MLP.fromJSON({ ...model.toJSON(), weights: [1] }), {
   *   name: "RangeError",
   *   message: /weights must hold 2 numbers for nin 1 and nouts \[1\], got 1/,
   * });
   * ```
   */
  static fromJSON(json: unknown): MLP {
    const action = "Cannot load MLP from JSON";
    let data: unknown = json;
    if (typeof json === "string") {
      try {
        data = JSON.parse(json);
      } catch (error) {
        throw new TypeError(
          `${action}: the text is not valid JSON: ${(error as Error).message}`,
        );
      }
    }
    const obj = checkPlainObject(action, data);
    const format = obj.format;
    if (typeof format !== "string") {
      throw new TypeError(
        `${action}: format must be a string, got ${describe(format)}`,
      );
    }
    if (format !== "micrograd.mlp") {
      throw new RangeError(
        `${action}: format must be "micrograd.mlp", got ${describe(format)}`,
      );
    }
    if (typeof obj.version !== "number") {
      throw new TypeError(
        `${action}: version must be a number, got ${describe(obj.version)}`,
      );
    }
    if (obj.version !== 1) {
      throw new RangeError(
        `${action}: version must be 1, got ${describe(obj.version)}`,
      );
    }
    const nin = checkSize(action, "nin", obj.nin);
    if (nin > MAX_SIZE) {
      throw new RangeError(
        `${action}: nin must be at most ${MAX_SIZE}, got ${nin}`,
      );
    }
    const nouts = obj.nouts;
    if (!Array.isArray(nouts)) {
      throw new TypeError(
        `${action}: nouts must be an array, got ${describe(nouts)}`,
      );
    }
    if (nouts.length === 0 || nouts.length > MAX_LAYERS) {
      throw new RangeError(
        `${action}: nouts must hold 1 to ${MAX_LAYERS} sizes, got ${nouts.length}`,
      );
    }
    let count = 0;
    let fanIn = nin;
    for (let l = 0; l < nouts.length; l++) {
      const n = checkSize(action, `nouts[${l}]`, nouts[l]);
      if (n > MAX_SIZE) {
        throw new RangeError(
          `${action}: nouts[${l}] must be at most ${MAX_SIZE}, got ${n}`,
        );
      }
      count += n * (fanIn + 1);
      fanIn = n;
    }
    const activation = checkActivation(action, "activation", obj.activation);
    const weights = obj.weights;
    if (!Array.isArray(weights)) {
      throw new TypeError(
        `${action}: weights must be an array, got ${describe(weights)}`,
      );
    }
    if (weights.length !== count) {
      throw new RangeError(
        `${action}: weights must hold ${count} numbers for nin ${nin} and nouts [${
          nouts.join(", ")
        }], got ${weights.length}`,
      );
    }
    for (let i = 0; i < count; i++) {
      const w: unknown = weights[i];
      if (typeof w !== "number") {
        throw new TypeError(
          `${action}: weights[${i}] must be a number, got ${describe(w)}`,
        );
      }
      if (!Number.isFinite(w)) {
        throw new RangeError(
          `${action}: weights[${i}] must be finite, got ${describe(w)}`,
        );
      }
    }
    const meta = obj.meta;
    if (
      Object.hasOwn(obj, "meta") &&
      (typeof meta !== "object" || meta === null || Array.isArray(meta))
    ) {
      throw new TypeError(
        `${action}: meta must be an object, got ${describe(meta)}`,
      );
    }
    const model = new MLP(nin, nouts as number[], { activation });
    const params = model.parameters();
    for (let i = 0; i < count; i++) params[i].data = weights[i];
    return model;
  }
}

/** `activation(b + Σ w[i] x[i])` in plain numbers, in forward()'s order. */
function evaluate(neuron: Neuron, x: ArrayLike<number>): number {
  const w = neuron.w;
  // As the engine's sum node: start at 0, add the inputs in order.
  let z = 0;
  z += neuron.b.data;
  for (let i = 0; i < w.length; i++) z += w[i].data * x[i];
  switch (neuron.activation) {
    case "relu":
      return ops.relu.forward(z);
    case "tanh":
      return ops.tanh.forward(z);
    case "sigmoid":
      return ops.sigmoid.forward(z);
    default:
      return z;
  }
}

/**
 * Checks that `data` is a plain object whose own keys are exactly the
 * MLPJSON fields; returns it as a record.
 */
function checkPlainObject(
  action: string,
  data: unknown,
): Record<string, unknown> {
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new TypeError(
      `${action}: expected an object, got ${describe(data)}`,
    );
  }
  const proto: unknown = Object.getPrototypeOf(data);
  if (proto !== Object.prototype && proto !== null) {
    throw new TypeError(
      `${action}: expected a plain object, got an object with a custom prototype`,
    );
  }
  const keys = Reflect.ownKeys(data);
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k];
    if (
      typeof key !== "string" ||
      !(FIELDS.includes(key) || OPTIONAL_FIELDS.includes(key))
    ) {
      throw new TypeError(
        `${action}: unexpected field ${
          typeof key === "string" ? JSON.stringify(key) : String(key)
        }`,
      );
    }
  }
  for (let k = 0; k < FIELDS.length; k++) {
    if (!Object.hasOwn(data, FIELDS[k])) {
      throw new TypeError(`${action}: field "${FIELDS[k]}" is missing`);
    }
  }
  return data as Record<string, unknown>;
}
