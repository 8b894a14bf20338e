import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { defineOp, Value } from "../engine/mod.ts";
import * as root from "../mod.ts";
import {
  checkOp,
  formatReport,
  type GradcheckCheck,
  type GradcheckReport,
  gradgradcheck,
} from "../gradcheck/mod.ts";

/** |actual - expected| <= tol · max(1, |expected|), with both in the message. */
function near(actual: number, expected: number, tol = 1e-12): void {
  assert.ok(
    Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)),
    `expected ${expected}, got ${actual}`,
  );
}

function second(report: GradcheckReport): GradcheckCheck[] {
  return report.checks.filter((c) => c.kind === "second");
}

// cube: y = x³, dy/dx = 3x², d²y/dx² = 6x.
const cube = defineOp({
  name: "cube",
  forward: (x) => x ** 3,
  derivatives: ([x]) => [3 * x * x],
  derivativeValues: ([x]) => [x.mul(x).mul(3)],
});
// Numerically equal at first order, but x.data is a constant to grad:
// d/dx (3x · x.data) = 3x, half of 6x.
const cubeData = defineOp({
  name: "cube",
  forward: (x) => x ** 3,
  derivatives: ([x]) => [3 * x * x],
  derivativeValues: ([x]) => [x.mul(3).mul(x.data)],
});
// The partial as a new leaf: its derivative is 0.
const cubeLeaf = defineOp({
  name: "cube",
  forward: (x) => x ** 3,
  derivatives: ([x]) => [3 * x * x],
  derivativeValues: ([x]) => [new Value(3 * x.data * x.data)],
});

describe("gradgradcheck()", () => {
  it("is exported from gradcheck/mod.ts and from mod.ts", () => {
    assert.equal(root.gradgradcheck, gradgradcheck);
  });

  it("checks n first derivatives, then the n² Hessian entries, against closed forms", () => {
    // f = x² y + sin(x) y³
    // f_x = 2xy + cos(x) y³           f_y = x² + 3 sin(x) y²
    // f_xx = 2y - sin(x) y³  f_xy = f_yx = 2x + 3 cos(x) y²  f_yy = 6 sin(x) y
    const [x, y] = [0.7, -1.3];
    const report = gradgradcheck(
      (a, b) => a.mul(a).mul(b).add(a.sin().mul(b.pow(3))),
      [x, y],
    );
    assert.equal(report.ok, true, formatReport(report));
    assert.deepEqual(
      report.checks.map((c) => [c.kind, c.input, c.hessian]),
      [
        ["partial", 0, undefined],
        ["partial", 1, undefined],
        ["second", 0, [0, 0]],
        ["second", 1, [0, 1]],
        ["second", 0, [1, 0]],
        ["second", 1, [1, 1]],
      ],
    );
    const expected = [
      2 * x * y + Math.cos(x) * y ** 3,
      x * x + 3 * Math.sin(x) * y * y,
      2 * y - Math.sin(x) * y ** 3,
      2 * x + 3 * Math.cos(x) * y * y,
      2 * x + 3 * Math.cos(x) * y * y,
      6 * Math.sin(x) * y,
    ];
    report.checks.forEach((c, i) => {
      near(c.analytic, expected[i]);
      near(c.numeric, expected[i], 1e-7);
      assert.equal(c.status, "pass");
      assert.deepEqual(c.point, [x, y]);
    });
    assert.equal(report.name, "f");
    assert.equal(report.seed, 1);
  });

  it("passes through every built-in op", () => {
    const cases: [string, (...v: Value[]) => Value, number[]][] = [
      ["tanh, mul", (a, b) => a.mul(b).tanh(), [0.5, -1.2]],
      ["div, sub", (a, b) => a.div(b.sub(3)), [1.5, 0.4]],
      ["pow", (a, b) => a.pow(b), [1.7, 2.3]],
      ["exp, log, sqrt", (a) => a.exp().add(a.log()).mul(a.sqrt()), [0.8]],
      ["sigmoid, neg", (a) => a.neg().sigmoid(), [0.3]],
      ["sin, cos", (a, b) => a.sin().mul(b.cos()), [1.1, -0.4]],
      ["relu, abs", (a, b) => a.relu().mul(b.abs()).mul(a), [0.9, -2]],
      ["sum", (a, b, c) => root.sum([a.mul(b), b.mul(c), c.mul(a)]), [
        1,
        2,
        3,
      ]],
    ];
    for (const [name, f, xs] of cases) {
      const report = gradgradcheck(f, xs);
      assert.equal(report.ok, true, `${name}\n${formatReport(report)}`);
      assert.equal(report.checks.length, xs.length + xs.length ** 2, name);
    }
  });

  it("holds constant inputs fixed at both orders", () => {
    const report = gradgradcheck((x, p) => x.pow(p), [2, 3], {
      constants: [1],
    });
    assert.deepEqual(
      report.checks.map((c) => [c.kind, c.input, c.analytic]),
      [["partial", 0, 12], ["second", 0, 12]], // 3x², 6x at x = 2
    );
  });

  it("fails derivativeValues that are right at first order but not at second", () => {
    // First order cannot tell them apart...
    assert.equal(checkOp(cubeData).ok, true);
    assert.equal(checkOp(cubeLeaf).ok, true);
    // ... second order can: 6x = 9 at x = 1.5, the mutants give 4.5 and 0.
    for (const [op, wrong] of [[cubeData, 4.5], [cubeLeaf, 0]] as const) {
      const report = gradgradcheck((x) => op(x), [1.5], { ops: [op] });
      assert.equal(report.ok, false);
      assert.deepEqual(
        report.checks.map((c) => [c.kind, c.status]),
        [["partial", "pass"], ["second", "fail"]],
      );
      const [c] = second(report);
      assert.equal(c.analytic, wrong);
      near(c.numeric, 9, 1e-7);
      const text = formatReport(report);
      assert.match(
        text,
        new RegExp(`^FAIL +f +second +0,0 +\\(1\\.5\\) +${wrong} +9 `, "m"),
      );
      assert.match(
        text,
        /^diagnosis: first derivatives pass, second derivatives fail: ∂²f\/∂x0∂x0 is /m,
      );
      assert.match(
        text,
        /^diagnosis: op "cube": its derivativeValues give the right first derivatives but the wrong second ones/m,
      );
      assert.equal(report.culprit?.op, "cube");
    }
    // The correct op passes.
    const report = gradgradcheck((x) => cube(x), [1.5], { ops: [cube] });
    assert.equal(report.ok, true, formatReport(report));
    assert.equal(second(report)[0].analytic, 9);
  });

  it("names the first wrong node inside a larger graph", () => {
    // sin(cube(x y)): cube is node 4 of 5 (x, y, mul, cube, sin).
    const report = gradgradcheck(
      (x, y) => cubeData(x.mul(y)).sin(),
      [1.5, 0.7],
      { ops: [cubeData] },
    );
    assert.equal(report.ok, false);
    assert.ok(report.checks.every((c) => c.kind !== "partial" || c.ok));
    assert.equal(second(report).filter((c) => !c.ok).length, 4);
    assert.deepEqual(
      [report.culprit?.op, report.culprit?.index, report.culprit?.nodes],
      ["cube", 3, 5],
    );
    near(report.culprit?.point[0] ?? NaN, 1.05, 1e-15);
    assert.ok(
      report.diagnosis?.some((l) =>
        /^first wrong node: op "cube", node 4 of 5 in topological order, at \(1\.05\): second derivative ∂²cube\/∂x0∂x0 is 3\.15, numerically 6\.3$/
          .test(l)
      ),
      report.diagnosis?.join("\n"),
    );
  });

  it("says which ops it could not check node by node", () => {
    // Without ops: [cubeData], the search cannot check the user op.
    const report = gradgradcheck((x) => cubeData(x).tanh(), [0.9]);
    assert.equal(report.ok, false);
    assert.equal(report.culprit, undefined);
    assert.match(
      report.diagnosis?.at(-1) ?? "",
      /not checked node by node: "cube" \(pass them in options\.ops\)$/,
    );
  });

  it("with fast, checks one direction at each order, seeded", () => {
    const f = (x: Value, y: Value): Value => x.mul(y).tanh().add(x.exp());
    const report = gradgradcheck(f, [0.3, -0.8], { fast: true, seed: 5 });
    assert.equal(report.ok, true, formatReport(report));
    assert.deepEqual(report.checks.map((c) => [c.kind, c.input]), [
      ["direction", -1],
      ["second-direction", -1],
    ]);
    assert.deepEqual(
      gradgradcheck(f, [0.3, -0.8], { fast: true, seed: 5 }),
      report,
    );
    // uᵀHu with u = ±max(1, |x_k|) = ±1: whatever the signs, check it
    // against the closed-form Hessian of tanh(xy) + e^x.
    const [x, y] = [0.3, -0.8];
    const t = Math.tanh(x * y);
    const s = 1 - t * t; // sech²
    const hxx = -2 * t * s * y * y + Math.exp(x);
    const hxy = s - 2 * t * s * x * y;
    const hyy = -2 * t * s * x * x;
    const values = [1, -1].flatMap((a) =>
      [1, -1].map((b) => a * a * hxx + 2 * a * b * hxy + b * b * hyy)
    );
    const got = report.checks[1].analytic;
    assert.ok(
      values.some((v) => Math.abs(v - got) < 1e-12),
      `${got} is not one of ${values}`,
    );
    const wrong = gradgradcheck((x, y) => cubeData(x.mul(y)), [1.5, 0.7], {
      fast: true,
      ops: [cubeData],
    });
    assert.equal(wrong.ok, false);
    assert.deepEqual(wrong.checks.map((c) => c.status), ["pass", "fail"]);
    assert.equal(wrong.culprit?.op, "cube");
  });

  it("reports NaN or Infinity as non-finite", () => {
    // 1/x³ at x = 1e-110: the first derivative -3/x⁴ overflows.
    const report = gradgradcheck((x) => x.pow(-3), [1e-110]);
    assert.equal(report.ok, false);
    assert.ok(report.checks.some((c) => c.status === "non-finite"));
  });

  it("lets the TypeError of an op without derivativeValues surface, naming the op", () => {
    const square = defineOp({
      name: "square",
      forward: (x) => x * x,
      derivatives: ([x]) => [2 * x],
    });
    assert.throws(() => gradgradcheck((x) => square(x).sin(), [0.5]), {
      name: "TypeError",
      message:
        /^Cannot run gradgradcheck: Cannot compute grad with createGraph: op "square" has no derivativeValues; add derivativeValues/,
    });
    const wrongCount = defineOp({
      name: "twice",
      forward: (x) => 2 * x,
      derivatives: () => [2],
      derivativeValues: ([x]) => [x, x],
    });
    assert.throws(() => gradgradcheck((x) => wrongCount(x), [0.5]), {
      name: "TypeError",
      message:
        /^Cannot run gradgradcheck: .*op "twice" derivativeValues must return 1 Value, got 2 items/,
    });
  });

  it("rejects bad arguments with a TypeError or RangeError naming them", () => {
    const f = (x: Value): Value => x.exp();
    const cases: [() => unknown, ErrorConstructor, RegExp][] = [
      [
        () => gradgradcheck(3 as never, [1]),
        TypeError,
        /f must be a function, got 3/,
      ],
      [
        () => gradgradcheck(f, 1 as never),
        TypeError,
        /inputs must be an array of numbers, got 1/,
      ],
      [
        () => gradgradcheck(f, ["1"] as never),
        TypeError,
        /input 0 must be a number, got string "1"/,
      ],
      [
        () => gradgradcheck(f, [NaN]),
        RangeError,
        /input 0 must be finite, got NaN/,
      ],
      [() => gradgradcheck(f, []), RangeError, /inputs is empty/],
      [
        () => gradgradcheck(f, [1], { constants: [0] }),
        RangeError,
        /every input is constant/,
      ],
      [
        () => gradgradcheck(f, [1], { constants: [2] }),
        RangeError,
        /constant index 2 is out of range for 1 inputs/,
      ],
      [
        () => gradgradcheck(f, [1], { eps: 0 }),
        RangeError,
        /eps must be in \(0, 1\), got 0/,
      ],
      [
        () => gradgradcheck(f, [1], { fast: 1 as never }),
        TypeError,
        /fast must be a boolean, got 1/,
      ],
      [
        () => gradgradcheck(f, [1], "x" as never),
        TypeError,
        /options must be an object, got string "x"/,
      ],
      [
        () => gradgradcheck((() => 2) as never, [1]),
        TypeError,
        /f must return a Value, got 2/,
      ],
    ];
    for (const [call, type, message] of cases) {
      assert.throws(call, (error: unknown) => {
        assert.ok(error instanceof type, String(error));
        assert.match(error.message, /^Cannot run gradgradcheck: /);
        assert.match(error.message, message);
        return true;
      });
    }
  });
});
