import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Value } from "../engine/mod.ts";
import { Adam, AdamW } from "../optim/mod.ts";
import { paramsCheckTests } from "./_params_check.ts";

function close(actual: number, expected: number, tol = 1e-12): void {
  assert.ok(
    Math.abs(actual - expected) <= tol,
    `expected ${expected}, got ${actual}`,
  );
}

describe("AdamW.step()", () => {
  it("shrinks p by 1 - lr * weightDecay before the Adam step", () => {
    const p = new Value(2);
    const opt = new AdamW([p], { lr: 0.1, weightDecay: 0.5 });
    p.grad = 3;
    opt.step();
    // p = 2 * (1 - 0.05) = 1.9, then the first Adam step: - 0.1 * 3 / (3 + eps)
    close(p.data, 1.9 - 0.1 * 3 / (3 + 1e-8));
  });

  it("decays geometrically with no gradient: p_T = (1 - lr wd)^T p_0", () => {
    // With g = 0, m = v = 0 and the Adam step is 0 / (0 + eps) = 0, so only
    // the decoupled decay acts (Adam's L2 decay would move p by about lr).
    const p = new Value(1);
    const opt = new AdamW([p], { lr: 0.01, weightDecay: 0.1 });
    for (let t = 1; t <= 50; t++) {
      p.grad = 0;
      opt.step();
      close(p.data, (1 - 0.001) ** t, 1e-14);
    }
  });

  it("equals Adam when weightDecay is 0", () => {
    const a = new Value(0.5);
    const b = new Value(0.5);
    const adam = new Adam([a], { lr: 0.05, beta1: 0.7 });
    const adamw = new AdamW([b], { lr: 0.05, beta1: 0.7, weightDecay: 0 });
    for (const g of [1, -2, 0.5, 3, -0.1]) {
      a.grad = g;
      b.grad = g;
      adam.step();
      adamw.step();
      assert.equal(b.data, a.data);
    }
  });

  it("uses the scheduled rate in the decay too, from step 0", () => {
    const calls: number[] = [];
    const p = new Value(1);
    const opt = new AdamW([p], {
      lr: (step) => {
        calls.push(step);
        return step === 0 ? 0.5 : 0.25;
      },
      weightDecay: 1,
    });
    p.grad = 0;
    opt.step(); // p = 1 * (1 - 0.5)
    opt.step(); // p = 0.5 * (1 - 0.25)
    assert.deepEqual(calls, [0, 1]);
    close(p.data, 0.375, 0);
  });
});

describe("new AdamW()", () => {
  it("uses torch's defaults, weightDecay 0.01", () => {
    const opt = new AdamW([new Value(1)], { lr: 0.001 });
    assert.deepEqual(
      [opt.beta1, opt.beta2, opt.eps, opt.weightDecay],
      [0.9, 0.999, 1e-8, 0.01],
    );
  });

  it("rejects bad options, naming AdamW", () => {
    assert.throws(
      () => new AdamW([new Value(1)], { lr: 0.1, weightDecay: -0.01 }),
      {
        name: "RangeError",
        message:
          "Cannot create AdamW: weightDecay must be in [0, Infinity), got -0.01",
      },
    );
    assert.throws(() => new AdamW([], { lr: 0.1 }), {
      name: "RangeError",
      message: "Cannot create AdamW: params is empty",
    });
  });

  paramsCheckTests("Cannot create AdamW", (ps) => new AdamW(ps, { lr: 0.1 }));
});

describe("AdamW.zeroGrad()", () => {
  it("sets every parameter's grad to 0", () => {
    const p = new Value(1);
    p.grad = 2;
    new AdamW([p], { lr: 0.1 }).zeroGrad();
    assert.equal(p.grad, 0);
  });
});
