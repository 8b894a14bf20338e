import { describe } from "../engine/_validate.ts";
import { number } from "./_format.ts";
import type { GradcheckCheck, GradcheckReport } from "./gradcheck.ts";

/** Options for {@linkcode formatReport}. */
export interface FormatReportOptions {
  /**
   * How many checks to list, worst first (failures always come first).
   *
   * @default {10}
   */
  rows?: number;
}

/**
 * Renders a report as a plain-text table for people: the worst checks first
 * (failures, plain partial derivatives before the checks derived from
 * them, then inconclusive checks, then the passes that used most of their
 * tolerance), each with its status, op, kind, input, point, analytic and
 * numeric derivatives, absolute and relative error, tolerance (the largest
 * error that is not a failure) and the numerical estimate's own error; then
 * the report's diagnosis lines, if any; then a one-line summary that counts
 * each status, with the seed to replay the run.
 *
 * Given a record of reports (as {@linkcode checkAllOps} returns), it first
 * lists one line per entry, named by its key.
 *
 * @param report One report, or a record of reports by op name.
 * @param options How many checks to list.
 * @returns The table, lines joined with "\n", ending with the summary line.
 * @throws {TypeError} If `report` is not a report or a record of reports.
 * @throws {RangeError} If `rows` is not an integer >= 0.
 * @example A failing custom op
 * ```ts
 * import { defineOp } from "@micrograd/micrograd/engine";
 * import { checkOp, formatReport } from "@micrograd/micrograd/gradcheck";
 * import assert from "node:assert/strict";
 *
 * const cube = defineOp({
 *   name: "cube",
 *   forward: (x) => x ** 3,
 *   derivatives: ([x]) => [2 * x * x], // should be 3x²
 * });
 * const text = formatReport(checkOp(cube, { samples: 8 }), { rows: 3 });
 * assert.match(text, /^FAIL +cube +partial/m);
 * assert.match(text, /^diagnosis: constant factor: analytic = 0\.6667 × numeric/m);
 * assert.match(
 *   text,
 *   /cube: \d+ checks at \d+ points: \d+ passed, \d+ failed, 0 non-finite, 0 inconclusive \(seed 1\)$/,
 * );
 * ```
 */
export function formatReport(
  report: GradcheckReport | Readonly<Record<string, GradcheckReport>>,
  options?: FormatReportOptions,
): string {
  const rows = readRows(options);
  const lines: string[] = [];
  let entries: [string, GradcheckReport][];
  if (isReport(report)) {
    entries = [[report.name, report]];
  } else if (typeof report === "object" && report !== null) {
    entries = Object.entries(report);
    for (const [, r] of entries) {
      if (!isReport(r)) {
        throw new TypeError(
          `Cannot format report: expected a report or a record of reports, got a record holding ${
            describe(r)
          }`,
        );
      }
    }
    lines.push(...opTable(entries), "");
  } else {
    throw new TypeError(
      `Cannot format report: expected a report or a record of reports, got ${
        describe(report)
      }`,
    );
  }
  const reports = entries.map(([, r]) => r);
  const checks: GradcheckCheck[] = [];
  for (const r of reports) checks.push(...r.checks);
  const worst = checks.slice().sort(byBadness);
  const shown = worst.slice(0, rows);
  if (shown.length > 0) {
    lines.push(...checkTable(shown));
    const hiddenFailures = worst.slice(rows).filter((c) => !c.ok).length;
    if (hiddenFailures > 0) {
      lines.push(
        `... and ${hiddenFailures} more failed ${
          hiddenFailures === 1 ? "check" : "checks"
        }`,
      );
    }
  }
  for (const [name, r] of entries) {
    for (const line of r.diagnosis ?? []) {
      lines.push(
        isReport(report)
          ? `diagnosis: ${line}`
          : `diagnosis of ${name}: ${line}`,
      );
    }
  }
  const seeds = [...new Set(reports.map((r) => r.seed))].join(", ");
  const count = (status: string): number =>
    checks.filter((c) => c.status === status).length;
  const what = isReport(report) ? report.name : plural(reports.length, "op");
  lines.push(
    `${what}: ${plural(checks.length, "check")} at ${
      plural(countPoints(checks), "point")
    }: ${count("pass")} passed, ${count("fail")} failed, ${
      count("non-finite")
    } non-finite, ${count("inconclusive")} inconclusive (seed ${seeds})`,
  );
  return lines.join("\n");
}

/** `1 check`, `2 checks`. */
function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function readRows(options: FormatReportOptions | undefined): number {
  const rows = options?.rows ?? 10;
  if (typeof rows !== "number") {
    throw new TypeError(
      `Cannot format report: rows must be a number, got ${describe(rows)}`,
    );
  }
  if (!Number.isInteger(rows) || rows < 0) {
    throw new RangeError(
      `Cannot format report: rows must be an integer >= 0, got ${rows}`,
    );
  }
  return rows;
}

function isReport(x: unknown): x is GradcheckReport {
  return typeof x === "object" && x !== null &&
    Array.isArray((x as GradcheckReport).checks) &&
    typeof (x as GradcheckReport).ok === "boolean";
}

/**
 * Failures first, non-finite before fail, then inconclusive checks, then
 * passes; failures of the plain partial derivative before the checks
 * derived from it (an op with a wrong derivative fails its upstream checks
 * too, by a factor |g| more); then by error over tolerance.
 */
function byBadness(a: GradcheckCheck, b: GradcheckCheck): number {
  const rank = statusRank(a) - statusRank(b);
  if (rank !== 0) return rank;
  if (!a.ok) {
    const kind = KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind);
    if (kind !== 0) return kind;
  }
  return ratio(b) - ratio(a);
}

const KIND_ORDER = [
  "partial",
  "direction",
  "kink",
  "repeated",
  "upstream",
  "rerun",
  "derivativeValues",
  "second",
  "second-direction",
];

function statusRank(c: GradcheckCheck): number {
  return c.status === "non-finite"
    ? 0
    : c.status === "fail"
    ? 1
    : c.status === "inconclusive"
    ? 2
    : 3;
}

/** How much of its tolerance a check used (Infinity for NaN or 0 tolerance). */
function ratio(c: GradcheckCheck): number {
  if (c.absError === 0) return 0;
  const r = c.absError / c.tolerance;
  return Number.isNaN(r) ? Infinity : r;
}

function countPoints(checks: readonly GradcheckCheck[]): number {
  const keys = new Set<string>();
  for (const c of checks) keys.add(`${c.op}|${c.point.join(",")}`);
  return keys.size;
}

function opTable(entries: readonly [string, GradcheckReport][]): string[] {
  const header = [
    "op",
    "result",
    "points",
    "checks",
    "failed",
    "inconclusive",
    "worst err/tol",
  ];
  const body = entries.map(([name, r]) => {
    const failed = r.checks.filter((c) => !c.ok).length;
    const inconclusive = r.checks.filter((c) =>
      c.status === "inconclusive"
    ).length;
    // Over the decided checks: an inconclusive one has no meaningful ratio.
    let worst = 0;
    for (const c of r.checks) {
      if (c.status !== "inconclusive") worst = Math.max(worst, ratio(c));
    }
    return [
      name,
      r.ok ? "pass" : "FAIL",
      String(countPoints(r.checks)),
      String(r.checks.length),
      String(failed),
      String(inconclusive),
      number(worst, 3),
    ];
  });
  return align([header, ...body], [false, false, true, true, true, true, true]);
}

function checkTable(checks: readonly GradcheckCheck[]): string[] {
  const header = [
    "status",
    "op",
    "check",
    "input",
    "point",
    "analytic",
    "numeric",
    "abs err",
    "rel err",
    "tol",
    "fd err",
  ];
  const body = checks.map((c) => [
    c.ok ? c.status : c.status.toUpperCase(),
    c.op,
    c.kind,
    c.hessian !== undefined
      ? c.hessian.join(",")
      : c.input === -1
      ? "all"
      : String(c.input),
    pointText(c.point),
    number(c.analytic, 6),
    c.slopes === undefined
      ? number(c.numeric, 6)
      : `[${number(c.slopes[0], 6)}, ${number(c.slopes[1], 6)}]`,
    number(c.absError, 3),
    number(c.relError, 3),
    number(c.tolerance, 3),
    number(c.numericError, 3),
  ]);
  return align([header, ...body], [
    false,
    false,
    false,
    true,
    false,
    true,
    true,
    true,
    true,
    true,
    true,
  ]);
}

/** `(1, 2)`; a long point as its first three inputs and a count. */
function pointText(point: readonly number[]): string {
  if (point.length <= 6) {
    return `(${point.map((x) => number(x, 6)).join(", ")})`;
  }
  return `(${
    point.slice(0, 3).map((x) => number(x, 6)).join(", ")
  }, ... ${point.length} inputs)`;
}

/** Pads each column to its widest cell; numbers to the right. */
function align(table: string[][], right: boolean[]): string[] {
  const widths = table[0].map((_, j) =>
    Math.max(...table.map((row) => row[j].length))
  );
  return table.map((row) =>
    row.map((cell, j) =>
      j === row.length - 1 && !right[j]
        ? cell
        : right[j]
        ? cell.padStart(widths[j])
        : cell.padEnd(widths[j])
    ).join("  ").trimEnd()
  );
}
