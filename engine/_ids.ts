// Internal: the numbers nodes carry in `_id` (see Value), and the marks of
// graph walks.
//
// One counter numbers every node as it is made (its creation number) and
// every leaf each time a backward pass reaches it (see sweep() in
// _backward.ts), so a number it gives is larger than any a node carries.
//
// A graph walk (topo, sweepOrder, the optimizers' check for a repeated
// parameter) marks each node it reaches by turning its number into
// -id - 1, below 0, and turns every one back before it returns, also on a
// throw. "Seen" is then one compare on the node, with no Set (capped at 2^24
// entries in V8) and no field of its own, which every node would carry: a
// node is 8 bytes smaller without one.
import type { Value } from "./value.ts";

let next = 0;

/** A new number, larger than any a node carries. */
export function newId(): number {
  return next++;
}

/** The number newId() would give next, not taken. */
export function peekId(): number {
  return next;
}

/** Takes every number below `end` (those a pass gave its leaves). */
export function skipIds(end: number): void {
  if (end > next) next = end;
}

/** Marks `node` as reached by the running walk. */
export function markSeen(node: Value): void {
  node._id = -node._id - 1;
}

/** Whether the running walk has reached `node`. */
export function isSeen(node: Value): boolean {
  return node._id < 0;
}

/** Gives `node` its number back if it is marked. */
export function unmarkNode(node: Value): void {
  if (node._id < 0) node._id = -node._id - 1;
}

/** Gives every marked node of `nodes` its number back. */
export function unmark(nodes: readonly Value[]): void {
  for (let k = 0; k < nodes.length; k++) unmarkNode(nodes[k]);
}
