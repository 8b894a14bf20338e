import { type Op, type OpFunction, ops } from "../engine/mod.ts";
import { Random } from "../nn/_random.ts";
import { diagnose } from "./_diagnose.ts";
import { LocalChecker, resolve, type Target } from "./_local.ts";
import { readOptions } from "./_options.ts";
import type { GradcheckOptions, GradcheckReport } from "./gradcheck.ts";

// Edge values tried for every input: near zero, ordinary, saturating
// (tanh(20), sigmoid(-30)), large, past exp's overflow (e^709.78), and far
// out to 1e300. Points where the op is undefined or not finite are dropped;
// for each input and sign, the largest magnitude where the forward is
// still finite is found by bisection and added (exp: 709.78).
const EDGES = [
  0,
  1e-8,
  -1e-8,
  1e-3,
  -1e-3,
  1,
  -1,
  20,
  -20,
  30,
  -30,
  100,
  -100,
  700,
  -700,
  709,
  -709,
  710,
  -710,
  1e3,
  -1e3,
  1e10,
  -1e10,
  1e300,
  -1e300,
];
// Edge values up to this magnitude are also tried as every input at once;
// beyond it only one input at a time (the others ORDINARY), as a product
// of two values near 1e300 overflows in any formula.
const ALL_AT_ONCE = 1e3;
// The other inputs of a binary (or wider) op at an edge point.
const ORDINARY = 1.5;
// Distances from each kink, on both sides, at which points are added.
const NEAR_KINK = [1e-2, 1e-4, 1e-6];
// Random points closer than this to a kink are drawn again.
const KINK_CLEARANCE = 1e-6;
// Input counts cycled through for an n-ary op (sum).
const NARY_SIZES = [3, 1, 2, 5];
const TRIES = 1000;
const REPEATED_POINTS = 8;
const RERUN_POINTS = 4;

/**
 * Checks one op's derivatives against central differences, through the
 * engine's `backward()` (so the fast paths of the built-in ops are what is
 * checked), at seeded points:
 *
 * - `samples` random points inside the op's `domain` (an n-ary op such as
 *   `sum` with 3, 1, 2 and 5 inputs in turn), kept clear of its `kinks`;
 * - edge points where the op is finite: near zero, saturation (tanh(20),
 *   sigmoid(-30)), around exp's overflow (±709, ±710), ±1e3, ±1e10 and
 *   ±1e300, one input at a time, plus, per input and sign, the largest
 *   magnitude where the forward is still finite (found by bisection);
 * - points within 1e-2, 1e-4 and 1e-6 of each kink on both sides, with
 *   the step shrunk so the difference stays on one side;
 * - each kink itself, where the analytic value must lie between the two
 *   one-sided slopes (so relu'(0) = 0 and |x|'(0) = 0 pass).
 *
 * It also checks what one evaluation cannot show: the local derivative is
 * multiplied by the upstream gradient (the output times a random g is the
 * root), one Value passed as every operand accumulates (`a * a`, `a / a`),
 * and `backward()` twice on one graph gives the same bits (no state kept
 * between calls). For an op with `derivativeValues`, at every point it also
 * builds the op on fresh Values, calls `derivativeValues` on them and checks
 * each entry's `.data` against the number `derivatives` gives
 * (`"derivativeValues"` checks): they are the same math and must agree to
 * rounding, bit for bit for the built-in ops. (Whether they also
 * differentiate right, a second derivative, is for
 * {@linkcode gradgradcheck}.) NaN or Infinity is a failure with status
 * `"non-finite"`. Same seed, same report.
 *
 * Each check is judged against the numerical estimate's own error bound
 * (see {@linkcode CheckStatus}), widened where the op's derivative curves
 * within the difference step, so a point where no step can resolve the
 * derivative (sin at 1e300) is `"inconclusive"`, not a false failure.
 * When checks fail, `report.diagnosis` names the kind of mistake if the
 * pattern of failures shows one.
 *
 * @param op A built-in op from `ops`, an `OpFunction` from `defineOp`, or
 *   an `Op` object (`fn.op`).
 * @param options Tolerances, step, number of samples, seed, constant inputs.
 * @returns The report, named after the op.
 * @throws {TypeError} If `op` is not an Op or an OpFunction, an option
 *   has the wrong type, or its `derivativeValues` return something other
 *   than one Value per input (the message names the op and the point).
 * @throws {RangeError} If an option is out of range, every input is
 *   constant, or no point inside the op's domain turns up in 1000 tries.
 * @example Checking a custom op
 * ```ts
 * import { defineOp } from "@micrograd/micrograd/engine";
 * import { checkOp } from "@micrograd/micrograd/gradcheck";
 * import assert from "node:assert/strict";
 *
 * // softsign: y = x / (1 + |x|)    dy/dx = 1 / (1 + |x|)²
 * const softsign = defineOp({
 *   name: "softsign",
 *   forward: (x) => x / (1 + Math.abs(x)),
 *   derivatives: ([x]) => [1 / (1 + Math.abs(x)) ** 2],
 * });
 * const report = checkOp(softsign);
 * assert.equal(report.ok, true);
 * assert.equal(report.name, "softsign");
 * ```
 * @example A diagnosis: the sign of a small derivative
 * ```ts
 * import { defineOp } from "@micrograd/micrograd/engine";
 * import { checkOp } from "@micrograd/micrograd/gradcheck";
 * import assert from "node:assert/strict";
 *
 * // 1e-6 sin x, with the derivative's sign wrong: far below atol (1e-5),
 * // far above the error of the numerical estimate.
 * const tiny = defineOp({
 *   name: "tiny",
 *   forward: (x) => 1e-6 * Math.sin(x),
 *   derivatives: ([x]) => [-1e-6 * Math.cos(x)],
 * });
 * const report = checkOp(tiny, { samples: 8 });
 * assert.equal(report.ok, false);
 * assert.match(report.diagnosis?.[0] ?? "", /^sign flipped: analytic = -numeric/);
 * ```
 * @example derivativeValues that disagree with derivatives
 * ```ts
 * import { defineOp } from "@micrograd/micrograd/engine";
 * import { checkOp } from "@micrograd/micrograd/gradcheck";
 * import assert from "node:assert/strict";
 *
 * const square = defineOp({
 *   name: "square",
 *   forward: (x) => x * x,
 *   derivatives: ([x]) => [2 * x],
 *   derivativeValues: ([x]) => [x.add(x).add(1e-9)], // off by 1e-9
 * });
 * const report = checkOp(square, { samples: 8 });
 * assert.equal(report.ok, false);
 * assert.ok(report.checks.every((c) => c.ok || c.kind === "derivativeValues"));
 * assert.match(report.diagnosis?.[0] ?? "", /^derivativeValues disagree with derivatives/);
 * ```
 * @example No false alarm at a kink
 * ```ts
 * import { ops } from "@micrograd/micrograd/engine";
 * import { checkOp } from "@micrograd/micrograd/gradcheck";
 * import assert from "node:assert/strict";
 *
 * const report = checkOp(ops.relu, { samples: 16 });
 * const kink = report.checks.find((c) => c.kind === "kink");
 * assert.deepEqual([kink?.point, kink?.analytic, kink?.slopes], [[0], 0, [0, 1]]);
 * assert.equal(report.ok, true);
 * ```
 */
export function checkOp(
  op: Op | OpFunction,
  options?: GradcheckOptions,
): GradcheckReport {
  const t = resolve(op);
  const action = `Cannot run checkOp on op "${t.name}"`;
  const o = readOptions(options, action);
  const nary = t.arity === -1;
  const constant = new Set(o.constants);
  if (!nary) {
    for (const k of o.constants) {
      if (k >= t.arity) {
        throw new RangeError(
          `${action}: constant index ${k} is out of range for arity ${t.arity}`,
        );
      }
    }
    if (constant.size === t.arity) {
      throw new RangeError(
        `${action}: every input is constant, so there is nothing to check`,
      );
    }
  }
  const rng = new Random(o.seed);
  const checker = new LocalChecker(t, o, rng);
  try {
    // Random points inside the domain, clear of kinks.
    const points: number[][] = [];
    for (let i = 0; i < o.samples; i++) {
      const n = nary ? NARY_SIZES[i % NARY_SIZES.length] : t.arity;
      const xs = draw(rng, n, (xs) => t.domain(...xs) && clearOfKinks(t, xs));
      if (xs === null) {
        throw new RangeError(
          `${action}: found no point inside its domain in ${TRIES} tries`,
        );
      }
      points.push(xs);
    }
    for (let i = 0; i < points.length; i++) {
      checker.checkPoint(points[i], i < RERUN_POINTS);
    }
    // Edge points and points next to each kink, where the op is finite.
    for (const xs of edgePoints(t, nary ? 3 : t.arity)) {
      checker.checkPoint(xs, false);
    }
    // One Value as every operand: a * a, a + a, a / a, sum([a, a, a]).
    if ((nary || t.arity >= 2) && constant.size === 0) {
      const n = nary ? 3 : t.arity;
      for (let i = 0; i < Math.min(REPEATED_POINTS, o.samples); i++) {
        const xs = draw(rng, 1, (xs) => t.domain(...fill(n, xs[0])));
        if (xs === null) break;
        checker.checkRepeated(xs[0], n);
      }
    }
    // At each kink: the analytic value between the one-sided slopes.
    if (constant.size === 0) {
      for (const kink of t.kinks) {
        if (t.domain(kink)) checker.checkKink(kink);
      }
    }
  } catch (error) {
    throw named(error, action, checker.at);
  }
  const checks = checker.checks;
  const report: GradcheckReport = {
    ok: checks.every((c) => c.ok),
    name: t.name,
    seed: o.seed,
    checks,
  };
  if (!report.ok) {
    report.diagnosis = diagnose(checks, {
      slopeAt: (xs, k) => checker.numeric(xs, k),
    });
  }
  return report;
}

/**
 * An error thrown while checking, with the op's name (and the point) in
 * front of its message; same class, the original as `cause`.
 */
function named(
  error: unknown,
  action: string,
  at: readonly number[] | null,
): Error {
  if (error instanceof Error && error.message.startsWith(action)) return error;
  const message = error instanceof Error ? error.message : String(error);
  const where = at === null ? "" : ` at (${at.join(", ")})`;
  const text = `${action}${where}: ${message}`;
  if (error instanceof TypeError) return new TypeError(text, { cause: error });
  if (error instanceof RangeError) {
    return new RangeError(text, { cause: error });
  }
  return new Error(text, { cause: error });
}

/**
 * Runs {@linkcode checkOp} on every built-in op in `ops`, in table order.
 *
 * @param options Tolerances, step, number of samples and seed, for every op.
 * @returns A record from op name to its report; render it with
 *   {@linkcode formatReport}.
 * @throws {TypeError} If an option has the wrong type.
 * @throws {RangeError} If an option is out of range.
 * @example Every built-in op passes
 * ```ts
 * import { ops } from "@micrograd/micrograd/engine";
 * import { checkAllOps } from "@micrograd/micrograd/gradcheck";
 * import assert from "node:assert/strict";
 *
 * const reports = checkAllOps({ samples: 16, seed: 7 });
 * assert.deepEqual(Object.keys(reports), Object.keys(ops));
 * assert.ok(Object.values(reports).every((r) => r.ok && r.seed === 7));
 * ```
 */
export function checkAllOps(
  options?: GradcheckOptions,
): Record<string, GradcheckReport> {
  readOptions(options, "Cannot run checkAllOps");
  const reports: Record<string, GradcheckReport> = {};
  for (const name of Object.keys(ops)) {
    reports[name] = checkOp(ops[name], options);
  }
  return reports;
}

/** A random input: mostly in [-3, 3], sometimes 1e-3 to 20 in magnitude. */
function coordinate(rng: Random, wide: boolean): number {
  const sign = rng.next() < 0.5 ? -1 : 1;
  if (wide) return sign * 10 ** rng.uniform(-6, 6);
  if (rng.next() < 0.7) return rng.uniform(-3, 3);
  return sign * 10 ** rng.uniform(-3, 1.3);
}

/** A random point of `n` inputs that `accept`s, or null after TRIES draws. */
function draw(
  rng: Random,
  n: number,
  accept: (xs: number[]) => boolean,
): number[] | null {
  for (let i = 0; i < TRIES; i++) {
    const xs: number[] = [];
    // After half the tries, look further out (a domain such as x > 100).
    for (let k = 0; k < n; k++) xs.push(coordinate(rng, i >= TRIES / 2));
    if (accept(xs)) return xs;
  }
  return null;
}

function clearOfKinks(t: Target, xs: readonly number[]): boolean {
  for (const kink of t.kinks) {
    if (Math.abs(xs[0] - kink) < KINK_CLEARANCE) return false;
  }
  return true;
}

/** Edge points, then points next to each kink, where the op is finite. */
function edgePoints(t: Target, n: number): number[][] {
  const candidates: number[][] = [];
  const at = (k: number, e: number): number[] => {
    const xs = fill(n, ORDINARY);
    xs[k] = e;
    return xs;
  };
  for (const e of EDGES) {
    if (n === 1 || Math.abs(e) <= ALL_AT_ONCE) candidates.push(fill(n, e));
    if (n === 1) continue;
    for (let k = 0; k < n; k++) candidates.push(at(k, e));
  }
  // The largest magnitude where the forward is finite, per input and sign.
  const finite = (xs: number[]): boolean =>
    t.domain(...xs) && Number.isFinite(t.forward(...xs));
  for (let k = 0; k < n; k++) {
    for (const sign of [1, -1]) {
      const place = (m: number): number[] =>
        n === 1 ? [sign * m] : at(k, sign * m);
      const limit = largestFinite((m) => finite(place(m)));
      if (limit !== null) candidates.push(place(limit));
    }
  }
  for (const kink of t.kinks) {
    for (const d of NEAR_KINK) candidates.push([kink - d], [kink + d]);
  }
  const seen = new Set<string>();
  const points: number[][] = [];
  for (const xs of candidates) {
    const key = xs.join(",");
    if (seen.has(key)) continue;
    seen.add(key);
    if (t.kinks.includes(xs[0])) continue; // the kink check covers it
    if (!finite(xs)) continue;
    points.push(xs);
  }
  return points;
}

/**
 * Where `ok(m)` turns false as m grows from 1 to 1e300: the largest m found
 * by bisection (in log scale) with ok(m), moved in by a millionth so a
 * difference step fits, or null if ok(1) is false or ok(1e300) is true.
 */
function largestFinite(ok: (m: number) => boolean): number | null {
  if (!ok(1) || ok(1e300)) return null;
  let low = 0; // log10 of a magnitude where ok holds
  let high = 300; // ... and one where it does not
  for (let i = 0; i < 60; i++) {
    const mid = (low + high) / 2;
    if (ok(10 ** mid)) low = mid;
    else high = mid;
  }
  const m = 10 ** low * (1 - 1e-6);
  return ok(m) ? m : null;
}

function fill<T>(n: number, x: T): T[] {
  return new Array<T>(n).fill(x);
}
