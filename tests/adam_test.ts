import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Value } from "../engine/mod.ts";
import { Adam, AdamW } from "../optim/mod.ts";
import { paramsCheckTests } from "./_params_check.ts";

function stepWith(opt: Adam, grads: number[]): void {
  opt.params.forEach((p, i) => p.grad = grads[i]);
  opt.step();
}

function close(actual: number, expected: number, tol = 1e-12): void {
  assert.ok(
    Math.abs(actual - expected) <= tol,
    `expected ${expected}, got ${actual}`,
  );
}

/**
 * The textbook update (Kingma and Ba, with torch's L2 decay), written
 * independently of optim/: returns the trajectory of one parameter.
 */
function reference(
  p0: number,
  grads: number[],
  { lr = 0.001, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0 } = {},
): number[] {
  let p = p0;
  let m = 0;
  let v = 0;
  const out: number[] = [];
  for (let t = 1; t <= grads.length; t++) {
    const g = grads[t - 1] + wd * p;
    m = b1 * m + (1 - b1) * g;
    v = b2 * v + (1 - b2) * g * g;
    const mhat = m / (1 - b1 ** t);
    const vhat = v / (1 - b2 ** t);
    p = p - lr * mhat / (Math.sqrt(vhat) + eps);
    out.push(p);
  }
  return out;
}

describe("Adam.step()", () => {
  it("moves by lr * g / (|g| + eps) on the first step (bias correction)", () => {
    const p = new Value(1);
    const opt = new Adam([p], { lr: 0.1 });
    stepWith(opt, [2]);
    // mhat = g, vhat = g²: without the correction the step would be
    // 0.1 * 0.1 * 2 / sqrt(0.001 * 4), about 3.2 times larger
    close(p.data, 1 - 0.1 * 2 / (2 + 1e-8));
  });

  it("matches two hand-computed steps", () => {
    const p = new Value(1);
    const opt = new Adam([p], { lr: 0.1 });
    stepWith(opt, [2]);
    stepWith(opt, [-1]);
    // m = 0.2 then 0.9 * 0.2 - 0.1 = 0.08; v = 0.004 then
    // 0.999 * 0.004 + 0.001 = 0.004996; mhat = 0.08 / 0.19,
    // vhat = 0.004996 / 0.001999
    const step2 = 0.1 * (0.08 / 0.19) /
      (Math.sqrt(0.004996 / 0.001999) + 1e-8);
    close(p.data, 1 - 0.1 * 2 / (2 + 1e-8) - step2);
  });

  it("follows the textbook update over many steps, with L2 decay and custom betas", () => {
    const grads = [0.5, -1.2, 3, 0.01, -0.3, 2.2, 0, 1, -4, 0.7];
    const options = { lr: 0.05, b1: 0.8, b2: 0.99, eps: 1e-6, wd: 0.1 };
    const p = new Value(0.3);
    const opt = new Adam([p], {
      lr: options.lr,
      beta1: options.b1,
      beta2: options.b2,
      eps: options.eps,
      weightDecay: options.wd,
    });
    const expected = reference(0.3, grads, options);
    for (let t = 0; t < grads.length; t++) {
      stepWith(opt, [grads[t]]);
      close(p.data, expected[t]);
    }
  });

  it("moves by exactly lr per step under a constant gradient (closed form)", () => {
    // With g constant, m_t = g (1 - b1^t) and v_t = g² (1 - b2^t), so
    // mhat = g and vhat = g²: x_T = x_0 - T lr g / (|g| + eps).
    const x = new Value(5);
    const opt = new Adam([x], { lr: 0.01, eps: 0 });
    for (let t = 1; t <= 100; t++) {
      const loss = x.mul(-3); // dloss/dx = -3
      opt.zeroGrad();
      loss.backward();
      opt.step();
      close(x.data, 5 + 0.01 * t, 1e-12);
    }
  });

  it("adds weightDecay * p to the gradient (L2), unlike AdamW", () => {
    const p = new Value(1);
    const opt = new Adam([p], { lr: 0.1, weightDecay: 0.01 });
    stepWith(opt, [0]);
    // g = 0.01 * 1, so the normalised step is about lr
    close(p.data, 1 - 0.1 * 0.01 / (0.01 + 1e-8));
  });

  it("minimises a quadratic", () => {
    const x = new Value(0);
    const opt = new Adam([x], { lr: (t) => 0.1 * 0.99 ** t });
    for (let t = 0; t < 500; t++) {
      const loss = x.sub(3).pow(2);
      opt.zeroGrad();
      loss.backward();
      opt.step();
    }
    close(x.data, 3, 1e-3);
  });

  it("calls an lr schedule with the step number, from 0", () => {
    const calls: number[] = [];
    const opt = new Adam([new Value(1)], {
      lr: (step) => {
        calls.push(step);
        return 0.1;
      },
    });
    for (let i = 0; i < 3; i++) stepWith(opt, [1]);
    assert.deepEqual(calls, [0, 1, 2]);
    assert.equal(opt.steps, 3);
  });

  it("rejects a bad rate from the schedule", () => {
    const opt = new Adam([new Value(1)], { lr: () => NaN });
    assert.throws(() => opt.step(), {
      name: "RangeError",
      message:
        "Cannot run Adam.step(): the lr schedule returned NaN at step 0, expected a finite number >= 0",
    });
  });
});

describe("Adam with decoupledWeightDecay", () => {
  it("is AdamW: the same trajectory bit for bit", () => {
    const a = [new Value(1.5), new Value(-0.5)];
    const b = [new Value(1.5), new Value(-0.5)];
    const adam = new Adam(a, {
      lr: 0.1,
      weightDecay: 0.2,
      decoupledWeightDecay: true,
    });
    const adamw = new AdamW(b, { lr: 0.1, weightDecay: 0.2 });
    for (const grads of [[1, -2], [0.5, 0.25], [-3, 1]]) {
      stepWith(adam, grads);
      stepWith(adamw, grads);
    }
    assert.deepEqual(a.map((p) => p.data), b.map((p) => p.data));
    // Without it the same decay is an L2 term, and the result differs.
    const c = [new Value(1.5), new Value(-0.5)];
    const l2 = new Adam(c, { lr: 0.1, weightDecay: 0.2 });
    for (const grads of [[1, -2], [0.5, 0.25], [-3, 1]]) stepWith(l2, grads);
    assert.notDeepEqual(c.map((p) => p.data), b.map((p) => p.data));
  });

  it("must be a boolean", () => {
    assert.throws(
      () =>
        new Adam([new Value(1)], {
          lr: 0.1,
          decoupledWeightDecay: "yes" as unknown as boolean,
        }),
      {
        name: "TypeError",
        message:
          'Cannot create Adam: decoupledWeightDecay must be a boolean, got string "yes"',
      },
    );
  });
});

describe("Adam.zeroGrad()", () => {
  it("sets every parameter's grad to 0", () => {
    const p = new Value(1);
    p.grad = 2;
    new Adam([p], { lr: 0.1 }).zeroGrad();
    assert.equal(p.grad, 0);
  });
});

describe("new Adam()", () => {
  const p = [new Value(1)];
  it("uses torch's defaults", () => {
    const opt = new Adam(p, { lr: 0.001 });
    assert.deepEqual(
      [opt.beta1, opt.beta2, opt.eps, opt.weightDecay],
      [0.9, 0.999, 1e-8, 0],
    );
  });

  it("rejects betas outside [0, 1), negative eps and weight decay, lr <= 0", () => {
    assert.throws(() => new Adam(p, { lr: 0.1, beta1: 1 }), {
      name: "RangeError",
      message: "Cannot create Adam: beta1 must be in [0, 1), got 1",
    });
    assert.throws(() => new Adam(p, { lr: 0.1, beta2: -0.5 }), {
      name: "RangeError",
      message: "Cannot create Adam: beta2 must be in [0, 1), got -0.5",
    });
    assert.throws(() => new Adam(p, { lr: 0.1, eps: -1e-8 }), {
      name: "RangeError",
      message: /eps must be in \[0, Infinity\), got -1e-8/,
    });
    assert.throws(() => new Adam(p, { lr: 0.1, weightDecay: -1 }), {
      name: "RangeError",
      message: /weightDecay must be in \[0, Infinity\), got -1/,
    });
    assert.throws(() => new Adam(p, { lr: 0 }), {
      name: "RangeError",
      message: "Cannot create Adam: lr must be a finite number > 0, got 0",
    });
    assert.throws(
      () => new Adam(p, { lr: 0.1, beta1: "0.9" as unknown as number }),
      {
        name: "TypeError",
        message: 'Cannot create Adam: beta1 must be a number, got string "0.9"',
      },
    );
  });

  it("rejects an empty or non-Value parameter list", () => {
    assert.throws(() => new Adam([], { lr: 0.1 }), {
      name: "RangeError",
      message: "Cannot create Adam: params is empty",
    });
    assert.throws(() => new Adam([null as unknown as Value], { lr: 0.1 }), {
      name: "TypeError",
      message: "Cannot create Adam: params[0] must be a Value, got null",
    });
  });

  paramsCheckTests("Cannot create Adam", (ps) => new Adam(ps, { lr: 0.1 }));
});
