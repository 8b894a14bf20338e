// Graphviz DOT to SVG without a Graphviz install: Graphviz itself, compiled
// to WebAssembly (@viz-js/viz from npm; examples only, never the package).

import { instance, type Viz } from "@viz-js/viz";

let viz: Promise<Viz> | undefined;

/**
 * Lays out and draws a DOT graph as SVG text.
 *
 * @throws {Error} With Graphviz's own messages if the DOT is malformed.
 */
export async function dotToSvg(dot: string): Promise<string> {
  viz ??= instance();
  const result = (await viz).render(dot, { format: "svg" });
  if (result.status !== "success") {
    throw new Error(
      `Cannot draw the graph: Graphviz says ${
        result.errors.map((e) => e.message).join("; ")
      }`,
    );
  }
  return result.output;
}
