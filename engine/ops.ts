import {
  ABS,
  ADD,
  COS,
  DIV,
  EXP,
  LOG,
  makeOp,
  MUL,
  NEG,
  type OpEntry,
  POW,
  RELU,
  SIGMOID,
  SIN,
  SQRT,
  SUB,
  SUM,
  TANH,
} from "./_make_op.ts";
import type { Op } from "./op.ts";

// The op table: each op defined once, as data. The same entry serves the
// forward pass (Value.tanh() etc.), backward(), gradcheck and toDot().
// `derivatives` gets the input values and the output y, and returns
// dy/d(input_k) for each input; backward multiplies each by the upstream grad.
const table: Record<string, OpEntry> = {
  // add:     y = a + b                    dy/da = 1, dy/db = 1
  add: makeOp({
    name: "add",
    arity: 2,
    forward: (a, b) => a + b,
    derivatives: () => [1, 1],
  }, ADD),
  // sub:     y = a - b                    dy/da = 1, dy/db = -1
  sub: makeOp({
    name: "sub",
    arity: 2,
    forward: (a, b) => a - b,
    derivatives: () => [1, -1],
  }, SUB),
  // mul:     y = a b                      dy/da = b, dy/db = a
  mul: makeOp({
    name: "mul",
    arity: 2,
    forward: (a, b) => a * b,
    derivatives: ([a, b]) => [b, a],
  }, MUL),
  // div:     y = a / b   (b != 0)         dy/da = 1/b, dy/db = -a/b²
  div: makeOp({
    name: "div",
    arity: 2,
    forward: (a, b) => a / b,
    derivatives: ([a, b]) => [1 / b, -a / (b * b)],
    domain: (_a, b) => b !== 0,
  }, DIV),
  // neg:     y = -x                       dy/dx = -1
  neg: makeOp({
    name: "neg",
    arity: 1,
    forward: (x) => -x,
    derivatives: () => [-1],
  }, NEG),
  // pow:     y = a^b    (a > 0)           dy/da = b a^(b-1), dy/db = y ln(a)
  //          as torch: dy/da = 0 where b = 0, dy/db = 0 where a = 0 and b >= 0
  pow: makeOp({
    name: "pow",
    arity: 2,
    forward: (a, b) => a ** b,
    derivatives: ([a, b], y) => [
      b === 0 ? 0 : b * a ** (b - 1),
      a === 0 && b >= 0 ? 0 : y * Math.log(a),
    ],
    domain: (a) => a > 0,
  }, POW),
  // exp:     y = e^x                      dy/dx = y
  exp: makeOp({
    name: "exp",
    arity: 1,
    forward: (x) => Math.exp(x),
    derivatives: (_x, y) => [y],
  }, EXP),
  // log:     y = ln(x)  (x > 0)           dy/dx = 1/x
  log: makeOp({
    name: "log",
    arity: 1,
    forward: (x) => Math.log(x),
    derivatives: ([x]) => [1 / x],
    domain: (x) => x > 0,
  }, LOG),
  // sqrt:    y = √x     (x > 0)           dy/dx = 1 / (2y)
  sqrt: makeOp({
    name: "sqrt",
    arity: 1,
    forward: (x) => Math.sqrt(x),
    derivatives: (_x, y) => [1 / (2 * y)],
    domain: (x) => x > 0,
  }, SQRT),
  // tanh:    y = tanh(x)                  dy/dx = 1 - y²
  tanh: makeOp({
    name: "tanh",
    arity: 1,
    forward: (x) => Math.tanh(x),
    derivatives: (_x, y) => [1 - y * y],
  }, TANH),
  // sigmoid: y = 1 / (1 + e^-x)           dy/dx = y (1 - y)
  sigmoid: makeOp({
    name: "sigmoid",
    arity: 1,
    forward: (x) => 1 / (1 + Math.exp(-x)),
    derivatives: (_x, y) => [y * (1 - y)],
  }, SIGMOID),
  // relu:    y = max(0, x)                dy/dx = 1 if x > 0 else 0   (kink at 0)
  relu: makeOp({
    name: "relu",
    arity: 1,
    forward: (x) => Math.max(x, 0),
    derivatives: ([x]) => [x > 0 ? 1 : 0],
    kinks: [0],
  }, RELU),
  // abs:     y = |x|                      dy/dx = sign(x)             (kink at 0)
  abs: makeOp({
    name: "abs",
    arity: 1,
    forward: (x) => Math.abs(x),
    derivatives: ([x]) => [Math.sign(x)],
    kinks: [0],
  }, ABS),
  // sin:     y = sin(x)                   dy/dx = cos(x)
  sin: makeOp({
    name: "sin",
    arity: 1,
    forward: (x) => Math.sin(x),
    derivatives: ([x]) => [Math.cos(x)],
  }, SIN),
  // cos:     y = cos(x)                   dy/dx = -sin(x)
  cos: makeOp({
    name: "cos",
    arity: 1,
    forward: (x) => Math.cos(x),
    derivatives: ([x]) => [-Math.sin(x)],
  }, COS),
  // sum:     y = x_1 + ... + x_n  (n-ary) dy/dx_k = 1
  sum: makeOp({
    name: "sum",
    arity: -1,
    forward: (...xs) => {
      let total = 0;
      for (let i = 0; i < xs.length; i++) total += xs[i];
      return total;
    },
    derivatives: (xs) => new Array<number>(xs.length).fill(1),
  }, SUM),
};

/**
 * The built-in ops, one entry per op, named as the `Value` method that
 * applies it (`node.op` is that name). The table is frozen; add your own ops
 * with {@linkcode defineOp}, which leaves it unchanged.
 *
 * Each entry's `derivatives(inputs, output)` gives the local partials that
 * `backward()` multiplies by the upstream gradient.
 *
 * @example Listing the ops and using one entry
 * ```ts
 * import { ops } from "@micrograd/micrograd/engine";
 * import assert from "node:assert/strict";
 *
 * assert.equal(Object.keys(ops).length, 16);
 * const y = ops.tanh.forward(0.5);
 * assert.equal(ops.tanh.derivatives([0.5], y)[0], 1 - y * y);
 * assert.deepEqual(ops.relu.kinks, [0]);
 * ```
 */
export const ops: Readonly<Record<string, Op>> = Object.freeze(table);
