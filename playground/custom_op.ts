// The custom-op panel's work: turn the typed forward and derivative into
// functions (this evaluates the typed text as JavaScript, which the page
// says plainly), define the op and run checkOp on it. Runs in a worker of
// its own, so a slow or endless typed function never freezes the page.

import { defineOp } from "../engine/mod.ts";
import { checkOp, type GradcheckCheck } from "../gradcheck/mod.ts";

/** What the panel sends. */
export interface CustomOpInput {
  name: string;
  forward: string;
  derivative: string;
  /** Optional: where the op is defined, e.g. `x > 0`; "" for everywhere. */
  domain: string;
}

/** One row of the table the page shows. */
export interface CheckRow {
  kind: string;
  point: number;
  analytic: number;
  numeric: number;
  absError: number;
  tolerance: number;
  status: string;
}

/** The outcome: a report, or a message for one field. */
export type CustomOpResult =
  | {
    ok: true;
    pass: boolean;
    name: string;
    total: number;
    failed: number;
    rows: CheckRow[];
  }
  | { ok: false; field: keyof CustomOpInput | "run"; message: string };

// Math's functions by their plain names, so `exp(x)` works as typed.
const PRELUDE = '"use strict"; const { abs, sign, exp, expm1, log, log1p, ' +
  "sqrt, cbrt, sin, cos, tan, asin, acos, atan, atan2, sinh, cosh, tanh, " +
  "max, min, pow, floor, ceil, round, hypot, PI, E } = Math;\n";

/** The most rows sent back; the worst checks come first. */
const ROWS = 60;

function compile(
  field: "forward" | "derivative" | "domain",
  code: string,
): ((x: number, y: number) => unknown) | string {
  if (code.trim() === "") return `${field} is empty, expected an expression`;
  try {
    // The typed code is evaluated here, on purpose: see the notice on the page.
    return new Function("x", "y", `${PRELUDE}return (${code}\n);`) as (
      x: number,
      y: number,
    ) => unknown;
  } catch (error) {
    return `Cannot read ${field}: ${(error as Error).message}`;
  }
}

function describe(x: unknown): string {
  return typeof x === "string" ? `string "${x}"` : `${typeof x} ${String(x)}`;
}

/** Builds the op from the typed text and checks it. */
export function runCustomOp(input: CustomOpInput): CustomOpResult {
  const name = input.name.trim();
  if (!/^[A-Za-z_][A-Za-z_0-9]*$/.test(name)) {
    return {
      ok: false,
      field: "name",
      message:
        `Cannot use name "${input.name}": expected letters, digits and _`,
    };
  }
  const f = compile("forward", input.forward);
  if (typeof f === "string") return { ok: false, field: "forward", message: f };
  const d = compile("derivative", input.derivative);
  if (typeof d === "string") {
    return { ok: false, field: "derivative", message: d };
  }
  const dom = input.domain.trim() === ""
    ? null
    : compile("domain", input.domain);
  if (typeof dom === "string") {
    return { ok: false, field: "domain", message: dom };
  }
  // Probe once, so a typo such as `sinn(x)` is reported at its field.
  const probe = (
    field: "forward" | "derivative" | "domain",
    g: (x: number, y: number) => unknown,
    x: number,
    y: number,
    want: "number" | "boolean",
  ): string | null => {
    try {
      const out = g(x, y);
      if (
        want === "number" ? typeof out !== "number" : typeof out !== "boolean"
      ) {
        return `Cannot run ${field} at x = ${x}: expected a ${want}, got ${
          describe(out)
        }`;
      }
      return null;
    } catch (error) {
      return `Cannot run ${field} at x = ${x}: ${(error as Error).message}`;
    }
  };
  let x0 = 0.5;
  if (dom !== null) {
    const bad = probe("domain", dom, x0, NaN, "boolean");
    if (bad !== null) return { ok: false, field: "domain", message: bad };
    for (const t of [0.5, 1.5, -0.5, 2, 10, -2, 0.1, 100]) {
      if (dom(t, NaN) === true) {
        x0 = t;
        break;
      }
    }
  }
  const badF = probe("forward", f, x0, NaN, "number");
  if (badF !== null) return { ok: false, field: "forward", message: badF };
  const y0 = f(x0, NaN) as number;
  const badD = probe("derivative", d, x0, y0, "number");
  if (badD !== null) return { ok: false, field: "derivative", message: badD };

  let op;
  try {
    op = defineOp({
      name,
      arity: 1,
      forward: (x) => f(x, NaN) as number,
      derivatives: ([x], y) => [d(x, y) as number],
      domain: dom === null ? undefined : (x) => dom(x, NaN) === true,
    });
  } catch (error) {
    // Only the name can be wrong here (e.g. a built-in op's name).
    return { ok: false, field: "name", message: (error as Error).message };
  }
  let report;
  try {
    report = checkOp(op, { samples: 24 });
  } catch (error) {
    return { ok: false, field: "run", message: (error as Error).message };
  }
  const failed = report.checks.filter((c) => !c.ok).length;
  const rows = [...report.checks].sort(worstFirst).slice(0, ROWS).map((
    c,
  ): CheckRow => ({
    kind: c.kind,
    point: c.point[0],
    analytic: c.analytic,
    numeric: c.numeric,
    absError: c.absError,
    tolerance: c.tolerance,
    status: c.status,
  }));
  return {
    ok: true,
    pass: report.ok,
    name: report.name,
    total: report.checks.length,
    failed,
    rows,
  };
}

// Failures first, then by how far over the tolerance.
function worstFirst(a: GradcheckCheck, b: GradcheckCheck): number {
  if (a.ok !== b.ok) return a.ok ? 1 : -1;
  const ra = a.tolerance > 0 ? a.absError / a.tolerance : a.absError;
  const rb = b.tolerance > 0 ? b.absError / b.tolerance : b.absError;
  return (Number.isNaN(rb) ? Infinity : rb) -
    (Number.isNaN(ra) ? Infinity : ra);
}
