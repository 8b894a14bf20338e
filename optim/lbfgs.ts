import { Value } from "../engine/value.ts";
import { describe } from "../engine/_validate.ts";
import { checkInteger, checkKnownKeys, checkParams } from "./_check.ts";

/** Options for {@linkcode LBFGS}; the defaults are torch's. */
export interface LBFGSOptions {
  /**
   * The step length: a finite number > 0. Without a line search every
   * iteration moves by `lr` times the L-BFGS direction (the very first by
   * `min(1, 1 / sum |g|) * lr`); with one, it is the line search's first
   * trial.
   *
   * @default {1}
   */
  lr?: number;
  /**
   * The most iterations one `step()` makes: an integer >= 1.
   *
   * @default {20}
   */
  maxIter?: number;
  /**
   * The most closure calls one `step()` makes (checked after each
   * iteration, so a line search may go a little past it): an integer >= 1.
   *
   * @default {floor(maxIter * 5 / 4)}
   */
  maxEval?: number;
  /**
   * Stop when the largest |gradient| is at most this: a number >= 0.
   *
   * @default {1e-7}
   */
  toleranceGrad?: number;
  /**
   * Stop when the loss or the parameters change by less than this, or the
   * directional derivative is above `-toleranceChange`: a number >= 0. As
   * in torch, the line search does not use it: it stops shrinking its
   * bracket below 1e-9.
   *
   * @default {1e-9}
   */
  toleranceChange?: number;
  /**
   * How many past (step, gradient change) pairs make up the curvature
   * model: an integer >= 1.
   *
   * @default {100}
   */
  historySize?: number;
  /**
   * `"strong_wolfe"` for a line search that finds a step meeting the strong
   * Wolfe conditions (c1 = 1e-4, c2 = 0.9, at most 25 trials), or null for
   * fixed steps of `lr`.
   *
   * @default {null}
   */
  lineSearchFn?: "strong_wolfe" | null;
}

const KNOWN = [
  "lr",
  "maxIter",
  "maxEval",
  "toleranceGrad",
  "toleranceChange",
  "historySize",
  "lineSearchFn",
];

/** What LBFGS keeps from one step to the next (torch's `state`). */
interface State {
  /** Iterations made so far, over all steps (torch: n_iter). */
  iterations: number;
  /** Closure calls so far, over all steps (torch: func_evals). */
  evaluations: number;
  /** The last direction, or null before the first iteration. */
  d: Float64Array | null;
  /** The last step length. */
  t: number;
  /** Gradient changes y = g_new - g_old, oldest first (torch: old_dirs). */
  ys: Float64Array[];
  /** Steps s = t * d, oldest first (torch: old_stps). */
  ss: Float64Array[];
  /** 1 / (y . s) for each pair (torch: ro). */
  rho: number[];
  /** The scale of the initial inverse Hessian, (y . s) / (y . y). */
  hDiag: number;
  /** The gradient at the start of the last iteration. */
  prevGrad: Float64Array | null;
  /** The loss at the start of the last iteration. */
  prevLoss: number;
}

/** x . y */
function dot(x: Float64Array, y: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
}

/** max |x_i| */
function maxAbs(x: Float64Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]);
    if (a > m || a !== a) m = a;
  }
  return m;
}

/**
 * The minimiser of the cubic through (x1, f1) and (x2, f2) with slopes g1
 * and g2, clamped to [low, high] (by default the interval between x1 and
 * x2); the middle of that interval when the cubic has no minimum. A port of
 * torch's `_cubic_interpolate`.
 */
function cubicInterpolate(
  x1: number,
  f1: number,
  g1: number,
  x2: number,
  f2: number,
  g2: number,
  low?: number,
  high?: number,
): number {
  const lo = low ?? (x1 <= x2 ? x1 : x2);
  const hi = high ?? (x1 <= x2 ? x2 : x1);
  const d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
  const d2Square = d1 * d1 - g1 * g2;
  if (d2Square >= 0) {
    const d2 = Math.sqrt(d2Square);
    const minPos = x1 <= x2
      ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
      : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return pyMin(pyMax(minPos, lo), hi);
  }
  return (lo + hi) / 2;
}

// Python's max(a, b) and min(a, b), which keep `a` unless `b` compares
// strictly beyond it (so a NaN `a` stays, as in torch).
function pyMax(a: number, b: number): number {
  return b > a ? b : a;
}
function pyMin(a: number, b: number): number {
  return b < a ? b : a;
}

/** Loss and gradient at x + t d (the parameters are put back at x). */
type Directional = (t: number) => [number, Float64Array];

/**
 * A line search along d for a step meeting the strong Wolfe conditions,
 * starting from step `t`; a port of torch's `_strong_wolfe` (from
 * torch/optim lswolfe.lua). Returns the loss, gradient and step found, and
 * how many evaluations it made.
 */
function strongWolfe(
  evaluate: Directional,
  t: number,
  d: Float64Array,
  f: number,
  g: Float64Array,
  gtd: number,
  c1 = 1e-4,
  c2 = 0.9,
  toleranceChange = 1e-9,
  maxLs = 25,
): [number, Float64Array, number, number] {
  const dNorm = maxAbs(d);
  let [fNew, gNew] = evaluate(t);
  let evals = 1;
  let gtdNew = dot(gNew, d);

  // Bracket an interval holding a point that meets the conditions.
  let tPrev = 0;
  let fPrev = f;
  let gPrev = g;
  let gtdPrev = gtd;
  let done = false;
  let lsIter = 0;
  let bracket: number[] = [];
  let bracketF: number[] = [];
  let bracketG: Float64Array[] = [];
  let bracketGtd: number[] = [];
  while (lsIter < maxLs) {
    if (fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev)) {
      bracket = [tPrev, t];
      bracketF = [fPrev, fNew];
      bracketG = [gPrev, gNew];
      bracketGtd = [gtdPrev, gtdNew];
      break;
    }
    if (Math.abs(gtdNew) <= -c2 * gtd) {
      bracket = [t];
      bracketF = [fNew];
      bracketG = [gNew];
      done = true;
      break;
    }
    if (gtdNew >= 0) {
      bracket = [tPrev, t];
      bracketF = [fPrev, fNew];
      bracketG = [gPrev, gNew];
      bracketGtd = [gtdPrev, gtdNew];
      break;
    }
    // Extrapolate: a cubic step between 1.01 t - 0.01 tPrev and 10 t.
    const minStep = t + 0.01 * (t - tPrev);
    const maxStep = t * 10;
    const tmp = t;
    t = cubicInterpolate(
      tPrev,
      fPrev,
      gtdPrev,
      t,
      fNew,
      gtdNew,
      minStep,
      maxStep,
    );
    tPrev = tmp;
    fPrev = fNew;
    gPrev = gNew;
    gtdPrev = gtdNew;
    [fNew, gNew] = evaluate(t);
    evals++;
    gtdNew = dot(gNew, d);
    lsIter++;
  }
  if (lsIter === maxLs) {
    bracket = [0, t];
    bracketF = [f, fNew];
    bracketG = [g, gNew];
    bracketGtd = [gtd, gtdNew];
  }

  // Zoom: shrink the bracket until a point meets the conditions.
  let insufficientProgress = false;
  let [low, high] = bracketF[0] <= bracketF[bracketF.length - 1]
    ? [0, 1]
    : [1, 0];
  while (!done && lsIter < maxLs) {
    if (Math.abs(bracket[1] - bracket[0]) * dNorm < toleranceChange) break;
    t = cubicInterpolate(
      bracket[0],
      bracketF[0],
      bracketGtd[0],
      bracket[1],
      bracketF[1],
      bracketGtd[1],
    );
    // Too close to an end of the bracket: after one such step (or when
    // outside it), move to 0.1 of the bracket's length from that end.
    const top = pyMax(bracket[0], bracket[1]);
    const bottom = pyMin(bracket[0], bracket[1]);
    const eps = 0.1 * (top - bottom);
    if (pyMin(top - t, t - bottom) < eps) {
      if (insufficientProgress || t >= top || t <= bottom) {
        t = Math.abs(t - top) < Math.abs(t - bottom) ? top - eps : bottom + eps;
        insufficientProgress = false;
      } else {
        insufficientProgress = true;
      }
    } else {
      insufficientProgress = false;
    }
    [fNew, gNew] = evaluate(t);
    evals++;
    gtdNew = dot(gNew, d);
    lsIter++;
    if (fNew > f + c1 * t * gtd || fNew >= bracketF[low]) {
      // Not enough decrease, or not below the lowest point: new high end.
      bracket[high] = t;
      bracketF[high] = fNew;
      bracketG[high] = gNew;
      bracketGtd[high] = gtdNew;
      [low, high] = bracketF[0] <= bracketF[1] ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(gtdNew) <= -c2 * gtd) {
        done = true;
      } else if (gtdNew * (bracket[high] - bracket[low]) >= 0) {
        // The old high end becomes the new low end.
        bracket[high] = bracket[low];
        bracketF[high] = bracketF[low];
        bracketG[high] = bracketG[low];
        bracketGtd[high] = bracketGtd[low];
      }
      bracket[low] = t;
      bracketF[low] = fNew;
      bracketG[low] = gNew;
      bracketGtd[low] = gtdNew;
    }
  }
  return [bracketF[low], bracketG[low], bracket[low], evals];
}

/**
 * L-BFGS, the limited-memory quasi-Newton method, with the semantics of
 * `torch.optim.LBFGS`: the same defaults, the same algorithm (two-loop
 * recursion over the last `historySize` steps, the same stopping rules) and
 * the same strong Wolfe line search, so it follows torch's trajectory step
 * by step.
 *
 * Each `step(closure)` runs up to `maxIter` iterations, calling the closure
 * to get the loss and gradients wherever it needs them. The closure must
 * zero the gradients, build the loss from the parameters' current `data`,
 * call `backward()` and return the loss. L-BFGS is made for full-batch,
 * deterministic problems (small models, curve fits), where it often needs
 * far fewer iterations than SGD or Adam; with a line search it needs no
 * learning rate tuning.
 *
 * It is not an {@linkcode Optimizer}: its `step` takes the closure.
 *
 * Unlike torch, a closure that returns something other than a Value, a loss
 * or gradient that is not finite, or a closure that throws stops the step
 * with an error, and the parameters (`data` and `grad`) and the optimizer's
 * state are put back as they were before the step.
 *
 * @example Minimise the Rosenbrock function
 * ```ts
 * import { LBFGS } from "@micrograd/micrograd/optim";
 * import { Value } from "@micrograd/micrograd/engine";
 * import assert from "node:assert/strict";
 *
 * const x = new Value(-1.5);
 * const y = new Value(2);
 * const opt = new LBFGS([x, y], { lineSearchFn: "strong_wolfe" });
 * const closure = (): Value => {
 *   opt.zeroGrad();
 *   const a = x.neg().add(1);
 *   const b = y.sub(x.mul(x));
 *   const loss = a.mul(a).add(b.mul(b).mul(100)); // (1 - x)² + 100 (y - x²)²
 *   loss.backward();
 *   return loss;
 * };
 * for (let i = 0; i < 3; i++) opt.step(closure);
 * assert.ok(Math.abs(x.data - 1) < 1e-4 && Math.abs(y.data - 1) < 1e-4);
 * ```
 */
export class LBFGS {
  /** The Values the optimizer updates, in the order given. */
  readonly params: readonly Value[];
  /** The step length (or the line search's first trial). */
  readonly lr: number;
  /** The most iterations per `step()`. */
  readonly maxIter: number;
  /** The most closure calls per `step()`. */
  readonly maxEval: number;
  /** Stop when the largest |gradient| is at most this. */
  readonly toleranceGrad: number;
  /** Stop when the loss or the parameters change by less than this. */
  readonly toleranceChange: number;
  /** How many past pairs make up the curvature model. */
  readonly historySize: number;
  /** The line search: `"strong_wolfe"`, or null for fixed steps. */
  readonly lineSearchFn: "strong_wolfe" | null;
  #state: State;

  /**
   * Creates the optimizer; checks every option.
   *
   * @param params The Values to update: a non-empty array of distinct leaf
   *   Values (usually `model.parameters()`).
   * @param options The step length, limits, tolerances, history size and
   *   line search; all optional, with torch's defaults.
   * @throws {TypeError} If `params` is not an array of leaf Values, `options`
   *   is not an object or has an unknown key (such as torch's `max_iter`),
   *   or an option has the wrong type.
   * @throws {RangeError} If `params` is empty or repeats a Value, `lr` is
   *   not a finite number > 0, `maxIter`, `maxEval` or `historySize` is not
   *   an integer >= 1, a tolerance is negative or not finite, or
   *   `lineSearchFn` is a string other than `"strong_wolfe"`.
   */
  constructor(params: readonly Value[], options: LBFGSOptions = {}) {
    const action = "Cannot create LBFGS";
    this.params = checkParams(action, params);
    if (typeof options !== "object" || options === null) {
      throw new TypeError(
        `${action}: options must be an object, got ${describe(options)}`,
      );
    }
    checkKnownKeys(action, options, KNOWN);
    const lr = options.lr ?? 1;
    if (typeof lr !== "number") {
      throw new TypeError(
        `${action}: lr must be a number, got ${describe(lr)}`,
      );
    }
    if (!(lr > 0) || !Number.isFinite(lr)) {
      throw new RangeError(
        `${action}: lr must be a finite number > 0, got ${describe(lr)}`,
      );
    }
    this.lr = lr;
    this.maxIter = checkInteger(action, "maxIter", options.maxIter ?? 20, 1);
    this.maxEval = checkInteger(
      action,
      "maxEval",
      options.maxEval ?? Math.floor(this.maxIter * 5 / 4),
      1,
    );
    this.toleranceGrad = checkTolerance(
      action,
      "toleranceGrad",
      options.toleranceGrad ?? 1e-7,
    );
    this.toleranceChange = checkTolerance(
      action,
      "toleranceChange",
      options.toleranceChange ?? 1e-9,
    );
    this.historySize = checkInteger(
      action,
      "historySize",
      options.historySize ?? 100,
      1,
    );
    const lineSearchFn: unknown = options.lineSearchFn ?? null;
    if (lineSearchFn !== null && typeof lineSearchFn !== "string") {
      throw new TypeError(
        `${action}: lineSearchFn must be "strong_wolfe" or null, got ${
          describe(lineSearchFn)
        }`,
      );
    }
    if (lineSearchFn !== null && lineSearchFn !== "strong_wolfe") {
      throw new RangeError(
        `${action}: lineSearchFn must be "strong_wolfe" or null, got ${
          describe(lineSearchFn)
        }`,
      );
    }
    this.lineSearchFn = lineSearchFn;
    this.#state = {
      iterations: 0,
      evaluations: 0,
      d: null,
      t: 0,
      ys: [],
      ss: [],
      rho: [],
      hDiag: 1,
      prevGrad: null,
      prevLoss: 0,
    };
  }

  /**
   * Iterations made so far, over all steps (torch: `state["n_iter"]`).
   *
   * @example Usage
   * ```ts
   * import { LBFGS } from "@micrograd/micrograd/optim";
   * import { Value } from "@micrograd/micrograd/engine";
   * import assert from "node:assert/strict";
   * const x = new Value(3);
   * const opt = new LBFGS([x], { maxIter: 4 });
   * opt.step(() => {
   *   opt.zeroGrad();
   *   const loss = x.mul(x);
   *   loss.backward();
   *   return loss;
   * });
   * assert.ok(opt.iterations >= 1 && opt.iterations <= 4);
   * ```
   */
  get iterations(): number {
    return this.#state.iterations;
  }

  /**
   * Closure calls made so far, over all steps (torch:
   * `state["func_evals"]`).
   *
   * @example Usage
   * ```ts
   * import { LBFGS } from "@micrograd/micrograd/optim";
   * import { Value } from "@micrograd/micrograd/engine";
   * import assert from "node:assert/strict";
   * const x = new Value(3);
   * const opt = new LBFGS([x]);
   * let calls = 0;
   * opt.step(() => {
   *   calls++;
   *   opt.zeroGrad();
   *   const loss = x.sub(1).pow(2);
   *   loss.backward();
   *   return loss;
   * });
   * assert.equal(opt.evaluations, calls);
   * ```
   */
  get evaluations(): number {
    return this.#state.evaluations;
  }

  /**
   * Runs one optimization step: up to `maxIter` L-BFGS iterations (fewer
   * when a stopping rule is met), calling `closure` for the loss and the
   * gradients at each point it visits.
   *
   * @param closure Zeroes the gradients, builds the loss from the
   *   parameters, calls `backward()` on it and returns it.
   * @returns The loss the closure returned first, at the parameters the step
   *   started from.
   * @throws {TypeError} If `closure` is not a function or returns something
   *   other than a Value.
   * @throws {RangeError} If a loss or a gradient is NaN or infinite.
   *   After any error, including one thrown by the closure, the parameters'
   *   `data` and `grad` and the optimizer's state are as they were before
   *   the step.
   * @example Fit a line in one step
   * ```ts
   * import { LBFGS } from "@micrograd/micrograd/optim";
   * import { mse } from "@micrograd/micrograd/nn";
   * import { Value } from "@micrograd/micrograd/engine";
   * import assert from "node:assert/strict";
   *
   * const a = new Value(0);
   * const b = new Value(0);
   * const xs = [0, 1, 2, 3];
   * const ys = xs.map((x) => 2 * x - 1);
   * const opt = new LBFGS([a, b], { lineSearchFn: "strong_wolfe" });
   * const first = opt.step(() => {
   *   opt.zeroGrad();
   *   const loss = mse(xs.map((x) => a.mul(x).add(b)), ys);
   *   loss.backward();
   *   return loss;
   * });
   * assert.equal(first.data, (1 + 1 + 9 + 25) / 4); // at a = b = 0
   * // it stops once the loss changes by less than toleranceChange (1e-9);
   * // torch stops at the same point: a = 2.0000078, b = -1.0000117
   * assert.ok(Math.abs(a.data - 2) < 1e-4 && Math.abs(b.data + 1) < 1e-4);
   * ```
   */
  step(closure: () => Value): Value {
    const action = "Cannot run LBFGS.step()";
    if (typeof closure !== "function") {
      throw new TypeError(
        `${action}: closure must be a function, got ${describe(closure)}`,
      );
    }
    const params = this.params;
    const n = params.length;
    // Everything a failed step must put back.
    const data = new Float64Array(n);
    const grads = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      data[i] = params[i].data;
      grads[i] = params[i].grad;
    }
    const saved: State = {
      ...this.#state,
      ys: this.#state.ys.slice(),
      ss: this.#state.ss.slice(),
      rho: this.#state.rho.slice(),
    };
    try {
      return this.#step(closure, action);
    } catch (error) {
      for (let i = 0; i < n; i++) {
        params[i].data = data[i];
        params[i].grad = grads[i];
      }
      this.#state = saved;
      throw error;
    }
  }

  /**
   * Sets every parameter's `grad` to 0.
   *
   * @example Usage
   * ```ts
   * import { LBFGS } from "@micrograd/micrograd/optim";
   * import { Value } from "@micrograd/micrograd/engine";
   * import assert from "node:assert/strict";
   * const p = new Value(1);
   * p.grad = 5;
   * new LBFGS([p]).zeroGrad();
   * assert.equal(p.grad, 0);
   * ```
   */
  zeroGrad(): void {
    const params = this.params;
    for (let i = 0; i < params.length; i++) params[i].grad = 0;
  }

  /** Calls the closure and checks its result; returns the loss Value. */
  #evaluate(closure: () => Value, action: string): Value {
    const loss: unknown = closure();
    if (!(loss instanceof Value)) {
      throw new TypeError(
        `${action}: the closure must return the loss as a Value, got ${
          describe(loss)
        }`,
      );
    }
    if (!Number.isFinite(loss.data)) {
      throw new RangeError(
        `${action}: the closure returned a loss of ${loss.data}, expected a finite number`,
      );
    }
    return loss;
  }

  /** The parameters' gradients as one vector (checked finite). */
  #gatherGrad(action: string): Float64Array {
    const params = this.params;
    const g = new Float64Array(params.length);
    for (let i = 0; i < params.length; i++) {
      const v = params[i].grad;
      if (!Number.isFinite(v)) {
        throw new RangeError(
          `${action}: params[${i}].grad is ${v} after the closure, expected a finite number`,
        );
      }
      g[i] = v;
    }
    return g;
  }

  /** p += t * d for every parameter. */
  #addGrad(t: number, d: Float64Array): void {
    const params = this.params;
    for (let i = 0; i < params.length; i++) params[i].data += t * d[i];
  }

  /** The step itself: torch's LBFGS.step, line for line. */
  #step(closure: () => Value, action: string): Value {
    const params = this.params;
    const n = params.length;
    const lr = this.lr;
    const maxIter = this.maxIter;
    const maxEval = this.maxEval;
    const toleranceGrad = this.toleranceGrad;
    const toleranceChange = this.toleranceChange;
    const historySize = this.historySize;
    const state = this.#state;

    const origLoss = this.#evaluate(closure, action);
    let loss = origLoss.data;
    let currentEvals = 1;
    state.evaluations++;
    let flatGrad = this.#gatherGrad(action);
    let optCond = maxAbs(flatGrad) <= toleranceGrad;
    if (optCond) return origLoss;

    let d = state.d;
    let t = state.t;
    let ys = state.ys;
    let ss = state.ss;
    let rho = state.rho;
    let hDiag = state.hDiag;
    let prevGrad = state.prevGrad;
    let prevLoss = state.prevLoss;

    let nIter = 0;
    while (nIter < maxIter) {
      nIter++;
      state.iterations++;

      // The descent direction.
      if (state.iterations === 1 || d === null || prevGrad === null) {
        d = new Float64Array(n);
        for (let i = 0; i < n; i++) d[i] = -flatGrad[i];
        ys = [];
        ss = [];
        rho = [];
        hDiag = 1;
      } else {
        const y = new Float64Array(n);
        const s = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          y[i] = flatGrad[i] - prevGrad[i];
          s[i] = d[i] * t;
        }
        const yDotS = dot(y, s);
        if (yDotS > 1e-10) {
          if (ys.length === historySize) {
            ys.shift();
            ss.shift();
            rho.shift();
          }
          ys.push(y);
          ss.push(s);
          rho.push(1 / yDotS);
          hDiag = yDotS / dot(y, y);
        }
        // Two-loop recursion: d = -H g.
        const count = ys.length;
        const al = new Float64Array(count);
        const q = new Float64Array(n);
        for (let i = 0; i < n; i++) q[i] = -flatGrad[i];
        for (let k = count - 1; k >= 0; k--) {
          al[k] = dot(ss[k], q) * rho[k];
          const a = al[k];
          const yk = ys[k];
          for (let i = 0; i < n; i++) q[i] += -a * yk[i];
        }
        const r = new Float64Array(n);
        for (let i = 0; i < n; i++) r[i] = q[i] * hDiag;
        for (let k = 0; k < count; k++) {
          const be = dot(ys[k], r) * rho[k];
          const c = al[k] - be;
          const sk = ss[k];
          for (let i = 0; i < n; i++) r[i] += c * sk[i];
        }
        d = r;
      }
      prevGrad = flatGrad.slice();
      prevLoss = loss;

      // The step length.
      if (state.iterations === 1) {
        let sumAbs = 0;
        for (let i = 0; i < n; i++) sumAbs += Math.abs(flatGrad[i]);
        t = pyMin(1, 1 / sumAbs) * lr;
      } else {
        t = lr;
      }
      const gtd = dot(flatGrad, d);
      if (gtd > -toleranceChange) break;

      let lsEvals = 0;
      if (this.lineSearchFn !== null) {
        const x = new Float64Array(n);
        for (let i = 0; i < n; i++) x[i] = params[i].data;
        const dir = d;
        const evaluate: Directional = (step) => {
          this.#addGrad(step, dir);
          const value = this.#evaluate(closure, action).data;
          const g = this.#gatherGrad(action);
          for (let i = 0; i < n; i++) params[i].data = x[i];
          return [value, g];
        };
        // As torch, the line search keeps its own toleranceChange of 1e-9
        // (LBFGS.step does not pass the option on).
        [loss, flatGrad, t, lsEvals] = strongWolfe(
          evaluate,
          t,
          d,
          loss,
          flatGrad,
          gtd,
        );
        this.#addGrad(t, d);
        optCond = maxAbs(flatGrad) <= toleranceGrad;
      } else {
        this.#addGrad(t, d);
        if (nIter !== maxIter) {
          loss = this.#evaluate(closure, action).data;
          flatGrad = this.#gatherGrad(action);
          optCond = maxAbs(flatGrad) <= toleranceGrad;
          lsEvals = 1;
        }
      }
      currentEvals += lsEvals;
      state.evaluations += lsEvals;

      // Stopping rules.
      if (nIter === maxIter) break;
      if (currentEvals >= maxEval) break;
      if (optCond) break;
      let change = 0;
      for (let i = 0; i < n; i++) {
        const c = Math.abs(d[i] * t);
        if (c > change) change = c;
      }
      if (change <= toleranceChange) break;
      if (Math.abs(loss - prevLoss) < toleranceChange) break;
    }

    state.d = d;
    state.t = t;
    state.ys = ys;
    state.ss = ss;
    state.rho = rho;
    state.hDiag = hDiag;
    state.prevGrad = prevGrad;
    state.prevLoss = prevLoss;
    return origLoss;
  }
}

/** Checks a tolerance: a finite number >= 0. */
function checkTolerance(action: string, field: string, x: unknown): number {
  if (typeof x !== "number") {
    throw new TypeError(
      `${action}: ${field} must be a number, got ${describe(x)}`,
    );
  }
  if (!(x >= 0) || !Number.isFinite(x)) {
    throw new RangeError(
      `${action}: ${field} must be a finite number >= 0, got ${describe(x)}`,
    );
  }
  return x;
}
