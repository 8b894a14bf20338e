import type { Op, OpFunction, Value } from "../engine/mod.ts";
import { Random } from "../nn/_random.ts";
import { AssertionError } from "./_assertion_error.ts";
import { compare } from "./_check.ts";
import { diagnose } from "./_diagnose.ts";
import { LocalChecker, stepTarget } from "./_local.ts";
import { locate as locateFirstWrong } from "./_locate.ts";
import { centralDerivative } from "./_numeric.ts";
import { readInputs } from "./_inputs.ts";
import type { Resolved } from "./_options.ts";
import { checkOp } from "./check_op.ts";
import { formatReport } from "./format_report.ts";

/**
 * Options for {@linkcode gradcheck}, {@linkcode gradgradcheck},
 * {@linkcode checkOp} and {@linkcode checkAllOps}.
 */
export interface GradcheckOptions {
  /**
   * Relative step of the central difference: input x is moved by
   * `eps * max(1, |x|)` (and half that, for the Richardson step). The step
   * shrinks by itself near a kink, the edge of the domain or a pole.
   *
   * @default {6e-6}
   */
  eps?: number;
  /**
   * Absolute tolerance for the numerical estimate's noise: a check whose
   * estimate is uncertain by more than `atol + rtol * |numeric|` cannot
   * pass (it is `"inconclusive"`, or `"fail"` if the difference is larger
   * still). It never excuses a difference larger than the estimate's own
   * error bound: see {@linkcode CheckStatus}.
   *
   * @default {1e-5}
   */
  atol?: number;
  /**
   * Relative tolerance: a difference up to `rtol * |numeric|` (plus the
   * estimate's error bound) is not a failure.
   *
   * @default {1e-3}
   */
  rtol?: number;
  /**
   * `checkOp`: how many random points to sample inside the op's domain
   * (edge and kink points come on top), 1 to 10000. Not used by
   * `gradcheck` or `gradgradcheck` (except for the diagnosis).
   *
   * @default {64}
   */
  samples?: number;
  /**
   * `checkOp`: seed of the random points and upstream gradients;
   * `gradcheck` and `gradgradcheck` with `fast`: seed of the direction. The
   * report carries it, so a failure can be replayed.
   *
   * @default {1}
   */
  seed?: number;
  /**
   * Indices of inputs to hold constant: they are not perturbed and their
   * gradient is not checked. `checkOp` passes them to the op as plain
   * numbers (constant nodes) where the op accepts a number there, as in
   * `x.pow(2)`.
   *
   * @default {[]}
   */
  constants?: number[];
  /**
   * `gradcheck`, `gradgradcheck`: check one random direction instead of
   * every input (`gradgradcheck`: and uᵀHu instead of every pair): the
   * gradient's dot product with a random vector u (±max(1, |x_k|) per
   * input) against a central difference of f along u, as the fast mode of
   * `torch.autograd.gradcheck` and JAX's `check_grads`. A few calls of f,
   * however many inputs; a wrong gradient fails unless its error happens
   * to be orthogonal to u.
   *
   * @default {false}
   */
  fast?: boolean;
  /**
   * `gradcheck`, `gradgradcheck`: your own ops (`OpFunction`s from `defineOp`, or their
   * `Op`s) used inside f. When f fails, gradcheck checks each node of the
   * graph locally, in topological order, at the values it saw, and names
   * the first whose op is wrong; built-in ops are always checked, a user
   * op only if it is listed here (nodes only carry the op's name).
   *
   * @default {[]}
   */
  ops?: (Op | OpFunction)[];
}

/**
 * What a check compared:
 * - `"partial"`: the gradient from `backward()` against the numerical
 *   partial derivative at a point;
 * - `"upstream"`: the same with the output's gradient seeded with a random
 *   g (the op's result times g is the root), so the local derivative must be
 *   multiplied by the upstream gradient;
 * - `"repeated"`: one Value passed as every operand (`a * a`, `a + a`), so
 *   the gradients of all operands must accumulate;
 * - `"kink"`: at a declared kink, the analytic value against the two
 *   one-sided slopes;
 * - `"rerun"`: `backward()` twice on one graph: what the second pass adds
 *   to each input against the first pass, bit for bit (an op that keeps
 *   state between calls fails; PyTorch's reentrancy check);
 * - `"direction"`: `gradcheck` with `fast`: the gradient's dot product with
 *   a random direction u against a central difference along u;
 *   `gradgradcheck` with `fast`: the same for the first derivatives;
 * - `"second"`: `gradgradcheck`: one entry ∂²f/∂x_i∂x_j of the Hessian (the
 *   derivative, by `grad`, of the first derivative that
 *   `grad(..., { createGraph: true })` built) against a central difference
 *   of that first derivative along x_j; `hessian` holds (i, j);
 * - `"second-direction"`: `gradgradcheck` with `fast`: uᵀHu for a random u
 *   (a Hessian-vector product) against a central difference along u of the
 *   first derivatives' dot product with u;
 * - `"derivativeValues"`: `checkOp`, for an op that has `derivativeValues`:
 *   its `.data` against the number `derivatives` gives at the same point
 *   (`numeric`); the two are the same math and must agree to rounding (bit
 *   for bit for the built-in ops).
 */
export type CheckKind =
  | "partial"
  | "upstream"
  | "repeated"
  | "kink"
  | "rerun"
  | "direction"
  | "second"
  | "second-direction"
  | "derivativeValues";

/**
 * The outcome of one check, judged against the numerical estimate's own
 * error bound e (`numericError`):
 * - `"fail"`: |analytic - numeric| > rtol |numeric| + 3e: a difference
 *   that the estimate resolves, however small (a tolerance never excuses
 *   it);
 * - `"inconclusive"`: not a failure, but the estimate is too uncertain to
 *   certify a pass (3e > atol + rtol |numeric|); counted, not a failure;
 * - `"pass"`: agreement, with an estimate good enough to tell;
 * - `"non-finite"`: NaN or Infinity in the value, the analytic or the
 *   numeric derivative: a failure.
 */
export type CheckStatus = "pass" | "fail" | "inconclusive" | "non-finite";

/** One comparison of an analytic derivative with a numerical one. */
export interface GradcheckCheck {
  /** The op's name, or the checked function's name (`"f"` if it has none). */
  op: string;
  /** What was checked; see {@linkcode CheckKind}. */
  kind: CheckKind;
  /** The inputs, in order. */
  point: number[];
  /** Index of the input differentiated; -1 for all at once (`"repeated"`). */
  input: number;
  /** The output at `point`. */
  value: number;
  /** The gradient computed by `backward()`. */
  analytic: number;
  /**
   * The central-difference estimate (times g for `"upstream"`); for
   * `"kink"`, the value between the one-sided slopes nearest to `analytic`;
   * for `"rerun"`, the first run's gradient.
   */
  numeric: number;
  /**
   * A bound on the numerical estimate's own error (truncation plus
   * rounding, plus, in `checkOp`, how much the op's derivative curves
   * within the step): a mismatch above it is not noise.
   */
  numericError: number;
  /** |analytic - numeric|. */
  absError: number;
  /** absError / max(|analytic|, |numeric|), 0 when both are 0. */
  relError: number;
  /** The largest absError that is not a failure: rtol * |numeric| + 3 numericError. */
  tolerance: number;
  /** See {@linkcode CheckStatus}. */
  status: CheckStatus;
  /** Whether the check is not a failure: `status` is `"pass"` or `"inconclusive"`. */
  ok: boolean;
  /** For `"kink"` checks: the left and right one-sided slopes. */
  slopes?: [number, number];
  /**
   * For `"second"` checks: (i, j) of the Hessian entry ∂²f/∂x_i∂x_j, the
   * derivative of ∂f/∂x_i by x_j (`input` is j).
   */
  hessian?: [number, number];
}

/** Where in a graph {@linkcode gradcheck} found the first wrong op. */
export interface GradcheckCulprit {
  /** The node's op name. */
  op: string;
  /** The node's label, if it has one. */
  label: string | undefined;
  /** Its position in `topo(output)`, from 0. */
  index: number;
  /** How many nodes `topo(output)` has. */
  nodes: number;
  /** The node's input values, where its op was checked. */
  point: number[];
  /** The failing local checks of its op at `point`. */
  checks: GradcheckCheck[];
}

/** The result of {@linkcode gradcheck}, {@linkcode gradgradcheck} or {@linkcode checkOp}. */
export interface GradcheckReport {
  /** Whether no check failed (`"inconclusive"` checks do not fail). */
  ok: boolean;
  /** The op's name, or the checked function's name (`"f"` if it has none). */
  name: string;
  /** The seed the points were drawn with; pass it again to replay. */
  seed: number;
  /** Every check, in the order made; {@linkcode formatReport} sorts them worst first. */
  checks: GradcheckCheck[];
  /**
   * When checks fail: what kind of mistake the pattern of failures shows
   * (sign flipped, constant factor, zero, output used for input, not
   * multiplied by the upstream gradient, no accumulation over repeated
   * operands, non-finite only at some points, state kept between calls),
   * one line each, and for `gradcheck` where in the graph the first wrong
   * op is. Empty when the evidence names nothing.
   */
  diagnosis?: string[];
  /** `gradcheck` only, when it fails: the first node whose own op is wrong. */
  culprit?: GradcheckCulprit;
}

/**
 * Compares the gradients that `backward()` computes for `f` at `inputs`
 * with central differences, one check per input. As
 * `torch.autograd.gradcheck`, for a scalar engine.
 *
 * The numerical derivative moves one input by `eps * max(1, |x|)` and by
 * half that, and combines the two central differences with one Richardson
 * step, which also bounds its own error; where that estimate is unstable (a
 * pole, overflow) the step shrinks. Each check is judged against that
 * bound (see {@linkcode CheckStatus}); NaN or Infinity anywhere is a
 * failure with status `"non-finite"`. With `fast`, one random direction is
 * checked instead of each input.
 *
 * When a check fails, gradcheck checks every node of the graph whose op it
 * knows (built-in ops, and those in `options.ops`) at the values the node
 * saw, in topological order, and reports the first wrong one in
 * `report.culprit` and `report.diagnosis`, with checkOp's diagnosis of
 * that op.
 *
 * @param f Builds the output from one Value per input; called once for the
 *   gradients and several times per input for the differences.
 * @param inputs The point to check at: finite numbers, one per argument of `f`.
 * @param options Tolerances, step, constant inputs, `fast`, and your own
 *   ops to look for in the graph.
 * @returns The report: `ok` and one check per non-constant input (one in
 *   all with `fast`), and when it fails, `diagnosis` and `culprit`.
 * @throws {TypeError} If `f` is not a function or does not return a Value,
 *   or `inputs` or `options` have the wrong type.
 * @throws {RangeError} If an input or option is out of range.
 * @example Checking an expression
 * ```ts
 * import { gradcheck } from "@micrograd/micrograd/gradcheck";
 * import assert from "node:assert/strict";
 *
 * const report = gradcheck((x, y) => x.mul(y).tanh(), [0.5, -1.2]);
 * assert.equal(report.ok, true);
 * assert.deepEqual(report.checks.map((c) => c.input), [0, 1]);
 * ```
 * @example Finding the wrong op inside a function of many inputs
 * ```ts
 * import { defineOp, sum } from "@micrograd/micrograd/engine";
 * import { gradcheck } from "@micrograd/micrograd/gradcheck";
 * import assert from "node:assert/strict";
 *
 * const cube = defineOp({
 *   name: "cube",
 *   forward: (x) => x ** 3,
 *   derivatives: ([x]) => [-3 * x * x], // sign wrong
 * });
 * const xs = Array.from({ length: 50 }, (_, i) => Math.sin(i));
 * const report = gradcheck(
 *   (...v) => sum(v.map((x, i) => (i === 7 ? cube(x) : x.tanh()))),
 *   xs,
 *   { fast: true, ops: [cube] },
 * );
 * assert.equal(report.checks.length, 1); // one direction, not 50 inputs
 * assert.equal(report.ok, false);
 * assert.equal(report.culprit?.op, "cube");
 * assert.match(report.diagnosis?.at(-1) ?? "", /^op "cube": sign flipped/);
 * ```
 * @example Holding an input constant
 * ```ts
 * import { gradcheck } from "@micrograd/micrograd/gradcheck";
 * import assert from "node:assert/strict";
 *
 * const report = gradcheck((x, p) => x.pow(p), [2, 3], { constants: [1] });
 * assert.equal(report.checks.length, 1);
 * assert.equal(report.checks[0].analytic, 12);
 * ```
 */
export function gradcheck(
  f: (...xs: Value[]) => Value,
  inputs: number[],
  options?: GradcheckOptions,
): GradcheckReport {
  const { name, o, run } = readInputs(
    f,
    inputs,
    options,
    "Cannot run gradcheck",
  );
  const [leaves, y] = run(inputs);
  y.backward();
  const constant = new Set(o.constants);
  const target = (d: number): number => stepTarget(d, o);
  const checks: GradcheckCheck[] = [];
  if (o.fast) {
    // One random direction u: the gradient's dot product with u against
    // the slope of t -> f(x + t u) at 0.
    const rng = new Random(o.seed);
    const u = inputs.map((x, k) =>
      constant.has(k)
        ? 0
        : (rng.next() < 0.5 ? -1 : 1) * Math.max(1, Math.abs(x))
    );
    let analytic = 0;
    let size = 0;
    for (let k = 0; k < inputs.length; k++) {
      if (u[k] === 0) continue;
      analytic += leaves[k].grad * u[k];
      size += Math.abs(leaves[k].grad * u[k]);
    }
    const estimate = centralDerivative(
      (t) => run(inputs.map((x, k) => x + t * u[k]))[1].data,
      0,
      o.eps,
      Number.isFinite,
      target,
    );
    checks.push(compare(
      {
        op: name,
        kind: "direction",
        point: inputs.slice(),
        input: -1,
        value: y.data,
      },
      analytic,
      estimate.value,
      estimate.error,
      o,
      // Rounding of the dot product, a few ulps per term.
      4 * inputs.length * Number.EPSILON * size,
    ));
  } else {
    for (let k = 0; k < inputs.length; k++) {
      if (constant.has(k)) continue;
      const x = inputs[k];
      const at = (t: number): number => {
        const xs = inputs.slice();
        xs[k] = t;
        return run(xs)[1].data;
      };
      const estimate = centralDerivative(
        at,
        x,
        o.eps * Math.max(1, Math.abs(x)),
        Number.isFinite,
        target,
      );
      checks.push(compare(
        {
          op: name,
          kind: "partial",
          point: inputs.slice(),
          input: k,
          value: y.data,
        },
        leaves[k].grad,
        estimate.value,
        estimate.error,
        o,
      ));
    }
  }
  const report: GradcheckReport = {
    ok: checks.every((c) => c.ok),
    name,
    seed: o.seed,
    checks,
  };
  if (!report.ok) {
    report.diagnosis = diagnose(checks);
    locate(run(inputs)[1], o, report);
  }
  return report;
}

/**
 * Names the first node under `root` whose op fails (see _locate.ts): its
 * op's partials, with a seeded upstream gradient, backward() twice, and a
 * repeated operand where the node has one; then the op's own diagnosis
 * from checkOp.
 */
function locate(root: Value, o: Resolved, report: GradcheckReport): void {
  const local = { ...o, constants: [] };
  locateFirstWrong(root, o, report, {
    check(target, xs, node): GradcheckCheck[] {
      const checker = new LocalChecker(target, local, new Random(o.seed));
      checker.checkPoint(xs, true);
      const same = node.inputs.length >= 2 &&
        node.inputs.every((v) => v === node.inputs[0]);
      if (same) checker.checkRepeated(xs[0], xs.length);
      return checker.checks.filter((c) => !c.ok);
    },
    name: (c) => `${c.kind} of input ${c.input}`,
    more(op, _failing, node): string[] {
      const full = checkOp(op, {
        eps: o.eps,
        atol: o.atol,
        rtol: o.rtol,
        seed: o.seed,
        samples: o.samples,
      });
      return (full.diagnosis ?? []).map((line) => `op "${node.op}": ${line}`);
    },
  });
}

/**
 * Runs {@linkcode gradcheck} and throws if any check fails, with the report
 * table as the message: for tests.
 *
 * @param f Builds the output from one Value per input.
 * @param inputs The point to check at.
 * @param options Tolerances, step and constant inputs.
 * @throws {Error} An error named `"AssertionError"` whose message is the
 *   report from {@linkcode formatReport}, if a check fails.
 * @throws {TypeError} As {@linkcode gradcheck}, for arguments of the wrong type.
 * @throws {RangeError} As {@linkcode gradcheck}, for arguments out of range.
 * @example A wrong gradient fails
 * ```ts
 * import { defineOp } from "@micrograd/micrograd/engine";
 * import { assertGradcheck } from "@micrograd/micrograd/gradcheck";
 * import assert from "node:assert/strict";
 *
 * assertGradcheck((x) => x.sin().mul(x), [0.7]);
 * const square = defineOp({
 *   name: "square",
 *   forward: (x) => x * x,
 *   derivatives: ([x]) => [x], // should be 2x
 * });
 * assert.throws(() => assertGradcheck((x) => square(x), [3]), {
 *   name: "AssertionError",
 *   message: /FAIL/,
 * });
 * ```
 */
export function assertGradcheck(
  f: (...xs: Value[]) => Value,
  inputs: number[],
  options?: GradcheckOptions,
): void {
  const report = gradcheck(f, inputs, options);
  if (!report.ok) throw new AssertionError(formatReport(report));
}
