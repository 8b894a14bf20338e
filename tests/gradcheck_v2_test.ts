// Gradient checker 2.0: the pass rule judged against the estimate's own
// error, the inconclusive status, far edge points, the diagnosis, finding
// the first wrong node of a graph, and the fast (one direction) mode.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { defineOp, ops, sum, type Value } from "../engine/mod.ts";
import {
  checkOp,
  formatReport,
  gradcheck,
  type GradcheckCheck,
  type GradcheckReport,
} from "../gradcheck/mod.ts";
import { judge } from "../gradcheck/_check.ts";
import { diagnose } from "../gradcheck/_diagnose.ts";

const O = { atol: 1e-5, rtol: 1e-3 };

function failing(report: GradcheckReport): GradcheckCheck[] {
  return report.checks.filter((c) => !c.ok);
}

function diagnosis(report: GradcheckReport): string {
  return (report.diagnosis ?? []).join("\n");
}

// 1e-6 sin x, with its derivative right and wrong.
const small = (name: string, d: (x: number) => number) =>
  defineOp({
    name,
    forward: (x) => 1e-6 * Math.sin(x),
    derivatives: ([x]) => [d(x)],
  });

// softplus: y = log(1 + e^x), computed stably.
const stableForward = (x: number): number =>
  Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));

describe("the pass rule (judge)", () => {
  it("fails a difference the estimate resolves, however far below atol", () => {
    // Analytic -1e-6, numeric 1e-6 good to 1e-16: a real difference of 2e-6.
    assert.equal(judge(-1e-6, 0, 1e-6, 1e-16, 0, O).status, "fail");
    assert.equal(judge(0, 0, 1e-6, 1e-16, 0, O).status, "fail");
    assert.equal(judge(2e-6, 0, 1e-6, 1e-16, 0, O).status, "fail");
  });

  it("passes agreement within rtol |numeric| + 3 error bounds when the estimate is good enough", () => {
    assert.equal(judge(1 + 9e-4, 0, 1, 1e-12, 0, O).status, "pass");
    assert.equal(judge(1 + 1.1e-3, 0, 1, 1e-12, 0, O).status, "fail");
    // 1e-6 off, estimate good to 4e-7: noise explains it (3e = 1.2e-6),
    // and 1.2e-6 is below atol: a pass.
    assert.equal(judge(1e-6, 0, 0, 4e-7, 0, O).status, "pass");
  });

  it("is inconclusive, not a failure, when the estimate is too noisy to certify", () => {
    // Estimate good to only 2e-4: 3e exceeds atol + rtol |numeric|.
    const v = judge(0.3, 0, 0.3001, 2e-4, 0, O);
    assert.equal(v.status, "inconclusive");
    assert.ok(Math.abs(v.allowed - (1e-3 * 0.3001 + 6e-4)) < 1e-15);
    // ... but a difference beyond even that noise still fails.
    assert.equal(judge(0.5, 0, 0.3001, 2e-4, 0, O).status, "fail");
  });

  it("calls NaN or Infinity non-finite, except a derivative that rightly overflows", () => {
    assert.equal(judge(NaN, 0, 1, 0, 0, O).status, "non-finite");
    assert.equal(judge(1, 0, 1, 0, NaN, O).status, "non-finite");
    assert.equal(judge(Infinity, 0, 1e3, 0, 0, O).status, "non-finite");
    assert.equal(
      judge(Infinity, 0, Infinity, 0, 1e308, O).status,
      "inconclusive",
    );
  });
});

describe("checkOp() with the version 2 rule", () => {
  it("fails a sign-flipped, zero or doubled derivative of size 1e-6 (1e-6 sin x)", () => {
    const wrong = [
      small("flip", (x) => -1e-6 * Math.cos(x)),
      small("zero", () => 0),
      small("twice", (x) => 2e-6 * Math.cos(x)),
    ];
    for (const op of wrong) {
      const report = checkOp(op);
      assert.equal(report.ok, false, op.op.name);
      assert.ok(failing(report).length > 50, op.op.name);
    }
  });

  it("passes the correct 1e-6 sin x and a stable softplus", () => {
    const good = small("good", (x) => 1e-6 * Math.cos(x));
    assert.equal(checkOp(good).ok, true, formatReport(checkOp(good)));
    const softplus = defineOp({
      name: "softplus",
      forward: stableForward,
      derivatives: ([x]) => [1 / (1 + Math.exp(-x))],
    });
    const report = checkOp(softplus);
    assert.equal(report.ok, true, formatReport(report));
    // It was checked out where e^x overflows.
    for (const x of [710, -710, 1e3, 1e10, 1e300, -1e300]) {
      assert.ok(report.checks.some((c) => c.point[0] === x), String(x));
    }
  });

  it("fails a softplus whose derivative e^x / (1 + e^x) is NaN past 709.78", () => {
    const naive = defineOp({
      name: "naive_softplus",
      forward: stableForward,
      derivatives: ([x]) => [Math.exp(x) / (1 + Math.exp(x))],
    });
    const report = checkOp(naive);
    assert.equal(report.ok, false);
    const bad = failing(report);
    assert.ok(bad.every((c) => c.status === "non-finite" && c.point[0] > 709));
    assert.match(
      diagnosis(report),
      /^non-finite only at some points: the derivative is NaN or Infinity at x = 710, 1000, 1e10, 1e300 and finite elsewhere; .*`domain`.*`kinks`/,
    );
  });

  it("fails a derivative that is wrong only where |x| > 1000", () => {
    const far = defineOp({
      name: "far",
      forward: (x) => Math.tanh(x),
      derivatives: ([x], y) => [Math.abs(x) > 1000 ? 0.5 : 1 - y * y],
    });
    const report = checkOp(far);
    assert.equal(report.ok, false);
    assert.ok(failing(report).every((c) => Math.abs(c.point[0]) > 1000));
    assert.match(
      diagnosis(report),
      /^wrong only at large inputs \(\|x\| >= 1e3\)/,
    );
  });

  it("adds the largest magnitude where the forward is still finite", () => {
    // exp overflows past ln(MAX_VALUE) = 709.78: the bisection finds it.
    const report = checkOp(ops.exp);
    const top = Math.max(...report.checks.map((c) => c.point[0]));
    assert.ok(top > 709.78 && top < Math.log(Number.MAX_VALUE), String(top));
    assert.equal(report.ok, true);
  });

  it("counts checks it cannot decide as inconclusive, not failures (sin at 1e300)", () => {
    // Doubles near 1e300 are 1.5e284 apart: no difference step resolves sin.
    const report = checkOp(ops.sin);
    assert.equal(report.ok, true);
    // Every numerical check there (derivativeValues against derivatives
    // needs no difference step and passes).
    const far = report.checks.filter((c) =>
      Math.abs(c.point[0]) === 1e300 && c.kind !== "derivativeValues"
    );
    assert.ok(far.length > 0);
    assert.ok(
      far.every((c) => c.status === "inconclusive"),
      formatReport(report),
    );
    assert.match(
      formatReport(report),
      /, 0 failed, 0 non-finite, [1-9]\d* inconclusive \(seed 1\)$/,
    );
  });
});

describe("the diagnosis", () => {
  it("names a sign flip, a constant factor and a zero derivative", () => {
    const op = (name: string, d: (x: number, y: number) => number) =>
      defineOp({
        name,
        forward: (x) => x * x * x,
        derivatives: ([x], y) => [d(x, y)],
      });
    assert.match(
      diagnosis(checkOp(op("a", (x) => -3 * x * x))),
      /^sign flipped: analytic = -numeric/,
    );
    assert.match(
      diagnosis(checkOp(op("b", (x) => 6 * x * x))),
      /^constant factor: analytic = 2 × numeric at every point \(counted twice\?\)/,
    );
    assert.match(
      diagnosis(checkOp(op("c", () => 0))),
      /^zero: the derivative is 0 at every point/,
    );
  });

  it("names the derivative of the output used where the input was meant", () => {
    // d/dx x³ written as 3y² with y = x³.
    const cube = defineOp({
      name: "cube",
      forward: (x) => x * x * x,
      derivatives: (_x, y) => [3 * y * y],
    });
    assert.match(
      diagnosis(checkOp(cube)),
      /^derivative of the output used where the input was meant/,
    );
  });

  it("names one input of a binary op, and swapped partials", () => {
    const half = defineOp({
      name: "half",
      forward: (a, b) => a * b,
      derivatives: ([a, b]) => [b, -a],
    });
    assert.equal(
      diagnosis(checkOp(half)),
      "input 1: sign flipped: analytic = -numeric at every point (88 failing checks)"
        .replace(
          /\(\d+/,
          `(${
            failing(checkOp(half)).filter((c) => c.kind === "partial").length
          }`,
        ),
    );
    const swapped = defineOp({
      name: "swapped",
      forward: (a, b) => a / b,
      derivatives: ([a, b]) => [-a / (b * b), 1 / b],
    });
    assert.match(
      diagnosis(checkOp(swapped)),
      /^partials swapped between inputs/,
    );
  });

  it("names missing accumulation over a repeated operand", () => {
    const mul2 = defineOp({
      name: "mul2",
      forward: (a, b) => a * b,
      derivatives: ([a, b]) => a === b ? [a, 0] : [b, a],
    });
    assert.match(
      diagnosis(checkOp(mul2)),
      /^does not accumulate when an operand repeats/,
    );
  });

  it("names state kept between calls: backward() twice differs", () => {
    let calls = 0;
    const drifting = defineOp({
      name: "drifting",
      forward: (x) => 2 * x,
      derivatives: () => [2 + ++calls * 1e-3],
    });
    assert.match(
      diagnosis(checkOp(drifting)),
      /^state kept between calls: backward\(\) twice on one graph gave /,
    );
  });

  it("names a missing upstream multiply from the pattern alone", () => {
    // An engine fast path that forgot the upstream gradient: the partials
    // pass, every upstream check gets the bare local derivative back.
    const row = (
      kind: "partial" | "upstream",
      x: number,
      ok: boolean,
    ): GradcheckCheck => ({
      op: "op",
      kind,
      point: [x],
      input: 0,
      value: x,
      analytic: 2 * x,
      numeric: kind === "partial" ? 2 * x : 3 * x,
      numericError: 0,
      absError: kind === "partial" ? 0 : x,
      relError: 0,
      tolerance: 1e-9,
      status: ok ? "pass" : "fail",
      ok,
    });
    const checks = [1, 2, 3].flatMap((
      x,
    ) => [row("partial", x, true), row("upstream", x, false)]);
    assert.match(
      diagnose(checks).join(""),
      /^not multiplied by the upstream gradient/,
    );
  });

  it("says nothing when no pattern fits", () => {
    // Wrong by a different amount at each point (the derivative of x³ + x).
    const odd = defineOp({
      name: "odd",
      forward: (x) => x * x * x,
      derivatives: ([x]) => [3 * x * x + Math.sin(7 * x)],
    });
    const report = checkOp(odd);
    assert.equal(report.ok, false);
    assert.deepEqual(report.diagnosis, []);
    assert.doesNotMatch(formatReport(report), /diagnosis/);
  });

  it("prints the diagnosis under the table, before the summary", () => {
    const lines = formatReport(
      checkOp(small("flip", (x) => -1e-6 * Math.cos(x))),
      { rows: 2 },
    ).split("\n");
    assert.match(lines.at(-2) ?? "", /^diagnosis: sign flipped/);
  });
});

describe("gradcheck() finds the first wrong node", () => {
  // square with a wrong derivative (x instead of 2x), used in the middle.
  const square = defineOp({
    name: "square",
    forward: (x) => x * x,
    derivatives: ([x]) => [x],
  });
  const f = (a: Value, b: Value): Value => {
    const s = a.mul(b).tanh();
    const q = square(s);
    q.label = "q";
    return q.add(a).exp();
  };

  it("names its op, label and position in topological order", () => {
    const report = gradcheck(f, [0.3, -0.8], { ops: [square] });
    assert.equal(report.ok, false);
    // topo: a, b, mul, tanh, square, a (seen), add, exp -> square is 5th of 7.
    assert.deepEqual(
      [
        report.culprit?.op,
        report.culprit?.label,
        report.culprit?.index,
        report.culprit?.nodes,
      ],
      ["square", "q", 4, 7],
    );
    assert.equal(report.culprit?.point[0], Math.tanh(0.3 * -0.8));
    assert.match(
      diagnosis(report),
      /first wrong node: op "square" \(label "q"\), node 5 of 7 in topological order, at \(-0\.235496\): partial of input 0 is -0\.235496, numerically -0\.470991/,
    );
    assert.match(
      diagnosis(report),
      /op "square": constant factor: analytic = 1\/2 × numeric/,
    );
  });

  it("says which user ops it could not check without options.ops", () => {
    const report = gradcheck(f, [0.3, -0.8]);
    assert.equal(report.culprit, undefined);
    assert.match(
      diagnosis(report),
      /not checked node by node: "square" \(pass them in options\.ops\)/,
    );
  });

  it("blames the input, not the op, when a node gets a point outside its domain", () => {
    const report = gradcheck((x) => x.mul(2).log(), [-1]);
    assert.equal(report.ok, false);
    assert.equal(report.culprit, undefined);
    assert.deepEqual(report.diagnosis, [
      'op "log", node 4 of 4 in topological order gets (-2), outside its domain',
    ]);
  });

  it("finds nothing wrong in a correct graph, and does not look", () => {
    const report = gradcheck((a, b) => a.mul(b).tanh().add(a).exp(), [
      0.3,
      -0.8,
    ]);
    assert.equal(report.ok, true);
    assert.equal(report.culprit, undefined);
    assert.equal(report.diagnosis, undefined);
  });
});

describe("gradcheck() with fast", () => {
  it("makes one direction check, passing a correct function", () => {
    let calls = 0;
    const report = gradcheck(
      (...xs) => {
        calls++;
        return sum(xs.map((x, i) => x.mul(i + 1).sin()));
      },
      [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8],
      { fast: true },
    );
    assert.equal(report.ok, true);
    assert.equal(report.checks.length, 1);
    assert.deepEqual([report.checks[0].kind, report.checks[0].input], [
      "direction",
      -1,
    ]);
    assert.ok(calls <= 9, String(calls));
  });

  it("fails when one input's gradient is wrong, and names the op", () => {
    const report = gradcheck(
      (a, b, c) => sum([square(a), b.mul(c)]),
      [0.5, 1.5, -2],
      { fast: true, ops: [square] },
    );
    assert.equal(report.ok, false);
    assert.equal(report.culprit?.op, "square");
  });

  it("rejects a bad fast or ops option", () => {
    assert.throws(
      () => gradcheck((x) => x, [1], { fast: 1 as unknown as boolean }),
      {
        name: "TypeError",
        message: "Cannot run gradcheck: fast must be a boolean, got 1",
      },
    );
    assert.throws(
      () => gradcheck((x) => x, [1], { ops: [3 as unknown as typeof square] }),
      {
        name: "TypeError",
        message:
          "Cannot run gradcheck: ops must hold Ops or OpFunctions, got 3",
      },
    );
  });
});

const square = defineOp({
  name: "square",
  forward: (x) => x * x,
  derivatives: ([x]) => [x], // should be 2x
});
