import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Value } from "../engine/mod.ts";
import { SGD } from "../optim/mod.ts";
import { paramsCheckTests } from "./_params_check.ts";

/** One step with the gradient set by hand. */
function stepWith(opt: SGD, grads: number[]): void {
  opt.params.forEach((p, i) => p.grad = grads[i]);
  opt.step();
}

function close(actual: number, expected: number, tol = 1e-12): void {
  assert.ok(
    Math.abs(actual - expected) <= tol,
    `expected ${expected}, got ${actual}`,
  );
}

describe("SGD.step()", () => {
  it("moves each parameter by -lr * grad", () => {
    const a = new Value(1);
    const b = new Value(-2);
    const opt = new SGD([a, b], { lr: 0.5 });
    stepWith(opt, [2, -4]);
    // 1 - 0.5 * 2 = 0, -2 - 0.5 * -4 = 0
    assert.deepEqual([a.data, b.data], [0, 0]);
    assert.equal(opt.steps, 1);
  });

  it("adds weightDecay * p to the gradient (L2)", () => {
    const p = new Value(2);
    const opt = new SGD([p], { lr: 0.1, weightDecay: 0.5 });
    stepWith(opt, [1]);
    // g = 1 + 0.5 * 2 = 2; p = 2 - 0.1 * 2
    close(p.data, 1.8);
  });

  it("keeps a momentum buffer b = momentum * b + g, starting at b = g", () => {
    const p = new Value(0);
    const opt = new SGD([p], { lr: 1, momentum: 0.9 });
    // constant g = 1: b = 1, 1.9, 2.71; p = -1, -2.9, -5.61
    const expected = [-1, -2.9, -5.61];
    for (const e of expected) {
      stepWith(opt, [1]);
      close(p.data, e);
    }
  });

  it("applies weight decay before momentum, as torch", () => {
    const p = new Value(1);
    const opt = new SGD([p], { lr: 0.1, momentum: 0.5, weightDecay: 1 });
    stepWith(opt, [0]);
    // step 0: g = 0 + 1 * 1 = 1, b = 1, p = 1 - 0.1 = 0.9
    close(p.data, 0.9);
    stepWith(opt, [0]);
    // step 1: g = 0.9, b = 0.5 * 1 + 0.9 = 1.4, p = 0.9 - 0.14 = 0.76
    close(p.data, 0.76);
  });

  it("follows the closed form x_t = (1 - lr a)^t x_0 on f = a x² / 2", () => {
    const a = 3;
    const lr = 0.1;
    const x = new Value(2);
    const opt = new SGD([x], { lr });
    for (let t = 1; t <= 30; t++) {
      const loss = x.mul(x).mul(a / 2);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      close(x.data, (1 - lr * a) ** t * 2);
    }
  });

  it("follows the heavy-ball closed form on f = a x² / 2", () => {
    // With momentum m the iterates obey x_{t+1} = (1 + m - lr a) x_t - m x_{t-1}
    // (since x_{t+1} = x_t - lr b_t and b_t = m b_{t-1} + a x_t), with
    // x_1 = (1 - lr a) x_0.
    const a = 2;
    const lr = 0.05;
    const m = 0.8;
    const x = new Value(1);
    const opt = new SGD([x], { lr, momentum: m });
    let prev = 1;
    let cur = 1;
    for (let t = 0; t < 40; t++) {
      const loss = x.mul(x).mul(a / 2);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      const next = t === 0
        ? (1 - lr * a) * cur
        : (1 + m - lr * a) * cur - m * prev;
      prev = cur;
      cur = next;
      close(x.data, cur);
    }
  });

  it("calls an lr schedule with the step number, from 0", () => {
    const calls: number[] = [];
    const p = new Value(0);
    const opt = new SGD([p], {
      lr: (step) => {
        calls.push(step);
        return step + 1;
      },
    });
    for (let i = 0; i < 3; i++) stepWith(opt, [1]);
    assert.deepEqual(calls, [0, 1, 2]);
    assert.equal(p.data, -(1 + 2 + 3));
  });

  it("accepts a schedule that returns 0 and changes nothing then", () => {
    const p = new Value(1);
    const opt = new SGD([p], { lr: () => 0 });
    stepWith(opt, [5]);
    assert.equal(p.data, 1);
  });

  it("rejects a bad rate from the schedule and updates nothing", () => {
    const p = new Value(1);
    const opt = new SGD([p], { lr: (step) => step === 1 ? -1 : 0.1 });
    stepWith(opt, [1]);
    const before = p.data;
    assert.throws(() => stepWith(opt, [1]), {
      name: "RangeError",
      message:
        "Cannot run SGD.step(): the lr schedule returned -1 at step 1, expected a finite number >= 0",
    });
    assert.equal(p.data, before);
    assert.equal(opt.steps, 1);
    const bad = new SGD([p], { lr: () => "0.1" as unknown as number });
    assert.throws(() => bad.step(), {
      name: "TypeError",
      message:
        'Cannot run SGD.step(): the lr schedule returned string "0.1" at step 0, expected a number',
    });
  });
});

describe("SGD.zeroGrad()", () => {
  it("sets every parameter's grad to 0", () => {
    const ps = [new Value(1), new Value(2)];
    ps[0].grad = 3;
    ps[1].grad = -1;
    new SGD(ps, { lr: 1 }).zeroGrad();
    assert.deepEqual(ps.map((p) => p.grad), [0, 0]);
  });
});

describe("new SGD()", () => {
  const p = [new Value(1)];
  it("stores its options with torch's defaults", () => {
    const opt = new SGD(p, { lr: 0.1 });
    assert.deepEqual([opt.lr, opt.momentum, opt.weightDecay, opt.steps], [
      0.1,
      0,
      0,
      0,
    ]);
  });

  it("rejects an lr that is not a positive number or a function", () => {
    for (const lr of [0, -0.1, NaN, Infinity]) {
      assert.throws(() => new SGD(p, { lr }), {
        name: "RangeError",
        message: `Cannot create SGD: lr must be a finite number > 0, got ${lr}`,
      });
    }
    assert.throws(() => new SGD(p, { lr: "0.1" as unknown as number }), {
      name: "TypeError",
      message:
        'Cannot create SGD: lr must be a number or a function, got string "0.1"',
    });
    assert.throws(() => new SGD(p, {} as { lr: number }), {
      name: "TypeError",
      message: /lr must be a number or a function, got undefined/,
    });
    assert.throws(() => new SGD(p, undefined as unknown as { lr: number }), {
      name: "TypeError",
      message:
        "Cannot create SGD: options must be an object with lr, got undefined",
    });
  });

  it("rejects momentum outside [0, 1) and negative weight decay", () => {
    assert.throws(() => new SGD(p, { lr: 1, momentum: 1 }), {
      name: "RangeError",
      message: "Cannot create SGD: momentum must be in [0, 1), got 1",
    });
    assert.throws(() => new SGD(p, { lr: 1, momentum: -0.1 }), {
      name: "RangeError",
      message: /momentum must be in \[0, 1\), got -0.1/,
    });
    assert.throws(() => new SGD(p, { lr: 1, weightDecay: -1 }), {
      name: "RangeError",
      message:
        "Cannot create SGD: weightDecay must be in [0, Infinity), got -1",
    });
    assert.throws(
      () => new SGD(p, { lr: 1, weightDecay: "0" as unknown as number }),
      {
        name: "TypeError",
        message:
          'Cannot create SGD: weightDecay must be a number, got string "0"',
      },
    );
  });

  it("rejects an empty, non-Value or repeating parameter list", () => {
    assert.throws(() => new SGD([], { lr: 1 }), {
      name: "RangeError",
      message: "Cannot create SGD: params is empty",
    });
    assert.throws(
      () => new SGD([new Value(1), 2 as unknown as Value], { lr: 1 }),
      {
        name: "TypeError",
        message: "Cannot create SGD: params[1] must be a Value, got 2",
      },
    );
    assert.throws(
      () => new SGD(new Value(1) as unknown as Value[], { lr: 1 }),
      {
        name: "TypeError",
        message:
          "Cannot create SGD: params must be an array of Values, got an object",
      },
    );
    const v = new Value(1);
    assert.throws(() => new SGD([v, new Value(2), v], { lr: 1 }), {
      name: "RangeError",
      message: "Cannot create SGD: params[2] is the same Value as params[0]",
    });
  });

  paramsCheckTests("Cannot create SGD", (ps) => new SGD(ps, { lr: 1 }));

  it("copies the parameter list", () => {
    const ps = [new Value(1)];
    const opt = new SGD(ps, { lr: 1 });
    ps.push(new Value(2));
    assert.equal(opt.params.length, 1);
  });
});
