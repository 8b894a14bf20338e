// TEMPORARY, not committed: stands in for engine's backwardSteps until it lands.
import { ops, topo, type Value } from "../engine/mod.ts";
export function* backwardSteps(root: Value): Generator<Value> {
  const order = topo(root);
  for (const n of order) if (!n.isLeaf) n.grad = 0;
  root.grad = root.isLeaf ? root.grad + 1 : 1;
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i];
    if (node.op === "") continue;
    const local = ops[node.op].derivatives(
      node.inputs.map((x) => x.data),
      node.data,
    );
    node.inputs.forEach((x, k) => {
      if (x.op !== "" || x.isLeaf) x.grad += local[k] * node.grad;
    });
    yield node;
  }
}
