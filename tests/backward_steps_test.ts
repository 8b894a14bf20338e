import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  backwardSteps,
  grad,
  ops,
  sum,
  toDot,
  topo,
  Value,
} from "../engine/mod.ts";
import { Random } from "../nn/_random.ts";
import { randomGraph } from "./_random_graph.ts";

/** A random graph of 4 to 40 op nodes over 1 to 4 leaves. */
function graph(seed: number): { xs: Value[]; y: Value } {
  const { leaves, root } = randomGraph(seed, 4 + (seed % 37), 1 + (seed % 4));
  return { xs: leaves, y: root };
}

/** Two copies of the same random graph (same seed), for two passes. */
function twin(seed: number): [
  { xs: Value[]; y: Value },
  { xs: Value[]; y: Value },
] {
  return [graph(seed), graph(seed)];
}

/** Every node's .grad under `root`, in topo order. */
function gradsOf(root: Value): number[] {
  return topo(root).map((node) => node.grad);
}

function assertSameBits(ours: number[], theirs: number[], what: string): void {
  assert.equal(ours.length, theirs.length, what);
  ours.forEach((g, i) => {
    assert.ok(
      Object.is(g, theirs[i]),
      `${what}: node ${i}: ${g} vs ${theirs[i]}`,
    );
  });
}

/** The lecture's neuron: o = tanh(x1 w1 + x2 w2 + b). */
function neuron(): Record<string, Value> {
  const x1 = new Value(2, { label: "x1" });
  const x2 = new Value(0, { label: "x2" });
  const w1 = new Value(-3, { label: "w1" });
  const w2 = new Value(1, { label: "w2" });
  const b = new Value(6.8813735870195432, { label: "b" });
  const x1w1 = x1.mul(w1);
  const x2w2 = x2.mul(w2);
  const sum12 = x1w1.add(x2w2);
  const n = sum12.add(b);
  const o = n.tanh();
  return { x1, x2, w1, w2, b, x1w1, x2w2, sum12, n, o };
}

describe("backwardSteps()", () => {
  it("yields every op node once, each after all the nodes that use it", () => {
    for (let trial = 0; trial < 100; trial++) {
      const { y } = graph(2100 + trial);
      const nodes = topo(y);
      const opNodes = nodes.filter((v) => v.op !== "");
      const yielded = [...backwardSteps(y)];
      assert.equal(yielded[0], y);
      assert.equal(yielded.length, opNodes.length);
      assert.equal(new Set(yielded).size, yielded.length);
      assert.deepEqual(new Set(yielded), new Set(opNodes));
      // The sweep's order: a node comes after every node that uses it.
      const position = new Map(yielded.map((v, i) => [v, i]));
      for (const user of yielded) {
        for (const input of user.inputs) {
          if (input.op === "") continue;
          assert.ok(position.get(input)! > position.get(user)!);
        }
      }
    }
  });

  it("after each step, has added the node's local derivatives times its gradient into its inputs' .grad", () => {
    const random = new Random(22);
    for (let trial = 0; trial < 100; trial++) {
      const { xs, y } = graph(2200 + trial);
      // Leaves start with a gradient, to which the pass adds.
      for (const x of xs) x.grad = random.uniform(-1, 1);
      const before = new Map(xs.map((x) => [x, x.grad]));
      // Each node's gradient so far: its terms added up from 0, one at a
      // time; a leaf shows what it held plus that sum (as backward() adds
      // a leaf's whole sum to what it holds, as PyTorch does).
      const sums = new Map<Value, number>([[y, 1]]);
      const shown = (x: Value): number => {
        const sum = sums.get(x) ?? 0;
        return x.isLeaf ? (before.get(x) as number) + sum : sum;
      };
      for (const node of backwardSteps(y)) {
        assert.ok(Object.is(node.grad, shown(node)), "node's own grad");
        const inputs = node.inputs;
        const partials = ops[node.op].derivatives(
          inputs.map((x) => x.data),
          node.data,
        );
        const takesGrad = (x: Value): boolean => x.op !== "" || x.isLeaf;
        inputs.forEach((x, k) => {
          if (!takesGrad(x)) return; // a constant
          sums.set(x, (sums.get(x) ?? 0) + partials[k] * node.grad);
        });
        inputs.forEach((x, k) => {
          if (!takesGrad(x)) return;
          assert.ok(
            Object.is(x.grad, shown(x)),
            `graph ${trial}: input ${k} of "${node.op}": .grad ${x.grad}, expected ${
              shown(x)
            }`,
          );
        });
      }
    }
  });

  it("run to the end, leaves the gradients backward() leaves, bit for bit", () => {
    for (let seed = 0; seed < 200; seed++) {
      const [a, b] = twin(seed);
      a.y.backward();
      for (const _ of backwardSteps(b.y));
      assertSameBits(gradsOf(b.y), gradsOf(a.y), `fresh graph ${seed}`);
    }
  });

  it("accumulates into leaves that already hold gradients, as backward() does", () => {
    for (let seed = 0; seed < 200; seed++) {
      const [a, b] = twin(seed);
      const random = new Random(1000 + seed);
      a.xs.forEach((x, i) => {
        x.grad = b.xs[i].grad = random.uniform(-3, 3);
      });
      // and twice: the second pass adds to the first
      a.y.backward();
      a.y.backward();
      for (const _ of backwardSteps(b.y));
      for (const _ of backwardSteps(b.y));
      assertSameBits(gradsOf(b.y), gradsOf(a.y), `graph ${seed}`);
    }
  });

  it("steps through the lecture's neuron", () => {
    const v = neuron();
    const steps = backwardSteps(v.o);
    assert.equal(v.o.grad, 0); // a generator starts at the first next()
    assert.equal(steps.next().value, v.o);
    assert.equal(v.o.grad, 1);
    // do/dn = 1 - tanh(n)² = 0.5 (n = 0.8813735870195432 = atanh(1/√2))
    assert.ok(Math.abs(v.n.grad - 0.5) < 1e-15);
    assert.equal(v.b.grad, 0);
    assert.equal(steps.next().value, v.n);
    assert.equal(v.b.grad, v.n.grad);
    assert.equal(v.sum12.grad, v.n.grad);
    assert.equal(steps.next().value, v.sum12);
    assert.deepEqual([v.x1w1.grad, v.x2w2.grad], [v.n.grad, v.n.grad]);
    const rest = [...steps];
    assert.deepEqual(new Set(rest), new Set([v.x1w1, v.x2w2]));
    const close = (a: number, b: number): boolean => Math.abs(a - b) < 1e-15;
    assert.ok(close(v.x1.grad, -1.5));
    assert.ok(close(v.w1.grad, 1));
    assert.ok(close(v.x2.grad, 0.5));
    assert.equal(v.w2.grad, 0);
    // the same as backward()
    const u = neuron();
    u.o.backward();
    for (const name of Object.keys(u)) {
      assert.ok(Object.is(v[name].grad, u[name].grad), name);
    }
  });

  it("is not broken by topo(), toDot() or grad() between steps", () => {
    for (let seed = 0; seed < 50; seed++) {
      const [a, b] = twin(seed);
      a.y.backward();
      const nodes = topo(b.y);
      for (const node of backwardSteps(b.y)) {
        topo(b.y);
        toDot(b.y);
        toDot(node);
        // grad() walks (and renumbers) the same nodes; it changes no .grad
        grad(b.y, b.xs);
        grad(node, b.xs, { createGraph: true });
      }
      assertSameBits(nodes.map((n) => n.grad), gradsOf(a.y), `graph ${seed}`);
    }
  });

  it("sets op nodes' gradients to 0 before the first step, as backward() does", () => {
    const x = new Value(3);
    const h = x.mul(x);
    const y = sum([h, h.exp()]);
    h.grad = 99;
    y.grad = 99;
    const steps = backwardSteps(y);
    steps.next(); // y sent 1 into h and into h.exp()
    assert.equal(y.grad, 1);
    assert.equal(h.grad, 1);
    assert.equal(steps.next().value, y.inputs[1]); // h.exp() added e^9 * 1
    assert.equal(h.grad, 1 + Math.exp(9));
  });

  it("rejects a root that is not a Value on the first next()", () => {
    const steps = backwardSteps({ data: 1 } as unknown as Value);
    assert.throws(() => steps.next(), {
      name: "TypeError",
      message: /^Cannot step backward: root must be a Value, got an object$/,
    });
    assert.throws(() => backwardSteps(2 as unknown as Value).next(), {
      name: "TypeError",
      message: /^Cannot step backward: root must be a Value, got 2$/,
    });
  });
});
