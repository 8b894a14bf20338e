// Internal: judging one analytic derivative against one numerical estimate.
//
// The rule (gradcheck 2): a difference is real when it is larger than what
// the numerical estimate's own error bound and a relative tolerance can
// explain:
//
//   allowed     = rtol |numeric| + SAFETY (numericError + analyticError)
//                 + UNDERFLOW
//   uncertainty = SAFETY (numericError + analyticError)
//
//   |analytic - numeric| >  allowed                  -> "fail"
//   else uncertainty     >  atol + rtol |numeric|    -> "inconclusive"
//   else                                             -> "pass"
//
// So `atol` only says how much finite-difference noise is acceptable for a
// pass; it never excuses a difference that the estimate resolves. A sign
// error on a derivative of size 1e-6 fails as soon as the estimate is good
// to better than 1e-6 (it is, to about 1e-16, on smooth functions).
//
// This is the reuse point for other checkers (a second-order gradgradcheck):
// `judge` needs only the two numbers and the two error bounds, and `compare`
// turns them into a GradcheckCheck row that formatReport, the diagnosis and
// the status counts understand.
import type { CheckKind, CheckStatus, GradcheckCheck } from "./gradcheck.ts";
import type { Resolved } from "./_options.ts";

/**
 * How many times the estimate's error bound a difference may reach and
 * still be put down to noise. The bound is already an over-estimate on
 * smooth functions (see _numeric.ts); 3 leaves room for forward functions
 * that are off by a few ulps.
 */
export const SAFETY = 3;

/**
 * The smallest normal double: differences below it are lost to underflow
 * (1 / (1 + e^710) is 0, the true 4.5e-309 a subnormal), never evidence.
 */
export const UNDERFLOW = 2.2250738585072014e-308;

/** Where a check was made. */
export interface Where {
  op: string;
  kind: CheckKind;
  point: number[];
  input: number;
  value: number;
}

/** The verdict on one analytic-vs-numeric pair. */
export interface Verdict {
  status: CheckStatus;
  /** The largest |analytic - numeric| that is not a failure. */
  allowed: number;
}

/**
 * Judges `analytic` (good to ±`analyticError`, from its own rounding)
 * against `numeric` (good to ±`numericError`): see the rule at the top of
 * this file. NaN or Infinity in either, or in `value`, is `"non-finite"`.
 */
export function judge(
  analytic: number,
  analyticError: number,
  numeric: number,
  numericError: number,
  value: number,
  o: Pick<Resolved, "atol" | "rtol">,
): Verdict {
  const uncertainty = SAFETY * (numericError + analyticError);
  const allowed = o.rtol * Math.abs(numeric) + uncertainty + UNDERFLOW;
  const finite = Number.isFinite(value) && Number.isFinite(analytic) &&
    Number.isFinite(numeric);
  if (!finite) {
    // A derivative beyond the largest double (pow near its overflow) is
    // rightly Infinity; a difference quotient cannot confirm it.
    const overflow = Number.isFinite(value) &&
      Math.abs(analytic) === Infinity &&
      (numeric === analytic || Number.isNaN(numeric));
    return { status: overflow ? "inconclusive" : "non-finite", allowed };
  }
  const difference = Math.abs(analytic - numeric);
  if (difference > allowed) return { status: "fail", allowed };
  if (uncertainty > o.atol + o.rtol * Math.abs(numeric)) {
    return { status: "inconclusive", allowed };
  }
  return { status: "pass", allowed };
}

/** A check of `analytic` against `numeric` (±`numericError`), as a row. */
export function compare(
  where: Where,
  analytic: number,
  numeric: number,
  numericError: number,
  o: Resolved,
  analyticError = 0,
): GradcheckCheck {
  const verdict = judge(
    analytic,
    analyticError,
    numeric,
    numericError,
    where.value,
    o,
  );
  return row(where, analytic, numeric, numericError, verdict);
}

/**
 * A check at a kink: the analytic value must lie between the one-sided
 * slopes, widened by rtol and their rounding noise. `numeric` is the
 * admissible value nearest to the analytic one, so absError is how far
 * outside it lies.
 */
export function between(
  where: Where,
  analytic: number,
  left: number,
  right: number,
  noise: number,
  o: Resolved,
): GradcheckCheck {
  const low = Math.min(left, right);
  const high = Math.max(left, right);
  const numeric = analytic < low ? low : analytic > high ? high : analytic;
  const finite = Number.isFinite(left) && Number.isFinite(right);
  const allowed = o.rtol * Math.max(Math.abs(left), Math.abs(right)) +
    SAFETY * noise;
  const difference = Math.abs(analytic - numeric);
  const status: CheckStatus = !finite || !Number.isFinite(analytic)
    ? "non-finite"
    : difference > allowed
    ? "fail"
    : SAFETY * noise > o.atol
    ? "inconclusive"
    : "pass";
  const check = row(where, analytic, numeric, noise, { status, allowed });
  check.slopes = [left, right];
  return check;
}

/** A check that a second run gave bit for bit the same gradient. */
export function same(
  where: Where,
  second: number,
  first: number,
): GradcheckCheck {
  const equal = Object.is(second, first) ||
    (Number.isNaN(second) && Number.isNaN(first));
  const finite = Number.isFinite(second) && Number.isFinite(first);
  const status: CheckStatus = equal ? (finite ? "pass" : "non-finite") : "fail";
  return row(where, second, first, 0, { status, allowed: 0 });
}

/**
 * A check that two computations of the same number agree to rounding:
 * `bound` is the largest difference rounding explains. Bit for bit equal
 * (NaN and NaN too) passes; otherwise NaN or Infinity in either is
 * "non-finite", and a difference above `bound` fails. Never inconclusive:
 * there is no estimate whose noise could hide a difference.
 */
export function agree(
  where: Where,
  analytic: number,
  numeric: number,
  bound: number,
): GradcheckCheck {
  const equal = Object.is(analytic, numeric) ||
    (Number.isNaN(analytic) && Number.isNaN(numeric));
  const finite = Number.isFinite(analytic) && Number.isFinite(numeric);
  const status: CheckStatus = equal
    ? "pass"
    : !finite
    ? "non-finite"
    : Math.abs(analytic - numeric) <= bound
    ? "pass"
    : "fail";
  return row(where, analytic, numeric, bound, { status, allowed: bound });
}

/** Whether a status is a failure ("fail" or "non-finite"). */
export function failed(status: CheckStatus): boolean {
  return status === "fail" || status === "non-finite";
}

function row(
  where: Where,
  analytic: number,
  numeric: number,
  numericError: number,
  verdict: Verdict,
): GradcheckCheck {
  const absError = Math.abs(analytic - numeric);
  const scale = Math.max(Math.abs(analytic), Math.abs(numeric));
  const relError = absError === 0 ? 0 : absError / scale;
  return {
    op: where.op,
    kind: where.kind,
    point: where.point,
    input: where.input,
    value: where.value,
    analytic,
    numeric,
    numericError,
    absError,
    relError,
    tolerance: verdict.allowed,
    status: verdict.status,
    ok: !failed(verdict.status),
  };
}
