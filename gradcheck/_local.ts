// Internal: checking one op at given points, for checkOp and for gradcheck's
// search of the first wrong node of a graph.
import {
  defineOp,
  type Op,
  type OpFunction,
  ops,
  sum,
  topo,
  Value,
} from "../engine/mod.ts";
import { describe } from "../engine/_validate.ts";
import { agree, between, compare, same } from "./_check.ts";
import {
  centralDerivative,
  type Estimate,
  oneSidedSlopes,
} from "./_numeric.ts";
import type { Resolved } from "./_options.ts";
import type { Random } from "../nn/_random.ts";
import type { GradcheckCheck } from "./gradcheck.ts";

/** An op ready to be checked: its math and how to apply it to Values. */
export interface Target {
  name: string;
  arity: number;
  forward: (...xs: number[]) => number;
  derivatives: (xs: readonly number[], y: number) => number[];
  /** The op's derivativeValues, if it has them. */
  derivativeValues:
    | ((xs: readonly Value[], y: Value) => Value[])
    | undefined;
  domain: (...xs: number[]) => boolean;
  kinks: readonly number[];
  apply: (args: (Value | number)[]) => Value;
  /** Whether input k may be passed as a number (a constant node). */
  numberAt: (k: number) => boolean;
}

/**
 * When the step search may stop: an error bound below 1% of rtol |d|. Not
 * atol: a derivative of size 1e-6 needs an estimate far better than 1e-5
 * to tell its sign. (A smaller floor than 1e-300 is never reached.)
 */
export function stepTarget(d: number, o: Pick<Resolved, "rtol">): number {
  return 0.01 * o.rtol * Math.abs(d) + 1e-300;
}

/** Whether `x` looks like an Op (the fields checkOp needs). */
export function isOp(x: unknown): x is Op {
  if (typeof x !== "object" || x === null) return false;
  const op = x as Op;
  return typeof op.name === "string" && typeof op.arity === "number" &&
    typeof op.forward === "function" && typeof op.derivatives === "function";
}

/** The Op of an Op or an OpFunction, or null. */
export function opOf(x: unknown): Op | null {
  if (typeof x === "function" && isOp((x as OpFunction).op)) {
    return (x as OpFunction).op;
  }
  return isOp(x) ? x : null;
}

/** What checkOp needs from a built-in Op, a user Op or an OpFunction. */
export function resolve(op: unknown): Target {
  const spec = opOf(op);
  if (spec === null) {
    throw new TypeError(
      `Cannot run checkOp: op must be an Op or an OpFunction, got ${
        describe(op)
      }`,
    );
  }
  const fn = typeof op === "function" ? op as OpFunction : null;
  const domain = spec.domain;
  const base = {
    name: spec.name,
    arity: spec.arity,
    forward: spec.forward,
    derivatives: spec.derivatives,
    derivativeValues: typeof spec.derivativeValues === "function"
      ? spec.derivativeValues.bind(spec)
      : undefined,
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
    derivativeValues: spec.derivativeValues,
    domain: spec.domain,
    kinks: spec.kinks,
  });
  return {
    ...base,
    apply: (args) => {
      const y: unknown = apply(...args);
      if (!(y instanceof Value)) {
        throw new TypeError(
          `the op must return a Value, got ${describe(y)}`,
        );
      }
      return y;
    },
    numberAt: () => true,
  };
}

/** Checks one op at points; collects the rows in `checks`. */
export class LocalChecker {
  /** Every check made so far, in order. */
  readonly checks: GradcheckCheck[] = [];
  /** The point being checked, for error messages (null between points). */
  at: readonly number[] | null = null;
  readonly #t: Target;
  readonly #o: Resolved;
  readonly #rng: Random;
  readonly #constant: ReadonlySet<number>;

  constructor(t: Target, o: Resolved, rng: Random) {
    this.#t = t;
    this.#o = o;
    this.#rng = rng;
    this.#constant = new Set(o.constants);
  }

  /** The step search's goal, see stepTarget. */
  target = (d: number): number => stepTarget(d, this.#o);

  /** Whether the forward may be evaluated at xs: inside the domain and finite. */
  admissible(xs: readonly number[]): boolean {
    const t = this.#t;
    return t.domain(...xs) && Number.isFinite(t.forward(...xs));
  }

  /**
   * The numerical partial derivative of input k at `point`. Its error adds
   * how much the op's own derivative curves across the step
   * (|(d(x+s) + d(x-s))/2 - d(x)| for s = h, h/2): where the derivative
   * swings within the step (sin at 1e300, where no step below the spacing
   * of doubles exists), a difference quotient cannot refute it, and the
   * check comes out inconclusive instead of a false failure.
   */
  numeric(point: readonly number[], k: number): Estimate {
    const t = this.#t;
    const xs = point.slice();
    const x = point[k];
    let h = this.#o.eps * Math.max(1, Math.abs(x));
    for (const kink of t.kinks) {
      const d = Math.abs(x - kink);
      if (d > 0) h = Math.min(h, d / 2);
    }
    const estimate = centralDerivative(
      (s) => {
        xs[k] = s;
        return t.forward(...xs);
      },
      x,
      h,
      (s) => {
        xs[k] = s;
        return this.admissible(xs);
      },
      this.target,
    );
    if (estimate.step === 0 || !Number.isFinite(estimate.error)) {
      return estimate;
    }
    // The op's own derivative near x (NaN, so ignored, where it throws:
    // the check at x itself reports errors).
    const slope = (s: number): number => {
      xs[k] = s;
      try {
        return t.derivatives(xs.slice(), t.forward(...xs))[k];
      } catch {
        return NaN;
      }
    };
    // The straight line through the derivative at x ± step/8 must stay
    // close to the derivative at x, ±step/4, ±step/2, ±3step/4 and ±step:
    // off it by about d'' s²/2 where the step resolves the derivative, and
    // by O(|d|) where the derivative swings within the step.
    const step = estimate.step;
    const center = slope(x);
    const trend = (slope(x + step / 8) - slope(x - step / 8)) / 2;
    let curve = 0;
    for (const eighths of [0, 2, 4, 6, 8]) {
      for (const sign of [1, -1]) {
        const off = slope(x + sign * eighths * step / 8) - center -
          sign * eighths * trend;
        if (Number.isFinite(off)) curve = Math.max(curve, Math.abs(off));
      }
    }
    return { ...estimate, error: estimate.error + curve };
  }

  /**
   * Builds the op at xs from fresh leaves (constants as numbers where the
   * op takes them), runs backward() from the output times g, and returns
   * the output and each input's gradient (NaN for constants); with `twice`,
   * runs backward() again on the same graph and returns, after those, what
   * the second pass added to each input.
   */
  differentiate(xs: readonly number[], g: number, twice: boolean): number[] {
    const t = this.#t;
    const args: (Value | number)[] = xs.map((x, k) =>
      this.#constant.has(k) && t.numberAt(k) ? x : new Value(x)
    );
    const y = t.apply(args);
    const root = g === 1 ? y : y.mul(g);
    root.backward();
    const first = args.map((a) => a instanceof Value ? a.grad : NaN);
    if (!twice) return [y.data, ...first];
    root.backward();
    const second = args.map((a, k) =>
      a instanceof Value ? a.grad - first[k] : NaN
    );
    return [y.data, ...first, ...second];
  }

  /**
   * The partial and upstream checks of every non-constant input at xs;
   * with `rerun`, also backward() twice on one graph (the second pass must
   * give the same bits).
   */
  checkPoint(xs: number[], rerun: boolean): void {
    this.at = xs;
    const n = xs.length;
    const results = this.differentiate(xs, 1, rerun);
    const value = results[0];
    const g = (this.#rng.next() < 0.5 ? -1 : 1) * this.#rng.uniform(0.5, 3);
    const seeded = this.differentiate(xs, g, false).slice(1);
    for (let k = 0; k < n; k++) {
      if (this.#constant.has(k)) continue;
      const where = { op: this.#t.name, point: xs, input: k, value };
      const estimate = this.numeric(xs, k);
      this.checks.push(
        compare(
          { ...where, kind: "partial" },
          results[1 + k],
          estimate.value,
          estimate.error,
          this.#o,
        ),
        compare(
          { ...where, kind: "upstream" },
          seeded[k],
          g * estimate.value,
          Math.abs(g) * estimate.error,
          this.#o,
        ),
      );
      if (rerun) {
        this.checks.push(
          same({ ...where, kind: "rerun" }, results[1 + n + k], results[1 + k]),
        );
      }
    }
    if (this.#t.derivativeValues !== undefined) this.checkDerivativeValues(xs);
    this.at = null;
  }

  /**
   * derivativeValues against derivatives at xs: the op applied to fresh
   * leaves, derivativeValues called on its node's inputs and the node (as
   * grad does), each non-constant entry's `.data` against the number
   * derivatives gives. They must agree to rounding: a few ulps, per node
   * of the entry's graph, of the largest value in it.
   */
  checkDerivativeValues(xs: number[]): void {
    const t = this.#t;
    const build = t.derivativeValues;
    if (build === undefined) return;
    this.at = xs;
    const y = t.apply(xs.map((x) => new Value(x)));
    const n = xs.length;
    const values: unknown = build(y.inputs, y);
    const bad = Array.isArray(values)
      ? values.findIndex((v) => !(v instanceof Value))
      : -1;
    if (!Array.isArray(values) || values.length !== n || bad >= 0) {
      throw new TypeError(
        `derivativeValues must return ${n} ${
          n === 1 ? "Value" : "Values"
        }, got ${
          !Array.isArray(values)
            ? describe(values)
            : bad >= 0
            ? `${describe(values[bad])} at index ${bad}`
            : `${values.length} ${values.length === 1 ? "item" : "items"}`
        }`,
      );
    }
    const numbers = t.derivatives(xs.slice(), y.data);
    for (let k = 0; k < n; k++) {
      if (this.#constant.has(k)) continue;
      const partial = values[k] as Value;
      const nodes = topo(partial);
      let scale = Math.abs(numbers[k]);
      for (const node of nodes) scale = Math.max(scale, Math.abs(node.data));
      const bound = 4 * (nodes.length + 1) * Number.EPSILON * scale;
      this.checks.push(agree(
        {
          op: t.name,
          kind: "derivativeValues",
          point: xs,
          input: k,
          value: y.data,
        },
        partial.data,
        numbers[k],
        bound,
      ));
    }
    this.at = null;
  }

  /** One Value `a` as all n operands (a * a): its gradient must add up. */
  checkRepeated(x: number, n: number): void {
    const t = this.#t;
    const point = new Array<number>(n).fill(x);
    this.at = point;
    const a = new Value(x);
    const y = t.apply(new Array<Value>(n).fill(a));
    y.backward();
    const estimate = centralDerivative(
      (s) => t.forward(...new Array<number>(n).fill(s)),
      x,
      this.#o.eps * Math.max(1, Math.abs(x)),
      (s) => this.admissible(new Array<number>(n).fill(s)),
      this.target,
    );
    this.checks.push(compare(
      { op: t.name, kind: "repeated", point, input: -1, value: y.data },
      a.grad,
      estimate.value,
      estimate.error,
      this.#o,
    ));
    this.at = null;
  }

  /** At a kink of a unary op: the analytic value between the one-sided slopes. */
  checkKink(kink: number): void {
    const t = this.#t;
    this.at = [kink];
    const x = new Value(kink);
    const y = t.apply([x]);
    y.backward();
    const [left, right, noise] = oneSidedSlopes(
      (s) => t.forward(s),
      kink,
      this.#o.eps * Math.max(1, Math.abs(kink)),
      (s) => this.admissible([s]),
    );
    this.checks.push(between(
      { op: t.name, kind: "kink", point: [kink], input: 0, value: y.data },
      x.grad,
      left,
      right,
      noise,
      this.#o,
    ));
    this.at = null;
  }
}
