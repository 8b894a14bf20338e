// Internal: the backward pass behind Value.backward(), backwardSteps() and
// grad(): the gradients of one pass live in a Float64Array indexed by node
// id, and reach the nodes' `.grad` fields only when the pass has finished.
import {
  ABS,
  ADD,
  CONSTANT,
  COS,
  DIV,
  EXP,
  LEAF,
  LOG,
  MUL,
  NEG,
  type OpEntry,
  type Partial,
  POW,
  RELU,
  SIGMOID,
  SIN,
  SQRT,
  SUB,
  SUM,
  TANH,
} from "./_make_op.ts";
import { describe } from "./_validate.ts";
import { ops } from "./ops.ts";
import { countUsers, sweep } from "./_sweep.ts";
import { topo } from "./topo.ts";
import type { BackwardOptions, Value } from "./value.ts";

const table = ops as Readonly<Record<string, OpEntry>>;

// The pass that is running, if any: an op's `derivatives` that started
// another one would renumber the nodes this one relies on.
let running = "";

/** Throws if a pass is running (one was started from inside an op's derivatives). */
export function enter(what: string): void {
  if (running !== "") {
    throw new Error(
      `Cannot run ${what}: another ${running}() is running (called from an op's derivatives)`,
    );
  }
  running = what;
}

/** Ends the pass started by {@linkcode enter}. */
export function leave(): void {
  running = "";
}

/**
 * A pass's gradients, one per node, all 0 but the root's: 1 (or 0 for a
 * constant root, which carries no gradient). With `scratch`, the array is a
 * view of one buffer that backward() and grad() reuse, pass after pass:
 * allocating a typed array per pass cost more than the pass itself (GC of
 * its external memory), and these passes cannot overlap.
 */
export function seedGrads(
  root: Value,
  n: number,
  scratch = false,
): Float64Array {
  let grads: Float64Array;
  if (scratch) {
    if (buffer.length < n) {
      buffer = new Float64Array(Math.max(n, 2 * buffer.length));
    }
    grads = buffer.subarray(0, n);
    grads.fill(0);
  } else {
    grads = new Float64Array(n);
  }
  if (root._op.code !== CONSTANT) grads[0] = 1;
  return grads;
}
let buffer = new Float64Array(1024);

/**
 * Runs backpropagation from `root`; see Value.backward() for the contract.
 *
 * Pass 1 counts each node's users; pass 2, the sweep, hands out a node once
 * all its users have added their share into its gradient (see _sweep.ts).
 * Gradients collect in a Float64Array indexed by node id; a node's is final
 * when its turn comes, and only then stored in its `.grad`: op nodes show
 * this pass's gradient, leaves add it to what they hold (they accumulate, as
 * in PyTorch). Where the pass can throw (checkFinite, user ops), nothing is
 * stored until it has finished, so a pass that throws changes no gradient.
 */
export function backward(root: Value, options?: BackwardOptions): void {
  const checkFinite = readCheckFinite(options);
  enter("backward");
  try {
    if (checkFinite) assertFiniteValues(topo(root));
    const stack: Value[] = [];
    const { n, hasCustomOps } = countUsers(root, stack);
    const grads = seedGrads(root, n, true);
    if (!checkFinite && !hasCustomOps) {
      sweep(root, stack, (node) => {
        propagate(node, grads);
        storeGrad(node, grads[node._id]);
      });
      return;
    }
    const done: Value[] = [];
    sweep(root, stack, (node) => {
      propagate(node, grads);
      if (checkFinite) assertFiniteInputGrads(node, grads);
      done.push(node);
    });
    for (let i = 0; i < done.length; i++) {
      storeGrad(done[i], grads[done[i]._id]);
    }
  } finally {
    leave();
  }
}

/** Stores a node's finished gradient: leaves accumulate, constants take none. */
export function storeGrad(node: Value, g: number): void {
  const code = node._op.code;
  if (code === LEAF) node.grad += g;
  else if (code !== CONSTANT) node.grad = g;
}

// Each case passes its op's own partials, so that every call below sees one
// formula and V8 can inline it: the switch only dispatches, the math is the
// op table's.
/** Adds `node`'s local derivatives times its gradient into its inputs' gradients. */
export function propagate(node: Value, grads: Float64Array): void {
  const g = grads[node._id];
  switch (node._op.code) {
    case LEAF:
    case CONSTANT:
      return; // no inputs
    case ADD:
      return binary(node, g, grads, table.add);
    case SUB:
      return binary(node, g, grads, table.sub);
    case MUL:
      return binary(node, g, grads, table.mul);
    case DIV:
      return binary(node, g, grads, table.div);
    case NEG:
      return unary(node, g, grads, table.neg.partials[0]);
    case POW:
      return binary(node, g, grads, table.pow);
    case EXP:
      return unary(node, g, grads, table.exp.partials[0]);
    case LOG:
      return unary(node, g, grads, table.log.partials[0]);
    case SQRT:
      return unary(node, g, grads, table.sqrt.partials[0]);
    case TANH:
      return unary(node, g, grads, table.tanh.partials[0]);
    case SIGMOID:
      return unary(node, g, grads, table.sigmoid.partials[0]);
    case RELU:
      return unary(node, g, grads, table.relu.partials[0]);
    case ABS:
      return unary(node, g, grads, table.abs.partials[0]);
    case SIN:
      return unary(node, g, grads, table.sin.partials[0]);
    case COS:
      return unary(node, g, grads, table.cos.partials[0]);
    case SUM:
      return nary(node, g, grads, table.sum.partials[0]);
    default:
      return custom(node, g, grads);
  }
}

function unary(
  node: Value,
  g: number,
  grads: Float64Array,
  partial: Partial,
): void {
  const a = node._a as Value;
  if (a._op.code !== CONSTANT) {
    grads[a._id] += partial(a.data, 0, node.data) * g;
  }
}

function binary(
  node: Value,
  g: number,
  grads: Float64Array,
  op: OpEntry,
): void {
  const a = node._a as Value;
  const b = node._b as Value;
  if (a._op.code !== CONSTANT) {
    grads[a._id] += op.partials[0](a.data, b.data, node.data) * g;
  }
  if (b._op.code !== CONSTANT) {
    grads[b._id] += op.partials[1](a.data, b.data, node.data) * g;
  }
}

function nary(
  node: Value,
  g: number,
  grads: Float64Array,
  partial: Partial,
): void {
  const inputs = node._rest as readonly Value[];
  for (let k = 0; k < inputs.length; k++) {
    const x = inputs[k];
    if (x._op.code !== CONSTANT) {
      grads[x._id] += partial(x.data, 0, node.data) * g;
    }
  }
}

/** The generic path, for ops made by defineOp: calls the op's `derivatives`. */
function custom(node: Value, g: number, grads: Float64Array): void {
  const op = node._op as OpEntry;
  const inputs = node.inputs;
  const xs: number[] = new Array(inputs.length);
  for (let k = 0; k < inputs.length; k++) xs[k] = inputs[k].data;
  const partials = userDerivatives(op, xs, node.data, "backward");
  for (let k = 0; k < inputs.length; k++) {
    const x = inputs[k];
    if (x._op.code !== CONSTANT) grads[x._id] += partials[k] * g;
  }
}

/** Calls a user op's `derivatives` and checks it gave one number per input. */
export function userDerivatives(
  op: OpEntry,
  xs: readonly number[],
  y: number,
  what: string,
): number[] {
  const partials: unknown = op.derivatives(xs, y);
  const n = xs.length;
  if (!Array.isArray(partials) || partials.length !== n) {
    throw new TypeError(
      `Cannot run ${what}: op "${op.name}" derivatives must return ${n} ${
        n === 1 ? "number" : "numbers"
      }, got ${
        Array.isArray(partials)
          ? `${partials.length} ${partials.length === 1 ? "value" : "values"}`
          : describe(partials)
      }`,
    );
  }
  for (let k = 0; k < n; k++) {
    if (typeof partials[k] !== "number") {
      throw new TypeError(
        `Cannot run ${what}: op "${op.name}" derivative ${k} must be a number, got ${
          describe(partials[k])
        }`,
      );
    }
  }
  return partials;
}

function readCheckFinite(options: BackwardOptions | undefined): boolean {
  if (options === undefined) return false;
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `Cannot run backward: options must be an object, got ${
        describe(options)
      }`,
    );
  }
  const { checkFinite } = options;
  if (checkFinite !== undefined && typeof checkFinite !== "boolean") {
    throw new TypeError(
      `Cannot run backward: checkFinite must be a boolean, got ${
        describe(checkFinite)
      }`,
    );
  }
  return checkFinite === true;
}

/** `op "log" (label "loss")`, or `leaf (label "x")`. */
export function nameOf(node: Value): string {
  const what = node._op.code === LEAF ? "leaf" : `op "${node._op.name}"`;
  return node.label === undefined ? what : `${what} (label "${node.label}")`;
}

/**
 * Throws at the earliest node, in topological order, with a non-finite
 * value, or a leaf that already holds a non-finite gradient (which this pass
 * would add to without anyone noticing).
 */
function assertFiniteValues(order: readonly Value[]): void {
  for (let i = 0; i < order.length; i++) {
    const node = order[i];
    const code = node._op.code;
    if (code === CONSTANT) continue;
    if (!Number.isFinite(node.data)) {
      const verb = code === LEAF ? "has" : "produced";
      throw new RangeError(
        `Cannot run backward: ${
          nameOf(node)
        } ${verb} a non-finite value: ${node.data}`,
      );
    }
    if (code === LEAF && !Number.isFinite(node.grad)) {
      throw new RangeError(
        `Cannot run backward: ${
          nameOf(node)
        } already holds a non-finite gradient from an earlier pass: ${node.grad}; zero it first (zeroGrad() or grad = 0)`,
      );
    }
  }
}

/** Throws, naming `node`, if its op just made an input's gradient non-finite. */
function assertFiniteInputGrads(node: Value, grads: Float64Array): void {
  const inputs = node.inputs;
  for (let k = 0; k < inputs.length; k++) {
    const input = inputs[k];
    if (input._op.code === CONSTANT || Number.isFinite(grads[input._id])) {
      continue;
    }
    throw new RangeError(
      `Cannot run backward: ${nameOf(node)} produced a non-finite gradient: ${
        grads[input._id]
      }`,
    );
  }
}
