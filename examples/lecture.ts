// `deno task lecture`: Andrej Karpathy's lecture "The spelled-out intro to
// neural networks and backpropagation: building micrograd", replayed step by
// step with this package, each step printing its numbers.
//
//   deno task lecture                      # graphs go to ./lecture_out/
//   deno task lecture --out /tmp/graphs --steps 50
//
// The expression graphs are written as Graphviz DOT and drawn as SVG by
// Graphviz compiled to WebAssembly (examples/_graphviz.ts): no Graphviz
// install needed.

import { parseArgs } from "node:util";
import {
  backwardSteps,
  ops,
  toDot,
  topo,
  Value,
} from "@micrograd/micrograd/engine";
import { MLP } from "@micrograd/micrograd/nn";
import { parseArgsMessage, runMain, UsageError } from "./_cli.ts";
import { dotToSvg } from "./_graphviz.ts";
import { prepareDirectory, writeOutput } from "./_outputs.ts";

const HELP = `Replay the micrograd lecture step by step.

Usage: deno task lecture [flags]

  --out DIR    where to write the graphs, as DOT and SVG
               (default: lecture_out)
  --steps N    training steps of the last part (default: 20)
  --lr X       learning rate of the last part (default: 0.05)
  --help       print this help`;

const f4 = (x: number): string => x.toFixed(4);

function heading(n: number, title: string): void {
  console.log(`\n${n}. ${title}\n${"-".repeat(title.length + 3)}`);
}

// 1 -------------------------------------------------------------------------

function slope(): void {
  heading(1, "The derivative is a slope");
  const f = (x: number): number => 3 * x ** 2 - 4 * x + 5;
  const h = 0.0001;
  console.log(`f(x) = 3x^2 - 4x + 5, slope by finite differences, h = ${h}:`);
  for (const [x, name] of [[3, "3"], [-3, "-3"], [2 / 3, "2/3"]] as const) {
    const estimate = (f(x + h) - f(x)) / h;
    console.log(
      `  x = ${name.padEnd(3)}  f(x) = ${
        f4(f(x)).padStart(8)
      }  (f(x + h) - f(x)) / h = ${f4(estimate).padStart(8)}   exact 6x - 4 = ${
        f4(6 * x - 4)
      }`,
    );
  }
}

// 2 -------------------------------------------------------------------------

function expression(): Value {
  const a = new Value(2, { label: "a" });
  const b = new Value(-3, { label: "b" });
  const c = new Value(10, { label: "c" });
  const e = a.mul(b);
  e.label = "e";
  const d = e.add(c);
  d.label = "d";
  const f = new Value(-2, { label: "f" });
  const L = d.mul(f);
  L.label = "L";
  return L;
}

async function chainRule(out: string): Promise<void> {
  heading(2, "L = (a*b + c) * f, and backpropagation");
  const L = expression();
  L.backward();
  console.log(
    "a = 2, b = -3, c = 10, f = -2;  e = a*b, d = e + c, L = d*f",
  );
  console.log(`L = ${f4(L.data)}`);
  console.log("gradients from L.backward(), by the chain rule:");
  const why: Record<string, string> = {
    L: "dL/dL = 1",
    f: "dL/df = d",
    d: "dL/dd = f",
    c: "dL/dc = dL/dd * dd/dc = f * 1",
    e: "dL/de = dL/dd * dd/de = f * 1",
    a: "dL/da = dL/de * de/da = f * b",
    b: "dL/db = dL/de * de/db = f * a",
  };
  const nodes = topo(L).reverse();
  for (const node of nodes) {
    const label = node.label ?? "?";
    console.log(
      `  ${label}: data ${f4(node.data).padStart(8)}  grad ${
        f4(node.grad).padStart(8)
      }   ${why[label] ?? ""}`,
    );
  }
  // The lecture's check: nudge a by h and watch L move.
  const h = 0.001;
  const nudged = (2 + h) * -3 + 10;
  console.log(
    `check: (L(a + h) - L(a)) / h = ${
      f4((nudged * -2 - L.data) / h)
    } with h = ${h}`,
  );
  await writeGraph(out, "expression", toDot(L));
}

// 3 and 4 -----------------------------------------------------------------

interface Neuron {
  x1: Value;
  x2: Value;
  w1: Value;
  w2: Value;
  b: Value;
  n: Value;
}

function neuronInputs(): Neuron {
  const x1 = new Value(2, { label: "x1" });
  const x2 = new Value(0, { label: "x2" });
  const w1 = new Value(-3, { label: "w1" });
  const w2 = new Value(1, { label: "w2" });
  // The lecture's bias, chosen so that o = tanh(n) is a round 0.7071.
  const b = new Value(6.8813735870195432, { label: "b" });
  const x1w1 = x1.mul(w1);
  x1w1.label = "x1*w1";
  const x2w2 = x2.mul(w2);
  x2w2.label = "x2*w2";
  const sum = x1w1.add(x2w2);
  sum.label = "x1*w1 + x2*w2";
  const n = sum.add(b);
  n.label = "n";
  return { x1, x2, w1, w2, b, n };
}

// A label as an operand: "x1*w1 + x2*w2" gets parentheses.
function named(label: string): string {
  return label.includes(" ") ? `(${label})` : label;
}

function gradients(v: Neuron): string {
  return (["x1", "w1", "x2", "w2"] as const)
    .map((k) => `${k}.grad = ${f4(v[k].grad)}`).join("  ");
}

async function neuron(out: string): Promise<void> {
  heading(3, "A neuron: o = tanh(x1*w1 + x2*w2 + b)");
  const v = neuronInputs();
  const o = v.n.tanh();
  o.label = "o";
  console.log(`x1 = 2, x2 = 0, w1 = -3, w2 = 1, b = 6.8814`);
  console.log(`n = ${f4(v.n.data)}, o = tanh(n) = ${f4(o.data)}`);
  console.log("backward by hand, from o to the inputs:");
  const oGrad = 1;
  const nGrad = oGrad * (1 - o.data ** 2);
  console.log(`  do/do = 1;  do/dn = 1 - o^2 = ${f4(nGrad)}`);
  console.log(
    `  a sum passes it on: b, x1*w1 and x2*w2 all get ${f4(nGrad)}`,
  );
  const manual = {
    x1: v.w1.data * nGrad,
    w1: v.x1.data * nGrad,
    x2: v.w2.data * nGrad,
    w2: v.x2.data * nGrad,
  };
  console.log(
    `  a product swaps: x1 gets w1 * ${f4(nGrad)} = ${
      f4(manual.x1)
    }, w1 gets x1 * ${f4(nGrad)} = ${f4(manual.w1)},`,
  );
  console.log(
    `                   x2 gets w2 * ${f4(nGrad)} = ${
      f4(manual.x2)
    }, w2 gets x2 * ${f4(nGrad)} = ${f4(manual.w2)}`,
  );
  console.log(
    "the same pass, one node at a time with backwardSteps(o); each op sends",
  );
  console.log("its grad times its local derivative to its inputs:");
  let step = 0;
  for (const node of backwardSteps(o)) {
    const sent = node.inputs
      .filter((x) => x.op !== "" || x.isLeaf)
      .map((x) => `${named(x.label ?? "?")}.grad = ${f4(x.grad)}`)
      .join(", ");
    console.log(`  step ${++step}: ${node.label} (${node.op}) -> ${sent}`);
  }
  // backwardSteps leaves the grads backward() leaves; leaves accumulate, so
  // zero them before checking against backward().
  for (const leaf of [v.x1, v.x2, v.w1, v.w2, v.b]) leaf.grad = 0;
  o.backward();
  console.log(`o.backward() agrees: ${gradients(v)}`);
  await writeGraph(out, "neuron", toDot(o));

  heading(4, "tanh built from exp: o = (e^2n - 1) / (e^2n + 1)");
  const u = neuronInputs();
  const e = u.n.mul(2).exp();
  const o2 = e.sub(1).div(e.add(1));
  o2.backward();
  console.log(`o = ${f4(o2.data)} (same), made of mul, exp, sub, add, div`);
  console.log(`o.backward() gives the same gradients: ${gradients(u)}`);
  console.log(
    "the level of the ops is up to us: only the local derivatives must be right",
  );
}

// 5 -------------------------------------------------------------------------

// The first micrograd's mistake: backward that ASSIGNS each input's gradient
// (x.grad = local * out.grad) instead of adding to it. A value used twice
// keeps only the gradient of its last use.
function backwardAssigning(root: Value): void {
  const order = topo(root);
  for (const node of order) node.grad = 0;
  root.grad = 1;
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i];
    if (node.op === "") continue;
    const inputs = node.inputs;
    const local = ops[node.op].derivatives(
      inputs.map((x) => x.data),
      node.data,
    );
    for (let k = 0; k < inputs.length; k++) {
      inputs[k].grad = local[k] * node.grad; // the bug: = instead of +=
    }
  }
}

function accumulation(): void {
  heading(5, "The a + a bug, and why gradients accumulate");
  const a = new Value(3, { label: "a" });
  const b = a.add(a);
  b.backward();
  const right = a.grad;
  backwardAssigning(b);
  console.log(`b = a + a with a = 3: db/da is 2`);
  console.log(
    `  assigning  x.grad = local * out.grad:   a.grad = ${f4(a.grad)}  (wrong)`,
  );
  console.log(
    `  adding     x.grad += local * out.grad:  a.grad = ${f4(right)}  (right)`,
  );

  const x = new Value(-2, { label: "a" });
  const y = new Value(3, { label: "b" });
  const f = x.mul(y).mul(x.add(y)); // d = a*b, e = a + b, f = d*e
  f.backward();
  const good = [x.grad, y.grad];
  x.grad = 0;
  y.grad = 0;
  backwardAssigning(f);
  console.log(`f = (a*b) * (a + b) with a = -2, b = 3:`);
  console.log(
    `  assigning: a.grad = ${f4(x.grad)}, b.grad = ${
      f4(y.grad)
    }   adding: a.grad = ${f4(good[0])}, b.grad = ${
      f4(good[1])
    }  (exact: 2ab + b^2 = -3, a^2 + 2ab = -8)`,
  );
  console.log(
    "a value used twice gets a gradient from each use; the chain rule sums them.",
  );
  console.log(
    "so backward() adds into the leaves, and training must zero them each step.",
  );
}

// 6 -------------------------------------------------------------------------

function training(steps: number, lr: number): void {
  heading(6, "Training MLP(3, [4, 4, 1]) on four examples");
  const xs = [[2, 3, -1], [3, -1, 0.5], [0.5, 1, 1], [1, 1, -1]];
  const ys = [1, -1, -1, 1];
  const model = new MLP(3, [4, 4, 1], { activation: "tanh" });
  const params = model.parameters();
  console.log(
    `${params.length} parameters, tanh hidden layers, loss = sum((ypred - y)^2), p.data -= ${lr} * p.grad`,
  );
  for (let step = 1; step <= steps; step++) {
    const ypred = xs.map((x) => model.forward(x)[0]);
    let loss = ypred[0].sub(ys[0]).pow(2);
    for (let i = 1; i < xs.length; i++) {
      loss = loss.add(ypred[i].sub(ys[i]).pow(2));
    }
    model.zeroGrad(); // without it, gradients of all steps add up (part 5)
    loss.backward();
    for (const p of params) p.data -= lr * p.grad;
    console.log(`  step ${String(step).padStart(2)}  loss ${f4(loss.data)}`);
  }
  const final = xs.map((x) => model.predict(x)[0]);
  console.log(
    `predictions: [${final.map(f4).join(", ")}]   targets: [${ys.join(", ")}]`,
  );
}

// ---------------------------------------------------------------------------

async function writeGraph(
  out: string,
  name: string,
  dot: string,
): Promise<void> {
  // Shown as the user typed --out; written where it resolves (INIT_CWD).
  const dotFile = `${out}/${name}.dot`;
  await writeOutput("--out", dotFile, dot);
  const svgFile = `${out}/${name}.svg`;
  await writeOutput("--out", svgFile, await dotToSvg(dot));
  console.log(`graph: wrote ${dotFile} and ${svgFile}`);
}

function parseOptions(
  args: string[],
): { out: string; steps: number; lr: number } | "help" {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args,
      options: {
        out: { type: "string" },
        steps: { type: "string" },
        lr: { type: "string" },
        help: { type: "boolean" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new UsageError(parseArgsMessage(error));
  }
  if (values.help === true) return "help";
  const stepsText = (values.steps as string | undefined) ?? "20";
  const steps = Number(stepsText);
  if (!/^\s*\+?\d+\s*$/.test(stepsText) || !Number.isSafeInteger(steps)) {
    throw new UsageError(
      `Cannot parse --steps: expected an integer >= 0, got "${stepsText}"`,
    );
  }
  const lrText = (values.lr as string | undefined) ?? "0.05";
  const lr = lrText.trim() === "" ? NaN : Number(lrText);
  if (!Number.isFinite(lr) || lr <= 0) {
    throw new UsageError(
      `Cannot parse --lr: expected a number > 0, got "${lrText}"`,
    );
  }
  const out = (values.out as string | undefined) ?? "lecture_out";
  if (out === "") {
    throw new UsageError(`Cannot parse --out: expected a directory, got ""`);
  }
  return { out, steps, lr };
}

async function main(args: string[]): Promise<void> {
  const options = parseOptions(args);
  if (options === "help") {
    console.log(HELP);
    return;
  }
  // The output directory is checked before the first section is printed.
  await prepareDirectory("--out", options.out);
  console.log(
    "micrograd, the lecture: https://www.youtube.com/watch?v=VMj-3S1tku0",
  );
  slope();
  await chainRule(options.out);
  await neuron(options.out);
  accumulation();
  training(options.steps, options.lr);
}

if (import.meta.main) await runMain(main);
