// `deno task bench`: grad() on the chain shape, with and without
// createGraph, against backward() on the same graph as the baseline, so the
// "x slower" column is the ratio to backward(). Only the call itself is
// timed; each iteration differentiates a freshly built graph.
import { grad, type Value } from "../engine/mod.ts";
import { chain } from "./_shapes.ts";
import { BENCH_SIZES, iterations, settle } from "./_suite.ts";

for (const size of BENCH_SIZES) {
  const input = chain.input(size);
  const group = `chain 1e${
    Math.round(Math.log10(size))
  } (${input.nodes} nodes) grad`;
  const n = iterations(input.nodes);
  /** A new graph and its three leaves y0, a, b. */
  const build = (): { root: Value; leaves: Value[] } => {
    settle(input.nodes);
    const root = chain.engine(input);
    let y0 = root;
    while (y0.inputs.length > 0) y0 = y0.inputs[0];
    // The last step is add(mul(y, a), b).
    const a = root.inputs[0].inputs[1];
    const b = root.inputs[1];
    return { root, leaves: [y0, a, b] };
  };

  Deno.bench({
    name: "backward()",
    group,
    baseline: true,
    ...n,
    fn(b: Deno.BenchContext): void {
      const { root } = build();
      b.start();
      root.backward();
      b.end();
    },
  });
  Deno.bench({
    name: "grad()",
    group,
    ...n,
    fn(b: Deno.BenchContext): void {
      const { root, leaves } = build();
      b.start();
      grad(root, leaves);
      b.end();
    },
  });
  Deno.bench({
    name: "grad({ createGraph: true })",
    group,
    ...n,
    fn(b: Deno.BenchContext): void {
      const { root, leaves } = build();
      b.start();
      grad(root, leaves, { createGraph: true });
      b.end();
    },
  });
}
