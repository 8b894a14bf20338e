// Creation numbers start again from 0 after 2^30 - 1 (engine/value.ts), so
// that they stay small integers, which V8 keeps unboxed. A graph can then
// hold nodes made on both sides of the restart: numbered out of order, or
// two nodes with the same number. These tests make such graphs (with the
// internal _setNextId, instead of making 2^30 nodes) and check that every
// pass still gives the closed-form gradients, the same bits in every engine.
import { afterEach, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { backwardSteps, compile, grad, topo, Value } from "../engine/mod.ts";
import { _setNextId } from "../engine/value.ts";
import { sweepOrder } from "../engine/_sweep.ts";

const MAX_ID = 2 ** 30 - 1;

// Where the numbers were before each test: given back after it, above
// every node made before, so the tests leave no aliases behind.
let next = 0;
beforeEach(() => {
  next = new Value(0)._id + 1;
});
afterEach(() => {
  _setNextId(next);
});

/**
 * Runs backward(), then checks that grad(), backwardSteps(), and compile()'s
 * replays (typed-array and generated code) give the same bits.
 */
function backwardEverywhere(root: Value, leaves: readonly Value[]): number[] {
  const byGrad = grad(root, leaves).map((g) => g.data);
  for (const leaf of leaves) leaf.grad = 0;
  root.backward();
  const held = leaves.map((leaf) => leaf.grad);
  assert.deepEqual(byGrad, held, "grad() against backward()");
  for (const leaf of leaves) leaf.grad = 0;
  for (const _ of backwardSteps(root)) { /* run every step */ }
  assert.deepEqual(leaves.map((leaf) => leaf.grad), held, "backwardSteps()");
  for (const codegen of [false, true]) {
    for (const leaf of leaves) leaf.grad = 0;
    const tape = compile(root, { codegen });
    assert.ok(Object.is(tape.forward(), root.data), "replayed value");
    tape.backward();
    assert.deepEqual(
      leaves.map((leaf) => leaf.grad),
      held,
      `compile(root, { codegen: ${codegen} })`,
    );
  }
  return held;
}

/** What `make` returns, its nodes numbered from `id` on. */
function numbered<T>(id: number, make: () => T): T {
  _setNextId(id);
  return make();
}

describe("creation numbers", () => {
  it("start again from 0 after 2^30 - 1", () => {
    _setNextId(MAX_ID - 1);
    const ids = [new Value(1), new Value(2), new Value(3)].map((v) => v._id);
    assert.deepEqual(ids, [MAX_ID - 1, MAX_ID, 0]);
  });
});

describe("a graph with nodes from both sides of the restart", () => {
  it("a chain through the restart: the same bits as one made all after it", () => {
    const build = () => {
      let y = new Value(0.5);
      const a = new Value(0.9);
      const b = new Value(0.1);
      for (let i = 0; i < 50; i++) y = y.mul(a).add(b);
      return { y, leaves: [a, b] };
    };
    const plain = build();
    plain.y.backward();
    _setNextId(MAX_ID - 40); // the chain's 103 nodes run past MAX_ID
    const across = build();
    const ids = topo(across.y).map((node) => node._id);
    assert.ok(ids.includes(MAX_ID) && ids.includes(0), "made across it");
    const held = backwardEverywhere(across.y, across.leaves);
    assert.ok(Object.is(across.y.data, plain.y.data));
    assert.deepEqual(held, plain.leaves.map((leaf) => leaf.grad));
  });

  it("an op node made before it, used after: closed-form gradients", () => {
    const x = new Value(1.5);
    const y = new Value(-0.75);
    _setNextId(MAX_ID);
    const old = x.mul(y); // numbered MAX_ID
    const z = old.mul(x).add(old); // numbered 0 and 1: before `old`
    assert.ok(z._id < old._id);
    // z = (xy)x + xy: dz/dx = 2xy + y, dz/dy = x² + x, dz/d(xy) = x + 1
    assert.deepEqual(backwardEverywhere(z, [x, y]), [
      2 * 1.5 * -0.75 + -0.75,
      1.5 * 1.5 + 1.5,
    ]);
    z.backward();
    assert.equal(old.grad, 1.5 + 1);
    assert.equal(z.grad, 1);
  });

  it("an input numbered as its user: closed-form gradients", () => {
    const x = new Value(1.5);
    const y = new Value(-0.75);
    const o = numbered(100, () => x.mul(y));
    const [n, m] = numbered(99, () => {
      const n = x.add(y);
      return [n, n.mul(o)]; // 99, then 100, as its input o
    });
    assert.equal(m._id, o._id);
    // m = (x + y)xy: dm/dx = xy + (x + y)y, dm/dy = xy + (x + y)x
    assert.deepEqual(backwardEverywhere(m, [x, y]), [
      1.5 * -0.75 + (1.5 - 0.75) * -0.75,
      1.5 * -0.75 + (1.5 - 0.75) * 1.5,
    ]);
  });

  it("an input swept before a user numbered below it: closed-form gradients", () => {
    const x = new Value(1.5);
    const y = new Value(-0.75);
    const o = numbered(100, () => x.mul(y));
    const late = numbered(50, () => o.mul(x)); // after o, numbered below it
    const f = numbered(200, () => o.add(y).add(late)); // o is swept first
    // f = xy + y + xyx: df/dx = y + 2xy, df/dy = x + 1 + x²
    assert.deepEqual(backwardEverywhere(f, [x, y]), [
      -0.75 + 2 * 1.5 * -0.75,
      1.5 + 1 + 1.5 ** 2,
    ]);
    f.backward();
    assert.equal(o.grad, 1 + 1.5); // df/d(xy) = 1 + x
  });

  it("two unrelated nodes with the same number: closed-form gradients", () => {
    const x = new Value(1.5);
    const y = new Value(-0.75);
    const o = numbered(100, () => x.mul(y));
    const [n, d] = numbered(99, () => [x.add(y), x.sub(y)]); // d: 100, as o
    const f = n.mul(o).add(d.mul(x)); // (x + y)xy + (x - y)x
    assert.equal(d._id, o._id);
    assert.deepEqual(backwardEverywhere(f, [x, y]), [
      2 * 1.5 * -0.75 + 0.75 ** 2 + 2 * 1.5 + 0.75, // 2xy + y² + 2x - y
      2 * 1.5 * -0.75 + 1.5 ** 2 - 1.5, // 2xy + x² - x
    ]);
    f.backward();
    assert.equal(o.grad, 1.5 - 0.75); // df/d(xy) = x + y
    assert.equal(d.grad, 1.5); // df/d(x - y) = x
  });

  it("sweepOrder() still puts every op node before its inputs", () => {
    const x = new Value(2);
    _setNextId(MAX_ID - 2);
    let y = x.mul(3);
    for (let i = 0; i < 6; i++) y = y.add(x).mul(y);
    const order = sweepOrder(y);
    const place = new Map(order.map((node, i) => [node, i]));
    for (const node of order) {
      for (const input of node.inputs) {
        assert.ok(
          (place.get(input) as number) > (place.get(node) as number),
          "an input before its user",
        );
      }
    }
  });
});
