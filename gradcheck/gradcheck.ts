import { describe } from "../engine/_validate.ts";
import { Value } from "../engine/value.ts";
import { AssertionError } from "./_assertion_error.ts";
import { compare } from "./_check.ts";
import { centralDerivative } from "./_numeric.ts";
import { readOptions } from "./_options.ts";
import { formatReport } from "./format_report.ts";

/** Options for {@linkcode gradcheck}, {@linkcode checkOp} and {@linkcode checkAllOps}. */
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
   * Absolute tolerance: a check passes when
   * |analytic - numeric| <= atol + rtol * |numeric|.
   *
   * @default {1e-5}
   */
  atol?: number;
  /**
   * Relative tolerance, see `atol`.
   *
   * @default {1e-3}
   */
  rtol?: number;
  /**
   * `checkOp`: how many random points to sample inside the op's domain
   * (edge and kink points come on top). Not used by `gradcheck`.
   *
   * @default {64}
   */
  samples?: number;
  /**
   * `checkOp`: seed of the random points and upstream gradients; the report
   * carries it, so a failure can be replayed. Not used by `gradcheck`.
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
 * - `"rerun"`: a second build and `backward()` at the same point against
 *   the first, bit for bit.
 */
export type CheckKind = "partial" | "upstream" | "repeated" | "kink" | "rerun";

/**
 * The outcome of one check: `"pass"`, `"fail"` (the error is above the
 * tolerance) or `"non-finite"` (NaN or Infinity in the value, the analytic
 * or the numeric derivative).
 */
export type CheckStatus = "pass" | "fail" | "non-finite";

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
   * rounding): a mismatch far above it is not noise.
   */
  numericError: number;
  /** |analytic - numeric|. */
  absError: number;
  /** absError / max(|analytic|, |numeric|), 0 when both are 0. */
  relError: number;
  /** The largest absError that passes: atol + rtol * |numeric|. */
  tolerance: number;
  /** `"pass"`, `"fail"` or `"non-finite"`. */
  status: CheckStatus;
  /** Whether `status` is `"pass"`. */
  ok: boolean;
  /** For `"kink"` checks: the left and right one-sided slopes. */
  slopes?: [number, number];
}

/** The result of {@linkcode gradcheck} or {@linkcode checkOp}. */
export interface GradcheckReport {
  /** Whether every check passed. */
  ok: boolean;
  /** The op's name, or the checked function's name (`"f"` if it has none). */
  name: string;
  /** The seed the points were drawn with; pass it again to replay. */
  seed: number;
  /** Every check, in the order made; {@linkcode formatReport} sorts them worst first. */
  checks: GradcheckCheck[];
}

/**
 * Compares the gradients that `backward()` computes for `f` at `inputs`
 * with central differences, one check per input. As
 * `torch.autograd.gradcheck`, for a scalar engine.
 *
 * The numerical derivative moves one input by `eps * max(1, |x|)` and by
 * half that, and combines the two central differences with one Richardson
 * step; where that estimate is unstable (a pole, overflow) the step
 * shrinks. A check passes when |analytic - numeric| <= atol + rtol *
 * |numeric|; NaN or Infinity anywhere is a failure with status
 * `"non-finite"`.
 *
 * @param f Builds the output from one Value per input; called once for the
 *   gradients and several times per input for the differences.
 * @param inputs The point to check at: finite numbers, one per argument of `f`.
 * @param options Tolerances, step and constant inputs.
 * @returns The report: `ok` and one check per non-constant input.
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
  const action = "Cannot run gradcheck";
  if (typeof f !== "function") {
    throw new TypeError(`${action}: f must be a function, got ${describe(f)}`);
  }
  const name = f.name === "" ? "f" : f.name;
  if (!Array.isArray(inputs)) {
    throw new TypeError(
      `${action}: inputs must be an array of numbers, got ${describe(inputs)}`,
    );
  }
  for (let k = 0; k < inputs.length; k++) {
    const x = inputs[k];
    if (typeof x !== "number") {
      throw new TypeError(
        `${action}: input ${k} must be a number, got ${describe(x)}`,
      );
    }
    if (!Number.isFinite(x)) {
      throw new RangeError(`${action}: input ${k} must be finite, got ${x}`);
    }
  }
  const o = readOptions(options, action);
  for (const k of o.constants) {
    if (k >= inputs.length) {
      throw new RangeError(
        `${action}: constant index ${k} is out of range for ${inputs.length} inputs`,
      );
    }
  }
  if (inputs.length === 0 || new Set(o.constants).size >= inputs.length) {
    throw new RangeError(
      `${action}: ${
        inputs.length === 0 ? "inputs is empty" : "every input is constant"
      }, so there is nothing to check`,
    );
  }
  const run = (xs: readonly number[]): [Value[], Value] => {
    const leaves = xs.map((x) => new Value(x));
    const y: unknown = f(...leaves);
    if (!(y instanceof Value)) {
      throw new TypeError(
        `${action}: f must return a Value, got ${describe(y)}`,
      );
    }
    return [leaves, y];
  };
  const [leaves, y] = run(inputs);
  y.backward();
  const checks: GradcheckCheck[] = [];
  for (let k = 0; k < inputs.length; k++) {
    if (o.constants.includes(k)) continue;
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
      (d) => 0.01 * (o.atol + o.rtol * Math.abs(d)),
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
  return { ok: checks.every((c) => c.ok), name, seed: o.seed, checks };
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
