// The sweep goes through the op nodes by creation number, newest first
// (engine/_sweep.ts). These tests cover what that order relies on: a node
// reused long after it was made (the pass then numbers the graph's own
// nodes), and the numbers surviving that.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  backwardSteps,
  compile,
  grad,
  sum,
  topo,
  Value,
} from "../engine/mod.ts";

/** Makes `count` nodes that no graph below uses. */
function makeUnrelated(count: number): void {
  let w = new Value(1);
  for (let i = 0; i < count / 2; i++) w = w.mul(1.000001).add(1e-9);
}

/** x·y made first, then 200,000 other nodes, then z = (x·y)·x + x·y. */
function farApart(x: Value, y: Value): { old: Value; z: Value } {
  const old = x.mul(y);
  makeUnrelated(200_000);
  return { old, z: old.mul(x).add(old) };
}

describe("backward() on a node made long before the rest of its graph", () => {
  it("gives the closed-form gradients: dz/dx = 2xy + y, dz/dy = x² + x", () => {
    const x = new Value(1.5);
    const y = new Value(-0.75);
    const { old, z } = farApart(x, y);
    z.backward();
    assert.equal(x.grad, 2 * 1.5 * -0.75 + -0.75);
    assert.equal(y.grad, 1.5 * 1.5 + 1.5);
    assert.equal(old.grad, 1.5 + 1); // dz/d(xy) = x + 1
    assert.equal(z.grad, 1);
  });

  it("agrees bit for bit with grad() and with compile()'s replays", () => {
    const x = new Value(0.3);
    const y = new Value(1.7);
    const { z } = farApart(x, y);
    const [gx, gy] = grad(z, [x, y]);
    z.backward();
    assert.ok(Object.is(gx.data, x.grad) && Object.is(gy.data, y.grad));
    for (const codegen of [false, true]) {
      const held = [x.grad, y.grad];
      x.grad = 0;
      y.grad = 0;
      const tape = compile(z, { codegen });
      assert.ok(Object.is(tape.forward(), z.data));
      tape.backward();
      assert.deepEqual([x.grad, y.grad], held);
    }
  });

  it("leaves the graph as it was: a later pass over a new graph is right too", () => {
    const x = new Value(2);
    const y = new Value(3);
    const { old, z } = farApart(x, y);
    // The pass numbers the graph's op nodes for itself, then gives each its
    // creation number (internal, `_id`) back.
    const ops = topo(z).filter((node) => node.op !== "");
    const made = ops.map((node) => node._id);
    z.backward();
    assert.deepEqual(ops.map((node) => node._id), made);
    // A new graph on the same old node, made right after: its order must
    // still put old after its users.
    const u = old.mul(old).add(z);
    x.grad = 0;
    y.grad = 0;
    u.backward();
    // u = (xy)² + x²y + xy: du/dx = 2xy² + 2xy + y, du/dy = 2x²y + x² + x
    assert.equal(x.grad, 2 * 2 * 9 + 2 * 2 * 3 + 3);
    assert.equal(y.grad, 2 * 4 * 3 + 4 + 2);
  });

  it("gives grad() 0 for an op node that is not under the output", () => {
    const x = new Value(2);
    const apart = x.mul(3);
    makeUnrelated(200_000);
    const near = x.mul(5);
    const [g1, g2, g3] = grad(near.add(1), [x, apart, near]);
    assert.deepEqual([g1.data, g2.data, g3.data], [5, 0, 1]);
  });
});

describe("the sweep's order", () => {
  it("is newest first among op nodes, whatever the shape of the graph", () => {
    const a = new Value(1);
    const b = new Value(2);
    const c = a.mul(b); // made first
    const d = b.add(3); // made second, used last
    const e = c.mul(a);
    const f = sum([e, d, c]);
    const steps = [...backwardSteps(f)];
    assert.deepEqual(steps, [f, e, d, c]);
    // Every node comes after all its users: the reverse of a topological
    // order, as topo() gives one.
    const position = new Map(steps.map((node, i) => [node, i]));
    for (const node of topo(f)) {
      for (const input of node.inputs) {
        if (position.has(input)) {
          assert.ok(
            (position.get(input) as number) > (position.get(node) as number),
          );
        }
      }
    }
  });
});
