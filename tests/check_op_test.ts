import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { defineOp, type Op, ops, type Value } from "../engine/mod.ts";
import {
  checkAllOps,
  checkOp,
  formatReport,
  type GradcheckCheck,
  type GradcheckReport,
} from "../gradcheck/mod.ts";

/** |actual - expected| <= tol, with both numbers in the message. */
function near(actual: number, expected: number, tol: number): void {
  assert.ok(
    Math.abs(actual - expected) <= tol,
    `expected ${expected} ± ${tol}, got ${actual}`,
  );
}

function ofKind(report: GradcheckReport, kind: string): GradcheckCheck[] {
  return report.checks.filter((c) => c.kind === kind);
}

function hasPoint(report: GradcheckReport, point: number[]): boolean {
  return report.checks.some((c) =>
    c.point.length === point.length && c.point.every((x, k) => x === point[k])
  );
}

// softsign: y = x / (1 + |x|)    dy/dx = 1 / (1 + |x|)²
const softsign = defineOp({
  name: "softsign",
  forward: (x) => x / (1 + Math.abs(x)),
  derivatives: ([x]) => [1 / (1 + Math.abs(x)) ** 2],
});

describe("checkOp()", () => {
  it("passes every built-in op", () => {
    for (const name of Object.keys(ops)) {
      const report = checkOp(ops[name]);
      assert.equal(report.ok, true, formatReport(report));
      assert.equal(report.name, name);
      assert.ok(report.checks.length > 100, name);
    }
  });

  it("passes relu and abs at their kinks: the analytic 0 lies between the one-sided slopes", () => {
    // relu: slopes 0 (left) and 1 (right); abs: -1 and 1; both give 0 at 0.
    for (
      const [name, left, right] of [["relu", 0, 1], ["abs", -1, 1]] as const
    ) {
      const report = checkOp(ops[name]);
      assert.equal(report.ok, true, formatReport(report));
      const kinks = ofKind(report, "kink");
      assert.equal(kinks.length, 1);
      const [kink] = kinks;
      assert.deepEqual([kink.point, kink.analytic, kink.status], [
        [0],
        0,
        "pass",
      ]);
      near(kink.slopes?.[0] ?? NaN, left, 1e-9);
      near(kink.slopes?.[1] ?? NaN, right, 1e-9);
    }
  });

  it("fails a kink value outside the one-sided slopes", () => {
    // relu whose derivative at 0 is 2: not between 0 and 1.
    const relu2 = defineOp({
      name: "relu2",
      forward: (x) => Math.max(x, 0),
      derivatives: ([x]) => [x > 0 ? 1 : x === 0 ? 2 : 0],
      kinks: [0],
    });
    const report = checkOp(relu2);
    const failed = report.checks.filter((c) => !c.ok);
    assert.deepEqual(failed.map((c) => [c.kind, c.point]), [["kink", [0]]]);
    near(failed[0].absError, 1, 1e-9); // 2 is 1 above the right slope
  });

  it("adds points within 1e-2 of each kink, on both sides, and passes there", () => {
    const report = checkOp(ops.abs);
    for (const d of [1e-2, 1e-4, 1e-6]) {
      assert.ok(hasPoint(report, [-d]), `-${d}`);
      assert.ok(hasPoint(report, [d]), `${d}`);
    }
    // The step stays on one side: at -1e-6 the slope is exactly -1.
    const near0 = report.checks.find((c) =>
      c.kind === "partial" && c.point[0] === -1e-6
    );
    assert.equal(near0?.numeric, -1);
  });

  it("keeps random points clear of kinks and inside the domain", () => {
    for (const x of ofKind(checkOp(ops.relu), "rerun")) {
      assert.ok(Math.abs(x.point[0]) >= 1e-6);
    }
    for (const c of checkOp(ops.log).checks) assert.ok(c.point[0] > 0);
    for (const c of checkOp(ops.sqrt).checks) assert.ok(c.point[0] > 0);
    for (const c of checkOp(ops.div).checks) assert.notEqual(c.point[1], 0);
    for (const c of checkOp(ops.pow).checks) assert.ok(c.point[0] > 0);
  });

  it("adds edge points: near zero, saturating, large and near overflow", () => {
    assert.ok(hasPoint(checkOp(ops.tanh), [20]));
    assert.ok(hasPoint(checkOp(ops.sigmoid), [-30]));
    const exp = checkOp(ops.exp);
    assert.ok(hasPoint(exp, [700])); // e^700 ≈ 1e304, still finite
    assert.ok(hasPoint(exp, [1e-8]));
    assert.ok(exp.checks.every((c) => Number.isFinite(c.value)));
    const mul = checkOp(ops.mul);
    assert.ok(hasPoint(mul, [1.5, -700]) && hasPoint(mul, [-1e-3, -1e-3]));
    // pow(700, 700) overflows, so it is not an edge point.
    assert.ok(!hasPoint(checkOp(ops.pow), [700, 700]));
  });

  it("samples sum with 3, 1, 2 and 5 inputs", () => {
    const lengths = new Set(checkOp(ops.sum).checks.map((c) => c.point.length));
    assert.deepEqual([...lengths].sort(), [1, 2, 3, 5]);
  });

  it("seeds the output gradient with a random g, which must multiply the local derivative", () => {
    const report = checkOp(ops.tanh);
    const partials = ofKind(report, "partial");
    const upstream = ofKind(report, "upstream");
    assert.equal(upstream.length, partials.length);
    const gs = new Set<number>();
    for (let i = 0; i < partials.length; i++) {
      if (partials[i].analytic === 0) continue;
      const g = upstream[i].analytic / partials[i].analytic;
      assert.ok(Math.abs(g) >= 0.5 - 1e-9 && Math.abs(g) <= 3 + 1e-9, `${g}`);
      near(upstream[i].numeric, g * partials[i].numeric, 1e-6 * Math.abs(g));
      gs.add(Number(g.toFixed(6)));
    }
    assert.ok(gs.size > 10); // a new g per point
  });

  it("checks that one Value passed as every operand accumulates", () => {
    // a * a: d/da = 2a; a / a: 0; sum([a, a, a]): 3 (closed forms).
    const mul = ofKind(checkOp(ops.mul), "repeated");
    assert.equal(mul.length, 8);
    for (const c of mul) {
      assert.equal(c.input, -1);
      assert.equal(c.point[0], c.point[1]);
      near(c.analytic, 2 * c.point[0], 1e-12);
      assert.equal(c.status, "pass");
    }
    for (const c of ofKind(checkOp(ops.div), "repeated")) {
      near(c.analytic, 0, 1e-12);
    }
    for (const c of ofKind(checkOp(ops.sum), "repeated")) {
      assert.deepEqual([c.point.length, c.analytic], [3, 3]);
    }
  });

  it("catches an op that is wrong only when its operands are equal", () => {
    const mul2 = defineOp({
      name: "mul2",
      forward: (a, b) => a * b,
      derivatives: ([a, b]) => a === b ? [a, 0] : [b, a],
    });
    const report = checkOp(mul2);
    assert.equal(report.ok, false);
    // Random points never have a = b; the repeated checks catch it (and so
    // do the edge points (e, e)).
    const failed = report.checks.filter((c) => !c.ok);
    assert.ok(failed.every((c) => c.point[0] === c.point[1]));
    assert.equal(
      ofKind(report, "repeated").filter((c) => !c.ok).length,
      8,
    );
  });

  it("rebuilds and differentiates again, and flags a gradient that changes by one ulp", () => {
    assert.equal(ofKind(checkOp(ops.sin), "rerun").length, 4);
    let calls = 0;
    const drifting = defineOp({
      name: "drifting",
      forward: (x) => 2 * x,
      derivatives: () => [2 + ++calls * 2 * Number.EPSILON],
    });
    const report = checkOp(drifting);
    const failed = report.checks.filter((c) => !c.ok);
    assert.ok(failed.length > 0);
    assert.ok(failed.every((c) => c.kind === "rerun" && c.status === "fail"));
  });

  it("gives NaN or Infinity its own status", () => {
    // NaN derivative for x > 2, NaN value for x < -2: both inside the domain.
    const holes = defineOp({
      name: "holes",
      forward: (x) => x < -2 ? NaN : x,
      derivatives: ([x]) => [x > 2 ? NaN : 1],
    });
    const report = checkOp(holes);
    assert.equal(report.ok, false);
    const failed = report.checks.filter((c) => !c.ok && c.kind !== "rerun");
    assert.ok(failed.length > 0);
    assert.ok(failed.every((c) => c.status === "non-finite"));
    assert.ok(failed.some((c) => c.point[0] > 2 && Number.isNaN(c.analytic)));
    assert.ok(failed.some((c) => c.point[0] < -2 && Number.isNaN(c.value)));
    assert.ok(report.checks.some((c) => c.point[0] === 0.5 || c.ok));
  });

  it("gives the same report for the same seed, and other points for another", () => {
    const a = checkOp(ops.sin, { seed: 3 });
    assert.deepEqual(a, checkOp(ops.sin, { seed: 3 }));
    assert.equal(a.seed, 3);
    assert.notDeepEqual(
      a.checks[0].point,
      checkOp(ops.sin, { seed: 4 }).checks[0].point,
    );
  });

  it("takes `samples` random points before the edge points", () => {
    const report = checkOp(ops.exp, { samples: 5 });
    // 4 reruns (the first 4 samples); partial checks: 5 samples + edges.
    assert.equal(ofKind(report, "rerun").length, 4);
    const edges = ofKind(report, "partial").slice(5).map((c) => c.point[0]);
    assert.deepEqual(edges.slice(0, 3), [0, 1e-8, -1e-8]);
  });

  it("checks an OpFunction, its Op, or a plain Op object alike", () => {
    assert.equal(checkOp(softsign).ok, true);
    assert.equal(checkOp(softsign.op).ok, true);
    const plain: Op = {
      name: "cube",
      arity: 1,
      forward: (x) => x ** 3,
      derivatives: ([x]) => [3 * x * x],
    };
    assert.equal(checkOp(plain).ok, true);
    assert.deepEqual(
      checkOp(softsign, { seed: 5 }),
      checkOp(softsign.op, { seed: 5 }),
    );
  });

  it("uses an op's domain, and passes constants as numbers (pow with a number exponent)", () => {
    const logit = defineOp({
      name: "logit",
      forward: (p) => Math.log(p / (1 - p)),
      derivatives: ([p]) => [1 / (p * (1 - p))],
      domain: (p) => p > 0 && p < 1,
    });
    const report = checkOp(logit);
    assert.equal(report.ok, true, formatReport(report));
    assert.ok(report.checks.every((c) => c.point[0] > 0 && c.point[0] < 1));
    const pow = checkOp(ops.pow, { constants: [1] });
    assert.equal(pow.ok, true);
    assert.ok(pow.checks.every((c) => c.input === 0));
  });

  it("rejects a bad op or options with a clear error", () => {
    assert.throws(() => checkOp(42 as unknown as Op), {
      name: "TypeError",
      message:
        /^Cannot run checkOp: op must be an Op or an OpFunction, got 42$/,
    });
    assert.throws(() => checkOp({ name: "x" } as unknown as Op), {
      name: "TypeError",
      message:
        /^Cannot run checkOp: op must be an Op or an OpFunction, got an object$/,
    });
    assert.throws(() => checkOp(ops.tanh, { samples: 0 }), {
      name: "RangeError",
      message:
        /^Cannot run checkOp on op "tanh": samples must be an integer from 1 to 10000, got 0$/,
    });
    assert.throws(() => checkOp(ops.tanh, { constants: [0] }), {
      name: "RangeError",
      message:
        /^Cannot run checkOp on op "tanh": every input is constant, so there is nothing to check$/,
    });
    assert.throws(() => checkOp(ops.mul, { constants: [2] }), {
      name: "RangeError",
      message:
        /^Cannot run checkOp on op "mul": constant index 2 is out of range for arity 2$/,
    });
    const nowhere = defineOp({
      name: "nowhere",
      forward: (x) => x,
      derivatives: () => [1],
      domain: () => false,
    });
    assert.throws(() => checkOp(nowhere), {
      name: "RangeError",
      message:
        /^Cannot run checkOp on op "nowhere": found no point inside its domain in 1000 tries$/,
    });
    // An error from the op's own code names the op and the point (before:
    // only the forward's message, "too big").
    const brittle = defineOp({
      name: "brittle",
      forward: (x) => {
        if (x > 2) throw new RangeError("too big");
        return x;
      },
      derivatives: () => [1],
    });
    assert.throws(() => checkOp(brittle), (error) => {
      assert.ok(error instanceof RangeError);
      assert.match(
        error.message,
        /^Cannot run checkOp on op "brittle" at \([\d.]+\): too big$/,
      );
      assert.equal((error.cause as Error).message, "too big");
      return true;
    });
    const fakeTanh: Op = { ...ops.tanh };
    assert.throws(() => checkOp(fakeTanh), {
      name: "RangeError",
      message: /the name is taken by a built-in op/,
    });
  });
});

describe("checkOp() on derivativeValues", () => {
  // cube: y = x³, dy/dx = 3x²
  const cube = (name: string, dv: (x: Value) => unknown[]) =>
    defineOp({
      name,
      forward: (x) => x ** 3,
      derivatives: ([x]) => [3 * x * x],
      derivativeValues: ([x]) => dv(x) as Value[],
    });

  it("checks every built-in op's derivativeValues: equal to derivatives bit for bit", () => {
    for (const [name, report] of Object.entries(checkAllOps())) {
      const checks = ofKind(report, "derivativeValues");
      // One per non-constant input at each sampled and edge point.
      assert.equal(
        checks.length,
        ofKind(report, "partial").length,
        name,
      );
      for (const c of checks) {
        assert.ok(
          Object.is(c.analytic, c.numeric) && c.status === "pass",
          `${name} at ${c.point}: ${c.analytic} vs ${c.numeric}`,
        );
      }
    }
  });

  it("passes derivativeValues that differ from derivatives by rounding only", () => {
    // (x x)3 rounds differently from 3 * x * x, which is (3x)x, at some points.
    const report = checkOp(cube("cube", (x) => [x.mul(x).mul(3)]));
    assert.equal(report.ok, true, formatReport(report));
    const checks = ofKind(report, "derivativeValues");
    assert.ok(checks.length > 64);
    assert.ok(checks.some((c) => c.analytic !== c.numeric));
  });

  it("fails derivativeValues that disagree with derivatives, with a diagnosis", () => {
    const report = checkOp(cube("cube", (x) => [x.mul(x).mul(-3)]));
    assert.equal(report.ok, false);
    const failed = report.checks.filter((c) => !c.ok);
    assert.ok(failed.length > 64);
    assert.ok(failed.every((c) => c.kind === "derivativeValues"));
    for (const c of failed) {
      near(c.analytic, -c.numeric, 1e-15 * Math.abs(c.numeric));
    }
    assert.equal(report.diagnosis?.length, 1);
    assert.match(
      report.diagnosis?.[0] ?? "",
      /^derivativeValues disagree with derivatives \(sign flipped\) at \d+ points, worst at x = .*; derivatives agree with the finite differences there, so derivativeValues are wrong; they must be the same partials/,
    );
    assert.match(
      formatReport(report, { rows: 1 }),
      /^FAIL +cube +derivativeValues +0 /m,
    );
  });

  it("fails a relative difference of 3e-8, far below rtol", () => {
    const report = checkOp(cube("cube", (x) => [x.mul(x).mul(3.0000001)]));
    assert.equal(report.ok, false);
    const failed = report.checks.filter((c) => !c.ok);
    assert.ok(failed.every((c) => c.kind === "derivativeValues"));
    for (const c of failed) near(c.relError, 1e-7 / 3.0000001, 1e-15);
    assert.match(
      report.diagnosis?.[0] ?? "",
      /worst at x = .*\(relative difference 3\.33e-8\)/,
    );
  });

  it("adds no check for an op without derivativeValues, and skips constant inputs", () => {
    assert.equal(ofKind(checkOp(softsign), "derivativeValues").length, 0);
    const pow = checkOp(ops.pow, { constants: [1] });
    const checks = ofKind(pow, "derivativeValues");
    assert.ok(checks.length > 0);
    assert.ok(checks.every((c) => c.input === 0));
  });

  it("rejects derivativeValues that return anything but one Value per input, naming the op", () => {
    const cases: [(x: Value) => unknown[], RegExp][] = [
      [(x) => [x.data], /got 0\.\d+ at index 0$/],
      [(x) => [x, x], /got 2 items$/],
    ];
    for (const [dv, message] of cases) {
      assert.throws(() => checkOp(cube("bad", dv)), (error: unknown) => {
        assert.ok(error instanceof TypeError, String(error));
        assert.match(
          error.message,
          /^Cannot run checkOp on op "bad" at \([^)]*\): derivativeValues must return 1 Value, /,
        );
        assert.match(error.message, message);
        return true;
      });
    }
  });
});

describe("checkAllOps()", () => {
  it("checks every entry of ops, in table order, and all pass", () => {
    const reports = checkAllOps();
    assert.deepEqual(Object.keys(reports), Object.keys(ops));
    for (const report of Object.values(reports)) {
      assert.equal(report.ok, true, formatReport(report));
    }
  });

  it("passes its options to every op", () => {
    const reports = checkAllOps({ samples: 4, seed: 9 });
    for (const report of Object.values(reports)) assert.equal(report.seed, 9);
    // neg: 4 samples + the 25 edge values (0, ±1e-8, ±1e-3, ±1, ±20, ±30,
    // ±100, ±700, ±709, ±710, ±1e3, ±1e10, ±1e300), all finite.
    assert.equal(ofKind(reports.neg, "partial").length, 4 + 25);
  });

  it("rejects bad options before checking anything", () => {
    assert.throws(() => checkAllOps({ seed: 0.5 }), {
      name: "RangeError",
      message:
        /^Cannot run checkAllOps: seed must be an integer from 0 to 4294967295, got 0.5$/,
    });
  });
});
