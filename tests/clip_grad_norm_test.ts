import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Value } from "../engine/mod.ts";
import { clipGradNorm } from "../optim/mod.ts";
import ref from "./reference/optim_torch.json" with { type: "json" };
import { paramsCheckTests } from "./_params_check.ts";

/** Leaves holding the given gradients. */
function withGrads(grads: readonly number[]): Value[] {
  return grads.map((g) => {
    const p = new Value(0);
    p.grad = g;
    return p;
  });
}

describe("clipGradNorm()", () => {
  it("matches torch.nn.utils.clip_grad_norm_ (norms 2, 1, Infinity, 3; clipped or not)", () => {
    let worst = 0;
    for (const c of ref.clipGradNorm.cases) {
      const ps = withGrads(c.grads);
      const p = c.normType === "Infinity" ? Infinity : Number(c.normType);
      const total = clipGradNorm(ps, c.maxNorm, p);
      const what = `norm ${c.normType}, maxNorm ${c.maxNorm}`;
      assert.ok(
        Math.abs(total - c.total) <= 1e-15 * c.total,
        `${what}: total ${total}, torch ${c.total}`,
      );
      for (let i = 0; i < ps.length; i++) {
        const d = Math.abs(ps[i].grad - c.clipped[i]);
        worst = Math.max(worst, d);
        assert.ok(
          d <= 1e-15 * Math.max(1, Math.abs(c.clipped[i])),
          `${what}: grad ${i} ${ps[i].grad}, torch ${c.clipped[i]}`,
        );
      }
    }
    assert.ok(worst <= 1e-15);
  });

  it("scales by maxNorm / (total + 1e-6), so the new total is just under maxNorm", () => {
    const ps = withGrads([6, -8]); // 2-norm 10
    assert.equal(clipGradNorm(ps, 2), 10);
    const c = 2 / (10 + 1e-6);
    assert.deepEqual(ps.map((p) => p.grad), [6 * c, -8 * c]);
    assert.ok(Math.hypot(ps[0].grad, ps[1].grad) < 2);
  });

  it("leaves the gradients alone at or under the limit, and returns the total", () => {
    const ps = withGrads([1, -2, 2]); // 2-norm 3, 1-norm 5, inf-norm 2
    assert.equal(clipGradNorm(ps, 3), 3); // 3 / (3 + 1e-6) < 1: clipped, barely
    const after = ps.map((p) => p.grad);
    assert.ok(after[1] > -2 && after[1] < -2 + 1e-5);
    const qs = withGrads([1, -2, 2]);
    assert.equal(clipGradNorm(qs, 5.5, 1), 5);
    assert.equal(clipGradNorm(qs, 2.5, Infinity), 2);
    assert.deepEqual(qs.map((p) => p.grad), [1, -2, 2]);
  });

  it("takes the general p-norm, (sum |g|^p)^(1/p)", () => {
    const ps = withGrads([1, 2, 2]);
    const total = clipGradNorm(ps, 100, 4);
    assert.ok(Math.abs(total - (1 + 16 + 16) ** 0.25) < 1e-15);
  });

  it("measures huge and tiny gradients without overflow or underflow", () => {
    const big = withGrads([3e200, -4e200]);
    const total = clipGradNorm(big, 1);
    assert.ok(Math.abs(total - 5e200) <= 1e-15 * 5e200, `got ${total}`);
    assert.ok(Math.abs(big[0].grad - 0.6) < 1e-15);
    const tiny = withGrads([3e-200, 4e-200]);
    const t = clipGradNorm(tiny, 1, 2);
    assert.ok(Math.abs(t - 5e-200) <= 1e-15 * 5e-200, `got ${t}`);
    assert.equal(tiny[0].grad, 3e-200);
    assert.equal(clipGradNorm(withGrads([0, 0]), 1), 0);
  });

  it("returns 0 for an empty list, as torch", () => {
    assert.equal(clipGradNorm([], 1), 0);
  });

  it("rejects a non-finite gradient, naming it, and changes nothing", () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const ps = withGrads([10, bad, 3]);
      assert.throws(() => clipGradNorm(ps, 1), {
        name: "RangeError",
        message:
          `Cannot clip gradients: params[1].grad is ${bad}, expected a finite number`,
      });
      assert.equal(ps[0].grad, 10);
    }
  });

  it("rejects a bad maxNorm or normType", () => {
    const ps = withGrads([1]);
    for (const m of [0, -1, NaN]) {
      assert.throws(() => clipGradNorm(ps, m), {
        name: "RangeError",
        message: `Cannot clip gradients: maxNorm must be > 0, got ${m}`,
      });
    }
    assert.throws(() => clipGradNorm(ps, "1" as unknown as number), {
      name: "TypeError",
      message:
        'Cannot clip gradients: maxNorm must be a number, got string "1"',
    });
    for (const p of [0.5, 0, -Infinity, NaN]) {
      assert.throws(() => clipGradNorm(ps, 1, p), {
        name: "RangeError",
        message:
          `Cannot clip gradients: normType must be 1, 2, Infinity or another number >= 1, got ${p}`,
      });
    }
    assert.throws(() => clipGradNorm(ps, 1, "inf" as unknown as number), {
      name: "TypeError",
      message:
        'Cannot clip gradients: normType must be a number, got string "inf"',
    });
  });

  paramsCheckTests("Cannot clip gradients", (ps) => clipGradNorm(ps, 1));
});
