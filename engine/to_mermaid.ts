import { CONSTANT } from "./_make_op.ts";
import { fields } from "./_draw.ts";
import { describe } from "./_validate.ts";
import { topo } from "./topo.ts";
import { Value } from "./value.ts";

/**
 * Draws the graph under `root` as a Mermaid flowchart, as `toDot` draws it:
 * one box per value showing `label | data | grad` (4 decimals), and one
 * small circle per op between its inputs and its output; constants are
 * dashed. GitHub, GitLab and most docs sites render Mermaid in a ```mermaid
 * block, so no Graphviz install is needed.
 *
 * Every character of a label other than letters, digits, spaces and `._-`
 * is written as a Mermaid entity code (`#35;`), so no label can end its
 * node's text or start a directive.
 *
 * @param root The node to draw the graph of.
 * @returns The Mermaid source.
 * @throws {TypeError} If `root` is not a Value.
 * @example Usage
 * ```ts
 * import { toMermaid, Value } from "@micrograd/micrograd/engine";
 * import assert from "node:assert/strict";
 * const a = new Value(2, { label: "a" });
 * const b = new Value(-3, { label: "b" });
 * const e = a.mul(b);
 * e.backward();
 * const chart = toMermaid(e);
 * assert.match(chart, /^flowchart LR\n/);
 * assert.match(chart, /n0\["a \| data 2\.0000 \| grad -3\.0000"\]/);
 * assert.match(chart, /n2_op\(\("mul"\)\)/);
 * ```
 */
export function toMermaid(root: Value): string {
  if (!(root instanceof Value)) {
    throw new TypeError(
      `Cannot draw graph: root must be a Value, got ${describe(root)}`,
    );
  }
  const order = topo(root);
  const ids = new Map<Value, string>();
  const lines = ["flowchart LR"];
  const constants: string[] = [];
  for (let i = 0; i < order.length; i++) {
    const node = order[i];
    const id = `n${i}`;
    ids.set(node, id);
    const text = fields(node).map(escape).join(" | ");
    lines.push(`  ${id}["${text}"]`);
    if (node._op.code === CONSTANT) constants.push(id);
    if (node.op === "") continue;
    lines.push(`  ${id}_op(("${escape(node.op)}"))`, `  ${id}_op --> ${id}`);
    for (const input of node.inputs) {
      lines.push(`  ${ids.get(input)} --> ${id}_op`);
    }
  }
  if (constants.length > 0) {
    lines.push(
      "  classDef constant stroke-dasharray: 4 4",
      `  class ${constants.join(",")} constant`,
    );
  }
  return lines.join("\n") + "\n";
}

/** Writes every character that could mean something to Mermaid as `#code;`. */
function escape(text: string): string {
  return text.replace(
    /[^A-Za-z0-9 ._-]/gu,
    (c) => `#${c.codePointAt(0)};`,
  );
}
