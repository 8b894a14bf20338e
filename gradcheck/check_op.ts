import { describe } from "../engine/_validate.ts";
import { defineOp } from "../engine/define_op.ts";
import type { Op, OpFunction } from "../engine/op.ts";
import { ops } from "../engine/ops.ts";
import { sum, Value } from "../engine/value.ts";
import { Random } from "../nn/_random.ts";
import { between, compare, same } from "./_check.ts";
import {
  centralDerivative,
  type Estimate,
  oneSidedSlopes,
} from "./_numeric.ts";
import { readOptions } from "./_options.ts";
import type {
  GradcheckCheck,
  GradcheckOptions,
  GradcheckReport,
} from "./gradcheck.ts";

// Edge values tried for every input: near zero, ordinary, saturating
// (tanh(20), sigmoid(-30)), large, and exp near overflow (e^700 ≈ 1e304).
// Points where the op is undefined or not finite are dropped.
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
];
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

/** An op ready to be checked: its math and how to apply it to Values. */
interface Target {
  name: string;
  arity: number;
  forward: (...xs: number[]) => number;
  domain: (...xs: number[]) => boolean;
  kinks: readonly number[];
  apply: (args: (Value | number)[]) => Value;
  /** Whether input k may be passed as a number (a constant node). */
  numberAt: (k: number) => boolean;
}

/**
 * Checks one op's derivatives against central differences, through the
 * engine's `backward()` (so the fast paths of the built-in ops are what is
 * checked), at seeded points:
 *
 * - `samples` random points inside the op's `domain` (an n-ary op such as
 *   `sum` with 3, 1, 2 and 5 inputs in turn), kept clear of its `kinks`;
 * - edge points where the op is finite: near zero, large magnitudes,
 *   saturation (tanh(20), sigmoid(-30)), exp near overflow (e^700);
 * - points within 1e-2, 1e-4 and 1e-6 of each kink on both sides, with
 *   the step shrunk so the difference stays on one side;
 * - each kink itself, where the analytic value must lie between the two
 *   one-sided slopes (so relu'(0) = 0 and |x|'(0) = 0 pass).
 *
 * It also checks what one evaluation cannot show: the local derivative is
 * multiplied by the upstream gradient (the output times a random g is the
 * root), one Value passed as every operand accumulates (`a * a`, `a / a`),
 * and building and differentiating again gives the same bits. NaN or
 * Infinity is a failure with status `"non-finite"`. Same seed, same report.
 *
 * @param op A built-in op from `ops`, an `OpFunction` from `defineOp`, or
 *   an `Op` object (`fn.op`).
 * @param options Tolerances, step, number of samples, seed, constant inputs.
 * @returns The report, named after the op.
 * @throws {TypeError} If `op` is not an Op or an OpFunction, or an option
 *   has the wrong type.
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
  const checks: GradcheckCheck[] = [];
  const target = (d: number): number => 0.01 * (o.atol + o.rtol * Math.abs(d));

  // f at xs with input k moved to s; `xs` is a scratch copy.
  const numeric = (point: readonly number[], k: number): Estimate => {
    const xs = point.slice();
    const x = point[k];
    let h = o.eps * Math.max(1, Math.abs(x));
    for (const kink of t.kinks) {
      const d = Math.abs(x - kink);
      if (d > 0) h = Math.min(h, d / 2);
    }
    return centralDerivative(
      (s) => {
        xs[k] = s;
        return t.forward(...xs);
      },
      x,
      h,
      (s) => {
        xs[k] = s;
        return t.domain(...xs);
      },
      target,
    );
  };

  // Builds the op at xs from fresh leaves (constants as numbers where the
  // op takes them), runs backward() from the output times g, and returns
  // the output and each input's gradient (NaN for constants).
  const differentiate = (xs: readonly number[], g: number): number[] => {
    const args: (Value | number)[] = xs.map((x, k) =>
      constant.has(k) && t.numberAt(k) ? x : new Value(x)
    );
    const y = t.apply(args);
    (g === 1 ? y : y.mul(g)).backward();
    return [y.data, ...args.map((a) => a instanceof Value ? a.grad : NaN)];
  };

  const checkPoint = (xs: number[], rerun: boolean): void => {
    const [value, ...grads] = differentiate(xs, 1);
    const g = (rng.next() < 0.5 ? -1 : 1) * rng.uniform(0.5, 3);
    const seeded = differentiate(xs, g).slice(1);
    const again = rerun ? differentiate(xs, 1).slice(1) : null;
    for (let k = 0; k < xs.length; k++) {
      if (constant.has(k)) continue;
      const where = { op: t.name, point: xs, input: k, value };
      const estimate = numeric(xs, k);
      checks.push(
        compare(
          { ...where, kind: "partial" },
          grads[k],
          estimate.value,
          estimate.error,
          o,
        ),
        compare(
          { ...where, kind: "upstream" },
          seeded[k],
          g * estimate.value,
          Math.abs(g) * estimate.error,
          o,
        ),
      );
      if (again !== null) {
        checks.push(same({ ...where, kind: "rerun" }, again[k], grads[k]));
      }
    }
  };

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
    checkPoint(points[i], i < RERUN_POINTS);
  }
  // Edge points and points next to each kink, where the op is finite.
  for (const xs of edgePoints(t, nary ? 3 : t.arity)) checkPoint(xs, false);

  // One Value as every operand: a * a, a + a, a / a, sum([a, a, a]).
  if ((nary || t.arity >= 2) && constant.size === 0) {
    const n = nary ? 3 : t.arity;
    for (let i = 0; i < Math.min(REPEATED_POINTS, o.samples); i++) {
      const xs = draw(rng, 1, (xs) => t.domain(...fill(n, xs[0])));
      if (xs === null) break;
      const a = new Value(xs[0]);
      const y = t.apply(fill(n, a));
      y.backward();
      const estimate = centralDerivative(
        (s) => t.forward(...fill(n, s)),
        xs[0],
        o.eps * Math.max(1, Math.abs(xs[0])),
        (s) => t.domain(...fill(n, s)),
        target,
      );
      checks.push(compare(
        {
          op: t.name,
          kind: "repeated",
          point: fill(n, xs[0]),
          input: -1,
          value: y.data,
        },
        a.grad,
        estimate.value,
        estimate.error,
        o,
      ));
    }
  }

  // At each kink: the analytic value between the one-sided slopes.
  if (constant.size === 0) {
    for (const kink of t.kinks) {
      if (!t.domain(kink)) continue;
      const x = new Value(kink);
      const y = t.apply([x]);
      y.backward();
      const [left, right] = oneSidedSlopes(
        (s) => t.forward(s),
        kink,
        o.eps * Math.max(1, Math.abs(kink)),
        (s) => t.domain(s),
      );
      checks.push(between(
        { op: t.name, kind: "kink", point: [kink], input: 0, value: y.data },
        x.grad,
        left,
        right,
        o,
      ));
    }
  }
  return { ok: checks.every((c) => c.ok), name: t.name, seed: o.seed, checks };
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

function isOp(x: unknown): x is Op {
  if (typeof x !== "object" || x === null) return false;
  const op = x as Op;
  return typeof op.name === "string" && typeof op.arity === "number" &&
    typeof op.forward === "function" && typeof op.derivatives === "function";
}

/** What checkOp needs from a built-in Op, a user Op or an OpFunction. */
function resolve(op: unknown): Target {
  let fn: OpFunction | null = null;
  let spec: Op;
  if (typeof op === "function" && isOp((op as OpFunction).op)) {
    fn = op as OpFunction;
    spec = fn.op;
  } else if (isOp(op)) {
    spec = op;
  } else {
    throw new TypeError(
      `Cannot run checkOp: op must be an Op or an OpFunction, got ${
        describe(op)
      }`,
    );
  }
  const domain = spec.domain;
  const base = {
    name: spec.name,
    arity: spec.arity,
    forward: spec.forward,
    domain: domain === undefined
      ? () => true
      : (...xs: number[]) => domain(...xs) === true,
    kinks: spec.arity === 1 ? spec.kinks ?? [] : [],
  };
  if (Object.hasOwn(ops, spec.name) && ops[spec.name] === spec) {
    // A built-in: apply it the way users do, through the Value method (or
    // sum()), so the check covers the method and backward()'s fast path.
    if (spec.name === "sum") {
      return { ...base, apply: (args) => sum(args), numberAt: () => true };
    }
    const method = (Value.prototype as unknown as Record<string, unknown>)[
      spec.name
    ];
    if (typeof method !== "function") {
      throw new TypeError(
        `Cannot run checkOp: built-in op "${spec.name}" has no Value method`,
      );
    }
    return {
      ...base,
      apply: (args) => method.apply(args[0], args.slice(1)) as Value,
      numberAt: (k) => k > 0,
    };
  }
  // A user op: through its OpFunction, or one made from the Op by defineOp
  // (which also checks the spec).
  const apply = fn ?? defineOp({
    name: spec.name,
    arity: spec.arity,
    forward: spec.forward,
    derivatives: spec.derivatives,
    domain: spec.domain,
    kinks: spec.kinks,
  });
  return {
    ...base,
    apply: (args) => {
      const y: unknown = apply(...args);
      if (!(y instanceof Value)) {
        throw new TypeError(
          `Cannot run checkOp on op "${spec.name}": the op must return a Value, got ${
            describe(y)
          }`,
        );
      }
      return y;
    },
    numberAt: () => true,
  };
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
  for (const e of EDGES) {
    candidates.push(fill(n, e));
    if (n === 1) continue;
    for (let k = 0; k < n; k++) {
      const xs = fill(n, ORDINARY);
      xs[k] = e;
      candidates.push(xs);
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
    if (!t.domain(...xs) || !Number.isFinite(t.forward(...xs))) continue;
    points.push(xs);
  }
  return points;
}

function fill<T>(n: number, x: T): T[] {
  return new Array<T>(n).fill(x);
}
