// Internal: naming the kind of mistake from the pattern of failing checks.
//
// Each hypothesis predicts the analytic value of every check from the
// numerical ones; it is named only if it fits every check it speaks about
// (failing and passing alike, within that check's own allowance) and at
// least two checks fail. Otherwise nothing is said.
import { number } from "./_format.ts";
import type { Estimate } from "./_numeric.ts";
import type { GradcheckCheck } from "./gradcheck.ts";

/** What a checker can add to the checks for the diagnosis. */
export interface DiagnoseContext {
  /** The numerical partial derivative of input k at xs (checkOp only). */
  slopeAt?: (xs: number[], k: number) => Estimate;
}

/** Inputs at least this large in magnitude are "large" (past exp's overflow). */
const LARGE = 1e3;
const SHOWN = 4;

/**
 * The diagnosis of a report's checks: at most a few lines, none when the
 * evidence names no kind of mistake (or nothing failed).
 */
export function diagnose(
  checks: readonly GradcheckCheck[],
  context: DiagnoseContext = {},
): string[] {
  // derivativeValues against derivatives: a line of its own, after what
  // the other checks show.
  if (checks.some((c) => c.kind === "derivativeValues")) {
    const rest = checks.filter((c) => c.kind !== "derivativeValues");
    const lines = diagnose(rest, context);
    const disagree = checks.filter((c) =>
      c.kind === "derivativeValues" && !c.ok
    );
    if (disagree.length > 0) lines.push(derivativeValuesLine(disagree, rest));
    return lines;
  }
  const bad = checks.filter((c) => !c.ok);
  if (bad.length === 0) return [];

  // Backward twice on one graph differed: every other check is suspect.
  const reruns = bad.filter((c) => c.kind === "rerun");
  if (reruns.length > 0) {
    const c = reruns[0];
    return [
      `state kept between calls: backward() twice on one graph gave ${
        fmt(c.numeric)
      }, then ${fmt(c.analytic)} for input ${c.input} at ${
        pointText(c.point)
      }; the derivatives must depend only on their arguments`,
    ];
  }

  const passed = checks.filter((c) => c.status === "pass");
  // Non-finite at some points only.
  if (bad.every((c) => c.status === "non-finite") && passed.length > 0) {
    const valueBad = bad.some((c) => !Number.isFinite(c.value));
    const analyticBad = bad.some((c) =>
      Number.isFinite(c.value) && !Number.isFinite(c.analytic)
    );
    const what = valueBad && !analyticBad
      ? "the forward is"
      : analyticBad && !valueBad
      ? "the derivative is"
      : "the value or a derivative is";
    return [
      `non-finite only at some points: ${what} NaN or Infinity at ${
        pointList(bad)
      } and finite elsewhere; if the op is undefined there, declare its \`domain\`; if it is not differentiable there, declare \`kinks\`; otherwise compute the derivative in a form that stays finite (e^x / (1 + e^x) overflows past x = 709.78, 1 / (1 + e^-x) does not)`,
    ];
  }

  // One Value passed as several operands.
  const repeated = (c: GradcheckCheck): boolean =>
    c.point.length >= 2 && c.point.every((x) => x === c.point[0]);
  if (
    bad.every((c) => c.kind === "repeated" || repeated(c)) &&
    bad.some((c) => c.kind === "repeated") &&
    passed.some((c) => !repeated(c))
  ) {
    const c = bad.find((c) => c.kind === "repeated") ?? bad[0];
    return [
      `does not accumulate when an operand repeats: with one Value as every operand at ${
        pointText(c.point)
      } its gradient is ${fmt(c.analytic)}, the sum of the partials is ${
        fmt(c.numeric)
      }`,
    ];
  }

  // Only the checks with a seeded output gradient fail.
  if (bad.every((c) => c.kind === "upstream")) {
    const partial = new Map<string, GradcheckCheck>();
    for (const c of checks) {
      if (c.kind === "partial") partial.set(key(c), c);
    }
    const unscaled = bad.every((c) => {
      const p = partial.get(key(c));
      return p !== undefined && p.analytic === c.analytic &&
        p.analytic !== 0;
    });
    if (unscaled) {
      return [
        "not multiplied by the upstream gradient: the partial derivatives pass, but with the output's gradient set to g the inputs still get the local derivative, not g times it",
      ];
    }
    return [];
  }

  const finiteBad = bad.filter((c) => c.status === "fail");
  if (finiteBad.length < 2) return [];

  // Wrong only far out.
  const big = (c: GradcheckCheck): boolean =>
    c.point.some((x) => Math.abs(x) >= LARGE);
  if (bad.every(big) && passed.some((c) => !big(c))) {
    return [
      `wrong only at large inputs (|x| >= 1e3): fails at ${
        pointList(bad)
      } and passes below`,
    ];
  }

  const partials = checks.filter((c) =>
    c.kind === "partial" && Number.isFinite(c.analytic) &&
    Number.isFinite(c.numeric)
  );
  const lines: string[] = [];
  const inputs = [...new Set(partials.map((c) => c.input))].sort((a, b) =>
    a - b
  );
  const many = inputs.length > 1 ||
    checks.some((c) => c.point.length > 1);
  const found: [number, string][] = [];
  for (const k of inputs) {
    const mine = partials.filter((c) => c.input === k);
    const failing = mine.filter((c) => c.status === "fail");
    if (failing.length < 2) continue;
    const name = hypothesis(mine, failing, k, context);
    if (name === null) {
      const swapped = permuted(partials);
      return swapped === null ? [] : [swapped];
    }
    found.push([k, name]);
  }
  if (found.length === 0) return [];
  const all = found.every(([, name]) => name === found[0][1]);
  if (all && (!many || found.length === inputs.length)) {
    lines.push(found[0][1]);
  } else {
    for (const [k, name] of found) lines.push(`input ${k}: ${name}`);
  }
  return lines;
}

/**
 * derivativeValues disagree with derivatives: where, by how much, and
 * which of the two the finite differences side with.
 */
function derivativeValuesLine(
  disagree: readonly GradcheckCheck[],
  rest: readonly GradcheckCheck[],
): string {
  const c = disagree.reduce((a, b) => b.relError > a.relError ? b : a);
  const points = new Set(disagree.map((d) => d.point.join(","))).size;
  const partials = new Map<string, GradcheckCheck>();
  for (const r of rest) if (r.kind === "partial") partials.set(key(r), r);
  const sided = disagree.map((d) => partials.get(key(d)));
  const verdict = sided.every((p) => p !== undefined && p.status === "pass")
    ? "; derivatives agree with the finite differences there, so derivativeValues are wrong"
    : "";
  const sign = disagree.every((d) => fits(d, -d.numeric, 1))
    ? " (sign flipped)"
    : "";
  return `derivativeValues disagree with derivatives${sign} at ${points} ${
    points === 1 ? "point" : "points"
  }, worst at ${pointText(c.point)}, input ${c.input}: derivativeValues give ${
    number(c.analytic, 12)
  }, derivatives ${number(c.numeric, 12)} (relative difference ${
    number(c.relError, 3)
  })${verdict}; they must be the same partials (derivatives as numbers for backward(), derivativeValues built from ops on Values for grad with createGraph)`;
}

/** The first hypothesis that fits every partial check of one input, or null. */
function hypothesis(
  mine: readonly GradcheckCheck[],
  failing: readonly GradcheckCheck[],
  k: number,
  context: DiagnoseContext,
): string | null {
  const n = failing.length;
  if (mine.every((c) => c.analytic === 0)) {
    return `zero: the derivative is 0 at every point while the numerical one is not (${n} failing checks): a missing term?`;
  }
  if (mine.every((c) => fits(c, -c.numeric, 1))) {
    return `sign flipped: analytic = -numeric at every point (${n} failing checks)`;
  }
  const ratios = failing.map((c) => c.analytic / c.numeric)
    .filter(Number.isFinite).sort((a, b) => a - b);
  if (ratios.length >= 2) {
    const r = ratios[Math.floor(ratios.length / 2)];
    if (r !== 0 && mine.every((c) => fits(c, r * c.numeric, Math.abs(r)))) {
      const whole = Math.round(r);
      const nice = Math.abs(r - whole) < 1e-9 * Math.abs(r)
        ? String(whole)
        : Math.abs(1 / r - Math.round(1 / r)) < 1e-9 / Math.abs(r)
        ? `1/${Math.round(1 / r)}`
        : String(Number(r.toPrecision(4)));
      const hint = nice === "2"
        ? " (counted twice?)"
        : nice === "1/2"
        ? " (halved?)"
        : "";
      return `constant factor: analytic = ${nice} × numeric at every point${hint} (${n} failing checks)`;
    }
  }
  const slopeAt = context.slopeAt;
  if (slopeAt !== undefined) {
    // Where the op can be differentiated at (y, ..., y); elsewhere (y
    // outside the domain, or overflowing) the hypothesis says nothing.
    let agree = 0;
    let confirmed = 0;
    const atOutput = mine.every((c) => {
      if (!Number.isFinite(c.value)) return true;
      const e = slopeAt(c.point.map(() => c.value), k);
      if (!Number.isFinite(e.value) || !Number.isFinite(e.error)) return true;
      const allowed = c.tolerance + 1e-3 * Math.abs(e.value) + 3 * e.error;
      const fit = Math.abs(c.analytic - e.value) <= allowed;
      if (fit) {
        agree++;
        if (c.status === "fail") confirmed++;
      }
      return fit;
    });
    if (atOutput && confirmed >= 2 && agree >= mine.length / 2) {
      return `derivative of the output used where the input was meant: analytic(x) = f'(y) with y = f(x) at every point (${n} failing checks)`;
    }
  }
  return null;
}

/**
 * Partials that belong to other inputs: at every point, analytic k equals
 * numeric π(k) for one permutation π other than the identity.
 */
function permuted(partials: readonly GradcheckCheck[]): string | null {
  const byPoint = new Map<string, GradcheckCheck[]>();
  for (const c of partials) {
    const list = byPoint.get(c.point.join(","));
    if (list === undefined) byPoint.set(c.point.join(","), [c]);
    else list.push(c);
  }
  const groups = [...byPoint.values()].filter((g) =>
    g.length >= 2 && g.length === g[0].point.length && g.length <= 4
  );
  if (groups.length < 2) return null;
  const arity = groups[0].length;
  if (!groups.every((g) => g.length === arity)) return null;
  if (!groups.some((g) => g.some((c) => c.status === "fail"))) return null;
  for (const perm of permutations(arity)) {
    if (perm.every((j, k) => j === k)) continue;
    const ok = groups.every((g) => {
      const by = new Map(g.map((c) => [c.input, c]));
      return perm.every((j, k) => {
        const mine = by.get(k);
        const other = by.get(j);
        return mine !== undefined && other !== undefined &&
          Math.abs(mine.analytic - other.numeric) <= other.tolerance;
      });
    });
    if (ok) {
      const map = perm.map((j, k) => `${k} gets ${j}'s`).filter((_, k) =>
        perm[k] !== k
      );
      return `partials swapped between inputs: input ${
        map.join(", input ")
      } derivative, at every point`;
    }
  }
  return null;
}

function permutations(n: number): number[][] {
  if (n === 1) return [[0]];
  const out: number[][] = [];
  for (const p of permutations(n - 1)) {
    for (let i = 0; i <= p.length; i++) {
      out.push([...p.slice(0, i), n - 1, ...p.slice(i)]);
    }
  }
  return out;
}

/** Whether c's analytic value is `predicted`, within c's allowance times `scale`. */
function fits(c: GradcheckCheck, predicted: number, scale: number): boolean {
  return Math.abs(c.analytic - predicted) <= scale * c.tolerance;
}

function key(c: GradcheckCheck): string {
  return `${c.input}|${c.point.join(",")}`;
}

function fmt(x: number): string {
  return number(x, 6);
}

function pointText(point: readonly number[]): string {
  return point.length === 1
    ? `x = ${fmt(point[0])}`
    : `(${point.map(fmt).join(", ")})`;
}

/** Up to SHOWN distinct points of `checks`, largest magnitude last. */
function pointList(checks: readonly GradcheckCheck[]): string {
  const seen = new Map<string, number[]>();
  for (const c of checks) seen.set(c.point.join(","), c.point);
  const points = [...seen.values()].sort((a, b) =>
    Math.max(...a.map(Math.abs)) - Math.max(...b.map(Math.abs))
  );
  const shown = points.slice(0, SHOWN).map((p) =>
    p.length === 1 ? fmt(p[0]) : `(${p.map(fmt).join(", ")})`
  );
  const more = points.length - shown.length;
  const prefix = points[0].length === 1 ? "x = " : "";
  return `${prefix}${shown.join(", ")}${more > 0 ? ` and ${more} more` : ""}`;
}
