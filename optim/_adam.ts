// Internal: the update shared by Adam and AdamW, written as torch.optim.Adam
// computes it (single-tensor path), so the numbers match torch's closely.
import type { Value } from "../engine/value.ts";

/** Moment estimates of each parameter. */
export interface Moments {
  /** First moment m (mean of gradients). */
  m: Float64Array;
  /** Second moment v (mean of squared gradients). */
  v: Float64Array;
}

/**
 * One Adam step for every parameter, at step number t (from 0):
 *
 *   p = p * (1 - lr * decoupledDecay)            (AdamW only)
 *   g = g + l2 * p                                (Adam only)
 *   m = beta1 * m + (1 - beta1) * g               (torch: m.lerp(g, 1 - beta1))
 *   v = beta2 * v + (1 - beta2) * g²
 *   p = p - lr * mhat / (sqrt(vhat) + eps),  mhat = m / (1 - beta1^(t+1)),
 *                                            vhat = v / (1 - beta2^(t+1))
 *
 * The last line is evaluated as torch does:
 * p - (lr / bc1) * m / (sqrt(v) / sqrt(bc2) + eps).
 */
export function adamUpdate(
  params: readonly Value[],
  moments: Moments,
  t: number,
  lr: number,
  beta1: number,
  beta2: number,
  eps: number,
  l2: number,
  decoupledDecay: number,
): void {
  const { m, v } = moments;
  const bc1 = 1 - beta1 ** (t + 1);
  const bc2Sqrt = Math.sqrt(1 - beta2 ** (t + 1));
  const stepSize = lr / bc1;
  const shrink = 1 - lr * decoupledDecay;
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    if (decoupledDecay !== 0) p.data *= shrink;
    let g = p.grad;
    if (l2 !== 0) g += l2 * p.data;
    m[i] += (1 - beta1) * (g - m[i]);
    v[i] = beta2 * v[i] + (1 - beta2) * g * g;
    p.data -= stepSize * (m[i] / (Math.sqrt(v[i]) / bc2Sqrt + eps));
  }
}
