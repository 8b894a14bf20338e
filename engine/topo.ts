import { isSeen, markSeen, unmark } from "./_ids.ts";
import { describe } from "./_validate.ts";
import { Value } from "./value.ts";

/**
 * The nodes of the graph under `root` in topological order: every node comes
 * after all of its inputs, and `root` comes last. Each node appears once,
 * however many paths lead to it.
 *
 * Iterative depth-first search with an explicit stack, so deep graphs (a
 * chain of a million nodes) cannot overflow the call stack.
 *
 * @param root The node to start from.
 * @returns The nodes, inputs before the nodes that use them.
 * @throws {TypeError} If `root` is not a Value.
 * @example Usage
 * ```ts
 * import { topo, Value } from "@micrograd/micrograd/engine";
 * import assert from "node:assert/strict";
 * const a = new Value(2, { label: "a" });
 * const b = a.mul(a);
 * const c = b.add(a);
 * assert.deepEqual(topo(c).map((v) => v.op || v.label), ["a", "mul", "add"]);
 * ```
 */
export function topo(root: Value): Value[] {
  if (!(root instanceof Value)) {
    throw new TypeError(
      `Cannot sort graph: root must be a Value, got ${describe(root)}`,
    );
  }
  // A node reached is marked on itself (see _ids.ts), so "seen in this walk"
  // is one compare on the node, and every mark is taken off before returning.
  const order: Value[] = [];
  // The stack holds the path from root to the current node, with, for each
  // node on it, the index of the next input to visit:
  //
  //   nodes: [ root, n1, n2 ]    <- top: n2, whose inputs are being visited
  //   next:  [  1,   0,  2  ]    <- n2 has visited inputs 0 and 1
  //
  // A node is pushed the first time it is reached (and marked then), and
  // popped into `order` once all of its inputs are in `order`.
  const nodes: Value[] = [root];
  const next: number[] = [0];
  markSeen(root);
  try {
    walk(order, nodes, next);
  } finally {
    unmark(order);
    unmark(nodes);
  }
  return order;
}

function walk(order: Value[], nodes: Value[], next: number[]): void {
  while (nodes.length > 0) {
    const top = nodes.length - 1;
    const node = nodes[top];
    const k = next[top];
    const rest = node._rest;
    const input = rest !== null
      ? (k < rest.length ? rest[k] : null)
      : k === 0
      ? node._a
      : k === 1
      ? node._b as Value | null
      : null;
    if (input === null) {
      order.push(node);
      nodes.pop();
      next.pop();
    } else {
      next[top] = k + 1;
      if (!isSeen(input)) {
        markSeen(input);
        nodes.push(input);
        next.push(0);
      }
    }
  }
}
