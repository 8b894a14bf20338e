// A graph walk marks the nodes it reaches on their `_id` (engine/_ids.ts),
// the number the sweep orders op nodes by, and must take every mark off,
// also when it throws; a backward pass numbers the leaves it reaches from
// the same counter. These tests look at `_id` itself, and at gradients that
// would come out wrong if a number were left changed.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { compile, grad, sum, toDot, topo, Value } from "../engine/mod.ts";
import { Adam, SGD } from "../optim/mod.ts";

/** y = relu(x·w + b) + sum(x, w, 2)·x, with its leaves. */
function graph(): { x: Value; w: Value; b: Value; y: Value } {
  const x = new Value(1.5);
  const w = new Value(-0.5);
  const b = new Value(2);
  const y = x.mul(w).add(b).relu().add(sum([x, w, 2]).mul(x));
  return { x, w, b, y };
}

function ids(nodes: readonly Value[]): number[] {
  return nodes.map((node) => node._id);
}

describe("graph walks", () => {
  it("give every node its number back", () => {
    const { x, w, b, y } = graph();
    const nodes = topo(y);
    const before = ids(nodes);
    assert.ok(before.every((id) => id >= 0));
    topo(y);
    toDot(y);
    grad(y, [x, w], { createGraph: true }); // sweepOrder
    compile(y);
    new SGD([x, w, b], { lr: 0.1 });
    assert.deepEqual(ids(nodes), before);
  });

  it("give every parameter its number back when the check throws", () => {
    const { x, w, b } = graph();
    const before = ids([x, w, b]);
    assert.throws(() => new SGD([x, w, b, w], { lr: 0.1 }), {
      name: "RangeError",
      message: "Cannot create SGD: params[3] is the same Value as params[1]",
    });
    assert.throws(() => new Adam([x, 3 as unknown as Value], { lr: 0.1 }), {
      name: "TypeError",
    });
    assert.deepEqual(ids([x, w, b]), before);
  });

  it("leave backward() its closed-form gradients", () => {
    const { x, w, b, y } = graph();
    topo(y);
    new SGD([x, w, b], { lr: 0.1 });
    y.backward();
    // y = (x·w + b) + (x + w + 2)·x with x·w + b = 1.25 > 0:
    // dy/dx = w + (x + w + 2) + x, dy/dw = x + x, dy/db = 1.
    assert.equal(x.grad, -0.5 + (1.5 - 0.5 + 2) + 1.5);
    assert.equal(w.grad, 1.5 + 1.5);
    assert.equal(b.grad, 1);
  });
});

describe("leaf numbers", () => {
  it("are larger than any number given before the pass, and taken after it", () => {
    const { x, w, b, y } = graph();
    const made = new Value(0)._id;
    y.backward();
    const numbers = ids([x, w, b]);
    assert.ok(numbers.every((id) => id > made), `${numbers} > ${made}`);
    const next = new Value(0)._id;
    assert.ok(
      numbers.every((id) => next > id),
      `a node made after the pass (${next}) > ${numbers}`,
    );
  });

  it("count a leaf once per pass, whichever pass reached it before", () => {
    const { x, w, y } = graph();
    y.backward();
    const z = x.mul(x).mul(w); // dz/dx = 2xw, dz/dw = x²
    const gx = x.grad;
    const gw = w.grad;
    z.backward();
    assert.equal(x.grad, gx + 2 * 1.5 * -0.5);
    assert.equal(w.grad, gw + 1.5 * 1.5);
  });

  it("give grad() 0 for a leaf the pass did not reach", () => {
    const { x, y } = graph();
    const other = new Value(3);
    other.mul(2).backward(); // other now holds a leaf number
    const [dx, dother] = grad(y, [x, other]);
    assert.equal(dx.data, -0.5 + (1.5 - 0.5 + 2) + 1.5);
    assert.equal(dother.data, 0);
  });
});
