// Random expression graphs over every built-in op, for the tests that check
// that every engine (backward, grad, compile and its generated code) gives
// the same bits. Operands stay inside each op's domain, so values are finite.
import { sum, Value } from "../engine/mod.ts";
import { Random } from "../nn/_random.ts";

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

/** A random graph: its leaves and its root. */
export interface RandomGraph {
  leaves: Value[];
  root: Value;
}

/**
 * Builds a random graph of about `size` op nodes over `nLeaves` leaves
 * (values in [-2, 2], or `values`), with shared subexpressions, number
 * operands (constants) and n-ary sums. Its shape depends on `seed` only.
 */
export function randomGraph(
  seed: number,
  size = 40,
  nLeaves = 4,
  values?: readonly number[],
): RandomGraph {
  const random = new Random(seed);
  const leaves: Value[] = [];
  for (let i = 0; i < nLeaves; i++) {
    const x = random.uniform(-2, 2);
    leaves.push(new Value(values?.[i] ?? x, { label: `x${i}` }));
  }
  const pool: Value[] = [...leaves];
  const pick = (): Value => pool[random.int(pool.length)];
  for (let i = 0; i < size; i++) {
    const kind = random.next();
    let node: Value;
    if (kind < 0.45) {
      const op = UNARY[random.int(UNARY.length)];
      const x = pick();
      // Keep operands where the op is defined and moderate in size.
      if (op === "log" || op === "sqrt") node = x.abs().add(0.5)[op]();
      else if (op === "exp") node = x.tanh().exp();
      else node = x[op]();
    } else if (kind < 0.9) {
      const op = BINARY[random.int(BINARY.length)];
      const a = pick();
      const b: Value | number = random.next() < 0.25
        ? random.uniform(-2, 2)
        : pick();
      if (op === "div") {
        node = a.div(typeof b === "number" ? 1.5 : b.abs().add(0.5));
      } else if (op === "pow") {
        node = a.abs().add(0.5).pow(
          typeof b === "number" ? b : b.tanh(),
        );
      } else node = a[op](b);
    } else {
      const n = 1 + random.int(5);
      const terms: (Value | number)[] = [];
      for (let k = 0; k < n; k++) {
        terms.push(random.next() < 0.2 ? random.uniform(-1, 1) : pick());
      }
      node = sum(terms);
    }
    pool.push(node);
  }
  // The root uses the last few nodes, so most of the graph is under it.
  const root = sum(pool.slice(-Math.min(pool.length, 6)));
  return { leaves, root };
}
