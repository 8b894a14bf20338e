// Test helper: random expression graphs over every built-in op, seeded, kept
// inside the ops' domains and away from relu/abs kinks, with values of
// moderate size (|value| <= 1e3), so that no gradient is NaN or infinite.
import { sum, Value } from "../engine/mod.ts";
import type { Random } from "../nn/_random.ts";

const UNARY = [
  "neg",
  "exp",
  "log",
  "sqrt",
  "tanh",
  "sigmoid",
  "relu",
  "abs",
  "sin",
  "cos",
] as const;
const BINARY = ["add", "sub", "mul", "div", "pow"] as const;

/** Whether `op` at operands a (and b) stays well inside its domain. */
function allowed(op: string, a: number, b: number): boolean {
  switch (op) {
    case "div":
      return Math.abs(b) > 0.2;
    case "pow":
      return a > 0.2 && Math.abs(b) < 3;
    case "exp":
      return a < 4;
    case "log":
    case "sqrt":
      return a > 0.2;
    case "relu":
    case "abs":
      return Math.abs(a) > 1e-3;
  }
  return true;
}

/** A random graph: its leaves (1 to 4) and its root. */
export function randomGraph(random: Random): { xs: Value[]; y: Value } {
  const xs: Value[] = [];
  const n = 1 + random.int(4);
  for (let i = 0; i < n; i++) xs.push(new Value(random.uniform(-2, 2)));
  const nodes: Value[] = [...xs];
  // Prefer recent nodes, so graphs get deep as well as wide.
  const pick = (): Value =>
    nodes[nodes.length - 1 - Math.min(random.int(6), nodes.length - 1)];
  const steps = 4 + random.int(14);
  let made = 0;
  while (made < steps) {
    const r = random.next();
    let y: Value;
    if (r < 0.45) {
      const op = UNARY[random.int(UNARY.length)];
      const a = pick();
      if (!allowed(op, a.data, 0)) continue;
      y = a[op]();
    } else if (r < 0.9) {
      const op = BINARY[random.int(BINARY.length)];
      const a = pick();
      const b: Value | number = random.next() < 0.2
        ? Math.round(random.uniform(-2, 2) * 1000) / 1000 || 1
        : pick();
      if (!allowed(op, a.data, typeof b === "number" ? b : b.data)) continue;
      y = a[op](b);
    } else {
      const terms: (Value | number)[] = [];
      const k = 2 + random.int(3);
      for (let i = 0; i < k; i++) terms.push(pick());
      if (random.next() < 0.3) terms.push(0.25);
      y = sum(terms);
    }
    if (!Number.isFinite(y.data) || Math.abs(y.data) > 1e3) continue;
    nodes.push(y);
    made++;
  }
  // Sum the nodes nothing uses yet, so the output depends on all of them.
  const used = new Set(nodes.flatMap((v) => v.inputs));
  const loose = nodes.filter((v) => !used.has(v));
  return { xs, y: loose.length === 1 ? loose[0] : sum(loose) };
}
