import type { Value } from "../engine/value.ts";
import { describe } from "../engine/_validate.ts";
import { checkParams } from "./_check.ts";

/**
 * Clips gradients by their total norm, as `torch.nn.utils.clip_grad_norm_`:
 * computes the norm of all the parameters' gradients taken together, as if
 * they were one vector, and when it exceeds `maxNorm` scales every gradient
 * in place by `maxNorm / (total + 1e-6)`, so the total becomes just under
 * `maxNorm`. Under the limit nothing changes. Call it between `backward()`
 * and the optimizer's `step()`.
 *
 * ```text
 * total = (sum |g_i|^p)^(1/p)          (p = normType; p = Infinity: max |g_i|)
 * g_i = g_i * min(1, maxNorm / (total + 1e-6))
 * ```
 *
 * Unlike torch (by default), a NaN or infinite gradient is an error, not a
 * NaN total that then spreads to every gradient; and a total too large or
 * too small for the plain sum of squares (beyond about 1e154 or below
 * 1e-154) is computed with rescaling, so it is right rather than Infinity
 * or 0.
 *
 * @param params The parameters whose `grad` to clip (usually
 *   `model.parameters()`), distinct leaves; may be empty (the total is 0).
 * @param maxNorm The largest total norm to allow: a number > 0 (Infinity
 *   never clips, and only measures).
 * @param normType Which norm: 2 (Euclidean), 1 (sum of absolute values),
 *   Infinity (largest absolute value), or any other p >= 1.
 * @returns The total norm of the gradients before clipping.
 * @throws {TypeError} If `params` is not an array of leaf Values, or
 *   `maxNorm` or `normType` is not a number.
 * @throws {RangeError} If `params` repeats a Value, `maxNorm` <= 0,
 *   `normType` < 1, or a gradient is NaN or infinite (then no gradient is
 *   changed).
 * @example Scale the gradients down to a total 2-norm of 1
 * ```ts
 * import { clipGradNorm } from "@micrograd/micrograd/optim";
 * import { Value } from "@micrograd/micrograd/engine";
 * import assert from "node:assert/strict";
 *
 * const a = new Value(0);
 * const b = new Value(0);
 * a.grad = 3;
 * b.grad = 4; // total 2-norm: 5
 * const total = clipGradNorm([a, b], 1);
 * assert.equal(total, 5);
 * assert.ok(Math.abs(a.grad - 3 / (5 + 1e-6)) < 1e-15);
 * assert.ok(Math.abs(b.grad - 4 / (5 + 1e-6)) < 1e-15);
 * ```
 * @example Under the limit nothing changes
 * ```ts
 * import { clipGradNorm } from "@micrograd/micrograd/optim";
 * import { Value } from "@micrograd/micrograd/engine";
 * import assert from "node:assert/strict";
 *
 * const p = new Value(0);
 * p.grad = -0.5;
 * assert.equal(clipGradNorm([p], 1, Infinity), 0.5);
 * assert.equal(p.grad, -0.5);
 * ```
 */
export function clipGradNorm(
  params: readonly Value[],
  maxNorm: number,
  normType: number = 2,
): number {
  const action = "Cannot clip gradients";
  const ps = checkParams(action, params, true, false);
  if (typeof maxNorm !== "number") {
    throw new TypeError(
      `${action}: maxNorm must be a number, got ${describe(maxNorm)}`,
    );
  }
  if (!(maxNorm > 0)) {
    throw new RangeError(
      `${action}: maxNorm must be > 0, got ${describe(maxNorm)}`,
    );
  }
  if (typeof normType !== "number") {
    throw new TypeError(
      `${action}: normType must be a number, got ${describe(normType)}`,
    );
  }
  if (!(normType >= 1)) {
    throw new RangeError(
      `${action}: normType must be 1, 2, Infinity or another number >= 1, got ${
        describe(normType)
      }`,
    );
  }
  // Pass 1: every gradient finite, and the largest |g|.
  let largest = 0;
  for (let i = 0; i < ps.length; i++) {
    const g = ps[i].grad;
    if (!Number.isFinite(g)) {
      throw new RangeError(
        `${action}: params[${i}].grad is ${
          describe(g)
        }, expected a finite number`,
      );
    }
    const a = Math.abs(g);
    if (a > largest) largest = a;
  }
  let total: number;
  if (largest === 0 || normType === Infinity) {
    total = largest;
  } else if (largest > 1e-100 && largest < 1e100) {
    total = norm(ps, normType, 1);
  } else {
    // |g|^p would overflow or underflow: measure g / largest instead.
    total = largest * norm(ps, normType, largest);
  }
  const coefficient = maxNorm / (total + 1e-6);
  if (coefficient < 1) {
    for (let i = 0; i < ps.length; i++) ps[i].grad *= coefficient;
  }
  return total;
}

/** (sum |g_i / scale|^p)^(1/p), with p = 1 and p = 2 written out. */
function norm(ps: readonly Value[], p: number, scale: number): number {
  let s = 0;
  if (p === 2) {
    for (let i = 0; i < ps.length; i++) {
      const g = ps[i].grad / scale;
      s += g * g;
    }
    return Math.sqrt(s);
  }
  if (p === 1) {
    for (let i = 0; i < ps.length; i++) s += Math.abs(ps[i].grad / scale);
    return s;
  }
  for (let i = 0; i < ps.length; i++) s += Math.abs(ps[i].grad / scale) ** p;
  return s ** (1 / p);
}
