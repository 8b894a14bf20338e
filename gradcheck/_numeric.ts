// Internal: numerical derivatives for gradcheck and checkOp.
//
// The central difference D(h) = (f(x+h) - f(x-h)) / 2h has error c·h² + ...;
// one Richardson step R = (4 D(h/2) - D(h)) / 3 cancels the h² term. The
// estimate's own error is |D(h/2) - D(h)| / 3 (what Richardson removed, an
// upper bound on what is left) plus the rounding noise of the four f values
// divided by h. When that error is large next to the tolerance (a pole close
// by, the edge of the domain, a value that overflows), the step shrinks ten
// times and the estimate is taken again; the best attempt is kept.

/** A numerical derivative and a bound on its own error. */
export interface Estimate {
  /** The derivative estimate. */
  value: number;
  /** Truncation plus rounding error of the estimate. */
  error: number;
  /** The step h of the attempt kept (0 when no step was admissible). */
  step: number;
}

const EPSILON = Number.EPSILON;
const ATTEMPTS = 10;
const HALVINGS = 80;

/**
 * Central difference with one Richardson step, at `x`, starting from step
 * `h0`. `admissible(t)` says whether f may be evaluated at t (inside the
 * domain, not across a kink); the step halves until x ± h are admissible.
 * `target(d)` is the error small enough to stop shrinking at (a fraction of
 * the tolerance at d); attempts are ranked by error / target.
 */
export function centralDerivative(
  f: (t: number) => number,
  x: number,
  h0: number,
  admissible: (t: number) => boolean,
  target: (d: number) => number,
): Estimate {
  let best: Estimate = { value: NaN, error: Infinity, step: 0 };
  let bestScore = Infinity;
  let h = h0;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    h = admissibleStep(x, h, admissible, 1);
    if (h === 0) break;
    const xp = x + h;
    const xm = x - h;
    const xp2 = x + h / 2;
    const xm2 = x - h / 2;
    const fp = f(xp);
    const fm = f(xm);
    const fp2 = f(xp2);
    const fm2 = f(xm2);
    if (
      Number.isFinite(fp) && Number.isFinite(fm) && Number.isFinite(fp2) &&
      Number.isFinite(fm2) && xp2 > xm2
    ) {
      // The actual differences of the arguments, not 2h: x + h rounds.
      const d1 = (fp - fm) / (xp - xm);
      const d2 = (fp2 - fm2) / (xp2 - xm2);
      // d2 + (d2 - d1) / 3, not (4 d2 - d1) / 3, which overflows near 1e308.
      const value = d2 + (d2 - d1) / 3;
      const noise = 4 * EPSILON *
        Math.max(Math.abs(fp), Math.abs(fm), Math.abs(fp2), Math.abs(fm2)) /
        (xp2 - xm2);
      const error = Math.abs(d2 - d1) / 3 + noise;
      // Compare attempts by error over tolerance: a step across a pole
      // gives a small number with a small absolute error, all wrong.
      const score = error / target(value);
      if (
        best.step === 0 || !Number.isFinite(best.error) || score < bestScore
      ) {
        best = { value, error, step: h };
        bestScore = score;
      }
      if (score <= 1) break;
    } else if (!Number.isFinite(best.value)) {
      // Keep a non-finite estimate only if nothing better turns up, so a
      // function that is NaN everywhere near x reports NaN, not "no data".
      best = { value: (fp - fm) / (xp - xm), error: Infinity, step: h };
    }
    h /= 10;
  }
  return best;
}

/**
 * The two one-sided slopes at `x` (a kink), each of second order:
 * (-3 f(x) + 4 f(x+h) - f(x+2h)) / 2h to the right, mirrored to the left.
 */
export function oneSidedSlopes(
  f: (t: number) => number,
  x: number,
  h0: number,
  admissible: (t: number) => boolean,
): [left: number, right: number, noise: number] {
  const f0 = f(x);
  const hr = admissibleStep(x, h0, (t) => t <= x || admissible(t), 2);
  const hl = admissibleStep(x, h0, (t) => t >= x || admissible(t), 2);
  let size = Math.abs(f0);
  let right = NaN;
  let left = NaN;
  if (hr !== 0) {
    const f1 = f(x + hr);
    const f2 = f(x + 2 * hr);
    size = Math.max(size, Math.abs(f1), Math.abs(f2));
    right = (-3 * f0 + 4 * f1 - f2) / ((x + 2 * hr) - x);
  }
  if (hl !== 0) {
    const f1 = f(x - hl);
    const f2 = f(x - 2 * hl);
    size = Math.max(size, Math.abs(f1), Math.abs(f2));
    left = (3 * f0 - 4 * f1 + f2) / (x - (x - 2 * hl));
  }
  // Rounding noise of the two formulas: 8 ulps of the values over 2h.
  const h = Math.min(hr || Infinity, hl || Infinity);
  return [left, right, 8 * EPSILON * size / (2 * h)];
}

/** Halves `h` until x ± h·reach are admissible; 0 if that never happens. */
function admissibleStep(
  x: number,
  h: number,
  admissible: (t: number) => boolean,
  reach: number,
): number {
  for (let i = 0; i < HALVINGS; i++) {
    const far = h * reach;
    if (
      x + far !== x && admissible(x + far) && admissible(x - far) &&
      admissible(x + h) && admissible(x - h)
    ) {
      return h;
    }
    h /= 2;
  }
  return 0;
}
