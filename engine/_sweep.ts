// Internal: the walk every reverse pass takes (backward(), grad(),
// backwardSteps() and compile()), so they all visit the nodes, and add up
// each node's gradient, in the same order: the same bits.
import { CUSTOM } from "./_make_op.ts";
import { nextMark } from "./_mark.ts";
import type { Value } from "./value.ts";

/** What {@linkcode countUsers} found. */
export interface Counted {
  /** Number of nodes under the root; they got `_id`s 0 .. n - 1. */
  n: number;
  /** Whether a user op (whose `derivatives` may throw) is among them. */
  hasCustomOps: boolean;
  /** `users[node._id]`: how many nodes under the root use the node. */
  users: Int32Array;
}

// One buffer reused pass after pass (passes cannot overlap): a typed array
// per pass cost more than a small pass itself, and a count on each node
// would cost every node 8 bytes for the whole life of the graph.
let usersBuffer: Int32Array = new Int32Array(1024);

/**
 * Pass 1: visits every node under `root` once, gives it an `_id` (0 for the
 * root, then in the order first reached), and counts its users under
 * `root` in `users[_id]`.
 */
export function countUsers(root: Value, stack: Value[]): Counted {
  const mark = nextMark();
  let users = usersBuffer;
  root._visit = mark;
  root._id = 0;
  users[0] = 0;
  let n = 1;
  let hasCustomOps = false;
  stack[0] = root;
  let top = 0;
  while (top >= 0) {
    const node = stack[top--];
    if (node._op.code === CUSTOM) hasCustomOps = true;
    const rest = node._rest;
    // Room for every input of this node to be new.
    const needed = n + (rest === null ? 2 : rest.length);
    if (needed > users.length) users = usersBuffer = grow(users, needed);
    if (rest !== null) {
      for (let k = 0; k < rest.length; k++) {
        const input = rest[k];
        if (input._visit === mark) {
          users[input._id]++;
        } else {
          input._visit = mark;
          input._id = n;
          users[n++] = 1;
          stack[++top] = input;
        }
      }
    } else if (node._a !== null) {
      const a = node._a;
      if (a._visit === mark) {
        users[a._id]++;
      } else {
        a._visit = mark;
        a._id = n;
        users[n++] = 1;
        stack[++top] = a;
      }
      const b = node._b as Value | null;
      if (b === null) continue;
      if (b._visit === mark) {
        users[b._id]++;
      } else {
        b._visit = mark;
        b._id = n;
        users[n++] = 1;
        stack[++top] = b;
      }
    }
  }
  return { n, hasCustomOps, users };
}

function grow(users: Int32Array, needed: number): Int32Array {
  const bigger = new Int32Array(Math.max(needed, 2 * users.length));
  bigger.set(users);
  return bigger;
}

/**
 * After `node`'s turn in the sweep: pushes onto `stack` each input whose
 * users have now all had theirs, and returns the new top of the stack.
 */
export function release(
  node: Value,
  stack: Value[],
  top: number,
  users: Int32Array,
): number {
  const rest = node._rest;
  if (rest !== null) {
    for (let k = 0; k < rest.length; k++) {
      const input = rest[k];
      if (--users[input._id] === 0) stack[++top] = input;
    }
  } else if (node._a !== null) {
    if (--users[node._a._id] === 0) stack[++top] = node._a;
    const b = node._b as Value | null;
    if (b !== null && --users[b._id] === 0) stack[++top] = b;
  }
  return top;
}

/**
 * The nodes under `root` in the sweep's order (see backward() in
 * _backward.ts), each renumbered to its index in it (`_id`), for the passes
 * that walk it more than once or at their own pace (grad with createGraph,
 * backwardSteps, compile).
 */
export function sweepOrder(root: Value): Value[] {
  const stack: Value[] = [];
  const { n, users } = countUsers(root, stack);
  const order: Value[] = new Array(n);
  let i = 0;
  stack[0] = root;
  let top = 0;
  while (top >= 0) {
    const node = stack[top--];
    order[i++] = node;
    top = release(node, stack, top, users);
  }
  for (let k = 0; k < n; k++) order[k]._id = k;
  return order;
}
