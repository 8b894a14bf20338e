// Registers the `deno bench` groups of one graph shape: for each size, one
// group for the forward pass (graph build) and one for backward, each with
// the floor as baseline. Only the work between b.start() and b.end() is
// timed: backward runs on a graph built outside the timed part.
import type { Value } from "../engine/mod.ts";
import { Tape } from "./floor.ts";
import type { Shape } from "./_shapes.ts";

/** Graph sizes, in nodes (topo(root).length), 1e2 .. 1e6. */
export const BENCH_SIZES: readonly number[] = [1e2, 1e3, 1e4, 1e5, 1e6];

/**
 * Fewer iterations for big graphs, so the suite stays a few minutes long.
 * No `warmup`: Deno 2.9.6 ignores it (Deno.bench() overwrites it with its
 * own flag), and each bench gets 10 ms of warm-up calls, at least one.
 */
export function iterations(nodes: number): { n?: number } {
  if (nodes >= 1e6) return { n: 5 };
  if (nodes >= 1e5) return { n: 20 };
  return {};
}

const collect = (globalThis as { gc?: () => void }).gc;

/**
 * Collects garbage before a graph of 1e5 nodes or more is built (with
 * --expose-gc, as `deno task bench` runs), as bench:scaling does before each
 * run: otherwise V8 may still be sweeping the graphs of earlier iterations,
 * on the second core, while the next one is timed. On a 1e6-node chain, a
 * backward pass right after a full collection took 20-27 ms against 15-17
 * without one, and 15-20 with V8's concurrent sweeping turned off (one run
 * each of --no-concurrent-sweeping and --single-threaded-gc).
 */
export function settle(nodes: number): void {
  if (nodes >= 1e5 && collect !== undefined) collect();
}

/** Registers the forward and backward groups of `shape` at every size. */
export function benchShape(shape: Shape): void {
  for (const size of BENCH_SIZES) {
    const input = shape.input(size);
    const label = `${shape.name} 1e${
      Math.round(Math.log10(size))
    } (${input.nodes} nodes)`;
    const n = iterations(input.nodes);
    const tape = new Tape();

    Deno.bench({
      name: "floor",
      group: `${label} forward`,
      baseline: true,
      ...n,
      fn(b: Deno.BenchContext): void {
        settle(input.nodes);
        b.start();
        shape.floor(input, tape);
        b.end();
      },
    });
    Deno.bench({
      name: "engine",
      group: `${label} forward`,
      ...n,
      fn(b: Deno.BenchContext): void {
        settle(input.nodes);
        b.start();
        shape.engine(input);
        b.end();
      },
    });

    Deno.bench({
      name: "floor",
      group: `${label} backward`,
      baseline: true,
      ...n,
      fn(b: Deno.BenchContext): void {
        settle(input.nodes);
        const graph = shape.floor(input, tape);
        b.start();
        graph.tape.backward(graph.root);
        b.end();
      },
    });
    Deno.bench({
      name: "engine",
      group: `${label} backward`,
      ...n,
      fn(b: Deno.BenchContext): void {
        settle(input.nodes);
        const root: Value = shape.engine(input);
        b.start();
        root.backward();
        b.end();
      },
    });
  }
}
