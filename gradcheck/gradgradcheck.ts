import { grad, sum, Value } from "../engine/mod.ts";
import { Random } from "../nn/_random.ts";
import { compare } from "./_check.ts";
import { diagnose } from "./_diagnose.ts";
import { number } from "./_format.ts";
import { readInputs } from "./_inputs.ts";
import { locate as locateFirstWrong } from "./_locate.ts";
import { stepTarget, type Target } from "./_local.ts";
import { centralDerivative } from "./_numeric.ts";
import type { Resolved } from "./_options.ts";
import type {
  GradcheckCheck,
  GradcheckOptions,
  GradcheckReport,
} from "./gradcheck.ts";

const ACTION = "Cannot run gradgradcheck";

/**
 * Checks first and second derivatives of `f` at `inputs`, as
 * `torch.autograd.gradgradcheck`, for a scalar engine.
 *
 * First order: the derivatives that `grad(f(xs), xs, { createGraph: true })`
 * builds (as Values, from each op's `derivativeValues`) against central
 * differences of `f`, one `"partial"` check per input. Second order: each
 * entry ∂²f/∂x_i∂x_j of the Hessian, the derivative by `grad` of the built
 * first derivative ∂f/∂x_i, against a central difference of that first
 * derivative along x_j, one `"second"` check per pair (i, j), both orders,
 * so an asymmetric Hessian shows. The numerical estimates, the pass rule,
 * the statuses (`"pass"`, `"fail"`, `"inconclusive"`, `"non-finite"`), the
 * `seed` and the table of {@linkcode formatReport} are those of
 * {@linkcode gradcheck}. With `fast`, one random direction u is checked
 * instead: the first derivatives' dot product with u (`"direction"`) and
 * uᵀHu (`"second-direction"`, a Hessian-vector product).
 *
 * This catches what first-order checks cannot: `derivativeValues` that give
 * the right numbers but are not built from the input Values (a `.data` or a
 * plain number where a Value belongs), so that the second derivative is
 * wrong. When a check fails, gradgradcheck checks every node of the graph
 * whose op it knows (built-in ops, and those in `options.ops`) at the values
 * the node saw, first and second order, in topological order, and reports
 * the first wrong one in `report.culprit` and `report.diagnosis`.
 *
 * @param f Builds the output from one Value per input; called once for the
 *   derivatives and several times per input and pair for the differences.
 * @param inputs The point to check at: finite numbers, one per argument of `f`.
 * @param options Tolerances, step, constant inputs (neither perturbed nor
 *   checked, at either order), `fast` and `seed`, and your own ops to look
 *   for in the graph.
 * @returns The report: `ok`, the first-order checks, then the second-order
 *   ones; when it fails, `diagnosis` and `culprit`.
 * @throws {TypeError} If `f` is not a function or does not return a Value,
 *   `inputs` or `options` have the wrong type, or an op in the graph has no
 *   `derivativeValues` (or they return something other than one Value per
 *   input): the message names the op.
 * @throws {RangeError} If an input or option is out of range.
 * @example Second derivatives of an expression
 * ```ts
 * import { formatReport, gradgradcheck } from "@micrograd/micrograd/gradcheck";
 * import assert from "node:assert/strict";
 *
 * const report = gradgradcheck((x, y) => x.mul(y).tanh(), [0.5, -1.2]);
 * assert.equal(report.ok, true, formatReport(report));
 * // 2 first derivatives, then the 4 entries of the Hessian.
 * assert.deepEqual(report.checks.map((c) => c.kind), [
 *   "partial", "partial", "second", "second", "second", "second",
 * ]);
 * assert.deepEqual(report.checks[3].hessian, [0, 1]); // ∂²f/∂x∂y
 * ```
 * @example derivativeValues with the right numbers and the wrong second derivative
 * ```ts
 * import { defineOp } from "@micrograd/micrograd/engine";
 * import {
 *   checkOp,
 *   formatReport,
 *   gradgradcheck,
 * } from "@micrograd/micrograd/gradcheck";
 * import assert from "node:assert/strict";
 *
 * const cube = defineOp({
 *   name: "cube",
 *   forward: (x) => x ** 3,
 *   derivatives: ([x]) => [3 * x * x],
 *   // 3x · x.data: right value, but grad sees x.data as a constant.
 *   derivativeValues: ([x]) => [x.mul(3).mul(x.data)],
 * });
 * assert.equal(checkOp(cube).ok, true); // first order cannot tell
 * const report = gradgradcheck((x) => cube(x), [1.5], { ops: [cube] });
 * assert.equal(report.ok, false);
 * assert.match(formatReport(report), /^FAIL +f +second +0,0 +\(1\.5\) +4\.5 +9 /m);
 * assert.equal(report.culprit?.op, "cube");
 * ```
 */
export function gradgradcheck(
  f: (...xs: Value[]) => Value,
  inputs: number[],
  options?: GradcheckOptions,
): GradcheckReport {
  const { name, o, run } = readInputs(f, inputs, options, ACTION);
  const checks = secondOrder(run, inputs, o, name, Number.isFinite);
  const report: GradcheckReport = {
    ok: checks.every((c) => c.ok),
    name,
    seed: o.seed,
    checks,
  };
  if (!report.ok) {
    report.diagnosis = diagnosis(checks);
    locate(run(inputs)[1], o, report);
  }
  return report;
}

/** grad with createGraph, its TypeErrors (an op without derivativeValues) named. */
function firstDerivatives(y: Value, leaves: readonly Value[]): Value[] {
  return named(() => grad(y, leaves, { createGraph: true }));
}

function named<T>(body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (error instanceof TypeError && !error.message.startsWith(ACTION)) {
      throw new TypeError(`${ACTION}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

/**
 * The first- and second-order checks of the function `run` builds, at
 * `inputs`. `admissible(j, t)` says whether input j may move to t (the
 * domain, not across a kink).
 */
function secondOrder(
  run: (xs: readonly number[]) => [Value[], Value],
  inputs: readonly number[],
  o: Resolved,
  name: string,
  admissible: (t: number, j: number) => boolean,
): GradcheckCheck[] {
  const n = inputs.length;
  const constant = new Set(o.constants);
  const target = (d: number): number => stepTarget(d, o);
  const [leaves, y] = run(inputs);
  const firsts = firstDerivatives(y, leaves);
  // The built first derivatives' values at another point, memoized: the
  // difference of each entry i along x_j reuses the same evaluations.
  const memo = new Map<string, number[]>();
  const firstAt = (xs: readonly number[]): number[] => {
    const key = xs.join(",");
    let values = memo.get(key);
    if (values === undefined) {
      const [ls, out] = run(xs);
      values = firstDerivatives(out, ls).map((v) => v.data);
      memo.set(key, values);
    }
    return values;
  };
  const point = inputs.slice();
  const checks: GradcheckCheck[] = [];
  if (o.fast) {
    const rng = new Random(o.seed);
    const u = inputs.map((x, k) =>
      constant.has(k)
        ? 0
        : (rng.next() < 0.5 ? -1 : 1) * Math.max(1, Math.abs(x))
    );
    const along = (t: number): number[] => inputs.map((x, k) => x + t * u[k]);
    const dot = (values: readonly number[]): [number, number] => {
      let total = 0;
      let size = 0;
      for (let k = 0; k < n; k++) {
        if (u[k] === 0) continue;
        total += values[k] * u[k];
        size += Math.abs(values[k] * u[k]);
      }
      return [total, 4 * n * Number.EPSILON * size];
    };
    const [first, firstError] = dot(firsts.map((v) => v.data));
    const e1 = centralDerivative(
      (t) => run(along(t))[1].data,
      0,
      o.eps,
      Number.isFinite,
      target,
    );
    checks.push(compare(
      { op: name, kind: "direction", point, input: -1, value: y.data },
      first,
      e1.value,
      e1.error,
      o,
      firstError,
    ));
    // uᵀHu: the gradient of (first derivatives · u), dotted with u.
    const terms = firsts.flatMap((v, k) => u[k] === 0 ? [] : [v.mul(u[k])]);
    const hu = named(() => grad(sum(terms), leaves)).map((v) => v.data);
    const [second, secondError] = dot(hu);
    const e2 = centralDerivative(
      (t) => dot(firstAt(along(t)))[0],
      0,
      o.eps,
      Number.isFinite,
      target,
    );
    checks.push(compare(
      {
        op: name,
        kind: "second-direction",
        point,
        input: -1,
        value: first,
      },
      second,
      e2.value,
      e2.error,
      o,
      secondError,
    ));
    return checks;
  }
  const free: number[] = [];
  for (let k = 0; k < n; k++) if (!constant.has(k)) free.push(k);
  const moved = (j: number, t: number): number[] => {
    const xs = inputs.slice();
    xs[j] = t;
    return xs;
  };
  const step = (x: number): number => o.eps * Math.max(1, Math.abs(x));
  for (const k of free) {
    const estimate = centralDerivative(
      (t) => run(moved(k, t))[1].data,
      inputs[k],
      step(inputs[k]),
      (t) => admissible(t, k),
      target,
    );
    checks.push(compare(
      { op: name, kind: "partial", point, input: k, value: y.data },
      firsts[k].data,
      estimate.value,
      estimate.error,
      o,
    ));
  }
  for (const i of free) {
    const row = named(() => grad(firsts[i], leaves)).map((v) => v.data);
    for (const j of free) {
      const estimate = centralDerivative(
        (t) => firstAt(moved(j, t))[i],
        inputs[j],
        step(inputs[j]),
        (t) => admissible(t, j),
        target,
      );
      const check = compare(
        {
          op: name,
          kind: "second",
          point,
          input: j,
          value: firsts[i].data,
        },
        row[j],
        estimate.value,
        estimate.error,
        o,
      );
      check.hessian = [i, j];
      checks.push(check);
    }
  }
  return checks;
}

/**
 * diagnose() for the first-order checks, and a line when only second-order
 * checks fail.
 */
function diagnosis(checks: readonly GradcheckCheck[]): string[] {
  const secondKind = (c: GradcheckCheck): boolean =>
    c.kind === "second" || c.kind === "second-direction";
  const firstOrder = checks.filter((c) => !secondKind(c));
  const lines = diagnose(firstOrder);
  const bad = checks.filter((c) => secondKind(c) && !c.ok);
  if (bad.length > 0 && firstOrder.every((c) => c.ok)) {
    const c = bad[0];
    lines.push(
      `first derivatives pass, second derivatives fail: ${what(c, "f")} is ${
        number(c.analytic, 6)
      }, numerically ${number(c.numeric, 6)}${
        bad.length > 1 ? ` (and ${bad.length - 1} more)` : ""
      }: some op's derivativeValues give the right numbers but the wrong derivatives`,
    );
  }
  return lines;
}

/** `∂²f/∂x0∂x1`, or `uᵀHu` for a direction. */
function what(c: GradcheckCheck, f: string): string {
  return c.hessian === undefined
    ? "uᵀHu"
    : `∂²${f}/∂x${c.hessian[0]}∂x${c.hessian[1]}`;
}

/**
 * Names the first node under `root` whose op fails (see _locate.ts), first
 * and second order, at the values it saw.
 */
function locate(root: Value, o: Resolved, report: GradcheckReport): void {
  const local: Resolved = { ...o, constants: [], fast: false };
  locateFirstWrong(root, o, report, {
    check(t, xs, node): GradcheckCheck[] | null {
      // Not differentiable at a kink: nothing to check there.
      if (t.kinks.includes(xs[0])) return null;
      const checks = secondOrder(
        (vs) => {
          const leaves = vs.map((v) => new Value(v));
          return [leaves, t.apply(leaves)];
        },
        xs,
        local,
        node.op,
        (s, j) => admissible(t, xs, j, s),
      );
      return checks.filter((c) => !c.ok);
    },
    name: (c, node) =>
      c.hessian === undefined
        ? `${c.kind} of input ${c.input}`
        : `second derivative ${what(c, node.op)}`,
    more: (_op, failing, node) =>
      failing.every((c) => c.kind === "second")
        ? [
          `op "${node.op}": its derivativeValues give the right first derivatives but the wrong second ones: build them from the input Values with ops (x.mul(x).mul(3) for 3x²); a .data or a plain number in them is a constant to grad`,
        ]
        : [],
  });
}

/** Whether input j of the op may move to s: inside the domain, finite, on the same side of every kink. */
function admissible(
  t: Target,
  xs: readonly number[],
  j: number,
  s: number,
): boolean {
  const ys = xs.slice();
  ys[j] = s;
  if (!t.domain(...ys) || !Number.isFinite(t.forward(...ys))) return false;
  if (j === 0) {
    for (const kink of t.kinks) {
      if (Math.sign(s - kink) !== Math.sign(xs[0] - kink)) return false;
    }
  }
  return true;
}
