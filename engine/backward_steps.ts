import { CONSTANT, LEAF } from "./_make_op.ts";
import { enter, leave, partialsOf } from "./_backward.ts";
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
  // As backward(): the gradients add up in an array, from 0; an op node's
  // `.grad` shows its sum so far, a leaf's what it held plus that sum.
  const grads = new Float64Array(order.length);
  const held = new Float64Array(order.length);
  const index = new Map<Value, number>();
  for (let i = 0; i < order.length; i++) {
    const node = order[i];
    index.set(node, i);
    const code = node._op.code;
    if (code === LEAF) held[i] = node.grad;
    else if (code !== CONSTANT) node.grad = 0;
  }
  if (root._op.code !== CONSTANT) {
    grads[0] = 1;
    root.grad = held[0] + 1;
  }
  for (let i = 0; i < order.length; i++) {
    const node = order[i];
    const code = node._op.code;
    if (code === LEAF || code === CONSTANT) continue;
    const inputs = node.inputs;
    let partials: number[];
    enter("backwardSteps");
    try {
      partials = partialsOf(node);
    } finally {
      leave();
    }
    for (let k = 0; k < inputs.length; k++) {
      const input = inputs[k];
      const kind = input._op.code;
      if (kind === CONSTANT) continue;
      const id = index.get(input) as number;
      grads[id] += partials[k] * grads[i];
      input.grad = kind === LEAF ? held[id] + grads[id] : grads[id];
    }
    yield node;
  }
}
