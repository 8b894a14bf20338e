import { CONSTANT } from "./_make_op.ts";
import { fields } from "./_draw.ts";
import { describe } from "./_validate.ts";
import { topo } from "./topo.ts";
import { Value } from "./value.ts";

/** Options for {@linkcode toDot}. */
export interface ToDotOptions {
  /**
   * Layout direction: left to right, or top to bottom.
   *
   * @default {"LR"}
   */
  rankdir?: "LR" | "TB";
}

/**
 * Draws the graph under `root` in Graphviz DOT, as in the lecture: one record
 * per value showing `label | data | grad` (4 decimals), and one small oval
 * per op between its inputs and its output. Constants are dashed. Render it
 * with `dot -Tsvg graph.dot > graph.svg`.
 *
 * @param root The node to draw the graph of.
 * @param options `rankdir`: `"LR"` (default) or `"TB"`.
 * @returns The DOT source.
 * @throws {TypeError} If `root` is not a Value.
 * @throws {RangeError} If `rankdir` is not `"LR"` or `"TB"`.
 * @example Usage
 * ```ts
 * import { toDot, Value } from "@micrograd/micrograd/engine";
 * import assert from "node:assert/strict";
 * const a = new Value(2, { label: "a" });
 * const b = new Value(-3, { label: "b" });
 * const e = a.mul(b);
 * e.label = "e";
 * e.backward();
 * const dot = toDot(e);
 * assert.match(dot, /^digraph \{/);
 * assert.match(dot, /label="\{ a \| data 2\.0000 \| grad -3\.0000 \}"/);
 * assert.match(dot, /label="mul"/);
 * ```
 */
export function toDot(root: Value, options?: ToDotOptions): string {
  if (!(root instanceof Value)) {
    throw new TypeError(
      `Cannot draw graph: root must be a Value, got ${describe(root)}`,
    );
  }
  if (
    options !== undefined && (typeof options !== "object" || options === null)
  ) {
    throw new TypeError(
      `Cannot draw graph: options must be an object, got ${describe(options)}`,
    );
  }
  const rankdir = options?.rankdir ?? "LR";
  if (rankdir !== "LR" && rankdir !== "TB") {
    throw new RangeError(
      `Cannot draw graph: rankdir must be "LR" or "TB", got ${
        describe(rankdir)
      }`,
    );
  }
  const order = topo(root);
  const ids = new Map<Value, string>();
  const lines = [
    "digraph {",
    `  graph [rankdir=${rankdir}];`,
    "  node [shape=record];",
  ];
  for (let i = 0; i < order.length; i++) {
    const node = order[i];
    const id = `n${i}`;
    ids.set(node, id);
    const [label, data, grad] = fields(node);
    const text = `{ ${escapeRecord(label)} | ${data} | ${grad} }`;
    const style = node._op.code === CONSTANT ? ", style=dashed" : "";
    lines.push(`  ${id} [label="${text}"${style}];`);
    if (node.op === "") continue;
    lines.push(
      `  ${id}_op [label="${escapeString(node.op)}", shape=ellipse];`,
      `  ${id}_op -> ${id};`,
    );
    for (const input of node.inputs) {
      lines.push(`  ${ids.get(input)} -> ${id}_op;`);
    }
  }
  lines.push("}");
  return lines.join("\n") + "\n";
}

function escapeString(text: string): string {
  return visible(text.replace(/[\\"]/g, "\\$&").replace(/\n/g, "\\n"));
}

function escapeRecord(text: string): string {
  return visible(text.replace(/[\\"{}|<>]/g, "\\$&").replace(/\n/g, " "));
}

/**
 * Graphviz rejects control characters (a NUL ends its input): show each as
 * its Unicode control picture (U+2400 + code, e.g. ␀) instead.
 */
function visible(text: string): string {
  return text.replace(
    // deno-lint-ignore no-control-regex -- matching them is the point
    /[\u0000-\u001f\u007f]/g,
    (c) =>
      String.fromCharCode(c === "\u007f" ? 0x2421 : 0x2400 + c.charCodeAt(0)),
  );
}
