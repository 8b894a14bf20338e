import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { defineOp, ops, Value } from "../engine/mod.ts";

describe("defineOp()", () => {
  // softsign: y = x / (1 + |x|)    dy/dx = 1 / (1 + |x|)²
  const softsign = defineOp({
    name: "softsign",
    forward: (x) => x / (1 + Math.abs(x)),
    derivatives: ([x]) => [1 / (1 + Math.abs(x)) ** 2],
  });

  it("makes an op that computes values and gradients like a built-in", () => {
    const x = new Value(-3);
    const y = softsign(x).mul(2);
    y.backward();
    assert.equal(y.data, 2 * (-3 / 4));
    assert.equal(x.grad, 2 * (1 / 16));
    assert.equal(y.inputs[0].op, "softsign");
  });

  it("exposes its frozen definition with the resolved arity", () => {
    assert.equal(softsign.op.name, "softsign");
    assert.equal(softsign.op.arity, 1);
    assert.ok(Object.isFrozen(softsign.op));
    assert.equal(softsign.name, "softsign");
  });

  it("takes numbers as constants and supports up to 4 inputs", () => {
    // fma: y = a b + c    dy/da = b, dy/db = a, dy/dc = 1
    const fma = defineOp({
      name: "fma",
      forward: (a, b, c) => a * b + c,
      derivatives: ([a, b]) => [b, a, 1],
    });
    const a = new Value(2);
    const c = new Value(1);
    const y = fma(a, 5, c);
    y.backward();
    assert.deepEqual([y.data, a.grad, c.grad, y.inputs.length], [11, 5, 1, 3]);
    assert.equal(y.inputs[1].grad, 0);
  });

  it("does not change the built-in table", () => {
    assert.equal(Object.hasOwn(ops, "softsign"), false);
    assert.equal(Object.keys(ops).length, 16);
  });

  it("rejects a call with the wrong number of arguments, naming both counts", () => {
    assert.throws(() => softsign(new Value(1), new Value(2)), {
      name: "TypeError",
      message: 'Cannot apply op "softsign": expected 1 argument, got 2',
    });
    const two = defineOp({
      name: "two",
      forward: (a: number, b: number) => a + b,
      derivatives: () => [1, 1],
    });
    assert.throws(() => two(1), {
      name: "TypeError",
      message: 'Cannot apply op "two": expected 2 arguments, got 1',
    });
  });

  it("rejects bad arguments like the built-in ops", () => {
    assert.throws(() => softsign("1" as unknown as number), {
      name: "TypeError",
      message:
        'Cannot apply op "softsign": argument 1 must be a Value or a number, got string "1"',
    });
    assert.throws(() => softsign(NaN), {
      name: "RangeError",
      message: 'Cannot apply op "softsign": argument 1 must be finite, got NaN',
    });
  });

  it("rejects a forward that does not return a number", () => {
    const broken = defineOp({
      name: "broken",
      forward: () => "x" as unknown as number,
      derivatives: () => [0],
      arity: 1,
    });
    assert.throws(() => broken(1), {
      name: "TypeError",
      message:
        'Cannot apply op "broken": forward must return a number, got string "x"',
    });
  });

  it("rejects bad names", () => {
    const spec = { forward: (x: number) => x, derivatives: () => [1] };
    assert.throws(() => defineOp({ ...spec, name: "" }), {
      name: "RangeError",
      message: "Cannot define op: name must not be empty",
    });
    assert.throws(() => defineOp({ ...spec, name: "tanh" }), {
      name: "RangeError",
      message: 'Cannot define op "tanh": the name is taken by a built-in op',
    });
    assert.throws(() => defineOp({ ...spec, name: 3 as unknown as string }), {
      name: "TypeError",
      message: "Cannot define op: name must be a string, got 3",
    });
  });

  it("rejects a wrong arity", () => {
    const derivatives = (): number[] => [];
    assert.throws(
      () => defineOp({ name: "none", forward: () => 1, derivatives }),
      {
        name: "RangeError",
        message:
          'Cannot define op "none": arity must be an integer from 1 to 4, got 0 (from forward.length; pass arity)',
      },
    );
    assert.throws(
      () =>
        defineOp({
          name: "five",
          forward: (a: number) => a,
          derivatives,
          arity: 5,
        }),
      {
        name: "RangeError",
        message: /arity must be an integer from 1 to 4, got 5$/,
      },
    );
    assert.throws(
      () =>
        defineOp({
          name: "half",
          forward: (a: number) => a,
          derivatives,
          arity: 1.5,
        }),
      { name: "RangeError", message: /got 1\.5$/ },
    );
  });

  it("rejects missing functions and bad kinks", () => {
    assert.throws(
      () => defineOp({ name: "f", derivatives: () => [1] } as never),
      {
        name: "TypeError",
        message:
          'Cannot define op "f": forward must be a function, got undefined',
      },
    );
    assert.throws(
      () => defineOp({ name: "g", forward: (x: number) => x } as never),
      {
        name: "TypeError",
        message: /"g": derivatives must be a function, got undefined/,
      },
    );
    assert.throws(() => defineOp(null as never), {
      name: "TypeError",
      message: "Cannot define op: spec must be an object, got null",
    });
    const base = { forward: (x: number) => x, derivatives: () => [1] };
    assert.throws(() => defineOp({ ...base, name: "k", kinks: [NaN] }), {
      name: "RangeError",
      message: 'Cannot define op "k": kinks must be finite numbers, got NaN',
    });
    assert.throws(
      () =>
        defineOp({
          name: "k2",
          forward: (a: number, b: number) => a + b,
          derivatives: () => [1, 1],
          kinks: [0],
        }),
      {
        name: "RangeError",
        message: /kinks are only for unary ops, got arity 2/,
      },
    );
  });
});
