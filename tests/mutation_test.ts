// Mutation test of checkOp: for every built-in op, mutants that keep its
// forward but corrupt its derivatives must be flagged, unless the mutant is
// mathematically the same as the truth (then it must pass: no false alarm).
// Prints the kill table.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { defineOp, type Op, type OpFunction, ops } from "../engine/mod.ts";
import {
  checkOp,
  type GradcheckCheck,
  type GradcheckReport,
} from "../gradcheck/mod.ts";

type Partials = (inputs: readonly number[], output: number) => number[];

interface Mutant {
  op: string;
  mutation: string;
  fn: OpFunction;
}

// How far "evaluated at a shifted point" moves every input.
const SHIFT = 0.1;

// Mutants that equal the truth everywhere, with the reason.
const IDENTICAL: Record<string, string> = {
  "add shift":
    "dy/da = dy/db = 1 everywhere: the shifted point gives the same partials",
  "sub shift":
    "dy/da = 1, dy/db = -1 everywhere: the shifted point gives the same partials",
  "neg shift":
    "dy/dx = -1 everywhere: the shifted point gives the same partial",
  "sum shift":
    "every partial is 1 everywhere: the shifted point gives the same partials",
  "add swap": "both partials are 1: swapping them changes nothing",
  "sum rotate": "all three partials are 1: rotating them changes nothing",
};

/** The mutants of one op; sum (n-ary) is mutated as a 3-input op. */
function mutantsOf(op: Op): Mutant[] {
  const arity = op.arity === -1 ? 3 : op.arity;
  const d = op.derivatives;
  const make = (mutation: string, derivatives: Partials): Mutant => ({
    op: op.name,
    mutation,
    fn: defineOp({
      name: `${op.name} ${mutation}`,
      arity,
      forward: op.forward,
      derivatives,
      domain: op.domain,
      kinks: op.kinks,
    }),
  });
  const list: Mutant[] = [];
  for (let k = 0; k < arity; k++) {
    const which = arity === 1 ? "" : `[${k}]`;
    list.push(
      make(`x1.01${which}`, (xs, y) => {
        const p = d(xs, y);
        p[k] *= 1.01;
        return p;
      }),
      make(`flip${which}`, (xs, y) => {
        const p = d(xs, y);
        p[k] = -p[k];
        return p;
      }),
    );
  }
  list.push(make("shift", (xs) => {
    const shifted = xs.map((x) => x + SHIFT);
    return d(shifted, op.forward(...shifted));
  }));
  if (arity === 2) {
    list.push(make("swap", (xs, y) => d(xs, y).reverse()));
  }
  if (arity === 3) {
    list.push(make("rotate", (xs, y) => {
      const [p, q, r] = d(xs, y);
      return [q, r, p];
    }));
  }
  return list;
}

/** The worst check of a report, as one line for the table. */
function firstFailure(report: GradcheckReport): string {
  const failed = report.checks.filter((c) => !c.ok);
  if (failed.length === 0) return "";
  // The plain partial derivative that missed by most tolerances, if any.
  const ratio = (c: GradcheckCheck): number => c.absError / c.tolerance;
  const partial = failed.filter((c) => c.kind === "partial");
  const c = (partial.length > 0 ? partial : failed)
    .sort((a, b) => ratio(b) - ratio(a))[0];
  return `${failed.length} failed, e.g. ${c.kind} ${c.input} at (${
    c.point.map((x) => Number(x.toPrecision(4))).join(", ")
  }): analytic ${Number(c.analytic.toPrecision(5))} vs numeric ${
    Number(c.numeric.toPrecision(5))
  }`;
}

describe("checkOp() on mutants of every built-in op", () => {
  const mutants = Object.values(ops).flatMap(mutantsOf);

  it("builds the expected mutants: 3 per unary op, 6 per binary, 8 for sum", () => {
    // 10 unary ops x 3 + 5 binary ops x (2 scale + 2 flip + shift + swap)
    // + sum as 3 inputs x (3 scale + 3 flip + shift + rotate).
    assert.equal(mutants.length, 10 * 3 + 5 * 6 + 8);
    for (const key of Object.keys(IDENTICAL)) {
      assert.ok(mutants.some((m) => `${m.op} ${m.mutation}` === key), key);
    }
  });

  it("kills every mutant that differs from the truth, and passes the identical ones", () => {
    const rows: string[][] = [["op", "mutant", "result", "evidence"]];
    const survivors: string[] = [];
    const falseAlarms: string[] = [];
    let killed = 0;
    for (const m of mutants) {
      const key = `${m.op} ${m.mutation}`;
      const report = checkOp(m.fn);
      const reason = IDENTICAL[key];
      if (reason !== undefined) {
        rows.push([m.op, m.mutation, "skip (identical)", reason]);
        if (!report.ok) falseAlarms.push(key);
      } else if (report.ok) {
        rows.push([m.op, m.mutation, "SURVIVED", ""]);
        survivors.push(key);
      } else {
        rows.push([m.op, m.mutation, "killed", firstFailure(report)]);
        killed++;
      }
    }
    const live = mutants.length - Object.keys(IDENTICAL).length;
    const widths = rows[0].map((_, j) =>
      Math.max(...rows.map((r) => r[j].length))
    );
    console.log(
      rows.map((r) => r.map((c, j) => c.padEnd(widths[j])).join("  ").trimEnd())
        .join("\n"),
    );
    console.log(
      `kill table: ${killed}/${live} non-identical mutants killed (${
        (100 * killed / live).toFixed(0)
      }%), ${Object.keys(IDENTICAL).length} skipped as identical`,
    );
    assert.deepEqual(survivors, []);
    assert.deepEqual(falseAlarms, []);
    assert.equal(killed, live);
  });
});
