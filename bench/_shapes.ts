// The graph shapes measured by the bench suites and the scaling report, each
// built twice from the same input numbers: with the engine's Values and with
// the floor's tape. A "node" is one Value of the graph, counted as
// topo(root).length; the floor records exactly the same nodes.
import { sum, Value } from "../engine/mod.ts";
import { Random } from "../nn/_random.ts";
import {
  chainFloor,
  type FloorGraph,
  sumFloor,
  type Tape,
  treeFloor,
} from "./floor.ts";

/** The input numbers of one graph, made once and used by both builders. */
export interface ShapeInput {
  /** Size parameter: chain steps, sum terms or tree leaves. */
  n: number;
  /** Leaf values (chain: x0, a, b). */
  xs: Float64Array;
  /** Second leaf values (sum: the weights), else empty. */
  ws: Float64Array;
  /** Number of nodes of the graph, as topo(root).length counts them. */
  nodes: number;
}

/** A graph shape with its engine and floor builders. */
export interface Shape {
  /** Short name used in tables and bench groups. */
  name: string;
  /** What the graph is. */
  title: string;
  /** Inputs for a graph of about `nodes` nodes. */
  input(nodes: number): ShapeInput;
  /** Builds the graph with the engine; returns the root. */
  engine(input: ShapeInput): Value;
  /** Records the same graph on `tape` (reset first), or on a new tape. */
  floor(input: ShapeInput, tape?: Tape): FloorGraph;
}

function uniform(n: number, seed: number): Float64Array {
  const random = new Random(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = random.uniform(-1, 1);
  return out;
}

const EMPTY = new Float64Array(0);

/** y = y * a + b repeated: leaves x0, a, b, then a mul and an add per step. */
export const chain: Shape = {
  name: "chain",
  title: "chain y = y*a + b (leaves y0, a, b; 2 nodes per step)",
  input(nodes: number): ShapeInput {
    const n = Math.max(1, Math.round((nodes - 3) / 2));
    // a just below 1: gradients decay as a^k, and with a = 0.9 they would
    // become subnormal numbers after ~7000 steps, which makes every multiply
    // ~10x slower on x86 and measures the FPU instead of the engine.
    return {
      n,
      xs: Float64Array.of(0.5, 1 - 1e-7, 0.1),
      ws: EMPTY,
      nodes: 3 + 2 * n,
    };
  },
  engine(input: ShapeInput): Value {
    let y = new Value(input.xs[0]);
    const a = new Value(input.xs[1]);
    const b = new Value(input.xs[2]);
    for (let i = 0; i < input.n; i++) y = y.mul(a).add(b);
    return y;
  },
  floor(input: ShapeInput, tape?: Tape): FloorGraph {
    return chainFloor(input.n, input.xs[0], input.xs[1], input.xs[2], tape);
  },
};

/** sum(x_i * w_i) over n pairs of leaves, as ONE n-ary sum node. */
export const wideSum: Shape = {
  name: "sum",
  title: "wide sum(x_i * w_i) (2 leaves + 1 mul per term, 1 sum node)",
  input(nodes: number): ShapeInput {
    const n = Math.max(1, Math.round((nodes - 1) / 3));
    return { n, xs: uniform(n, 1), ws: uniform(n, 2), nodes: 3 * n + 1 };
  },
  engine(input: ShapeInput): Value {
    const { n, xs, ws } = input;
    const products: Value[] = new Array(n);
    for (let i = 0; i < n; i++) {
      products[i] = new Value(xs[i]).mul(new Value(ws[i]));
    }
    return sum(products);
  },
  floor(input: ShapeInput, tape?: Tape): FloorGraph {
    return sumFloor(input.xs, input.ws, tape);
  },
};

/** A balanced binary tree of adds over n leaves, reduced level by level. */
export const tree: Shape = {
  name: "tree",
  title: "balanced binary tree of add over n leaves (2n - 1 nodes)",
  input(nodes: number): ShapeInput {
    const n = Math.max(1, Math.round((nodes + 1) / 2));
    return { n, xs: uniform(n, 3), ws: EMPTY, nodes: 2 * n - 1 };
  },
  engine(input: ShapeInput): Value {
    const xs = input.xs;
    let level: Value[] = new Array(xs.length);
    for (let i = 0; i < xs.length; i++) level[i] = new Value(xs[i]);
    while (level.length > 1) {
      const half = level.length >> 1;
      const next: Value[] = new Array(level.length - half);
      for (let i = 0; i < half; i++) {
        next[i] = level[2 * i].add(level[2 * i + 1]);
      }
      if (level.length % 2 === 1) next[half] = level[level.length - 1];
      level = next;
    }
    return level[0];
  },
  floor(input: ShapeInput, tape?: Tape): FloorGraph {
    return treeFloor(input.xs, tape);
  },
};

/** The scaling shapes, in table order. */
export const SHAPES: readonly Shape[] = [chain, wideSum, tree];
