import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CODEGEN_MAX_NODES,
  compile,
  defineOp,
  sum,
  type Tape,
  topo,
  Value,
} from "../engine/mod.ts";
import {
  generateReplay,
  SWITCH_MAX_KERNELS,
  type TapeArrays,
} from "../engine/_codegen.ts";
import { Random } from "../nn/_random.ts";
import { randomGraph } from "./_random_graph.ts";

const same = (a: number, b: number, what: string): void =>
  assert.ok(Object.is(a, b), `${what}: ${a} !== ${b}`);

/** New leaf values, in [-2, 2]. */
function newValues(random: Random, n: number): number[] {
  return Array.from({ length: n }, () => random.uniform(-2, 2));
}

/**
 * Gives `leaves` new values and gradients already held, replays `tape`, and
 * checks the value and every leaf's gradient bit for bit against backward()
 * on the graph `rebuild` makes from the same values, its leaves holding the
 * same gradients: both sides accumulate.
 */
function assertReplayMatches(
  tape: Tape,
  leaves: readonly Value[],
  rebuild: (values: number[]) => { leaves: Value[]; root: Value },
  random: Random,
  what: string,
): void {
  const values = newValues(random, leaves.length);
  const held = newValues(random, leaves.length);
  leaves.forEach((leaf, i) => {
    leaf.data = values[i];
    leaf.grad = held[i];
  });
  const y = tape.forward();
  tape.backward();
  const fresh = rebuild(values);
  fresh.leaves.forEach((leaf, i) => (leaf.grad = held[i]));
  fresh.root.backward();
  same(y, fresh.root.data, `${what} value`);
  leaves.forEach((leaf, i) =>
    same(leaf.grad, fresh.leaves[i].grad, `${what} d/dx${i}`)
  );
}

/** For assertReplayMatches: `build` run on new leaves holding `values`. */
function onNewLeaves(
  build: (leaves: Value[]) => Value,
): (values: number[]) => { leaves: Value[]; root: Value } {
  return (values) => {
    const leaves = values.map((x) => new Value(x));
    return { leaves, root: build(leaves) };
  };
}

describe("compile()", () => {
  for (const codegen of [false, true]) {
    it(`replays random graphs bit for bit as backward() on a rebuilt graph (codegen ${codegen})`, () => {
      const random = new Random(7);
      for (let seed = 1; seed <= 60; seed++) {
        const { leaves, root } = randomGraph(seed, 60, 5);
        const tape = compile(root, { codegen });
        assert.equal(tape.size, topo(root).length);
        for (let step = 0; step < 3; step++) {
          assertReplayMatches(
            tape,
            leaves,
            (values) => randomGraph(seed, 60, 5, values),
            random,
            `seed ${seed}`,
          );
        }
      }
    });
  }

  it("shares generated kernels between the repeated parts of a graph, bit for bit", () => {
    // A small network on 60 points, plus a sum of more than a kernel's
    // worth of inputs (a loop kernel) with constants and a repeated input.
    const random = new Random(11);
    const params = newValues(random, 13).map((x) => new Value(x));
    const build = (ps: Value[]): Value => {
      const points: Value[] = [];
      for (let i = 0; i < 60; i++) {
        const x = [Math.sin(i), Math.cos(3 * i)];
        const h1 = ps[0].mul(x[0]).add(ps[1].mul(x[1])).add(ps[2]).tanh();
        const h2 = ps[3].mul(x[0]).sub(ps[4].mul(x[1])).add(ps[5]).relu();
        const h3 = ps[6].mul(h1).add(ps[7].mul(h2)).div(ps[8].exp());
        points.push(h3.sub(i % 2 === 0 ? 1 : -1).pow(2));
      }
      const wide = [...ps, ...ps.map((p) => p.mul(0.5)), ps[0], 2, 3];
      const terms = [
        ...points,
        ...Array.from({ length: 50 }, () => wide)
          .flat()
          .map((p) => (typeof p === "number" ? new Value(p) : p).mul(ps[9])),
      ];
      return sum(terms).mul(ps[10]).add(
        sum([...ps, ...Array(4).fill(wide).flat()]),
      );
    };
    const root = build(params);
    const tape = compile(root, { codegen: true });
    assert.equal(tape.codegen, true);
    const replay = generateReplay(tape as unknown as TapeArrays);
    assert.ok(replay !== null);
    assert.ok(
      replay.kernels * 5 < replay.chunks,
      `${replay.kernels} kernels for ${replay.chunks} chunks`,
    );
    const rebuild = onNewLeaves(build);
    for (let step = 0; step < 3; step++) {
      assertReplayMatches(tape, params, rebuild, random, `step ${step}`);
    }
  });

  it("replays a graph with more kernels than its switch takes, bit for bit", () => {
    // Each op's inputs are picked at random among the 40 nodes made before
    // it, so few chunks repeat: the replay calls its kernels from an array.
    // Every op ends in tanh or a mean, so values stay finite.
    const build = (ps: Value[]): Value => {
      const random = new Random(3);
      const pool = [...ps];
      const pick = () =>
        pool[pool.length - 1 - Math.floor(random.uniform(0, 40))];
      for (let i = 0; i < 8000; i++) {
        const [a, b] = [pick(), pick()];
        const op = Math.floor(random.uniform(0, 5));
        pool.push(
          op === 0
            ? a.add(b).mul(0.5)
            : op === 1
            ? a.mul(b).tanh()
            : op === 2
            ? a.sub(b).tanh()
            : op === 3
            ? a.tanh()
            : a.mul(0.5).add(b.relu()).tanh(),
        );
      }
      return pool[pool.length - 1];
    };
    const random = new Random(13);
    const params = newValues(random, 40).map((x) => new Value(x));
    const tape = compile(build(params), { codegen: true });
    assert.equal(tape.codegen, true);
    const replay = generateReplay(tape as unknown as TapeArrays);
    assert.ok(
      replay !== null && replay.kernels > SWITCH_MAX_KERNELS,
      `${replay?.kernels} kernels`,
    );
    const rebuild = onNewLeaves(build);
    for (let step = 0; step < 2; step++) {
      assertReplayMatches(tape, params, rebuild, random, `step ${step}`);
      assert.ok(Number.isFinite(tape.forward()) && tape.forward() !== 0);
    }
  });

  it("reads each leaf once, in tape order, and bakes constants in", () => {
    const x = new Value(2);
    const w = new Value(3);
    const y = x.mul(w).add(x).mul(10);
    const tape = compile(y);
    assert.deepEqual(new Set(tape.leaves), new Set([x, w]));
    assert.equal(tape.leaves.length, 2);
    x.data = 1;
    assert.equal(tape.forward(), (1 * 3 + 1) * 10);
  });

  it("does not update the recorded op nodes", () => {
    const x = new Value(2);
    const h = x.mul(x);
    const y = h.tanh();
    const tape = compile(y);
    x.data = 5;
    tape.forward();
    tape.backward();
    assert.equal(h.data, 4);
    assert.equal(h.grad, 0);
    assert.equal(x.grad, (1 - Math.tanh(25) ** 2) * 10);
  });

  it("gives a leaf root gradient 1, and a constant root none", () => {
    const x = new Value(2);
    const tape = compile(x);
    assert.equal(tape.forward(), 2);
    tape.backward();
    assert.equal(x.grad, 1);
    // Codegen has no kernel to make for a tape of leaves only.
    const generated = compile(x, { codegen: true });
    assert.equal(generated.forward(), 2);
    generated.backward();
    assert.equal(x.grad, 2);
  });

  it("replays user ops through their forward and derivatives", () => {
    const cube = defineOp({
      name: "cube",
      forward: (x) => x ** 3,
      derivatives: ([x]) => [3 * x ** 2],
    });
    const x = new Value(2);
    const y = cube(x).add(cube(x.mul(2)));
    const tape = compile(y, { codegen: true });
    assert.equal(tape.codegen, false, "user ops replay from the typed arrays");
    x.data = 3;
    assert.equal(tape.forward(), 27 + 216);
    tape.backward();
    assert.equal(x.grad, 27 + 3 * 36 * 2);
  });

  it("replays sums and user ops next to each other, first and last, bit for bit", () => {
    // The replays run these ops outside their inner loop: a tape that starts
    // or ends with one, or holds several in a row, must still come out as
    // backward() does.
    const fma = defineOp({
      name: "fma",
      forward: (a, b, c) => a * b + c,
      derivatives: ([a, b]) => [b, a, 1],
    });
    const soft = defineOp({
      name: "soft",
      forward: (x) => x / (1 + Math.abs(x)),
      derivatives: ([x]) => [1 / (1 + Math.abs(x)) ** 2],
    });
    const pair = defineOp({
      name: "pair",
      forward: (a, b) => a * a - b,
      derivatives: ([a]) => [2 * a, -1],
    });
    const build = (ps: Value[]): Value => {
      const [p, q, r] = ps;
      const s1 = sum([p, q, 2]);
      const s2 = sum([s1, s1, r]);
      const u = fma(s2, soft(s1), pair(q, s2));
      const s3 = sum([u, fma(p, q, r), 0.5]);
      return sum([soft(s3), s3.mul(p), u]);
    };
    const random = new Random(5);
    const params = newValues(random, 3).map((x) => new Value(x));
    const tape = compile(build(params));
    const rebuild = onNewLeaves(build);
    for (let step = 0; step < 3; step++) {
      assertReplayMatches(tape, params, rebuild, random, `step ${step}`);
    }
    // A tape that is one sum of leaves: it starts with leaves and ends with
    // the sum.
    const xs = newValues(random, 4).map((x) => new Value(x));
    const only = compile(sum(xs));
    const rebuildSum = onNewLeaves(sum);
    assertReplayMatches(only, xs, rebuildSum, random, "sum of leaves");
  });

  it("replays the built-in ops outside the inner loop, in a row and with constant inputs, bit for bit", () => {
    // Only mul, add, relu and tanh run in the replays' inner loop; every
    // other op runs outside it, where a constant input still takes no
    // gradient.
    const build = (ps: Value[]): Value => {
      const [p, q, r] = ps;
      const base = r.abs().add(1);
      const u = p.sub(2).div(base).neg().exp(); // sub, div, neg, exp
      const w = base.pow(q).add(1).log().sqrt().sigmoid(); // pow of Values
      const z = p.pow(2).sub(q.sin()).cos(); // pow by a number
      const c = q.sub(0.5).div(4).pow(3); // constant second inputs
      const m = u.mul(w).add(z.tanh()).relu().mul(c);
      return m.sub(u.neg()).div(p.abs().add(0.5)); // the root divides
    };
    const random = new Random(9);
    const params = newValues(random, 3).map((x) => new Value(x));
    for (const codegen of [false, true]) {
      const tape = compile(build(params), { codegen });
      const rebuild = onNewLeaves(build);
      for (let step = 0; step < 3; step++) {
        assertReplayMatches(tape, params, rebuild, random, `step ${step}`);
      }
    }
  });

  it("leaves every leaf gradient as it was when a user op's derivatives throw", () => {
    let fail = false;
    const odd = defineOp({
      name: "odd",
      forward: (x) => 2 * x,
      derivatives: () => {
        if (fail) throw new Error("boom");
        return [2];
      },
    });
    const a = new Value(1);
    const b = new Value(2);
    const y = odd(a).mul(b);
    const tape = compile(y);
    a.grad = 0.5;
    b.grad = -0.25;
    fail = true;
    assert.throws(() => tape.backward(), /boom/);
    assert.deepEqual([a.grad, b.grad], [0.5, -0.25]);
  });

  it("falls back to the typed-array replay where new Function is forbidden", () => {
    const original = globalThis.Function;
    const x = new Value(0.5);
    const y = x.tanh().mul(x);
    let tape;
    try {
      // As a page whose Content-Security-Policy forbids eval would.
      globalThis.Function = function (): never {
        throw new EvalError("Code generation from strings disallowed");
      } as unknown as FunctionConstructor;
      tape = compile(y, { codegen: true });
    } finally {
      globalThis.Function = original;
    }
    assert.equal(tape.codegen, false);
    tape.backward();
    same(x.grad, (1 - Math.tanh(0.5) ** 2) * 0.5 + Math.tanh(0.5), "grad");
  });

  for (const steps of [50_000, 500_000]) {
    it(`compiles and replays a chain of ${2 * steps} nodes, with and without codegen`, () => {
      const a = new Value(0.999);
      const b = new Value(0.001);
      let y = new Value(0.5);
      for (let i = 0; i < steps; i++) y = y.mul(a).add(b);
      y.backward();
      const expected = [a.grad, b.grad];
      for (const codegen of [false, true]) {
        a.grad = 0;
        b.grad = 0;
        const tape = compile(y, { codegen });
        assert.equal(tape.size, 2 * steps + 3);
        // Past the size cap, codegen falls back to the typed arrays.
        assert.equal(tape.codegen, codegen && tape.size <= CODEGEN_MAX_NODES);
        same(tape.forward(), y.data, `value (codegen ${codegen})`);
        tape.backward();
        same(a.grad, expected[0], `d/da (codegen ${codegen})`);
        same(b.grad, expected[1], `d/db (codegen ${codegen})`);
      }
    });
  }

  it("rejects a root that is not a Value and bad options", () => {
    assert.throws(() => compile(42 as unknown as Value), {
      name: "TypeError",
      message: "Cannot compile: root must be a Value, got 42",
    });
    const x = new Value(1);
    assert.throws(
      () => compile(x, { codegen: "yes" as unknown as boolean }),
      {
        name: "TypeError",
        message: /codegen must be a boolean, got string "yes"/,
      },
    );
    assert.throws(
      () => compile(x, { fast: true } as unknown as { codegen: boolean }),
      { name: "TypeError", message: /unknown option "fast"/ },
    );
  });
});
