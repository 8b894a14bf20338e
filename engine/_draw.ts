// Internal: what toDot() and toMermaid() show of a node.
import type { Value } from "./value.ts";

/** A value node's three fields: its label, then data and grad to 4 decimals. */
export function fields(node: Value): [string, string, string] {
  return [
    node.label ?? "",
    `data ${node.data.toFixed(4)}`,
    `grad ${node.grad.toFixed(4)}`,
  ];
}
