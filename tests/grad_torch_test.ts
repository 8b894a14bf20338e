// grad() against PyTorch: random expression graphs over every op, with the
// values, first derivatives and full Hessians that torch.autograd.grad(...,
// create_graph=True) computed in float64 (tests/reference/grad_torch.py wrote
// tests/reference/grad_torch.json; torch is not needed to run this test).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { grad, sum, Value } from "../engine/mod.ts";
import reference from "./reference/grad_torch.json" with { type: "json" };

type Entry = (string | number)[];

interface Graph {
  id: number;
  inputs: number[];
  nodes: Entry[];
  value: number;
  grad: number[];
  hessian: number[][];
}

const graphs = reference.graphs as Graph[];

// Each number is compared as |ours - torch| <= RTOL * max(|torch|, FLOOR):
// relative, with an absolute floor of RTOL * FLOOR for results near 0 (a
// Hessian entry whose terms cancel to -1.8e-15 here and to 0 in torch: the
// order of the additions differs). Both libraries compute in float64, but
// exp, log, sin, tanh... come from different math libraries (V8's and
// glibc's), which may differ in the last bit. Measured worst case over the
// 200 graphs: about 8e-15 (printed by the last test), so RTOL leaves a
// margin of 100 without letting a wrong formula through: a wrong derivative
// is off by far more than 1e-12.
const RTOL = 1e-12;
const FLOOR = 1;

/** Rebuilds a graph of grad_torch.json with the engine. */
function build(graph: Graph): { xs: Value[]; y: Value } {
  const xs: Value[] = [];
  const nodes: (Value | number)[] = [];
  for (const [op, ...args] of graph.nodes) {
    if (op === "leaf") {
      const x = new Value(graph.inputs[xs.length]);
      xs.push(x);
      nodes.push(x);
      continue;
    }
    if (op === "const") {
      nodes.push(args[0] as number);
      continue;
    }
    const operands = args.map((i) => nodes[i as number]);
    nodes.push(apply(op as string, operands));
  }
  return { xs, y: nodes.at(-1) as Value };
}

function apply(op: string, operands: (Value | number)[]): Value {
  if (op === "sum") return sum(operands);
  const [a, b] = operands;
  if (!(a instanceof Value)) throw new Error(`constant first operand of ${op}`);
  switch (op) {
    case "add":
      return a.add(b);
    case "sub":
      return a.sub(b);
    case "mul":
      return a.mul(b);
    case "div":
      return a.div(b);
    case "pow":
      return a.pow(b);
    case "neg":
    case "exp":
    case "log":
    case "sqrt":
    case "tanh":
    case "sigmoid":
    case "relu":
    case "abs":
    case "sin":
    case "cos":
      return a[op]();
  }
  throw new Error(`unknown op ${op}`);
}

/** |ours - torch| / max(|torch|, FLOOR). */
function error(ours: number, torch: number): number {
  return Math.abs(ours - torch) / Math.max(Math.abs(torch), FLOOR);
}

interface Worst {
  error: number;
  where: string;
}

function compare(
  worst: Worst,
  ours: number,
  torch: number,
  where: string,
): void {
  assert.ok(Number.isFinite(ours), `${where}: got ${ours}`);
  const e = error(ours, torch);
  if (e > worst.error) {
    worst.error = e;
    worst.where = `${where}: ours ${ours}, torch ${torch}`;
  }
  assert.ok(
    e <= RTOL,
    `${where}: ours ${ours}, torch ${torch}, relative error ${e}`,
  );
}

describe("grad() against torch.autograd.grad", () => {
  it("covers every op with enough graphs", () => {
    assert.equal(graphs.length, 200);
    const seen = new Set(graphs.flatMap((g) => g.nodes.map((n) => n[0])));
    for (
      const op of [
        "add",
        "sub",
        "mul",
        "div",
        "neg",
        "pow",
        "exp",
        "log",
        "sqrt",
        "tanh",
        "sigmoid",
        "relu",
        "abs",
        "sin",
        "cos",
        "sum",
      ]
    ) {
      assert.ok(seen.has(op), `no graph uses ${op}`);
    }
  });

  const worst = {
    value: { error: 0, where: "" },
    first: { error: 0, where: "" },
    second: { error: 0, where: "" },
    backward: { error: 0, where: "" },
  };

  it("matches the values and first derivatives", () => {
    for (const graph of graphs) {
      const { xs, y } = build(graph);
      compare(worst.value, y.data, graph.value, `graph ${graph.id} value`);
      const first = grad(y, xs);
      for (let k = 0; k < xs.length; k++) {
        compare(
          worst.first,
          first[k].data,
          graph.grad[k],
          `graph ${graph.id} d/dx${k}`,
        );
      }
    }
  });

  it("matches the Hessians: grad of grad with createGraph", () => {
    for (const graph of graphs) {
      const { xs, y } = build(graph);
      const first = grad(y, xs, { createGraph: true });
      for (let k = 0; k < xs.length; k++) {
        compare(
          worst.first,
          first[k].data,
          graph.grad[k],
          `graph ${graph.id} d/dx${k} (createGraph)`,
        );
        const row = grad(first[k], xs);
        for (let j = 0; j < xs.length; j++) {
          compare(
            worst.second,
            row[j].data,
            graph.hessian[k][j],
            `graph ${graph.id} d2/dx${k}dx${j}`,
          );
        }
      }
    }
  });

  it("matches the Hessians: backward() on each first derivative", () => {
    for (const graph of graphs) {
      const { xs, y } = build(graph);
      const first = grad(y, xs, { createGraph: true });
      for (let k = 0; k < xs.length; k++) {
        for (const x of xs) x.grad = 0;
        first[k].backward();
        for (let j = 0; j < xs.length; j++) {
          compare(
            worst.backward,
            xs[j].grad,
            graph.hessian[k][j],
            `graph ${graph.id} d2/dx${k}dx${j} (backward)`,
          );
        }
      }
    }
  });

  it("reports the worst relative errors", () => {
    // Printed for the record (and the closing note of issue 13).
    for (const [what, w] of Object.entries(worst)) {
      console.log(
        `grad vs torch, worst ${what}: ${
          w.error.toExponential(2)
        } (${w.where})`,
      );
    }
    assert.ok(worst.second.error <= RTOL);
  });
});
