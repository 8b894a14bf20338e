// Mutation test of checkOp: for every built-in op, mutants that keep its
// forward but corrupt its derivatives must be flagged, unless the mutant is
// mathematically the same as the truth (then it must pass: no false alarm),
// and the diagnosis must name the kind of mistake where one is expected.
// Prints the kill table and the diagnosis accuracy. Then gradcheck's fast
// mode on an MLP(2, [16, 16, 1]) whose activation is a user op: a few calls
// of f instead of two per weight, and each wrong activation is caught.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  defineOp,
  type Op,
  type OpFunction,
  ops,
  sum,
  type Value,
} from "../engine/mod.ts";
import { checkOp, gradcheck, type GradcheckReport } from "../gradcheck/mod.ts";

type Partials = (inputs: readonly number[], output: number) => number[];

interface Mutant {
  op: string;
  mutation: string;
  /** The words the diagnosis must contain, or null if none is expected. */
  expect: string | null;
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
  "add output": "constant partials: the point they are evaluated at is moot",
  "sub output": "constant partials: the point they are evaluated at is moot",
  "neg output": "constant partial: the point it is evaluated at is moot",
  "sum output": "constant partials: the point they are evaluated at is moot",
  "relu output": "relu(x) > 0 exactly when x > 0: the same 0/1 partial",
  "add state": "constant partials: the previous call's are the same",
  "sub state": "constant partials: the previous call's are the same",
  "neg state": "constant partial: the previous call's is the same",
  "sum state": "constant partials: the previous call's are the same",
  "neg large": "2 (-1) + 1 = -1: the mutant's rule changes nothing",
};

// Mutants whose kind is, for this op, the same mistake as another kind.
const SAME_AS: Record<string, string> = {
  // Partials 1 and -1: swapping them is flipping both signs.
  "sub swap": "sign flipped",
};

const SIGN = "sign flipped";
const FACTOR = "constant factor";

/** The mutants of one op; sum (n-ary) is mutated as a 3-input op. */
function mutantsOf(op: Op): Mutant[] {
  const arity = op.arity === -1 ? 3 : op.arity;
  const d = op.derivatives;
  const f = op.forward;
  const make = (
    mutation: string,
    expect: string | null,
    derivatives: Partials,
    forward: (...xs: number[]) => number = f,
  ): Mutant => ({
    op: op.name,
    mutation,
    expect,
    fn: defineOp({
      name: `${op.name} ${mutation}`,
      arity,
      forward,
      derivatives,
      domain: op.domain,
      kinks: op.kinks,
    }),
  });
  const list: Mutant[] = [];
  for (let k = 0; k < arity; k++) {
    const which = arity === 1 ? "" : `[${k}]`;
    list.push(
      make(`x1.01${which}`, FACTOR, (xs, y) => {
        const p = d(xs, y);
        p[k] *= 1.01;
        return p;
      }),
      make(`flip${which}`, SIGN, (xs, y) => {
        const p = d(xs, y);
        p[k] = -p[k];
        return p;
      }),
    );
  }
  list.push(make("shift", null, (xs) => {
    const shifted = xs.map((x) => x + SHIFT);
    return d(shifted, f(...shifted));
  }));
  if (arity === 2) {
    list.push(make("swap", "swapped", (xs, y) => d(xs, y).reverse()));
  }
  if (arity === 3) {
    list.push(make("rotate", "swapped", (xs, y) => {
      const [p, q, r] = d(xs, y);
      return [q, r, p];
    }));
  }
  // Version 2: the kinds that got through before, or that need a diagnosis.
  list.push(
    // The op scaled down to |f'| ~ 1e-6, with the sign of its derivative
    // flipped: 1e-6 f(x) with -1e-6 f'(x).
    make(
      "small flip",
      SIGN,
      (xs) => d(xs, f(...xs)).map((p) => -1e-6 * p),
      (...xs) => 1e-6 * f(...xs),
    ),
    make("zero", "zero", (xs) => xs.map(() => 0)),
    // Every input replaced by the output: d(y, ..., y).
    make("output", "output used", (xs, y) => {
      const ys = xs.map(() => y);
      return d(ys, f(...ys));
    }),
    make("large", "large inputs", (xs, y) => {
      const p = d(xs, y);
      return xs.some((x) => Math.abs(x) > 1000) ? p.map((q) => 2 * q + 1) : p;
    }),
    // Through e^|x| / e^|x|, which is Infinity / Infinity past 709.78.
    make("nan", "non-finite only", (xs, y) => {
      const p = d(xs, y);
      const big = Math.max(...xs.map(Math.abs));
      return p.map((q) => q * Math.exp(big) / Math.exp(big));
    }),
    stateful(op, arity),
  );
  return list;
}

/** A mutant that returns the previous call's partials (a stale cache). */
function stateful(op: Op, arity: number): Mutant {
  let previous: number[] | null = null;
  return {
    op: op.name,
    mutation: "state",
    expect: "state kept",
    fn: defineOp({
      name: `${op.name} state`,
      arity,
      forward: op.forward,
      derivatives: (xs, y) => {
        const now = op.derivatives(xs, y);
        const out = previous ?? now;
        previous = now;
        return out.slice();
      },
      domain: op.domain,
      kinks: op.kinks,
    }),
  };
}

/** The first diagnosis line, shortened for the table. */
function diagnosisOf(report: GradcheckReport): string {
  const line = report.diagnosis?.[0] ?? "";
  return line.length > 72 ? `${line.slice(0, 69)}...` : line;
}

function print(rows: string[][]): void {
  const widths = rows[0].map((_, j) =>
    Math.max(...rows.map((r) => r[j].length))
  );
  console.log(
    rows.map((r) => r.map((c, j) => c.padEnd(widths[j])).join("  ").trimEnd())
      .join("\n"),
  );
}

describe("checkOp() on mutants of every built-in op", () => {
  const mutants = Object.values(ops).flatMap(mutantsOf);

  it("builds the expected mutants: 9 per unary op, 12 per binary, 14 for sum", () => {
    // 10 unary ops x (scale + flip + shift + 6 new)
    // + 5 binary ops x (2 scale + 2 flip + shift + swap + 6 new)
    // + sum as 3 inputs x (3 scale + 3 flip + shift + rotate + 6 new).
    assert.equal(mutants.length, 10 * 9 + 5 * 12 + 14);
    for (const key of Object.keys(IDENTICAL)) {
      assert.ok(mutants.some((m) => `${m.op} ${m.mutation}` === key), key);
    }
  });

  it("kills every mutant that differs from the truth, passes the identical ones, and names the kind", () => {
    const rows: string[][] = [["op", "mutant", "result", "diagnosis"]];
    const survivors: string[] = [];
    const falseAlarms: string[] = [];
    const misnamed: string[] = [];
    let killed = 0;
    let expected = 0;
    let named = 0;
    // Per kind: [killed, of, named right, of].
    const kinds = new Map<string, number[]>();
    for (const m of mutants) {
      const key = `${m.op} ${m.mutation}`;
      const kind = m.mutation.replace(/\[\d\]$/, "");
      const tally = kinds.get(kind) ?? [0, 0, 0, 0];
      kinds.set(kind, tally);
      const report = checkOp(m.fn);
      const reason = IDENTICAL[key];
      if (reason !== undefined) {
        rows.push([m.op, m.mutation, "skip (identical)", reason]);
        if (!report.ok) falseAlarms.push(key);
        continue;
      }
      tally[1]++;
      if (report.ok) {
        rows.push([m.op, m.mutation, "SURVIVED", ""]);
        survivors.push(key);
        continue;
      }
      killed++;
      tally[0]++;
      const text = (report.diagnosis ?? []).join(" | ");
      const expect = SAME_AS[key] ?? m.expect;
      if (expect !== null) {
        expected++;
        tally[3]++;
        if (text.includes(expect)) {
          named++;
          tally[2]++;
        } else {
          misnamed.push(`${key}: ${text === "" ? "(none)" : text}`);
        }
      }
      rows.push([m.op, m.mutation, "killed", diagnosisOf(report)]);
    }
    const live = mutants.length - Object.keys(IDENTICAL).length;
    print(rows);
    console.log("");
    const summary: string[][] = [[
      "mutant kind",
      "killed",
      "diagnosis names the kind",
    ]];
    for (const [kind, [k, of, right, diagnosable]] of kinds) {
      summary.push([
        kind,
        `${k}/${of}`,
        diagnosable === 0 ? "(none expected)" : `${right}/${diagnosable}`,
      ]);
    }
    print(summary);
    console.log(
      `kill table: ${killed}/${live} non-identical mutants killed (${
        (100 * killed / live).toFixed(0)
      }%), ${Object.keys(IDENTICAL).length} skipped as identical`,
    );
    console.log(
      `diagnosis accuracy: ${named}/${expected} killed mutants of a diagnosable kind named right (${
        (100 * named / expected).toFixed(0)
      }%)`,
    );
    if (misnamed.length > 0) {
      console.log(`not named right:\n  ${misnamed.join("\n  ")}`);
    }
    assert.deepEqual(survivors, []);
    assert.deepEqual(falseAlarms, []);
    assert.equal(killed, live);
    // Every sign, factor, zero, state, non-finite, large-input and swap
    // mutant is named; allow a few "output" mutants to go unnamed.
    assert.ok(named >= expected - 5, `${named}/${expected}`);
  });
});

// A user activation, tanh, with correct derivatives and with wrong ones.
const tanhSpec = {
  forward: (x: number): number => Math.tanh(x),
  derivatives: (_x: readonly number[], y: number): number[] => [1 - y * y],
};

/**
 * The loss of MLP(2, [16, 16, 1]) with activation `act` on 8 fixed points,
 * as a function of its 337 weights (layer by layer, neuron by neuron:
 * weights then bias).
 */
function mlpLoss(act: OpFunction): (...w: Value[]) => Value {
  const xs = [
    [0.5, -1],
    [1.5, 0.3],
    [-0.7, 0.8],
    [0.1, 0.1],
    [-1.2, -0.4],
    [2, 1],
    [0.9, -1.5],
    [-0.3, 1.7],
  ];
  const ys = [1, -1, 1, -1, 1, -1, 1, -1];
  const sizes = [2, 16, 16, 1];
  return (...w: Value[]): Value => {
    const losses: Value[] = [];
    for (let i = 0; i < xs.length; i++) {
      let h: (Value | number)[] = xs[i];
      let at = 0;
      for (let l = 1; l < sizes.length; l++) {
        const next: Value[] = [];
        for (let j = 0; j < sizes[l]; j++) {
          const terms: Value[] = [];
          for (let k = 0; k < sizes[l - 1]; k++) terms.push(w[at++].mul(h[k]));
          terms.push(w[at++]);
          const z = sum(terms);
          next.push(l === sizes.length - 1 ? z : act(z));
        }
        h = next;
      }
      losses.push((h[0] as Value).sub(ys[i]).pow(2));
    }
    return sum(losses).div(xs.length);
  };
}

function weights(n: number): number[] {
  const w: number[] = [];
  let s = 7;
  for (let i = 0; i < n; i++) {
    s = (s * 16807) % 2147483647;
    w.push((s / 2147483647) * 2 - 1);
  }
  return w;
}

describe("gradcheck() with fast on MLP(2, [16, 16, 1])", () => {
  const n = 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1;
  const w = weights(n);

  it("checks all 337 weights in a few calls of f, against two or more per weight without it", () => {
    const act = defineOp({ name: "act", ...tanhSpec });
    const loss = mlpLoss(act);
    let calls = 0;
    const counted = (...v: Value[]): Value => {
      calls++;
      return loss(...v);
    };
    const fast = gradcheck(counted, w, { fast: true });
    assert.equal(n, 337);
    assert.equal(fast.ok, true);
    assert.deepEqual(fast.checks.map((c) => [c.kind, c.status]), [[
      "direction",
      "pass",
    ]]);
    const fastCalls = calls;
    calls = 0;
    const full = gradcheck(counted, w);
    assert.equal(full.ok, true);
    console.log(
      `fast mode on MLP(2,[16,16,1]) + loss: ${fastCalls} calls of f (1 for the gradients), full check: ${calls} calls`,
    );
    assert.ok(fastCalls <= 1 + 4 * 3, String(fastCalls));
    assert.ok(calls >= 1 + 4 * n, String(calls));
  });

  it("catches a wrong activation inside, and names the node", () => {
    const wrong: [string, OpFunction][] = [
      [
        "flip",
        defineOp({
          name: "act",
          ...tanhSpec,
          derivatives: (_x, y) => [y * y - 1],
        }),
      ],
      [
        "x1.01",
        defineOp({
          name: "act",
          ...tanhSpec,
          derivatives: (_x, y) => [1.01 * (1 - y * y)],
        }),
      ],
      ["zero", defineOp({ name: "act", ...tanhSpec, derivatives: () => [0] })],
      [
        "output",
        defineOp({
          name: "act",
          ...tanhSpec,
          derivatives: (_x, y) => [1 - Math.tanh(y) ** 2],
        }),
      ],
    ];
    for (const [kind, act] of wrong) {
      const report = gradcheck(mlpLoss(act), w, { fast: true, ops: [act] });
      assert.equal(report.ok, false, kind);
      assert.equal(report.culprit?.op, "act", kind);
      assert.ok(
        report.diagnosis?.some((l) =>
          l.startsWith('first wrong node: op "act"')
        ),
        kind,
      );
    }
  });
});
