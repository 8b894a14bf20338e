import {
  ABS,
  ADD,
  constant,
  COS,
  DIV,
  EXP,
  LOG,
  makeBuiltin,
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
import type { Value } from "./value.ts";

const c = (x: number): Value => constant.of(x);

// The op table: each op defined once, as data. The same entry serves the
// forward pass (Value.tanh() etc.), backward(), grad(), compile(), gradcheck
// and toDot().
//
// `partials` are the local derivatives dy/d(input) as functions of the first
// two inputs a, b and the output y; every engine multiplies them by the
// upstream gradient. `derivativeValues` is the same math built from ops on
// Values, so that grad(..., { createGraph: true }) can differentiate it again;
// a test checks that the two agree bit for bit.
const table: Record<string, OpEntry> = {
  // add:     y = a + b                    dy/da = 1, dy/db = 1
  add: makeBuiltin(ADD, {
    name: "add",
    arity: 2,
    forward: (a, b) => a + b,
    partials: [() => 1, () => 1],
    derivativeValues: () => [c(1), c(1)],
  }),
  // sub:     y = a - b                    dy/da = 1, dy/db = -1
  sub: makeBuiltin(SUB, {
    name: "sub",
    arity: 2,
    forward: (a, b) => a - b,
    partials: [() => 1, () => -1],
    derivativeValues: () => [c(1), c(-1)],
  }),
  // mul:     y = a b                      dy/da = b, dy/db = a
  mul: makeBuiltin(MUL, {
    name: "mul",
    arity: 2,
    forward: (a, b) => a * b,
    partials: [(_a, b) => b, (a) => a],
    derivativeValues: ([a, b]) => [b, a],
  }),
  // div:     y = a / b   (b != 0)         dy/da = 1/b, dy/db = -a/b²
  div: makeBuiltin(DIV, {
    name: "div",
    arity: 2,
    forward: (a, b) => a / b,
    partials: [(_a, b) => 1 / b, (a, b) => -a / (b * b)],
    derivativeValues: ([a, b]) => [c(1).div(b), a.neg().div(b.mul(b))],
    domain: (_a, b) => b !== 0,
  }),
  // neg:     y = -x                       dy/dx = -1
  neg: makeBuiltin(NEG, {
    name: "neg",
    arity: 1,
    forward: (x) => -x,
    partials: [() => -1],
    derivativeValues: () => [c(-1)],
  }),
  // pow:     y = a^b    (a > 0)           dy/da = b a^(b-1), dy/db = y ln(a)
  //          as torch: dy/da = 0 where b = 0, dy/db = 0 where a = 0 and b >= 0
  pow: makeBuiltin(POW, {
    name: "pow",
    arity: 2,
    forward: (a, b) => a ** b,
    partials: [
      (a, b) => b === 0 ? 0 : b * a ** (b - 1),
      (a, b, y) => a === 0 && b >= 0 ? 0 : y * Math.log(a),
    ],
    derivativeValues: ([a, b], y) => [
      b.data === 0 ? c(0) : b.mul(a.pow(b.sub(1))),
      a.data === 0 && b.data >= 0 ? c(0) : y.mul(a.log()),
    ],
    domain: (a) => a > 0,
  }),
  // exp:     y = e^x                      dy/dx = y
  exp: makeBuiltin(EXP, {
    name: "exp",
    arity: 1,
    forward: (x) => Math.exp(x),
    partials: [(_x, _, y) => y],
    derivativeValues: (_x, y) => [y],
  }),
  // log:     y = ln(x)  (x > 0)           dy/dx = 1/x
  log: makeBuiltin(LOG, {
    name: "log",
    arity: 1,
    forward: (x) => Math.log(x),
    partials: [(x) => 1 / x],
    derivativeValues: ([x]) => [c(1).div(x)],
    domain: (x) => x > 0,
  }),
  // sqrt:    y = √x     (x > 0)           dy/dx = 1 / (2y)
  sqrt: makeBuiltin(SQRT, {
    name: "sqrt",
    arity: 1,
    forward: (x) => Math.sqrt(x),
    partials: [(_x, _, y) => 1 / (2 * y)],
    derivativeValues: (_x, y) => [c(1).div(c(2).mul(y))],
    domain: (x) => x > 0,
  }),
  // tanh:    y = tanh(x)                  dy/dx = 1 - y²
  tanh: makeBuiltin(TANH, {
    name: "tanh",
    arity: 1,
    forward: (x) => Math.tanh(x),
    partials: [(_x, _, y) => 1 - y * y],
    derivativeValues: (_x, y) => [c(1).sub(y.mul(y))],
  }),
  // sigmoid: y = 1 / (1 + e^-x)           dy/dx = y (1 - y)
  sigmoid: makeBuiltin(SIGMOID, {
    name: "sigmoid",
    arity: 1,
    forward: (x) => 1 / (1 + Math.exp(-x)),
    partials: [(_x, _, y) => y * (1 - y)],
    derivativeValues: (_x, y) => [y.mul(c(1).sub(y))],
  }),
  // relu:    y = max(0, x)                dy/dx = 1 if x > 0 else 0   (kink at 0)
  relu: makeBuiltin(RELU, {
    name: "relu",
    arity: 1,
    forward: (x) => Math.max(x, 0),
    partials: [(x) => x > 0 ? 1 : 0],
    derivativeValues: ([x]) => [c(x.data > 0 ? 1 : 0)],
    kinks: [0],
  }),
  // abs:     y = |x|                      dy/dx = sign(x)             (kink at 0)
  abs: makeBuiltin(ABS, {
    name: "abs",
    arity: 1,
    forward: (x) => Math.abs(x),
    partials: [(x) => Math.sign(x)],
    derivativeValues: ([x]) => [c(Math.sign(x.data))],
    kinks: [0],
  }),
  // sin:     y = sin(x)                   dy/dx = cos(x)
  sin: makeBuiltin(SIN, {
    name: "sin",
    arity: 1,
    forward: (x) => Math.sin(x),
    partials: [(x) => Math.cos(x)],
    derivativeValues: ([x]) => [x.cos()],
  }),
  // cos:     y = cos(x)                   dy/dx = -sin(x)
  cos: makeBuiltin(COS, {
    name: "cos",
    arity: 1,
    forward: (x) => Math.cos(x),
    partials: [(x) => -Math.sin(x)],
    derivativeValues: ([x]) => [x.sin().neg()],
  }),
  // sum:     y = x_1 + ... + x_n  (n-ary) dy/dx_k = 1
  sum: makeBuiltin(SUM, {
    name: "sum",
    arity: -1,
    forward: (...xs) => {
      let total = 0;
      for (let i = 0; i < xs.length; i++) total += xs[i];
      return total;
    },
    partials: [() => 1],
    derivativeValues: (xs) => xs.map(() => c(1)),
  }),
};

/**
 * The built-in ops, one entry per op, named as the `Value` method that
 * applies it (`node.op` is that name). The table is frozen; add your own ops
 * with {@linkcode defineOp}, which leaves it unchanged.
 *
 * Each entry's `derivatives(inputs, output)` gives the local partials that
 * `backward()` multiplies by the upstream gradient, and `derivativeValues`
 * the same partials built from ops on Values, for higher-order gradients.
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
