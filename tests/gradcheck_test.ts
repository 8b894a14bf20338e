import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { defineOp, Value } from "../engine/mod.ts";
import { assertGradcheck, gradcheck } from "../gradcheck/mod.ts";

/** |actual - expected| <= tol, with both numbers in the message. */
function near(actual: number, expected: number, tol: number): void {
  assert.ok(
    Math.abs(actual - expected) <= tol,
    `expected ${expected} ± ${tol}, got ${actual}`,
  );
}

describe("gradcheck()", () => {
  it("passes a correct expression with one check per input", () => {
    // f = x y + tanh(x): df/dx = y + 1 - tanh²(x), df/dy = x (by hand).
    const report = gradcheck((x, y) => x.mul(y).add(x.tanh()), [0.5, -1.2]);
    assert.equal(report.ok, true);
    assert.equal(report.checks.length, 2);
    const [dx, dy] = report.checks;
    assert.deepEqual([dx.input, dx.kind, dx.status], [0, "partial", "pass"]);
    assert.deepEqual(dx.point, [0.5, -1.2]);
    near(dx.analytic, -1.2 + 1 - Math.tanh(0.5) ** 2, 1e-15);
    near(dx.numeric, -1.2 + 1 - Math.tanh(0.5) ** 2, 1e-9);
    near(dy.analytic, 0.5, 1e-15);
    near(dy.value, 0.5 * -1.2 + Math.tanh(0.5), 1e-15);
  });

  it("moves each input by eps * max(1, |x|), then by half that", () => {
    const seen: number[] = [];
    gradcheck((x) => {
      seen.push(x.data);
      return x.exp();
    }, [1000 / 1024]);
    // seen[0] is the point itself (for backward); then x + h, x - h, ...
    near(seen[1] - seen[0], 6e-6, 1e-15);
    near(seen[0] - seen[2], 6e-6, 1e-15);
    near(seen[3] - seen[0], 3e-6, 1e-15);
    seen.length = 0;
    gradcheck((x) => {
      seen.push(x.data);
      return x.exp();
    }, [-50]);
    near(seen[1] - seen[0], 50 * 6e-6, 1e-12);
  });

  it("cancels the h² error of the central difference with a Richardson step", () => {
    // x³ at 2 with h = 0.02: the central difference is 12 + h² = 12.0004;
    // one Richardson step is exact for a cubic (its error is O(h⁴) with a
    // zero coefficient).
    const report = gradcheck((x) => x.mul(x).mul(x), [2], { eps: 0.01 });
    near(report.checks[0].numeric, 12, 1e-9);
    assert.ok(report.checks[0].numericError >= 0);
  });

  it("carries a bound on the numerical estimate's own error", () => {
    const report = gradcheck((x) => x.exp(), [1.3]);
    const check = report.checks[0];
    assert.ok(check.numericError < 1e-8, String(check.numericError));
    assert.ok(Math.abs(check.numeric - Math.exp(1.3)) <= check.numericError);
  });

  it("flags a wrong derivative with status fail, naming the input", () => {
    const square = defineOp({
      name: "square",
      forward: (x) => x * x,
      derivatives: ([x]) => [x], // should be 2x
    });
    const report = gradcheck((x, y) => square(x).add(y), [3, 1]);
    assert.equal(report.ok, false);
    const [dx, dy] = report.checks;
    assert.deepEqual([dx.status, dx.ok, dx.analytic], ["fail", false, 3]);
    near(dx.numeric, 6, 1e-6);
    near(dx.absError, 3, 1e-6);
    near(dx.relError, 0.5, 1e-6);
    // Not a failure up to rtol |numeric| + 3 times the estimate's error.
    near(dx.tolerance, 1e-3 * 6 + 3 * dx.numericError, 1e-12);
    assert.equal(dy.status, "pass");
  });

  it("reports NaN in the value as non-finite, not a pass", () => {
    const report = gradcheck((x) => x.log(), [-1]);
    assert.equal(report.ok, false);
    assert.equal(report.checks[0].status, "non-finite");
    assert.ok(Number.isNaN(report.checks[0].value));
  });

  it("reports an infinite analytic derivative as non-finite", () => {
    // cbrt: finite at 0, but its derivative 1 / (3 x^(2/3)) is Infinity there.
    const cbrt = defineOp({
      name: "cbrt",
      forward: (x) => Math.cbrt(x),
      derivatives: ([x]) => [1 / (3 * Math.cbrt(x) ** 2)],
    });
    const check = gradcheck((x) => cbrt(x), [0]).checks[0];
    assert.deepEqual([check.value, check.analytic], [0, Infinity]);
    assert.equal(check.status, "non-finite");
  });

  it("reports a NaN numeric derivative as non-finite", () => {
    // Defined only at exactly 1: every difference quotient is NaN.
    const spike = defineOp({
      name: "spike",
      forward: (x) => x === 1 ? 0 : NaN,
      derivatives: () => [0],
    });
    const check = gradcheck((x) => spike(x), [1]).checks[0];
    assert.ok(Number.isNaN(check.numeric));
    assert.deepEqual([check.status, check.ok], ["non-finite", false]);
  });

  it("holds constant inputs still and does not check them", () => {
    const seen: number[] = [];
    const report = gradcheck(
      (x, p) => {
        seen.push(p.data);
        return x.pow(p);
      },
      [2, 3],
      { constants: [1] },
    );
    assert.deepEqual(report.checks.map((c) => c.input), [0]);
    assert.equal(report.checks[0].analytic, 12); // 3 · 2²
    assert.ok(seen.every((p) => p === 3));
  });

  it("names the report after the function, or f", () => {
    function area(w: Value, h: Value): Value {
      return w.mul(h);
    }
    assert.equal(gradcheck(area, [2, 3]).name, "area");
    assert.equal(gradcheck(area, [2, 3]).checks[0].op, "area");
    assert.equal(gradcheck((x) => x.neg(), [1]).name, "f");
    assert.equal(gradcheck(area, [2, 3]).seed, 1);
  });

  it("gives the same report twice", () => {
    const f = (x: Value, y: Value): Value => x.div(y).sin();
    assert.deepEqual(gradcheck(f, [0.3, 0.7]), gradcheck(f, [0.3, 0.7]));
  });

  it("rejects a bad f, inputs or options with a clear error", () => {
    const f = (x: Value): Value => x;
    const bad = (run: () => unknown, name: string, message: RegExp): void => {
      assert.throws(run, { name, message });
    };
    bad(
      () => gradcheck(42 as unknown as typeof f, [1]),
      "TypeError",
      /^Cannot run gradcheck: f must be a function, got 42$/,
    );
    bad(
      () => gradcheck(f, "1" as unknown as number[]),
      "TypeError",
      /^Cannot run gradcheck: inputs must be an array of numbers, got string "1"$/,
    );
    bad(
      () => gradcheck(f, ["1" as unknown as number]),
      "TypeError",
      /^Cannot run gradcheck: input 0 must be a number, got string "1"$/,
    );
    bad(
      () => gradcheck(f, [NaN]),
      "RangeError",
      /^Cannot run gradcheck: input 0 must be finite, got NaN$/,
    );
    bad(
      () => gradcheck(() => 3 as unknown as Value, [1]),
      "TypeError",
      /^Cannot run gradcheck: f must return a Value, got 3$/,
    );
    bad(
      () => gradcheck(f, [1], null as unknown as undefined),
      "TypeError",
      /^Cannot run gradcheck: options must be an object, got null$/,
    );
    bad(
      () => gradcheck(f, [1], { eps: 0 }),
      "RangeError",
      /^Cannot run gradcheck: eps must be in \(0, 1\), got 0$/,
    );
    bad(
      () => gradcheck(f, [1], { atol: "0" as unknown as number }),
      "TypeError",
      /^Cannot run gradcheck: atol must be a number, got string "0"$/,
    );
    bad(
      () => gradcheck(f, [1], { rtol: -1 }),
      "RangeError",
      /^Cannot run gradcheck: rtol must be finite and >= 0, got -1$/,
    );
    bad(
      () => gradcheck(f, [1], { samples: 1.5 }),
      "RangeError",
      /^Cannot run gradcheck: samples must be an integer from 1 to 10000, got 1.5$/,
    );
    bad(
      () => gradcheck(f, [1], { seed: -1 }),
      "RangeError",
      /^Cannot run gradcheck: seed must be an integer from 0 to 4294967295, got -1$/,
    );
    bad(
      () => gradcheck(f, [1], { constants: 0 as unknown as number[] }),
      "TypeError",
      /^Cannot run gradcheck: constants must be an array of input indices, got 0$/,
    );
    bad(
      () => gradcheck(f, [1], { constants: [-1] }),
      "RangeError",
      /^Cannot run gradcheck: constants must hold input indices \(integers >= 0\), got -1$/,
    );
    bad(
      () => gradcheck(f, [1, 2], { constants: [2] }),
      "RangeError",
      /^Cannot run gradcheck: constant index 2 is out of range for 2 inputs$/,
    );
  });

  it("refuses to pass when there is nothing to check", () => {
    assert.throws(() => gradcheck(() => new Value(1), []), {
      name: "RangeError",
      message:
        "Cannot run gradcheck: inputs is empty, so there is nothing to check",
    });
    assert.throws(
      () => assertGradcheck((a) => a.mul(3), [2], { constants: [0] }),
      {
        name: "RangeError",
        message:
          "Cannot run gradcheck: every input is constant, so there is nothing to check",
      },
    );
  });
});

describe("assertGradcheck()", () => {
  it("returns quietly when every check passes", () => {
    assert.equal(assertGradcheck((x) => x.sigmoid().mul(x), [0.4]), undefined);
  });

  it("throws an AssertionError whose message is the report table", () => {
    const half = defineOp({
      name: "half",
      forward: (x) => x / 2,
      derivatives: () => [0.25], // should be 0.5
    });
    assert.throws(() => assertGradcheck((x) => half(x), [1]), (error) => {
      assert.ok(error instanceof Error);
      assert.equal(error.name, "AssertionError");
      const lines = error.message.split("\n");
      assert.match(lines[0], /^status +op +check +input +point +analytic/);
      assert.match(lines[1], /^FAIL +f +partial +0 +\(1\) +0\.25 +0\.5 /);
      assert.equal(
        lines.at(-1),
        "f: 1 check at 1 point: 0 passed, 1 failed, 0 non-finite, 0 inconclusive (seed 1)",
      );
      return true;
    });
  });
});
