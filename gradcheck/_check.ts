// Internal: turning an analytic and a numeric derivative into a check row,
// with the pass rule |analytic - numeric| <= atol + rtol |numeric|.
import type { CheckKind, CheckStatus, GradcheckCheck } from "./gradcheck.ts";
import type { Resolved } from "./_options.ts";

/** Where a check was made. */
export interface Where {
  op: string;
  kind: CheckKind;
  point: number[];
  input: number;
  value: number;
}

/** A check of `analytic` against `numeric` (±`numericError`). */
export function compare(
  where: Where,
  analytic: number,
  numeric: number,
  numericError: number,
  o: Resolved,
): GradcheckCheck {
  const tolerance = o.atol + o.rtol * Math.abs(numeric);
  return row(where, analytic, numeric, numericError, tolerance);
}

/**
 * A check at a kink: the analytic value must lie between the one-sided
 * slopes (widened by the tolerance). `numeric` is the admissible value
 * nearest to the analytic one, so absError is how far outside it lies.
 */
export function between(
  where: Where,
  analytic: number,
  left: number,
  right: number,
  o: Resolved,
): GradcheckCheck {
  const low = Math.min(left, right);
  const high = Math.max(left, right);
  const numeric = analytic < low ? low : analytic > high ? high : analytic;
  const tolerance = o.atol +
    o.rtol * Math.max(Math.abs(left), Math.abs(right));
  const check = row(where, analytic, numeric, 0, tolerance);
  check.slopes = [left, right];
  if (!Number.isFinite(left) || !Number.isFinite(right)) {
    check.status = "non-finite";
    check.ok = false;
  }
  return check;
}

/** A check that a second run gave bit for bit the same gradient. */
export function same(
  where: Where,
  second: number,
  first: number,
): GradcheckCheck {
  const check = row(where, second, first, 0, 0);
  if (check.status === "fail" && Object.is(second, first)) {
    check.status = "pass";
    check.ok = true;
  }
  return check;
}

function row(
  where: Where,
  analytic: number,
  numeric: number,
  numericError: number,
  tolerance: number,
): GradcheckCheck {
  const absError = Math.abs(analytic - numeric);
  const scale = Math.max(Math.abs(analytic), Math.abs(numeric));
  const relError = absError === 0 ? 0 : absError / scale;
  const finite = Number.isFinite(where.value) && Number.isFinite(analytic) &&
    Number.isFinite(numeric);
  const status: CheckStatus = !finite
    ? "non-finite"
    : absError <= tolerance
    ? "pass"
    : "fail";
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
    tolerance,
    status,
    ok: status === "pass",
  };
}
