import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { defineOp, ops, sum, Value } from "../engine/mod.ts";

// Applies a built-in op through its Value method (the path users take).
function apply(name: string, xs: Value[]): Value {
  if (name === "sum") return sum(xs);
  const method = (xs[0] as unknown as Record<string, (...a: Value[]) => Value>)[
    name
  ];
  return method.call(xs[0], ...xs.slice(1));
}

const close = (actual: number, expected: number, what: string): void => {
  const tolerance = 1e-13 * Math.max(1, Math.abs(expected));
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${what}: got ${actual}, expected ${expected}`,
  );
};

// Closed forms, written independently of the op table: each row gives the
// value and every partial derivative at a point.
interface Row {
  at: number[];
  value: number;
  grads: number[];
}
const e = Math.E;
const closedForms: Record<string, Row[]> = {
  add: [
    { at: [2, 3], value: 5, grads: [1, 1] },
    { at: [-1.5, 0.25], value: -1.25, grads: [1, 1] },
  ],
  sub: [
    { at: [2, 3], value: -1, grads: [1, -1] },
    { at: [-1.5, -0.25], value: -1.25, grads: [1, -1] },
  ],
  mul: [
    { at: [2, 3], value: 6, grads: [3, 2] },
    { at: [-1.5, 0.5], value: -0.75, grads: [0.5, -1.5] },
  ],
  div: [
    { at: [3, 2], value: 1.5, grads: [0.5, -0.75] },
    { at: [-1, 4], value: -0.25, grads: [0.25, 1 / 16] },
  ],
  neg: [
    { at: [2], value: -2, grads: [-1] },
    { at: [-0.5], value: 0.5, grads: [-1] },
  ],
  pow: [
    { at: [3, 2], value: 9, grads: [6, 9 * Math.log(3)] },
    { at: [4, 0.5], value: 2, grads: [0.25, 2 * Math.log(4)] },
    { at: [2, -1], value: 0.5, grads: [-0.25, 0.5 * Math.log(2)] },
  ],
  exp: [
    { at: [0], value: 1, grads: [1] },
    { at: [1], value: e, grads: [e] },
    { at: [-2], value: 1 / (e * e), grads: [1 / (e * e)] },
  ],
  log: [
    { at: [1], value: 0, grads: [1] },
    { at: [e], value: 1, grads: [1 / e] },
    { at: [0.5], value: -Math.LN2, grads: [2] },
  ],
  sqrt: [
    { at: [4], value: 2, grads: [0.25] },
    { at: [2], value: Math.SQRT2, grads: [1 / (2 * Math.SQRT2)] },
  ],
  // tanh(x) = (e^2x - 1) / (e^2x + 1), tanh'(x) = 4 / (e^x + e^-x)²
  tanh: [0, 0.5, -1, 3].map((x) => ({
    at: [x],
    value: (Math.exp(2 * x) - 1) / (Math.exp(2 * x) + 1),
    grads: [4 / (Math.exp(x) + Math.exp(-x)) ** 2],
  })),
  // sigmoid'(x) = e^-x / (1 + e^-x)²
  sigmoid: [0, 2, -3].map((x) => ({
    at: [x],
    value: 1 / (1 + Math.exp(-x)),
    grads: [Math.exp(-x) / (1 + Math.exp(-x)) ** 2],
  })),
  relu: [
    { at: [2.5], value: 2.5, grads: [1] },
    { at: [-2], value: 0, grads: [0] },
    { at: [0], value: 0, grads: [0] }, // torch: the gradient at 0 is 0
  ],
  abs: [
    { at: [2.5], value: 2.5, grads: [1] },
    { at: [-2], value: 2, grads: [-1] },
    { at: [0], value: 0, grads: [0] }, // torch: sign(0) = 0
  ],
  sin: [
    { at: [0], value: 0, grads: [1] },
    { at: [Math.PI / 6], value: 0.5, grads: [Math.sqrt(3) / 2] },
    { at: [Math.PI / 2], value: 1, grads: [0] },
  ],
  cos: [
    { at: [0], value: 1, grads: [-0] },
    { at: [Math.PI / 3], value: 0.5, grads: [-Math.sqrt(3) / 2] },
    { at: [Math.PI], value: -1, grads: [0] },
  ],
  sum: [
    { at: [1, 2, 3.5], value: 6.5, grads: [1, 1, 1] },
    { at: [-1], value: -1, grads: [1] },
  ],
};

describe("ops", () => {
  it("has exactly one entry per op, named as the method", () => {
    assert.deepEqual(Object.keys(ops).sort(), Object.keys(closedForms).sort());
    for (const [name, op] of Object.entries(ops)) assert.equal(op.name, name);
  });

  it("is frozen, and so is every entry", () => {
    assert.ok(Object.isFrozen(ops));
    for (const op of Object.values(ops)) assert.ok(Object.isFrozen(op));
    assert.throws(() => {
      (ops as Record<string, unknown>).add = null;
    }, TypeError);
  });

  it("gives every entry the same shape", () => {
    const shape = Object.keys(ops.add).join();
    for (const op of Object.values(ops)) {
      assert.equal(Object.keys(op).join(), shape);
    }
    const custom = defineOp({
      name: "twice",
      forward: (x) => 2 * x,
      derivatives: () => [2],
    });
    assert.equal(Object.keys(custom.op).join(), shape);
  });

  it("declares the domains and kinks gradcheck relies on", () => {
    assert.deepEqual(ops.relu.kinks, [0]);
    assert.deepEqual(ops.abs.kinks, [0]);
    assert.equal(ops.log.domain?.(-1), false);
    assert.equal(ops.log.domain?.(1), true);
    assert.equal(ops.div.domain?.(1, 0), false);
    assert.equal(ops.sum.arity, -1);
  });
});

describe("every op", () => {
  for (const [name, rows] of Object.entries(closedForms)) {
    it(`${name}: value and derivatives match the closed form`, () => {
      for (const row of rows) {
        const xs = row.at.map((x) => new Value(x));
        const y = apply(name, xs);
        assert.equal(y.op, name);
        close(y.data, row.value, `${name}(${row.at}) value`);
        // Seed an upstream gradient of 3 to see the chain rule at work.
        y.mul(3).backward();
        for (let k = 0; k < xs.length; k++) {
          close(xs[k].grad, 3 * row.grads[k], `${name}(${row.at}) d/dx${k}`);
        }
        // The table itself says the same.
        const op = ops[name];
        close(op.forward(...row.at), row.value, `ops.${name}.forward`);
        const partials = op.derivatives(row.at, op.forward(...row.at));
        for (let k = 0; k < xs.length; k++) {
          close(partials[k], row.grads[k], `ops.${name}.derivatives[${k}]`);
        }
      }
    });
  }
});

describe("backward() fast paths", () => {
  // Each built-in op has a hand-inlined case in backward(); a user op with the
  // same forward and derivatives takes the generic path through the table.
  // The two must agree bit for bit, values and gradients alike.
  const points: Record<number, number[][]> = {
    1: [[0.3], [-1.7], [2.5], [0], [4]],
    2: [[0.3, 1.2], [-1.7, 0.4], [2.5, -3], [2, 0], [0, 2], [-2, 3]],
  };
  for (const [name, op] of Object.entries(ops)) {
    it(`${name}: agrees with the table's derivatives bit for bit`, () => {
      const arity = op.arity === -1 ? 4 : op.arity;
      const twin = defineOp({ ...op, name: `${name}_twin`, arity });
      const rows = op.arity === -1
        ? [[0.1, 0.2, 0.3, -0.4], [1e10, 1, -1e10, 1e-10]]
        : points[arity];
      for (const at of rows) {
        const upstream = 0.7;
        const fast = at.map((x) => new Value(x));
        const slow = at.map((x) => new Value(x));
        const yFast = apply(name, fast);
        const ySlow = twin(...slow);
        assert.ok(Object.is(yFast.data, ySlow.data), `${name}(${at}) value`);
        yFast.mul(upstream).backward();
        ySlow.mul(upstream).backward();
        for (let k = 0; k < arity; k++) {
          assert.ok(
            Object.is(fast[k].grad, slow[k].grad),
            `${name}(${at}) d/dx${k}: fast ${fast[k].grad}, table ${
              slow[k].grad
            }`,
          );
        }
      }
    });
  }
});

describe("pow", () => {
  it("follows torch at a zero base: no NaN from 0 * log(0)", () => {
    const a = new Value(0);
    const b = new Value(2);
    a.pow(b).backward();
    assert.deepEqual([a.grad, b.grad], [0, 0]);
    const c = new Value(0);
    const zero = new Value(0);
    c.pow(zero).backward();
    assert.deepEqual([c.grad, zero.grad], [0, 0]);
  });

  it("gives no exponent gradient for a negative base raised to a number", () => {
    const x = new Value(-2);
    const y = x.pow(3);
    y.backward({ checkFinite: true });
    assert.deepEqual([y.data, x.grad], [-8, 12]);
  });
});
