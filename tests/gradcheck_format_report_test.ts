import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  formatReport,
  type GradcheckCheck,
  type GradcheckReport,
} from "../gradcheck/mod.ts";

/** A check row with the fields that matter here; the rest are plain. */
function check(fields: Partial<GradcheckCheck>): GradcheckCheck {
  return {
    op: "op",
    kind: "partial",
    point: [1],
    input: 0,
    value: 1,
    analytic: 1,
    numeric: 1,
    numericError: 1e-12,
    absError: 0,
    relError: 0,
    tolerance: 1e-3,
    status: "pass",
    ok: true,
    ...fields,
  };
}

// One pass that used half its tolerance, one failure 10 tolerances off, one
// NaN, at two distinct points.
const report: GradcheckReport = {
  ok: false,
  name: "demo",
  seed: 5,
  checks: [
    check({ point: [0.5], absError: 5e-4, relError: 5e-4, analytic: 1.0005 }),
    check({
      point: [0.5],
      input: 0,
      kind: "upstream",
      analytic: 2,
      numeric: 1.99,
      absError: 0.01,
      relError: 0.005,
      tolerance: 0.001,
      status: "fail",
      ok: false,
    }),
    check({
      point: [-2, 1.2e-7],
      input: 1,
      value: NaN,
      analytic: NaN,
      absError: NaN,
      relError: NaN,
      status: "non-finite",
      ok: false,
    }),
  ],
};

describe("formatReport()", () => {
  it("lists the checks worst first: non-finite, then failures, then passes", () => {
    const lines = formatReport(report).split("\n");
    assert.match(
      lines[0],
      /^status +op +check +input +point +analytic +numeric +abs err +rel err +tol +fd err$/,
    );
    assert.match(
      lines[1],
      /^NON-FINITE +op +partial +1 +\(-2, 1\.2e-7\) +NaN +1 +NaN +NaN +0\.001 +1e-12$/,
    );
    assert.match(
      lines[2],
      /^FAIL +op +upstream +0 +\(0\.5\) +2 +1\.99 +0\.01 +0\.005 +0\.001 +1e-12$/,
    );
    assert.match(
      lines[3],
      /^pass +op +partial +0 +\(0\.5\) +1\.0005 +1 +5e-4 +5e-4 +0\.001 +1e-12$/,
    );
  });

  it("ends with a one-line summary and the seed to replay", () => {
    const lines = formatReport(report).split("\n");
    assert.equal(
      lines.at(-1),
      "demo: 3 checks at 2 points: 1 passed, 1 failed, 1 non-finite, 0 inconclusive (seed 5)",
    );
  });

  it("shows at most `rows` checks and counts the failures left out", () => {
    const lines = formatReport(report, { rows: 1 }).split("\n");
    assert.equal(lines.length, 4);
    assert.equal(lines[2], "... and 1 more failed check");
    assert.equal(formatReport(report, { rows: 0 }).split("\n").length, 1);
  });

  it("shows a kink check's one-sided slopes in the numeric column", () => {
    const kink = check({
      kind: "kink",
      point: [0],
      analytic: 0,
      numeric: 0,
      slopes: [0, 1],
    });
    const text = formatReport({
      ok: true,
      name: "relu",
      seed: 1,
      checks: [kink],
    });
    assert.match(text, /^pass +op +kink +0 +\(0\) +0 +\[0, 1\]/m);
  });

  it("lists one line per op first when given a record of reports", () => {
    const good: GradcheckReport = {
      ok: true,
      name: "good",
      seed: 5,
      checks: [check({ op: "good" })],
    };
    const lines = formatReport({ good, demo: report }).split("\n");
    assert.match(
      lines[0],
      /^op +result +points +checks +failed +inconclusive +worst err\/tol$/,
    );
    assert.match(lines[1], /^good +pass +1 +1 +0 +0 +0$/);
    assert.match(lines[2], /^demo +FAIL +2 +3 +2 +0 +Infinity$/);
    assert.equal(lines[3], "");
    assert.equal(
      lines.at(-1),
      "2 ops: 4 checks at 3 points: 2 passed, 1 failed, 1 non-finite, 0 inconclusive (seed 5)",
    );
  });

  it("rejects anything but a report or a record of reports", () => {
    assert.throws(() => formatReport(42 as unknown as GradcheckReport), {
      name: "TypeError",
      message:
        /^Cannot format report: expected a report or a record of reports, got 42$/,
    });
    assert.throws(() => formatReport({ x: 1 } as unknown as GradcheckReport), {
      name: "TypeError",
      message:
        /^Cannot format report: expected a report or a record of reports, got a record holding 1$/,
    });
    assert.throws(() => formatReport(report, { rows: -1 }), {
      name: "RangeError",
      message: /^Cannot format report: rows must be an integer >= 0, got -1$/,
    });
  });
});
