import { CONSTANT, LEAF } from "./_make_op.ts";
import { enter, leave, propagate } from "./_backward.ts";
import { sweepOrder } from "./_sweep.ts";
import { describe } from "./_validate.ts";
import { Value } from "./value.ts";

/**
 * `root.backward()` one node at a time: the lecture's manual backward pass.
 * Like `backward()`, it first sets the gradient of every op node under
 * `root` to 0 and the root's to 1, then sends gradients from the root down
 * in the same order. It yields each op node (not leaves or constants) once,
 * right after that node has added its local derivatives times its gradient
 * into its inputs' `.grad`. Run to the end, it leaves exactly the gradients
 * `backward()` leaves (leaves accumulate).
 *
 * Between steps you may read and draw the graph (`toDot`, `topo`); calling
 * `backward()` meanwhile mixes two passes' gradients.
 *
 * @param root The node to differentiate, as for `backward()`.
 * @returns A generator of the op nodes, in the sweep's order.
 * @throws {TypeError} If `root` is not a Value (on the first `next()`).
 * @example The lecture's neuron, one node at a time
 * ```ts
 * import { backwardSteps, Value } from "@micrograd/micrograd/engine";
 * import assert from "node:assert/strict";
 *
 * const x = new Value(2, { label: "x" });
 * const w = new Value(-3, { label: "w" });
 * const n = x.mul(w);
 * const o = n.tanh();
 * const steps = backwardSteps(o);
 * assert.equal(steps.next().value, o); // o sent its gradient into n
 * assert.equal(n.grad, 1 - o.data ** 2);
 * assert.equal(x.grad, 0); // not yet
 * assert.equal(steps.next().value, n); // n sent its gradient into x and w
 * assert.equal(x.grad, n.grad * -3);
 * assert.equal(steps.next().done, true);
 * ```
 */
export function* backwardSteps(root: Value): Generator<Value, void, unknown> {
  if (!(root instanceof Value)) {
    throw new TypeError(
      `Cannot step backward: root must be a Value, got ${describe(root)}`,
    );
  }
  enter("backwardSteps");
  let order: Value[];
  try {
    order = sweepOrder(root);
  } finally {
    leave();
  }
  // As backward(): op nodes start from 0, the root from 1, leaves keep theirs.
  for (const node of order) {
    if (node._op.code !== LEAF && node._op.code !== CONSTANT) node.grad = 0;
  }
  if (root._op.code === LEAF) root.grad += 1;
  else if (root._op.code !== CONSTANT) root.grad = 1;
  for (const node of order) {
    const code = node._op.code;
    if (code === LEAF || code === CONSTANT) continue;
    enter("backwardSteps");
    try {
      propagate(node, node.grad, null);
    } finally {
      leave();
    }
    yield node;
  }
}
