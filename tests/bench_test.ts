// Correctness of the benchmark floor (bench/floor.ts): it must compute the
// same values and gradients as the engine on the same graphs, with the same
// node count, or its timings mean nothing. No timing is asserted here.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { topo } from "../engine/mod.ts";
import { Tape } from "../bench/floor.ts";
import { chain, SHAPES } from "../bench/_shapes.ts";
import {
  EngineMoons,
  FloorMoons,
  FloorReplayMoons,
  makeMoons,
  ReplayMoons,
} from "../bench/_moons.ts";
import { L1_READS, l1ReadNs, l1Reads } from "../bench/_l1_reads.ts";

describe("Tape.backward()", () => {
  it("routes the product rule and skips constants", () => {
    // y = a * b + 3 at a = 2, b = -5: dy/da = b = -5, dy/db = a = 2.
    const t = new Tape();
    const a = t.leaf(2);
    const b = t.leaf(-5);
    const c = t.constant(3);
    const y = t.add(t.mul(a, b), c);
    t.backward(y);
    assert.deepEqual([t.data[y], t.grad[a], t.grad[b], t.grad[c]], [
      -7,
      -5,
      2,
      0,
    ]);
  });

  it("accumulates into leaves across calls, as the engine does", () => {
    // y = a * a at a = 3: dy/da = 2a = 6 per call.
    const t = new Tape();
    const a = t.leaf(3);
    const y = t.mul(a, a);
    t.backward(y);
    t.backward(y);
    assert.equal(t.grad[a], 12);
  });

  it("differentiates sub, div, neg, relu, tanh and sum", () => {
    // y = sum(a - b, a / b, -a, relu(a), tanh(b)) at a = 2, b = 4:
    // dy/da = 1 + 1/b - 1 + 1 = 1.25
    // dy/db = -1 - a/b² + (1 - tanh(b)²) = -1.125 + 1 - tanh(4)²
    const t = new Tape();
    const a = t.leaf(2);
    const b = t.leaf(4);
    const y = t.sum([t.sub(a, b), t.div(a, b), t.neg(a), t.relu(a), t.tanh(b)]);
    t.backward(y);
    assert.equal(t.grad[a], 1.25);
    assert.ok(Math.abs(t.grad[b] - (-0.125 - Math.tanh(4) ** 2)) < 1e-15);
  });

  it("grows past its initial capacity", () => {
    // sum of 5000 leaves on a tape made for 4 nodes: every leaf gets 1.
    const t = new Tape(4);
    const leaves: number[] = [];
    for (let i = 0; i < 5000; i++) leaves.push(t.leaf(i));
    const y = t.sum(leaves);
    t.backward(y);
    assert.equal(t.size, 5001);
    assert.equal(t.data[y], (4999 * 5000) / 2);
    assert.ok(leaves.every((i) => t.grad[i] === 1));
  });
});

describe("chain shape", () => {
  it("matches the closed form for 3 steps", () => {
    // y = ((x0 a + b) a + b) a + b with [x0, a, b] = input.xs:
    // dy/dx0 = a³, dy/da = 3 x0 a² + 2 b a + b, dy/db = 1 + a + a².
    const input = chain.input(9);
    assert.equal(input.n, 3);
    const { tape, root } = chain.floor(input);
    tape.backward(root);
    const [x0, a, b] = input.xs;
    const close = (x: number, y: number): boolean => Math.abs(x - y) < 1e-12;
    assert.ok(close(tape.grad[0], a ** 3));
    assert.ok(close(tape.grad[1], 3 * x0 * a * a + 2 * b * a + b));
    assert.ok(close(tape.grad[2], 1 + a + a * a));
  });
});

describe("floor shapes", () => {
  for (const shape of SHAPES) {
    for (const size of [1, 2, 10, 101, 1000]) {
      it(`${shape.name} with about ${size} nodes: same nodes, values and gradients as the engine`, () => {
        const input = shape.input(size);
        const root = shape.engine(input);
        root.backward();
        const order = topo(root);
        const { tape, root: slot } = shape.floor(input);
        tape.backward(slot);
        assert.equal(order.length, input.nodes);
        assert.equal(tape.size, input.nodes);
        assert.equal(slot, tape.size - 1);
        assert.equal(tape.data[slot], root.data);
        // topo() order need not be creation order, so compare the
        // (value, gradient) pairs of all nodes as sorted lists.
        assert.deepEqual(
          pairs(order.map((v) => [v.data, v.grad])),
          pairs(
            Array.from({ length: tape.size }, (_, i) => [
              tape.data[i],
              tape.grad[i],
            ]),
          ),
        );
      });
    }
  }
});

function pairs(list: number[][]): number[][] {
  return list.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
}

describe("moonsStepFloor()", () => {
  it("does the engine's training step: same nodes, loss and updated parameters", () => {
    const data = makeMoons(20);
    const engine = new EngineMoons(data);
    const floor = new FloorMoons(data, engine.params);
    for (let step = 0; step < 3; step++) {
      const loss = engine.forward();
      const nodes = topo(loss).length;
      engine.update(loss);
      const f = floor.step();
      assert.equal(f.nodes, nodes);
      // Same operations; only the order in which a parameter's gradient
      // terms are added differs (reverse topo vs reverse tape order).
      assert.ok(Math.abs(f.loss - loss.data) <= 1e-12 * Math.abs(loss.data));
      for (let i = 0; i < engine.params.length; i++) {
        const e = engine.params[i].data;
        assert.ok(Math.abs(floor.params[i] - e) <= 1e-12 * (1 + Math.abs(e)));
      }
    }
  });
});

describe("the replayed moons steps", () => {
  it("floor replay, compile() and codegen take the object engine's steps", () => {
    const data = makeMoons(20);
    const engine = new EngineMoons(data);
    const floor = new FloorReplayMoons(data, engine.params);
    const tape = new ReplayMoons(new EngineMoons(data), false);
    const codegen = new ReplayMoons(new EngineMoons(data), true);
    assert.equal(codegen.tape.codegen, true);
    for (let step = 0; step < 5; step++) {
      const loss = engine.step();
      // compile()'s replays give the object engine's bits.
      assert.ok(Object.is(tape.step(), loss), `tape loss, step ${step}`);
      assert.ok(Object.is(codegen.step(), loss), `codegen loss, step ${step}`);
      // The floor adds a parameter's terms in another order.
      const f = floor.step();
      assert.ok(Math.abs(f - loss) <= 1e-12 * Math.abs(loss));
      for (let i = 0; i < engine.params.length; i++) {
        const e = engine.params[i].data;
        assert.ok(Object.is(tape.engine.params[i].data, e));
        assert.ok(Object.is(codegen.engine.params[i].data, e));
        assert.ok(Math.abs(floor.params[i] - e) <= 1e-12 * (1 + Math.abs(e)));
      }
    }
  });
});

describe("the L1-reads probe", () => {
  it("reads its 16 KiB of ones 32 times over, and times a read", () => {
    assert.equal(L1_READS, 32 * 2048);
    assert.equal(l1Reads(), L1_READS);
    const ns = l1ReadNs(3);
    assert.ok(Number.isFinite(ns) && ns > 0, String(ns));
  });
});
