// Internal: the order every reverse pass takes (backward(), grad(),
// backwardSteps() and compile()), so they all add up each node's gradient
// in the same order: the same bits.
//
// A node is always made after its inputs, so its creation number (an op
// node's `_id`, see Value) is larger than theirs: going through the op
// nodes from the newest to the oldest gives each one its turn after all of
// its users have had theirs. That is the lecture's reversed topological
// order, without a topological sort. Leaves, which send nothing on, take
// their gradients last.
import { CONSTANT, LEAF } from "./_make_op.ts";
import { isSeen, markSeen, unmark } from "./_ids.ts";
import type { Value } from "./value.ts";

/**
 * The nodes under `root` in the sweep's order: the op nodes newest first
 * (`root` first if it is one), then the leaves and constants, as first
 * reached. For the passes that walk the order more than once or at their
 * own pace (grad with createGraph, backwardSteps, compile), and for
 * backward() when its nodes were made too far apart to sweep by creation
 * number directly (see sweep() in _backward.ts).
 */
export function sweepOrder(root: Value): Value[] {
  const ops: Value[] = [];
  const others: Value[] = [];
  const stack: Value[] = [root];
  markSeen(root);
  try {
    reach(ops, others, stack);
  } finally {
    unmark(ops);
    unmark(others);
    unmark(stack);
  }
  // Depth first from the root reaches the nodes almost newest first already,
  // which the sort's merging of runs takes in about linear time.
  ops.sort((p, q) => q._id - p._id);
  for (let k = 0; k < others.length; k++) ops.push(others[k]);
  return ops;
}

/** Moves every node under the nodes on `stack` to `ops` or `others`. */
function reach(ops: Value[], others: Value[], stack: Value[]): void {
  while (stack.length > 0) {
    const node = stack.pop() as Value;
    const code = node._op.code;
    if (code === LEAF || code === CONSTANT) {
      others.push(node);
      continue;
    }
    ops.push(node);
    const inputs = node.inputs;
    for (let k = 0; k < inputs.length; k++) {
      const input = inputs[k];
      if (!isSeen(input)) {
        markSeen(input);
        stack.push(input);
      }
    }
  }
}

/**
 * Runs `run` with `nodes[i]._id` set to `first + step * i`, then gives every
 * node its `_id` back, also on a throw: an op node's creation number must
 * outlive the passes that number the nodes their own way (compile, and
 * backward() when the nodes were made far apart).
 */
export function withIds<T>(
  nodes: readonly Value[],
  first: number,
  step: number,
  run: () => T,
): T {
  const held: number[] = new Array(nodes.length);
  for (let i = 0; i < nodes.length; i++) held[i] = nodes[i]._id;
  try {
    for (let i = 0; i < nodes.length; i++) nodes[i]._id = first + step * i;
    return run();
  } finally {
    for (let i = 0; i < nodes.length; i++) nodes[i]._id = held[i];
  }
}
