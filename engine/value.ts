import {
  constant,
  CONSTANT_OP,
  LEAF,
  LEAF_OP,
  type OpEntry,
} from "./_make_op.ts";
import { describe } from "./_validate.ts";
import { newId } from "./_ids.ts";
import { backward } from "./_backward.ts";
import type { Op } from "./op.ts";
import { ops } from "./ops.ts";

/** Options for {@linkcode Value}. */
export interface ValueOptions {
  /** A name shown by `toDot()` and in error messages. */
  label?: string;
}

/** Options for {@linkcode Value.prototype.backward}. */
export interface BackwardOptions {
  /**
   * Throw instead of propagating NaN or Infinity: the error names the op and
   * label of the first node whose value, or else whose gradient, is not
   * finite. Leaf gradients are left as they were before the call.
   *
   * @default {false}
   */
  checkFinite?: boolean;
}

const table = ops as Readonly<Record<string, OpEntry>>;

// Labels live beside the nodes, not in them: almost no node has one, and a
// field would cost every node of every graph 8 bytes.
const labels = new WeakMap<Value, string>();

// Passed as `options` by the ops themselves: their results skip the checks
// made on user data, since ops follow IEEE math (log(-1) is NaN).
const OP_RESULT: ValueOptions = Object.freeze({});

/**
 * A scalar in a computation graph: its value `data`, the gradient `grad` of
 * the last `backward()` root with respect to it, and the op and inputs that
 * made it. Values made with `new Value` are leaves (parameters, inputs).
 *
 * Every op method takes a Value or a number; a number becomes a constant
 * node, which gets no gradient.
 *
 * @example The example from micrograd's README
 * ```ts
 * import { Value } from "@micrograd/micrograd/engine";
 * import assert from "node:assert/strict";
 *
 * const a = new Value(-4.0);
 * const b = new Value(2.0);
 * let c = a.add(b);
 * let d = a.mul(b).add(b.pow(3));
 * c = c.add(c.add(1));
 * c = c.add(c.add(1).add(a.neg()));
 * d = d.add(d.mul(2).add(b.add(a).relu()));
 * d = d.add(d.mul(3).add(b.sub(a).relu()));
 * const e = c.sub(d);
 * const f = e.pow(2);
 * let g = f.div(2.0);
 * g = g.add(f.pow(-1).mul(10.0));
 * g.backward();
 * assert.equal(g.data.toFixed(4), "24.7041");
 * assert.equal(a.grad.toFixed(4), "138.8338");
 * assert.equal(b.grad.toFixed(4), "645.5773");
 * ```
 */
export class Value {
  /** The forward value. */
  data: number;
  // `declare`: no class field definition, which would first set `grad` to
  // undefined and make V8 keep it tagged, where every double stored is a new
  // heap object; stored into the old nodes of a large graph, those made
  // backward() three times slower. Declared, `grad` is a double in a box made
  // with the node, which backward() writes in place (README, Performance).
  /** d(root)/d(this) after `root.backward()`; leaves accumulate across calls. */
  declare grad: number;
  /** The op that made this node, with its dispatch code. @ignore */
  _op: Op & { readonly code: number };
  /** First input, or null. @ignore */
  _a: Value | null;
  /**
   * Second input, or null; for an op with more than two inputs (sum, user
   * ops), the array of all its inputs, with `_a` null. Sharing the field
   * saves every node of every graph 8 bytes. @ignore
   */
  _b: Value | readonly Value[] | null;
  /**
   * An op node's creation number: every node is made after its inputs, so
   * newest first is an order in which each node comes after all of its
   * users (see _sweep.ts). A leaf's is the number the last backward pass
   * that reached it gave it. Below 0 while a graph walk has reached the node
   * (see _ids.ts). Each field a node does without saves 8 bytes on every
   * node. @ignore
   */
  _id: number;

  // V8 picks a field's representation from the first values stored: `grad`
  // would start as a small integer (0), and the first double stored would
  // change the layout of every node (each old one moved over when next
  // touched). A node holding a double from the start, kept for the life of
  // the class, makes it a double from the first node on.
  static #doubleGrad: Value = Value.#holdingDouble();

  static #holdingDouble(): Value {
    const node = new Value(0);
    node.grad = 0.5;
    return node;
  }

  /**
   * Creates a leaf: a value that gradients flow into and accumulate in.
   *
   * @param data The value: a finite number.
   * @param options A label for the graph picture and error messages.
   * @throws {TypeError} If `data` is not a number, `options` not an object
   *   or `label` not a string.
   * @throws {RangeError} If `data` is NaN or infinite.
   */
  constructor(data: number, options?: ValueOptions) {
    this.data = data;
    this.grad = 0;
    this._op = LEAF_OP;
    this._a = null;
    this._b = null;
    this._id = newId();
    // A finite number and no options need no call: a call here that
    // leaves make often would be inlined, with the checks, into every op.
    if (
      options !== OP_RESULT &&
      (options !== undefined || !Number.isFinite(data))
    ) checkLeaf(this, data, options);
  }

  /**
   * A name shown by `toDot()` and in error messages, or undefined.
   *
   * @example Usage
   * ```ts
   * import { Value } from "@micrograd/micrograd/engine";
   * import assert from "node:assert/strict";
   * const x = new Value(2, { label: "x" });
   * const y = x.mul(3);
   * y.label = "y";
   * assert.deepEqual([x.label, y.label, y.inputs[1].label], ["x", "y", undefined]);
   * ```
   */
  get label(): string | undefined {
    return labels.get(this);
  }

  /**
   * Names this node; undefined removes the name.
   *
   * @throws {TypeError} If `name` is neither a string nor undefined.
   */
  set label(name: string | undefined) {
    if (name === undefined) {
      labels.delete(this);
      return;
    }
    if (typeof name !== "string") {
      throw new TypeError(
        `Cannot set label: label must be a string or undefined, got ${
          describe(name)
        }`,
      );
    }
    labels.set(this, name);
  }

  /**
   * The name of the op that made this node (`"mul"`, `"tanh"`, ...), or `""`
   * for leaves and constants.
   *
   * @example Usage
   * ```ts
   * import { Value } from "@micrograd/micrograd/engine";
   * import assert from "node:assert/strict";
   * const x = new Value(2);
   * assert.deepEqual([x.op, x.mul(3).op], ["", "mul"]);
   * ```
   */
  get op(): string {
    return this._op.name;
  }

  /**
   * Whether this node is a leaf made by `new Value` (or `detach()`): the
   * kind of node gradients accumulate in, and the only kind an optimizer can
   * train, as torch's `is_leaf` with `requires_grad`. False for op results
   * and for constants made from number operands.
   *
   * @example Usage
   * ```ts
   * import { Value } from "@micrograd/micrograd/engine";
   * import assert from "node:assert/strict";
   * const x = new Value(2);
   * const y = x.mul(3);
   * assert.deepEqual([x.isLeaf, y.isLeaf, y.inputs[1].isLeaf], [true, false, false]);
   * ```
   */
  get isLeaf(): boolean {
    return this._op.code === LEAF;
  }

  /**
   * The operands of the op that made this node, in order; numbers appear as
   * constant nodes. Empty for leaves and constants. A new array each call.
   *
   * @example Usage
   * ```ts
   * import { Value } from "@micrograd/micrograd/engine";
   * import assert from "node:assert/strict";
   * const x = new Value(2);
   * const y = x.sub(5);
   * assert.equal(y.inputs[0], x);
   * assert.equal(y.inputs[1].data, 5);
   * ```
   */
  get inputs(): readonly Value[] {
    const rest = this._rest;
    if (rest !== null) return rest.slice();
    if (this._a === null) return [];
    if (this._b === null) return [this._a];
    return [this._a, this._b as Value];
  }

  /**
   * All inputs of an op with more than two (kept in `_b`), else null.
   * @ignore
   */
  get _rest(): readonly Value[] | null {
    return this._a === null ? this._b as readonly Value[] | null : null;
  }

  /**
   * Addition: y = this + other. The gradient is 1 to both operands.
   *
   * @param other A Value or a number (a constant).
   * @returns A new Value with inputs `[this, other]`.
   * @throws {TypeError} If `other` is not a Value or a number.
   * @throws {RangeError} If `other` is a non-finite number.
   * @example Usage
   * ```ts
   * import { Value } from "@micrograd/micrograd/engine";
   * import assert from "node:assert/strict";
   * const a = new Value(2);
   * const y = a.add(3);
   * y.backward();
   * assert.deepEqual([y.data, a.grad], [5, 1]);
   * ```
   */
  add(other: Value | number): Value {
    return binary(table.add, this, other, "operand");
  }

  /**
   * Subtraction: y = this - other. The gradient is 1 to this, -1 to other.
   *
   * @param other A Value or a number (a constant).
   * @returns A new Value with inputs `[this, other]`.
   * @throws {TypeError} If `other` is not a Value or a number.
   * @throws {RangeError} If `other` is a non-finite number.
   * @example Usage
   * ```ts
   * import { Value } from "@micrograd/micrograd/engine";
   * import assert from "node:assert/strict";
   * const a = new Value(2);
   * const b = new Value(5);
   * const y = a.sub(b);
   * y.backward();
   * assert.deepEqual([y.data, a.grad, b.grad], [-3, 1, -1]);
   * ```
   */
  sub(other: Value | number): Value {
    return binary(table.sub, this, other, "operand");
  }

  /**
   * Multiplication: y = this * other. Each operand's gradient is the other's
   * value.
   *
   * @param other A Value or a number (a constant).
   * @returns A new Value with inputs `[this, other]`.
   * @throws {TypeError} If `other` is not a Value or a number.
   * @throws {RangeError} If `other` is a non-finite number.
   * @example Usage
   * ```ts
   * import { Value } from "@micrograd/micrograd/engine";
   * import assert from "node:assert/strict";
   * const a = new Value(2);
   * const b = new Value(-3);
   * const y = a.mul(b);
   * y.backward();
   * assert.deepEqual([y.data, a.grad, b.grad], [-6, -3, 2]);
   * ```
   */
  mul(other: Value | number): Value {
    return binary(table.mul, this, other, "operand");
  }

  /**
   * Division: y = this / other. The gradient is 1/b to this and -a/b² to
   * other; dividing by zero follows IEEE math (Infinity or NaN).
   *
   * @param other A Value or a number (a constant).
   * @returns A new Value with inputs `[this, other]`.
   * @throws {TypeError} If `other` is not a Value or a number.
   * @throws {RangeError} If `other` is a non-finite number.
   * @example Usage
   * ```ts
   * import { Value } from "@micrograd/micrograd/engine";
   * import assert from "node:assert/strict";
   * const a = new Value(3);
   * const b = new Value(2);
   * const y = a.div(b);
   * y.backward();
   * assert.deepEqual([y.data, a.grad, b.grad], [1.5, 0.5, -0.75]);
   * ```
   */
  div(other: Value | number): Value {
    return binary(table.div, this, other, "operand");
  }

  /**
   * Power: y = this ** exponent. The gradient is b·a^(b-1) to the base and
   * y·ln(a) to the exponent (none when the exponent is a number).
   *
   * @param exponent A Value or a number (a constant).
   * @returns A new Value with inputs `[this, exponent]`.
   * @throws {TypeError} If `exponent` is not a Value or a number.
   * @throws {RangeError} If `exponent` is a non-finite number.
   * @example Usage
   * ```ts
   * import { Value } from "@micrograd/micrograd/engine";
   * import assert from "node:assert/strict";
   * const x = new Value(3);
   * const y = x.pow(2);
   * y.backward();
   * assert.deepEqual([y.data, x.grad], [9, 6]);
   * ```
   */
  pow(exponent: Value | number): Value {
    return binary(table.pow, this, exponent, "exponent");
  }

  /**
   * Negation: y = -this. The gradient is -1.
   *
   * @returns A new Value with this Value as its only input.
   * @example Usage
   * ```ts
   * import { Value } from "@micrograd/micrograd/engine";
   * import assert from "node:assert/strict";
   * const x = new Value(2);
   * const y = x.neg();
   * y.backward();
   * assert.deepEqual([y.data, x.grad], [-2, -1]);
   * ```
   */
  neg(): Value {
    return unary(table.neg, this);
  }

  /**
   * Exponential: y = e^this. The gradient is y.
   *
   * @returns A new Value with this Value as its only input.
   * @example Usage
   * ```ts
   * import { Value } from "@micrograd/micrograd/engine";
   * import assert from "node:assert/strict";
   * const x = new Value(0);
   * const y = x.exp();
   * y.backward();
   * assert.deepEqual([y.data, x.grad], [1, 1]);
   * ```
   */
  exp(): Value {
    return unary(table.exp, this);
  }

  /**
   * Natural logarithm: y = ln(this). The gradient is 1/x. IEEE math below
   * zero: log(0) is -Infinity, log(-1) is NaN.
   *
   * @returns A new Value with this Value as its only input.
   * @example Usage
   * ```ts
   * import { Value } from "@micrograd/micrograd/engine";
   * import assert from "node:assert/strict";
   * const x = new Value(4);
   * const y = x.log();
   * y.backward();
   * assert.deepEqual([y.data, x.grad], [Math.log(4), 0.25]);
   * ```
   */
  log(): Value {
    return unary(table.log, this);
  }

  /**
   * Square root: y = √this. The gradient is 1/(2y).
   *
   * @returns A new Value with this Value as its only input.
   * @example Usage
   * ```ts
   * import { Value } from "@micrograd/micrograd/engine";
   * import assert from "node:assert/strict";
   * const x = new Value(4);
   * const y = x.sqrt();
   * y.backward();
   * assert.deepEqual([y.data, x.grad], [2, 0.25]);
   * ```
   */
  sqrt(): Value {
    return unary(table.sqrt, this);
  }

  /**
   * Hyperbolic tangent: y = tanh(this). The gradient is 1 - y².
   *
   * @returns A new Value with this Value as its only input.
   * @example Usage
   * ```ts
   * import { Value } from "@micrograd/micrograd/engine";
   * import assert from "node:assert/strict";
   * const x = new Value(0);
   * const y = x.tanh();
   * y.backward();
   * assert.deepEqual([y.data, x.grad], [0, 1]);
   * ```
   */
  tanh(): Value {
    return unary(table.tanh, this);
  }

  /**
   * Logistic sigmoid: y = 1 / (1 + e^-this). The gradient is y(1 - y).
   *
   * @returns A new Value with this Value as its only input.
   * @example Usage
   * ```ts
   * import { Value } from "@micrograd/micrograd/engine";
   * import assert from "node:assert/strict";
   * const x = new Value(0);
   * const y = x.sigmoid();
   * y.backward();
   * assert.deepEqual([y.data, x.grad], [0.5, 0.25]);
   * ```
   */
  sigmoid(): Value {
    return unary(table.sigmoid, this);
  }

  /**
   * Rectified linear unit: y = max(0, x). The gradient is 1 where x > 0, else 0.
   *
   * @returns A new Value with this Value as its only input.
   * @example Usage
   * ```ts
   * import { Value } from "@micrograd/micrograd/engine";
   * import assert from "node:assert/strict";
   * const x = new Value(-2);
   * const y = x.relu();
   * y.backward();
   * assert.deepEqual([y.data, x.grad], [0, 0]);
   * ```
   */
  relu(): Value {
    return unary(table.relu, this);
  }

  /**
   * Absolute value: y = |this|. The gradient is sign(x), and 0 at 0.
   *
   * @returns A new Value with this Value as its only input.
   * @example Usage
   * ```ts
   * import { Value } from "@micrograd/micrograd/engine";
   * import assert from "node:assert/strict";
   * const x = new Value(-2);
   * const y = x.abs();
   * y.backward();
   * assert.deepEqual([y.data, x.grad], [2, -1]);
   * ```
   */
  abs(): Value {
    return unary(table.abs, this);
  }

  /**
   * Sine: y = sin(this). The gradient is cos(x).
   *
   * @returns A new Value with this Value as its only input.
   * @example Usage
   * ```ts
   * import { Value } from "@micrograd/micrograd/engine";
   * import assert from "node:assert/strict";
   * const x = new Value(0);
   * const y = x.sin();
   * y.backward();
   * assert.deepEqual([y.data, x.grad], [0, 1]);
   * ```
   */
  sin(): Value {
    return unary(table.sin, this);
  }

  /**
   * Cosine: y = cos(this). The gradient is -sin(x).
   *
   * @returns A new Value with this Value as its only input.
   * @example Usage
   * ```ts
   * import { Value } from "@micrograd/micrograd/engine";
   * import assert from "node:assert/strict";
   * const x = new Value(0);
   * const y = x.cos();
   * y.backward();
   * assert.deepEqual([y.data, x.grad], [1, 0]);
   * ```
   */
  cos(): Value {
    return unary(table.cos, this);
  }

  /**
   * Backpropagation from this node. Walks the graph in reverse topological
   * order, starting from a gradient of 1 here: each node, once all its users
   * have added their share into its gradient, adds its local derivatives
   * times that gradient into its inputs'. Every op node's `.grad` is then
   * set to its gradient (earlier values are replaced); a leaf adds its
   * gradient to what it holds, so leaves accumulate across calls, as in
   * PyTorch: call `zeroGrad()` (or set `grad = 0`) between steps. Constants
   * get no gradient. Iterative: a chain of a million nodes is fine.
   *
   * @param options `checkFinite: true` to throw on NaN or Infinity.
   * @throws {RangeError} With `checkFinite`, if a value or gradient is not
   *   finite; the message names the op and label of the node.
   * @throws {TypeError} If a user op's `derivatives` does not return one
   *   number per input. Whatever throws, leaf gradients are left as they
   *   were before the call.
   * @example Gradients and accumulation
   * ```ts
   * import { Value } from "@micrograd/micrograd/engine";
   * import assert from "node:assert/strict";
   * const x = new Value(3);
   * const y = x.mul(x);
   * y.backward();
   * assert.equal(x.grad, 6);
   * y.backward();
   * assert.equal(x.grad, 12);
   * ```
   * @example Finding where a NaN comes from
   * ```ts
   * import { Value } from "@micrograd/micrograd/engine";
   * import assert from "node:assert/strict";
   * const x = new Value(-1);
   * const loss = x.log();
   * loss.label = "loss";
   * assert.throws(() => loss.backward({ checkFinite: true }), {
   *   name: "RangeError",
   *   message: /op "log" \(label "loss"\) produced a non-finite value: NaN/,
   * });
   * ```
   */
  backward(options?: BackwardOptions): void {
    backward(this, options);
  }

  /**
   * A new leaf with the same data, cut off from this node's graph (no label).
   *
   * @returns A new leaf Value.
   * @throws {RangeError} If this node's data is not finite.
   * @example Usage
   * ```ts
   * import { Value } from "@micrograd/micrograd/engine";
   * import assert from "node:assert/strict";
   * const y = new Value(2).mul(3);
   * const z = y.detach();
   * assert.deepEqual([z.data, z.op, z.inputs.length], [6, "", 0]);
   * ```
   */
  detach(): Value {
    if (!Number.isFinite(this.data)) {
      throw new RangeError(
        `Cannot detach Value: data must be finite, got ${describe(this.data)}`,
      );
    }
    return new Value(this.data);
  }

  /**
   * Formats as micrograd does: `Value(data=..., grad=...)`.
   *
   * @returns The formatted string.
   * @example Usage
   * ```ts
   * import { Value } from "@micrograd/micrograd/engine";
   * import assert from "node:assert/strict";
   * assert.equal(String(new Value(2.5)), "Value(data=2.5, grad=0)");
   * ```
   */
  toString(): string {
    return `Value(data=${this.data}, grad=${this.grad})`;
  }
}

/**
 * Checks what `new Value(data, options)` was given, and labels the leaf.
 * Kept out of the constructor, which every op inlines where it makes its
 * node: with these checks inside it, the chain's forward took 7.1-9.3 ns a
 * node, 5.5-6.0 without (see the README's performance section).
 */
function checkLeaf(leaf: Value, data: unknown, options: unknown): void {
  if (typeof data !== "number") {
    throw new TypeError(
      `Cannot create Value: data must be a number, got ${describe(data)}`,
    );
  }
  if (!Number.isFinite(data)) {
    throw new RangeError(
      `Cannot create Value: data must be finite, got ${describe(data)}`,
    );
  }
  if (options === undefined) return;
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `Cannot create Value: options must be an object, got ${
        describe(options)
      }`,
    );
  }
  const { label } = options as ValueOptions;
  if (label !== undefined) {
    if (typeof label !== "string") {
      throw new TypeError(
        `Cannot create Value: label must be a string, got ${describe(label)}`,
      );
    }
    labels.set(leaf, label);
  }
}

/** Creates the output node of an op. */
function node(
  op: OpEntry,
  data: number,
  a: Value | null,
  b: Value | null,
  rest: readonly Value[] | null,
): Value {
  const out = new Value(data, OP_RESULT);
  out._op = op;
  out._a = a;
  out._b = rest ?? b;
  return out;
}

/**
 * A leaf holding any number, NaN and Infinity included (`grad()` results).
 * @ignore
 */
export function _leaf(data: number): Value {
  return new Value(data, OP_RESULT);
}

/** A constant node: no gradient flows into it. */
function makeConstant(x: number): Value {
  const node = new Value(x, OP_RESULT);
  node._op = CONSTANT_OP;
  return node;
}
constant.of = makeConstant;

/**
 * Turns an operand into a node: a Value as is, a finite number as a
 * constant; anything else throws.
 */
function operand(x: unknown, op: OpEntry, role: string, index = -1): Value {
  if (x instanceof Value) return x;
  if (typeof x === "number" && Number.isFinite(x)) return makeConstant(x);
  throw badOperand(x, op, role, index);
}

/**
 * The error for an operand that is neither a Value nor a finite number,
 * naming it `role`, followed by `index` unless that is -1. Built only on
 * this path: building the name for every input of every sum took 1% of a
 * training step (profile), and a separate function keeps operand() small
 * enough to be inlined.
 */
function badOperand(
  x: unknown,
  op: OpEntry,
  role: string,
  index: number,
): Error {
  const name = index === -1 ? role : `${role} ${index}`;
  if (typeof x !== "number") {
    return new TypeError(
      `Cannot apply op "${op.name}": ${name} must be a Value or a number, got ${
        describe(x)
      }`,
    );
  }
  return new RangeError(
    `Cannot apply op "${op.name}": ${name} must be finite, got ${describe(x)}`,
  );
}

function unary(op: OpEntry, x: Value): Value {
  return node(op, op.forward(x.data), x, null, null);
}

function binary(op: OpEntry, a: Value, other: unknown, role: string): Value {
  const b = operand(other, op, role);
  return node(op, op.forward(a.data, b.data), a, b, null);
}

/**
 * Applies an op to operands given as an array, as `defineOp` functions do.
 * @ignore
 */
export function _apply(op: OpEntry, args: readonly unknown[]): Value {
  const arity = op.arity;
  if (args.length !== arity) {
    throw new TypeError(
      `Cannot apply op "${op.name}": expected ${arity} ${
        arity === 1 ? "argument" : "arguments"
      }, got ${args.length}`,
    );
  }
  const inputs: Value[] = new Array(arity);
  const xs: number[] = new Array(arity);
  for (let k = 0; k < arity; k++) {
    inputs[k] = operand(args[k], op, "argument", k + 1);
    xs[k] = inputs[k].data;
  }
  const data = op.forward(...xs);
  if (typeof data !== "number") {
    throw new TypeError(
      `Cannot apply op "${op.name}": forward must return a number, got ${
        describe(data)
      }`,
    );
  }
  if (arity <= 2) {
    return node(op, data, inputs[0], arity === 2 ? inputs[1] : null, null);
  }
  return node(op, data, null, null, inputs);
}

/**
 * Sum of many values as ONE n-ary node (op `"sum"`), so a sum of n terms
 * costs one node, not n - 1 additions. The gradient is 1 to every input.
 *
 * @param values Values or numbers (numbers become constants).
 * @returns A new Value; `sum([])` is a node with data 0.
 * @throws {TypeError} If `values` is not an array or holds something other
 *   than Values and numbers.
 * @throws {RangeError} If it holds a non-finite number.
 * @example Usage
 * ```ts
 * import { sum, Value } from "@micrograd/micrograd/engine";
 * import assert from "node:assert/strict";
 * const a = new Value(1);
 * const b = new Value(2);
 * const s = sum([a, b, a, 4]);
 * s.backward();
 * assert.deepEqual([s.data, s.inputs.length, a.grad, b.grad], [8, 4, 2, 1]);
 * ```
 */
export function sum(values: readonly (Value | number)[]): Value {
  const op = table.sum;
  if (!Array.isArray(values)) {
    throw new TypeError(
      `Cannot apply op "sum": values must be an array, got ${describe(values)}`,
    );
  }
  // A copy: the caller may change `values` later.
  const n = values.length;
  const inputs: Value[] = new Array(n);
  for (let i = 0; i < n; i++) inputs[i] = operand(values[i], op, "input", i);
  return _sumOwned(inputs);
}

/**
 * `sum(inputs)` for an array of Values that its caller has just made and
 * hands over: the array becomes the node's inputs as it is, with no copy.
 * For sum() and Neuron.forward: building the moons step's graph without
 * that copy took its ratio to the floor from a median of 3.37x to 3.15x
 * (eight alternating `bench:scaling --shape moons` runs each).
 * @ignore
 */
export function _sumOwned(inputs: Value[]): Value {
  // The table's sum.forward, over the inputs' data without spreading them.
  let total = 0;
  for (let i = 0; i < inputs.length; i++) total += inputs[i].data;
  return node(table.sum, total, null, null, inputs);
}

/**
 * Mean of values: `sum(values).div(values.length)`, so two nodes (a `sum`
 * and a `div` by a constant), as `torch.mean` divides the sum.
 *
 * @param values Values or numbers (numbers become constants).
 * @returns A new Value.
 * @throws {TypeError} If `values` is not an array of Values and numbers.
 * @throws {RangeError} If `values` is empty or holds a non-finite number.
 * @example Usage
 * ```ts
 * import { mean, Value } from "@micrograd/micrograd/engine";
 * import assert from "node:assert/strict";
 * const a = new Value(1);
 * const m = mean([a, 2, 6]);
 * m.backward();
 * assert.deepEqual([m.data, a.grad], [3, 1 / 3]);
 * ```
 */
export function mean(values: readonly (Value | number)[]): Value {
  if (Array.isArray(values) && values.length === 0) {
    throw new RangeError(
      "Cannot compute mean: values is empty, expected at least 1 value",
    );
  }
  return sum(values).div(values.length);
}
