// No false alarm on the built-in ops over 300 seeds of checkAllOps (64
// random points per op and seed, plus the edge points): every check passes
// or is inconclusive. Prints the worst margin: the largest |analytic -
// numeric| / tolerance over passing checks (1 would be a failure).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { checkAllOps } from "../gradcheck/mod.ts";

describe("checkAllOps() over 300 seeds", () => {
  it("raises no false alarm on any built-in op", () => {
    const alarms: string[] = [];
    let checks = 0;
    let inconclusive = 0;
    let worst = 0;
    let where = "";
    for (let seed = 1; seed <= 300; seed++) {
      for (const [name, report] of Object.entries(checkAllOps({ seed }))) {
        for (const c of report.checks) {
          checks++;
          const at =
            `${name} ${c.kind} input ${c.input} at (${c.point}), seed ${seed}`;
          if (!c.ok) alarms.push(`${c.status}: ${at}`);
          if (c.status === "inconclusive") inconclusive++;
          if (c.status !== "pass" || c.absError === 0) continue;
          const margin = c.absError / c.tolerance;
          if (margin > worst) [worst, where] = [margin, at];
        }
      }
    }
    console.log(
      `300 seeds: ${checks} checks, ${alarms.length} false alarms, ${inconclusive} inconclusive; worst margin ${
        worst.toPrecision(3)
      } of the tolerance (${where})`,
    );
    assert.deepEqual(alarms.slice(0, 5), []);
    assert.ok(worst < 1);
  });
});
