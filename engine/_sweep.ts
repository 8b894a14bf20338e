// Internal: the walk every reverse pass takes (backward(), grad(),
// backwardSteps() and compile()), so they all visit the nodes, and add up
// each node's gradient, in the same order: the same bits.
import { CONSTANT, CUSTOM } from "./_make_op.ts";
import { nextMark } from "./_mark.ts";
import type { Value } from "./value.ts";

/** What {@linkcode countUsers} found. */
export interface Counted {
  /** Number of nodes under the root; they got `_id`s 0 .. n - 1. */
  n: number;
  /** Whether a user op (whose `derivatives` may throw) is among them. */
  hasCustomOps: boolean;
}

/**
 * Pass 1: visits every node under `root` once, gives it an `_id` (0 for the
 * root, then in the order first reached), and sets `_pending` to its number
 * of users under `root`. With `zeroGrads`, also sets every op node's `.grad`
 * to 0 (backward(): leaves keep theirs and accumulate, as in PyTorch).
 */
export function countUsers(
  root: Value,
  stack: Value[],
  zeroGrads = false,
): Counted {
  const mark = nextMark();
  root._visit = mark;
  root._pending = 0;
  root._id = 0;
  let n = 1;
  let hasCustomOps = false;
  stack[0] = root;
  let top = 0;
  while (top >= 0) {
    const node = stack[top--];
    const code = node._op.code;
    if (zeroGrads && code > CONSTANT) node.grad = 0;
    if (code === CUSTOM) hasCustomOps = true;
    const rest = node._rest;
    if (rest !== null) {
      for (let k = 0; k < rest.length; k++) {
        const input = rest[k];
        if (input._visit === mark) {
          input._pending++;
        } else {
          input._visit = mark;
          input._pending = 1;
          input._id = n++;
          stack[++top] = input;
        }
      }
    } else if (node._a !== null) {
      const a = node._a;
      if (a._visit === mark) {
        a._pending++;
      } else {
        a._visit = mark;
        a._pending = 1;
        a._id = n++;
        stack[++top] = a;
      }
      const b = node._b;
      if (b === null) continue;
      if (b._visit === mark) {
        b._pending++;
      } else {
        b._visit = mark;
        b._pending = 1;
        b._id = n++;
        stack[++top] = b;
      }
    }
  }
  return { n, hasCustomOps };
}

/**
 * Pass 2: the sweep. A node's turn comes once every node that uses it has
 * had its turn (Kahn's algorithm, started at the root: a topological order
 * walked backwards, found without sorting). In its turn, `visit(node)` sends
 * the node's gradient into its inputs; then the inputs whose users are now
 * all done are pushed onto the stack.
 */
export function sweep(
  root: Value,
  stack: Value[],
  visit: (node: Value) => void,
): void {
  stack[0] = root;
  let top = 0;
  while (top >= 0) {
    const node = stack[top--];
    visit(node);
    const rest = node._rest;
    if (rest !== null) {
      for (let k = 0; k < rest.length; k++) {
        const input = rest[k];
        if (--input._pending === 0) stack[++top] = input;
      }
    } else if (node._a !== null) {
      if (--node._a._pending === 0) stack[++top] = node._a;
      const b = node._b;
      if (b !== null && --b._pending === 0) stack[++top] = b;
    }
  }
}

/**
 * The nodes under `root` in the sweep's order, each renumbered to its index
 * in it (`_id`), for the passes that walk it more than once or at their own
 * pace (grad with createGraph, backwardSteps, compile).
 */
export function sweepOrder(root: Value): Value[] {
  const stack: Value[] = [];
  const { n } = countUsers(root, stack);
  const order: Value[] = new Array(n);
  let i = 0;
  sweep(root, stack, (node) => {
    order[i++] = node;
  });
  for (let k = 0; k < n; k++) order[k]._id = k;
  return order;
}
