import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { defineOp, sum, Value } from "../engine/mod.ts";

const close = (actual: number, expected: number, what = ""): void => {
  const tolerance = 1e-12 * Math.max(1, Math.abs(expected));
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${what}: got ${actual}, expected ${expected}`,
  );
};

describe("Value.backward() on micrograd's examples", () => {
  it("README / test_more_ops: g = 24.7041, dg/da = 138.8338, dg/db = 645.5773", () => {
    const a = new Value(-4.0);
    const b = new Value(2.0);
    let c = a.add(b);
    let d = a.mul(b).add(b.pow(3));
    c = c.add(c.add(1));
    c = c.add(new Value(1).add(c).add(a.neg()));
    d = d.add(d.mul(2).add(b.add(a).relu()));
    d = d.add(new Value(3).mul(d).add(b.sub(a).relu()));
    const e = c.sub(d);
    const f = e.pow(2);
    let g = f.div(2.0);
    g = g.add(new Value(10.0).div(f));
    g.backward();
    // By hand, at a = -4, b = 2 (b + a < 0 so its relu is 0, b - a > 0):
    //   c = 3a + 4b + 3 = -1,  d = 12(ab + b³) + b - a = 6,  e = c - d = -7
    //   g = e²/2 + 10/e² = 24.5 + 10/49
    //   dg/de = e - 20/e³ = -2381/343
    //   de/da = 4 - 12b = -20,  de/db = 3 - 12a - 36b² = -93
    close(g.data, 24.5 + 10 / 49, "g");
    close(a.grad, (-2381 / 343) * -20, "dg/da");
    close(b.grad, (-2381 / 343) * -93, "dg/db");
    assert.equal(g.data.toFixed(4), "24.7041");
    assert.equal(a.grad.toFixed(4), "138.8338");
    assert.equal(b.grad.toFixed(4), "645.5773");
  });

  it("test_sanity_check: y = -20, dy/dx = 46", () => {
    const x = new Value(-4.0);
    const z = new Value(2).mul(x).add(2).add(x);
    const q = z.relu().add(z.mul(x));
    const h = z.mul(z).relu();
    const y = h.add(q).add(q.mul(x));
    y.backward();
    // By hand, at x = -4: z = 3x + 2 = -10 < 0, so relu(z) = 0 and
    //   q = zx = 3x² + 2x = 40,  h = z² = 100,  y = h + q(1 + x) = -20
    //   dy/dx = 2z·3 + (6x + 2)(1 + x) + q = -60 + 66 + 40 = 46
    assert.equal(y.data, -20);
    assert.equal(x.grad, 46);
  });

  it("the lecture's neuron: o = tanh(x1 w1 + x2 w2 + b) = 0.7071", () => {
    const x1 = new Value(2);
    const x2 = new Value(0);
    const w1 = new Value(-3);
    const w2 = new Value(1);
    const b = new Value(6.8813735870195432);
    const o = x1.mul(w1).add(x2.mul(w2)).add(b).tanh();
    o.backward();
    // n = 0.8813735870195432 = atanh(1/√2), so o = 1/√2 and do/dn = 1 - o² = 1/2
    close(o.data, Math.SQRT1_2, "o");
    close(x1.grad, -3 * 0.5, "do/dx1");
    close(w1.grad, 2 * 0.5, "do/dw1");
    close(x2.grad, 1 * 0.5, "do/dx2");
    close(w2.grad, 0, "do/dw2");
  });
});

describe("Value.backward() with shared operands", () => {
  it("a + a gives 2 (the lecture's bug, fixed by accumulation)", () => {
    const a = new Value(3);
    a.add(a).backward();
    assert.equal(a.grad, 2);
  });

  it("a * a gives 2a", () => {
    const a = new Value(-3);
    a.mul(a).backward();
    assert.equal(a.grad, -6);
  });

  it("a / a gives 0", () => {
    const a = new Value(3);
    a.div(a).backward();
    assert.equal(a.grad, 0);
  });

  it("a value used three times sums three contributions", () => {
    const a = new Value(2);
    const b = a.mul(3);
    const y = b.mul(a).add(b).add(a.exp()); // 3a² + 3a + e^a
    y.backward();
    close(a.grad, 6 * 2 + 3 + Math.exp(2));
    close(b.grad, 2 + 1); // d/db (b·a + b) = a + 1
  });

  it("a diamond sends each path's gradient once", () => {
    const x = new Value(0.5);
    const u = x.sin();
    const v = x.cos();
    const y = u.mul(v); // sin x cos x, derivative cos 2x
    y.backward();
    close(x.grad, Math.cos(1));
  });
});

describe("Value.backward() semantics", () => {
  it("twice on one graph gives leaves exactly twice the gradient", () => {
    const a = new Value(1.5);
    const b = new Value(-2);
    const y = a.mul(b).add(a.tanh()).mul(a);
    y.backward();
    const once = [a.grad, b.grad];
    y.backward();
    assert.deepEqual([a.grad, b.grad], [2 * once[0], 2 * once[1]]);
  });

  it("resets intermediate gradients to this pass's value", () => {
    const a = new Value(2);
    const h = a.mul(3);
    const y = h.mul(h);
    y.backward();
    y.backward();
    assert.equal(h.grad, 2 * 6);
    assert.equal(y.grad, 1);
    assert.equal(a.grad, 2 * 36);
  });

  it("of a subexpression gives it gradient 1 and changes nothing above it", () => {
    const a = new Value(2);
    const h = a.mul(3);
    const y = h.add(1);
    y.backward();
    h.backward();
    assert.deepEqual([h.grad, y.grad, a.grad], [1, 1, 3 + 3]);
  });

  it("of a leaf adds 1 to its gradient", () => {
    const a = new Value(2);
    a.backward();
    a.backward();
    assert.equal(a.grad, 2);
  });

  it("rejects options of the wrong type", () => {
    const y = new Value(1).exp();
    assert.throws(
      () => y.backward({ checkFinite: "yes" as unknown as boolean }),
      {
        name: "TypeError",
        message:
          'Cannot run backward: checkFinite must be a boolean, got string "yes"',
      },
    );
    assert.throws(() => y.backward(3 as unknown as { checkFinite: boolean }), {
      name: "TypeError",
      message: "Cannot run backward: options must be an object, got 3",
    });
  });
});

describe("Value.backward() at scale", () => {
  it("goes through a chain of a million nodes", () => {
    // y_{k+1} = y_k * a + b, 500,000 times: 1,000,001 nodes besides a and b.
    const steps = 500_000;
    const a = new Value(0.999999);
    const b = new Value(1e-6);
    const x = new Value(1);
    let y = x;
    for (let i = 0; i < steps; i++) y = y.mul(a).add(b);
    y.backward();
    close(x.grad, 0.999999 ** steps, "dy/dx = a^n");
    // dy/db = 1 + a + ... + a^(n-1) = (1 - a^n) / (1 - a)
    const ratio = (1 - 0.999999 ** steps) / (1 - 0.999999);
    assert.ok(Math.abs(b.grad - ratio) <= 1e-6 * ratio);
  });

  it("goes through a sum of a million values", () => {
    const xs: Value[] = [];
    for (let i = 0; i < 1_000_000; i++) xs.push(new Value(i % 7));
    const s = sum(xs).mul(2);
    s.backward();
    assert.equal(s.data, 2 * 2_999_997); // 142,857 full cycles of 0..6 (21) + 0
    assert.equal(xs[0].grad, 2);
    assert.equal(xs[999_999].grad, 2);
  });
});

describe("Value.backward({ checkFinite: true })", () => {
  it("names the op and label of the first non-finite value", () => {
    const x = new Value(-1, { label: "x" });
    const l = x.log();
    l.label = "logx";
    const y = l.mul(2).exp();
    assert.throws(() => y.backward({ checkFinite: true }), {
      name: "RangeError",
      message:
        'Cannot run backward: op "log" (label "logx") produced a non-finite value: NaN',
    });
  });

  it("names a leaf whose data was set to a non-finite number", () => {
    const x = new Value(1, { label: "w" });
    x.data = Infinity;
    assert.throws(() => x.mul(2).backward({ checkFinite: true }), {
      name: "RangeError",
      message:
        'Cannot run backward: leaf (label "w") has a non-finite value: Infinity',
    });
  });

  it("names a leaf still holding a NaN gradient from an earlier pass, not the op that reads it", () => {
    const x = new Value(-1, { label: "w" });
    x.log().backward(); // d log(x)/dx = -1, fine; then make it NaN:
    x.sqrt().backward(); // sqrt(-1) is NaN: x.grad is NaN now
    assert.ok(Number.isNaN(x.grad));
    x.data = 2;
    assert.throws(() => x.mul(3).backward({ checkFinite: true }), {
      name: "RangeError",
      message:
        'Cannot run backward: leaf (label "w") already holds a non-finite gradient from an earlier pass: NaN; zero it first (zeroGrad() or grad = 0)',
    });
    assert.ok(Number.isNaN(x.grad), "the failed pass changed nothing");
  });

  it("ignores constants: x.pow(2) with x < 0 is healthy", () => {
    const x = new Value(-3);
    x.pow(2).backward({ checkFinite: true });
    assert.equal(x.grad, -6);
  });

  it("names the op whose derivative is not finite, and restores leaf grads", () => {
    const x = new Value(0, { label: "x" });
    x.grad = 5;
    const y = x.sqrt(); // value 0, derivative 1/(2·0) = Infinity
    y.label = "root";
    assert.throws(() => y.backward({ checkFinite: true }), {
      name: "RangeError",
      message:
        'Cannot run backward: op "sqrt" (label "root") produced a non-finite gradient: Infinity',
    });
    assert.equal(x.grad, 5);
  });

  it("names the op that made an op node's gradient infinite, whether that node is swept soon or much later", () => {
    const x = new Value(1e-300, { label: "x" });
    const w = new Value(1e300, { label: "w" });
    x.grad = 3;
    // soon: a, b and the root are made one after the other (no constants
    // between them), so each is swept right after its user.
    const a = x.add(x);
    const b = a.mul(w);
    b.label = "b";
    const root = b.mul(w); // d(root)/d(b) = 1e300, d(root)/d(a) = Infinity
    assert.throws(() => root.backward({ checkFinite: true }), {
      name: "RangeError",
      message:
        'Cannot run backward: op "mul" (label "b") produced a non-finite gradient: Infinity',
    });
    // much later: the 100 nodes made between c and d (the sweep keeps a
    // node that is less than 64 nodes ahead apart from the others).
    const c = x.add(x);
    for (let i = 0; i < 100; i++) x.mul(w);
    const d = c.mul(w);
    d.label = "d";
    assert.throws(() => d.mul(w).backward({ checkFinite: true }), {
      name: "RangeError",
      message:
        'Cannot run backward: op "mul" (label "d") produced a non-finite gradient: Infinity',
    });
    assert.deepEqual([x.grad, w.grad], [3, 0]);
  });

  it("names a leaf whose gradient overflows when this pass adds to it, and restores leaf grads", () => {
    const w = new Value(1.7e308, { label: "w" });
    const x = new Value(1e-300, { label: "x" });
    x.grad = 1.7e308;
    w.grad = 7;
    const y = x.mul(w); // dy/dx = 1.7e308: finite, but 1.7e308 + 1.7e308 is not
    assert.throws(() => y.backward({ checkFinite: true }), {
      name: "RangeError",
      message:
        'Cannot run backward: the gradient of leaf (label "x") overflowed to Infinity when this pass added 1.7e+308 to what it held',
    });
    assert.deepEqual([x.grad, w.grad], [1.7e308, 7]);
  });

  it("without the option, propagates IEEE values silently", () => {
    const x = new Value(0);
    x.sqrt().backward();
    assert.equal(x.grad, Infinity);
  });
});

describe("Value.backward() through user ops", () => {
  it("rejects derivatives that return the wrong count or type", () => {
    const bad = defineOp({
      name: "bad",
      forward: (a: number, b: number) => a + b,
      derivatives: () => [1],
    });
    assert.throws(() => bad(1, new Value(2)).backward(), {
      name: "TypeError",
      message:
        'Cannot run backward: op "bad" derivatives must return 2 numbers, got 1 value',
    });
    const worse = defineOp({
      name: "worse",
      forward: (a: number) => a,
      derivatives: () => ["1"] as unknown as number[],
    });
    assert.throws(() => worse(new Value(2)).backward(), {
      name: "TypeError",
      message:
        'Cannot run backward: op "worse" derivative 0 must be a number, got string "1"',
    });
  });

  it("refuses to start a backward pass from inside another one", () => {
    const other = new Value(2).mul(3);
    const nested = defineOp({
      name: "nested",
      forward: (x: number) => x,
      derivatives: () => {
        other.backward();
        return [1];
      },
    });
    assert.throws(() => nested(new Value(1)).backward(), {
      name: "Error",
      message:
        "Cannot run backward: another backward() is running (called from an op's derivatives)",
    });
    // The failed pass leaves nothing behind that breaks the next one.
    const x = new Value(3);
    const y = x.mul(x).add(x);
    y.backward();
    assert.equal(x.grad, 7);
    other.backward();
    assert.equal(other.grad, 1);
  });

  it("works again on the same graph after a pass that threw", () => {
    let fail = true;
    const flaky = defineOp({
      name: "flaky",
      forward: (x: number) => 2 * x,
      derivatives: () => {
        if (fail) throw new Error("boom");
        return [2];
      },
    });
    const x = new Value(1);
    const h = x.mul(x);
    const y = flaky(h).add(h);
    assert.throws(() => y.backward(), { message: "boom" });
    fail = false;
    x.grad = 0;
    y.backward();
    assert.equal(x.grad, 3 * 2 * 1); // y = 3x², dy/dx = 6x
  });

  it("leaves leaf gradients as they were when a user op's derivatives throw", () => {
    for (const checkFinite of [false, true]) {
      let calls = 0;
      const secondFails = defineOp({
        name: "second_fails",
        forward: (a: number) => a,
        derivatives: () => {
          if (++calls === 2) throw new Error("boom");
          return [1];
        },
      });
      const x = new Value(1);
      x.grad = 0.5;
      // Two nodes take x directly: whichever runs first sends its gradient
      // to x, then the other throws.
      const y = secondFails(x).add(secondFails(x));
      assert.throws(() => y.backward({ checkFinite }), { message: "boom" });
      assert.equal(calls, 2);
      assert.equal(x.grad, 0.5);
    }
  });
});
