import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  defineOp,
  grad,
  type GradOptions,
  ops,
  sum,
  topo,
  Value,
} from "../engine/mod.ts";
import { Random } from "../nn/_random.ts";
import { randomGraph } from "./_random_graph.ts";

const CREATE: GradOptions = { createGraph: true };

/** |a - b| <= rtol * max(|b|, 1), with a message naming both. */
function close(a: number, b: number, rtol = 1e-13, what = ""): void {
  assert.ok(
    Math.abs(a - b) <= rtol * Math.max(Math.abs(b), 1),
    `${what} expected ${b}, got ${a} (difference ${a - b})`,
  );
}

/** Every node's .grad, in topo order, to compare before and after. */
function grads(roots: readonly Value[]): { nodes: Value[]; grads: number[] } {
  const nodes = [...new Set(roots.flatMap((r) => topo(r)))];
  return { nodes, grads: nodes.map((n) => n.grad) };
}

function assertGradsUnchanged(
  before: { nodes: Value[]; grads: number[] },
): void {
  before.nodes.forEach((node, i) => {
    assert.ok(
      Object.is(node.grad, before.grads[i]),
      `node ${i} (op "${node.op}") .grad changed from ${
        before.grads[i]
      } to ${node.grad}`,
    );
  });
}

/** Sets every node's .grad to a distinct sentinel (so reading it would show). */
function poisonGrads(root: Value): void {
  topo(root).forEach((node, i) => {
    node.grad = 1000 + i;
  });
}

/** The n-th derivative of f at x, by grad with createGraph n times. */
function nth(f: (x: Value) => Value, x0: number, n: number): number[] {
  const x = new Value(x0);
  let y = f(x);
  const out: number[] = [y.data];
  for (let k = 1; k <= n; k++) {
    [y] = grad(y, [x], CREATE);
    out.push(y.data);
  }
  return out;
}

describe("grad()", () => {
  it("returns one Value per input, in order", () => {
    const x = new Value(0.5);
    const y = new Value(-2);
    const f = x.mul(y).add(x.sin()); // df/dx = y + cos x, df/dy = x
    for (const options of [undefined, CREATE]) {
      const result = grad(f, [y, x, y], options);
      assert.equal(result.length, 3);
      assert.ok(result.every((r) => r instanceof Value));
      assert.deepEqual(result.map((r) => r.data), [
        0.5,
        -2 + Math.cos(0.5),
        0.5,
      ]);
    }
    assert.deepEqual(grad(f, []), []);
  });

  it("reads and changes no .grad of any node", () => {
    const x = new Value(0.7);
    const w = new Value(-1.3);
    const b = new Value(0.2);
    const n = x.mul(w).add(b);
    const f = n.tanh().mul(n).add(x.exp());
    poisonGrads(f);
    const before = grads([f]);
    const t = Math.tanh(n.data);
    // df/dn = (1 - t²) n + t
    const dn = (1 - t * t) * n.data + t;
    for (const options of [undefined, { createGraph: false }, CREATE]) {
      const [gx, gw, gb, gn] = grad(f, [x, w, b, n], options);
      assertGradsUnchanged(before);
      close(gx.data, dn * w.data + Math.exp(x.data));
      close(gw.data, dn * x.data);
      close(gb.data, dn);
      close(gn.data, dn);
    }
    // The result graph of createGraph, differentiated again, changes nothing
    // either (its nodes' grads are the new nodes', not the old ones').
    const [gx] = grad(f, [x], CREATE);
    grad(gx, [x, w, b], CREATE);
    grad(gx, [x, w, b]);
    assertGradsUnchanged(before);
  });

  it("takes intermediate nodes as inputs", () => {
    const x = new Value(0.3);
    const y = new Value(0.9);
    const h = x.mul(y);
    const f = h.tanh();
    for (const options of [undefined, CREATE]) {
      const [gh, gf] = grad(f, [h, f], options);
      assert.equal(gh.data, 1 - f.data * f.data);
      assert.equal(gf.data, 1);
    }
    // Second order with respect to an intermediate node: d²tanh(h)/dh²
    const [gh] = grad(f, [h], CREATE);
    const [ghh] = grad(gh, [h]);
    close(ghh.data, -2 * f.data * (1 - f.data ** 2));
  });

  it("gives 0 for inputs the output does not depend on", () => {
    const x = new Value(2);
    const unrelated = new Value(5);
    const f = x.mul(x).add(5);
    const constant = f.inputs[1]; // the 5: under f, but takes no gradient
    const above = f.add(1); // uses f: f does not depend on it
    for (const options of [undefined, CREATE]) {
      const result = grad(f, [unrelated, above, constant, x], options);
      assert.deepEqual(result.map((r) => r.data), [0, 0, 0, 4]);
    }
  });

  it("gives 1 for the output itself", () => {
    const x = new Value(2);
    const f = x.exp();
    for (const options of [undefined, CREATE]) {
      assert.equal(grad(f, [f], options)[0].data, 1);
      assert.equal(grad(x, [x], options)[0].data, 1);
    }
  });

  it("returns new leaves without createGraph", () => {
    const x = new Value(1.5);
    const f = x.exp();
    const nodes = new Set(topo(f));
    const [a, b] = grad(f, [x, x]);
    for (const r of [a, b]) {
      assert.ok(!nodes.has(r));
      assert.equal(r.isLeaf, true);
      assert.deepEqual(r.inputs, []);
      assert.equal(r.grad, 0);
    }
    assert.notEqual(a, b);
  });

  it("with createGraph may return an existing node: d e^x/dx is e^x", () => {
    const x = new Value(1.5);
    const y = new Value(-0.5);
    const e = x.exp();
    assert.equal(grad(e, [x], CREATE)[0], e);
    const p = x.mul(y);
    const [dx, dy] = grad(p, [x, y], CREATE);
    assert.equal(dx, y);
    assert.equal(dy, x);
    // And the results are differentiable: d²e^x/dx² is e^x again.
    assert.equal(grad(grad(e, [x], CREATE)[0], [x], CREATE)[0], e);
  });

  it("agrees bit for bit with backward() at first order, on random graphs over every op", () => {
    const seen = new Set<string>();
    for (let trial = 0; trial < 300; trial++) {
      const { leaves: xs, root: y } = randomGraph(
        1300 + trial,
        4 + (trial % 30),
        1 + (trial % 4),
      );
      for (const node of topo(y)) seen.add(node.op);
      const inner = topo(y).filter((v) => v.op !== "" && v !== y);
      const inputs = [...xs, ...inner];
      const plain = grad(y, inputs);
      const built = grad(y, inputs, CREATE);
      for (const x of xs) x.grad = 0;
      y.backward();
      inputs.forEach((x, k) => {
        const where = `graph ${trial}, input ${k} (op "${x.op}")`;
        // A leaf's .grad is what it held (0) plus the gradient.
        const shown = x.isLeaf ? 0 + plain[k].data : plain[k].data;
        assert.ok(Object.is(shown, x.grad), where);
        assert.ok(
          Object.is(built[k].data, plain[k].data),
          `${where}, createGraph: ${built[k].data} vs ${plain[k].data}`,
        );
      });
    }
    assert.deepEqual(
      [...seen].filter((op) => op !== "").sort(),
      Object.keys(ops).sort(),
    );
  });

  // Every pass adds a node's terms onto 0 (0 + -0 is 0), as backward() has
  // always done; createGraph does the same. torch, which keeps a lone -0
  // term as it is, would give -0 here.
  it(
    "gives the same signed zero with and without createGraph",
    () => {
      const x = new Value(2);
      const y = new Value(-1.5);
      const f = x.mul(y.relu().neg()); // df/dx = -relu(y) = -0
      const [plain] = grad(f, [x]);
      const [built] = grad(f, [x], CREATE);
      f.backward();
      assert.ok(Object.is(plain.data, 0), "grad(): 0 + -0");
      assert.ok(Object.is(built.data, 0), "createGraph: 0 + -0 too");
      assert.ok(Object.is(x.grad, 0), "backward(): 0 + -0");
    },
  );

  // pow with a number exponent builds neither b - 1 nor ln(a) (NaN for
  // a < 0), as torch's pow(Tensor, Scalar) has no exponent gradient.
  it(
    "differentiates x³ at a negative x twice, with checkFinite",
    () => {
      const x = new Value(-2);
      const [d] = grad(x.pow(3), [x], CREATE); // 3x² = 12
      assert.equal(d.data, 12);
      d.backward({ checkFinite: true }); // 6x = -12
      assert.equal(x.grad, -12);
      for (const node of topo(d)) assert.ok(!Number.isNaN(node.grad), node.op);
    },
  );

  it("has each op's derivativeValues agree bit for bit with its derivatives", () => {
    const random = new Random(7);
    const names = Object.keys(ops);
    assert.equal(names.length, 16);
    for (const name of names) {
      const op = ops[name];
      assert.equal(typeof op.derivativeValues, "function", name);
      const arity = op.arity === -1 ? 3 : op.arity;
      let checked = 0;
      const points: number[][] = [];
      // The kinks themselves (relu, abs), and pow where an operand is 0.
      for (const kink of op.kinks ?? []) points.push([kink]);
      if (name === "pow") points.push([0, 2], [0, 0], [1.5, 0]);
      while (points.length < 200) {
        const xs = Array.from({ length: arity }, () => random.uniform(-4, 4));
        if (op.domain === undefined || op.domain(...xs)) points.push(xs);
      }
      for (const xs of points) {
        const vs = xs.map((x) => new Value(x));
        const y = name === "sum"
          ? sum(vs)
          : arity === 1
          ? (vs[0] as unknown as Record<string, () => Value>)[name]()
          : (vs[0] as unknown as Record<string, (b: Value) => Value>)[name](
            vs[1],
          );
        assert.equal(y.op, name);
        const numbers = op.derivatives(xs, y.data);
        const values = op.derivativeValues!(vs, y);
        assert.equal(values.length, numbers.length, name);
        for (let k = 0; k < numbers.length; k++) {
          assert.ok(
            Object.is(values[k].data, numbers[k]),
            `${name} at (${xs}): derivative ${k} is ${
              numbers[k]
            }, derivativeValues gives ${values[k].data}`,
          );
        }
        checked++;
      }
      assert.ok(checked >= 200, name);
    }
  });

  it("gives third and fourth derivatives of closed forms", () => {
    const x = 0.7;
    const d5 = nth((v) => v.pow(5), x, 4);
    [x ** 5, 5 * x ** 4, 20 * x ** 3, 60 * x ** 2, 120 * x].forEach((e, k) =>
      close(d5[k], e, 1e-13, `x^5 d${k}`)
    );
    const e2 = nth((v) => v.mul(2).exp(), x, 4);
    e2.forEach((d, k) =>
      close(d, 2 ** k * Math.exp(2 * x), 1e-13, `e^2x d${k}`)
    );
    const s = nth((v) => v.sin(), x, 4);
    [Math.sin(x), Math.cos(x), -Math.sin(x), -Math.cos(x), Math.sin(x)]
      .forEach((e, k) => close(s[k], e, 1e-14, `sin d${k}`));
    const t = Math.tanh(x);
    const q = 1 - t * t;
    const th = nth((v) => v.tanh(), x, 4);
    [t, q, -2 * t * q, -2 * q * (1 - 3 * t * t), 8 * t * q * (2 - 3 * t * t)]
      .forEach((e, k) => close(th[k], e, 1e-13, `tanh d${k}`));
    const lg = nth((v) => v.log(), x, 4);
    [Math.log(x), 1 / x, -1 / x ** 2, 2 / x ** 3, -6 / x ** 4].forEach((e, k) =>
      close(lg[k], e, 1e-13, `log d${k}`)
    );
    const sg = 1 / (1 + Math.exp(-x));
    const p = sg * (1 - sg);
    const sig = nth((v) => v.sigmoid(), x, 4);
    [
      sg,
      p,
      p * (1 - 2 * sg),
      p * (1 - 6 * sg + 6 * sg * sg),
      p * (1 - 2 * sg) * (1 - 12 * sg + 12 * sg * sg),
    ].forEach((e, k) => close(sig[k], e, 1e-13, `sigmoid d${k}`));
    // 1/x, as pow(-1) and as a division of a constant node by x
    const inverse = [1 / x, -1 / x ** 2, 2 / x ** 3, -6 / x ** 4, 24 / x ** 5];
    nth((v) => v.pow(-1), x, 4).forEach((d, k) =>
      close(d, inverse[k], 1e-13, `x^-1 d${k}`)
    );
    nth((v) => sum([1]).div(v), x, 4).forEach((d, k) =>
      close(d, inverse[k], 1e-13, `1/x d${k}`)
    );
    const sq = nth((v) => v.sqrt(), x, 4);
    [
      x ** 0.5,
      0.5 * x ** -0.5,
      -0.25 * x ** -1.5,
      0.375 * x ** -2.5,
      -0.9375 * x ** -3.5,
    ].forEach((e, k) => close(sq[k], e, 1e-13, `sqrt d${k}`));
  });

  it("differentiates powers with a constant exponent at a negative base", () => {
    const x = new Value(-2);
    const d = nth((v) => v.pow(3), -2, 3);
    assert.deepEqual(d, [-8, 12, -12, 6]);
    const [d1] = grad(x.pow(2), [x], CREATE);
    assert.equal(grad(d1, [x])[0].data, 2);
  });

  it("gives mixed partials of x²y³, x^y and a/b", () => {
    const x = new Value(1.3);
    const y = new Value(-0.8);
    const f = x.pow(2).mul(y.pow(3));
    const [fx] = grad(f, [x], CREATE); // 2 x y³
    const [fxy] = grad(fx, [y], CREATE); // 6 x y²
    const [fxyy] = grad(fxy, [y], CREATE); // 12 x y
    const [fxxyy] = grad(fxyy, [x]); // 12 y
    close(fx.data, 2 * 1.3 * (-0.8) ** 3);
    close(fxy.data, 6 * 1.3 * 0.64);
    close(fxyy.data, 12 * 1.3 * -0.8);
    close(fxxyy.data, 12 * -0.8);
    // x^y with a Value exponent: d/dy = x^y ln x, d²/dy² = x^y ln² x,
    // d²/dxdy = x^(y-1) (1 + y ln x)
    const a = new Value(1.7);
    const b = new Value(0.6);
    const g = a.pow(b);
    const l = Math.log(1.7);
    const [ga, gb] = grad(g, [a, b], CREATE);
    const [gba, gbb] = grad(gb, [a, b]);
    const [gaa, gab] = grad(ga, [a, b]);
    close(gbb.data, 1.7 ** 0.6 * l * l);
    close(gba.data, 1.7 ** -0.4 * (1 + 0.6 * l));
    close(gab.data, gba.data, 1e-15);
    close(gaa.data, 0.6 * -0.4 * 1.7 ** -1.4);
    // a/b: d²/db² = 2a/b³, d²/dadb = -1/b²
    const d = a.div(b);
    const [da, db] = grad(d, [a, b], CREATE);
    close(grad(db, [b])[0].data, 2 * 1.7 / 0.6 ** 3);
    close(grad(da, [b])[0].data, -1 / 0.36);
    close(grad(db, [a])[0].data, -1 / 0.36);
  });

  it("gives Hessian-vector products through grad twice and through backward()", () => {
    // f = sin(x) y² + e^(z x)
    const [x0, y0, z0] = [0.4, -1.1, 0.3];
    const v = [0.3, -1.2, 0.7];
    const e = Math.exp(z0 * x0);
    const H = [
      [
        -Math.sin(x0) * y0 * y0 + z0 * z0 * e,
        2 * Math.cos(x0) * y0,
        e + z0 * x0 * e,
      ],
      [2 * Math.cos(x0) * y0, 2 * Math.sin(x0), 0],
      [e + z0 * x0 * e, 0, x0 * x0 * e],
    ];
    const expected = H.map((row) => row.reduce((s, h, j) => s + h * v[j], 0));
    const build = (): { xs: Value[]; gv: Value } => {
      const xs = [new Value(x0), new Value(y0), new Value(z0)];
      const [x, y, z] = xs;
      const f = x.sin().mul(y.mul(y)).add(z.mul(x).exp());
      const g = grad(f, xs, CREATE);
      return { xs, gv: sum(g.map((gk, k) => gk.mul(v[k]))) };
    };
    const one = build();
    grad(one.gv, one.xs).forEach((h, k) => close(h.data, expected[k], 1e-14));
    const two = build();
    two.gv.backward();
    two.xs.forEach((x, k) => close(x.grad, expected[k], 1e-14));
  });

  it("gives relu and abs a second derivative of 0, and 0 at their kinks", () => {
    for (const op of ["relu", "abs"] as const) {
      for (const x0 of [-1.5, 1.5]) {
        const x = new Value(x0);
        const [d1] = grad(x[op](), [x], CREATE);
        assert.equal(d1.data, op === "relu" ? (x0 > 0 ? 1 : 0) : Math.sign(x0));
        const [d2] = grad(d1, [x], CREATE);
        assert.equal(d2.data, 0);
        // x relu(x) is x² for x > 0 and x |x| is ±x²: relu' and abs' are
        // constants, so the second derivatives are 2 (or 0, -2), no δ term
        const [g] = grad(x.mul(x[op]()), [x], CREATE);
        const expected = op === "relu" ? (x0 > 0 ? 2 : 0) : 2 * Math.sign(x0);
        assert.equal(grad(g, [x])[0].data, expected);
      }
      const zero = new Value(0);
      assert.equal(grad(zero[op](), [zero])[0].data, 0);
      const [d1] = grad(zero[op](), [zero], CREATE);
      assert.equal(d1.data, 0);
      assert.equal(grad(d1, [zero])[0].data, 0);
    }
  });

  it("handles a 1e6-node chain, with and without createGraph", () => {
    // y = y * a + b, 5e5 steps: dy/dy0 = a^n, d²y/(dy0 da) = n a^(n-1)
    const n = 500_000;
    const y0 = new Value(0.5);
    const a = new Value(1 - 1e-7);
    const b = new Value(0.1);
    let y = y0;
    for (let i = 0; i < n; i++) y = y.mul(a).add(b);
    assert.ok(topo(y).length > 1e6);
    const [plain] = grad(y, [y0]);
    close(plain.data, a.data ** n, 1e-9);
    const [built] = grad(y, [y0], CREATE);
    assert.ok(Object.is(built.data, plain.data));
    const [second] = grad(built, [a]);
    close(second.data, n * a.data ** (n - 1), 1e-9);
  });

  it("rejects bad input with a TypeError naming it", () => {
    const x = new Value(1);
    const y = x.mul(2);
    const bad = (f: () => unknown, message: RegExp): void => {
      assert.throws(f, { name: "TypeError", message });
    };
    bad(
      () => grad(2 as unknown as Value, [x]),
      /^Cannot compute grad: output must be a Value, got 2$/,
    );
    bad(
      () => grad(y, x as unknown as Value[]),
      /^Cannot compute grad: inputs must be an array of Values, got /,
    );
    bad(
      () => grad(y, [x, 3] as unknown as Value[]),
      /^Cannot compute grad: inputs\[1\] must be a Value, got 3$/,
    );
    bad(
      () => grad(y, [x], { createGraf: true } as unknown as GradOptions),
      /^Cannot compute grad: unknown option "createGraf", expected createGraph$/,
    );
    bad(
      () => grad(y, [x], { createGraph: "yes" } as unknown as GradOptions),
      /^Cannot compute grad: createGraph must be a boolean, got string "yes"$/,
    );
    bad(
      () => grad(y, [x], 1 as unknown as GradOptions),
      /^Cannot compute grad: options must be an object, got 1$/,
    );
  });
});

describe("grad() with user ops", () => {
  const softsign = defineOp({
    name: "softsign",
    forward: (x) => x / (1 + Math.abs(x)),
    derivatives: ([x]) => [1 / (1 + Math.abs(x)) ** 2],
  });
  // hypot: y = √(a² + b²), dy/da = a/y, dy/db = b/y
  const hypot = defineOp({
    name: "hypot",
    forward: (a, b) => Math.hypot(a, b),
    derivatives: ([a, b], y) => [a / y, b / y],
    derivativeValues: ([a, b], y) => [a.div(y), b.div(y)],
  });

  it("works without derivativeValues at first order", () => {
    const x = new Value(1);
    assert.equal(grad(softsign(x), [x])[0].data, 0.25);
  });

  it("without derivativeValues, throws under createGraph naming the op and what to add", () => {
    const x = new Value(1);
    const f = softsign(x.mul(2)).tanh();
    poisonGrads(f);
    const before = grads([f]);
    assert.throws(() => grad(f, [x], CREATE), {
      name: "TypeError",
      message:
        /^Cannot compute grad with createGraph: op "softsign" has no derivativeValues; add derivativeValues\(inputs, output\) to its defineOp spec/,
    });
    assertGradsUnchanged(before);
  });

  it("rejects derivativeValues returning the wrong count or non-Values, changing no .grad", () => {
    const cases: [string, (xs: readonly Value[]) => Value[], RegExp][] = [
      ["short", (xs) => [xs[0]], /must return 2 Values, got 1 item$/],
      [
        "long",
        (xs) => [xs[0], xs[1], xs[0]],
        /must return 2 Values, got 3 items$/,
      ],
      [
        "numbers",
        (xs) => [xs[0], 2 as unknown as Value],
        /must return 2 Values, got 2 at index 1$/,
      ],
      [
        "notarray",
        () => "no" as unknown as Value[],
        /must return 2 Values, got string "no"$/,
      ],
    ];
    for (const [name, derivativeValues, message] of cases) {
      const op = defineOp({
        name,
        forward: (a, b) => a * b,
        derivatives: ([a, b]) => [b, a],
        derivativeValues,
      });
      const x = new Value(3);
      const w = new Value(-2);
      const f = op(x.exp(), w).tanh();
      poisonGrads(f);
      const before = grads([f]);
      assert.throws(() => grad(f, [x, w], CREATE), {
        name: "TypeError",
        message: new RegExp(
          `^Cannot compute grad with createGraph: op "${name}" derivativeValues ${message.source}`,
        ),
      });
      assertGradsUnchanged(before);
      // Plain grad and backward() do not use derivativeValues.
      assert.equal(grad(f, [w])[0].data, (1 - f.data ** 2) * Math.exp(3));
    }
  });

  it("with derivativeValues, works to second order", () => {
    const a = new Value(3);
    const b = new Value(-4);
    const y = hypot(a, b); // 5
    const [da, db] = grad(y, [a, b], CREATE);
    assert.deepEqual([da.data, db.data], [0.6, -0.8]);
    // d²y/da² = b²/y³, d²y/dadb = -ab/y³, d²y/db² = a²/y³
    const [daa, dab] = grad(da, [a, b]);
    const [dba, dbb] = grad(db, [a, b]);
    close(daa.data, 16 / 125, 1e-15);
    close(dab.data, 12 / 125, 1e-15);
    close(dba.data, 12 / 125, 1e-15);
    close(dbb.data, 9 / 125, 1e-15);
    // and through backward(): the Hessian row of a
    da.backward();
    close(a.grad, 16 / 125, 1e-15);
    close(b.grad, 12 / 125, 1e-15);
  });
});
