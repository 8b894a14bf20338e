import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mean, sum, Value } from "../engine/mod.ts";

describe("Value", () => {
  it("stores data, zero grad, no op, no inputs and an optional label", () => {
    const x = new Value(2.5, { label: "x" });
    assert.deepEqual(
      [x.data, x.grad, x.op, x.inputs.length, x.label],
      [2.5, 0, "", 0, "x"],
    );
    assert.equal(new Value(1).label, undefined);
  });

  it("rejects data that is not a number with a TypeError", () => {
    assert.throws(() => new Value("3" as unknown as number), {
      name: "TypeError",
      message: 'Cannot create Value: data must be a number, got string "3"',
    });
    assert.throws(() => new Value(undefined as unknown as number), {
      name: "TypeError",
      message: /got undefined/,
    });
  });

  it("rejects NaN and Infinity with a RangeError", () => {
    assert.throws(() => new Value(NaN), {
      name: "RangeError",
      message: "Cannot create Value: data must be finite, got NaN",
    });
    assert.throws(() => new Value(-Infinity), {
      name: "RangeError",
      message: /must be finite, got -Infinity/,
    });
  });

  it("rejects a label that is not a string", () => {
    assert.throws(() => new Value(1, { label: 3 as unknown as string }), {
      name: "TypeError",
      message: "Cannot create Value: label must be a string, got 3",
    });
  });

  it("sets, renames and removes a label after creation, and rejects a non-string", () => {
    const x = new Value(1);
    const y = x.mul(2);
    y.label = "y";
    assert.equal(y.label, "y");
    y.label = "z";
    assert.deepEqual([x.label, y.label], [undefined, "z"]);
    y.label = undefined;
    assert.equal(y.label, undefined);
    assert.throws(() => (y.label = 7 as unknown as string), {
      name: "TypeError",
      message: "Cannot set label: label must be a string or undefined, got 7",
    });
  });

  it("formats as micrograd does", () => {
    const x = new Value(-4);
    x.grad = 0.5;
    assert.equal(x.toString(), "Value(data=-4, grad=0.5)");
  });

  it("rejects options that are not an object", () => {
    assert.throws(() => new Value(3, null as unknown as { label: string }), {
      name: "TypeError",
      message: "Cannot create Value: options must be an object, got null",
    });
    assert.throws(() => new Value(3, "x" as unknown as { label: string }), {
      name: "TypeError",
      message: 'Cannot create Value: options must be an object, got string "x"',
    });
  });
});

describe("Value op methods", () => {
  it("turn number operands into constant nodes", () => {
    const x = new Value(3);
    const y = x.mul(2);
    assert.equal(y.op, "mul");
    assert.equal(y.inputs[0], x);
    const c = y.inputs[1];
    assert.deepEqual([c.data, c.op, c.inputs.length], [2, "", 0]);
  });

  it("compute no gradient into constants", () => {
    const x = new Value(3);
    const y = x.mul(2).add(5).pow(2);
    y.backward();
    const [inner, exponent] = y.inputs;
    assert.equal(x.grad, 2 * 11 * 2); // d/dx (2x + 5)² = 4 (2x + 5)
    assert.equal(exponent.grad, 0);
    assert.equal(inner.inputs[1].grad, 0);
  });

  it("reject non-finite number operands with a RangeError naming the op", () => {
    const x = new Value(1);
    assert.throws(() => x.add(NaN), {
      name: "RangeError",
      message: 'Cannot apply op "add": operand must be finite, got NaN',
    });
    assert.throws(() => x.div(Infinity), {
      name: "RangeError",
      message: /op "div": operand must be finite, got Infinity/,
    });
  });

  it("reject operands that are not Values or numbers with a TypeError naming the op", () => {
    const x = new Value(1);
    assert.throws(() => x.mul("3" as unknown as number), {
      name: "TypeError",
      message:
        'Cannot apply op "mul": operand must be a Value or a number, got string "3"',
    });
    assert.throws(() => x.pow(undefined as unknown as number), {
      name: "TypeError",
      message:
        'Cannot apply op "pow": exponent must be a Value or a number, got undefined',
    });
    assert.throws(() => x.sub(null as unknown as number), {
      name: "TypeError",
      message: /op "sub": operand must be a Value or a number, got null/,
    });
  });

  it("follow IEEE math instead of throwing", () => {
    assert.ok(Number.isNaN(new Value(-1).log().data));
    assert.equal(new Value(0).log().data, -Infinity);
    assert.equal(new Value(1).div(0).data, Infinity);
    assert.ok(Number.isNaN(new Value(-8).pow(1 / 3).data));
  });

  it("leave the operands unchanged", () => {
    const a = new Value(2);
    const b = new Value(3);
    a.mul(b).add(a).tanh();
    assert.deepEqual([a.data, a.grad, b.data, b.grad], [2, 0, 3, 0]);
  });
});

describe("Value.inputs", () => {
  it("lists operands in order, as a new array each call", () => {
    const a = new Value(1);
    const b = new Value(2);
    const y = a.sub(b);
    assert.deepEqual(y.inputs, [a, b]);
    assert.notEqual(y.inputs, y.inputs);
    assert.deepEqual(a.neg().inputs, [a]);
  });
});

describe("Value.detach()", () => {
  it("returns a new leaf with the same data and no graph", () => {
    const x = new Value(2);
    const y = x.mul(x);
    const z = y.detach();
    assert.deepEqual([z.data, z.op, z.inputs.length, z.grad], [4, "", 0, 0]);
    z.mul(3).backward();
    assert.equal(z.grad, 3);
    assert.equal(x.grad, 0);
  });

  it("refuses to detach a non-finite value", () => {
    assert.throws(() => new Value(-1).sqrt().detach(), {
      name: "RangeError",
      message: "Cannot detach Value: data must be finite, got NaN",
    });
  });
});

describe("sum()", () => {
  it("is one n-ary node whose gradient is 1 to every input", () => {
    const a = new Value(1.5);
    const b = new Value(-2);
    const s = sum([a, b, a, 4]);
    assert.equal(s.op, "sum");
    assert.equal(s.inputs.length, 4);
    assert.equal(s.data, 1.5 - 2 + 1.5 + 4);
    s.backward();
    assert.deepEqual([a.grad, b.grad], [2, 1]);
  });

  it("of nothing is a node with data 0", () => {
    const s = sum([]);
    assert.deepEqual([s.data, s.op, s.inputs.length], [0, "sum", 0]);
    s.backward();
    assert.equal(s.grad, 1);
  });

  it("rejects a non-array and bad elements, naming the element", () => {
    assert.throws(() => sum(3 as unknown as number[]), {
      name: "TypeError",
      message: 'Cannot apply op "sum": values must be an array, got 3',
    });
    assert.throws(() => sum([new Value(1), "2" as unknown as number]), {
      name: "TypeError",
      message:
        'Cannot apply op "sum": input 1 must be a Value or a number, got string "2"',
    });
    assert.throws(() => sum([1, NaN]), {
      name: "RangeError",
      message: 'Cannot apply op "sum": input 1 must be finite, got NaN',
    });
  });

  it("does not see later changes to the array it was given", () => {
    const xs = [new Value(1), new Value(2)];
    const s = sum(xs);
    xs.push(new Value(3));
    assert.equal(s.inputs.length, 2);
  });
});

describe("mean()", () => {
  it("divides the sum by the count", () => {
    const xs = [new Value(1), new Value(2), new Value(6)];
    const m = mean(xs);
    assert.equal(m.data, 3);
    assert.equal(m.op, "div");
    m.backward();
    for (const x of xs) assert.equal(x.grad, 1 / 3);
  });

  it("of nothing is a RangeError", () => {
    assert.throws(() => mean([]), {
      name: "RangeError",
      message:
        "Cannot compute mean: values is empty, expected at least 1 value",
    });
  });
});
