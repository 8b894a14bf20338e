// Internal: the backward pass behind Value.backward(), backwardSteps() and
// grad(): propagate() holds every op's case once; backward() and
// backwardSteps() add into the nodes' `.grad`, grad() into a reused buffer.
import {
  ABS,
  ADD,
  CONSTANT,
  COS,
  CUSTOM,
  DIV,
  EXP,
  LEAF,
  LOG,
  MUL,
  NEG,
  type OpEntry,
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
import {
  abs,
  add,
  cos,
  div,
  exp,
  log,
  mul,
  neg,
  pow,
  relu,
  sigmoid,
  sin,
  sqrt,
  sub,
  sum,
  tanh,
} from "./_builtins.ts";
import { countUsers, sweep } from "./_sweep.ts";
import { topo } from "./topo.ts";
import type { BackwardOptions, Value } from "./value.ts";

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
 * The gradients of a pass that must not touch `.grad` (grad()), one per
 * node, all 0 but the root's: 1 (none for a constant root). The array is a
 * view of one buffer reused pass after pass: allocating a typed array per
 * pass cost more than the pass itself (GC of its external memory), and these
 * passes cannot overlap.
 */
export function scratchGrads(root: Value, n: number): Float64Array {
  if (buffer.length < n) {
    buffer = new Float64Array(Math.max(n, 2 * buffer.length));
  }
  const grads = buffer.subarray(0, n);
  grads.fill(0);
  if (root._op.code !== CONSTANT) grads[0] = 1;
  return grads;
}
let buffer = new Float64Array(1024);

/**
 * Runs backpropagation from `root`; see Value.backward() for the contract.
 *
 * Pass 1 counts each node's users and zeroes every op node's gradient; pass
 * 2, the sweep, hands out a node once all its users have added their share
 * into its `.grad` (see _sweep.ts), and the node adds its local derivatives
 * times that gradient into its inputs'. Where the pass can throw
 * (checkFinite, user ops), the leaves' gradients are saved first and put
 * back on a throw, so a pass that throws changes no leaf gradient.
 */
export function backward(root: Value, options?: BackwardOptions): void {
  const checkFinite = readCheckFinite(options);
  enter("backward");
  try {
    const order = checkFinite ? topo(root) : null;
    if (order !== null) assertFiniteValues(order);
    const stack: Value[] = [];
    const { hasCustomOps } = countUsers(root, stack, true);
    const saved = checkFinite || hasCustomOps
      ? saveLeafGrads(order ?? topo(root))
      : null;
    if (root._op.code === LEAF) root.grad += 1;
    else if (root._op.code !== CONSTANT) root.grad = 1;
    try {
      sweep(root, stack, (node) => {
        propagate(node, node.grad, null);
        if (checkFinite) assertFiniteInputGrads(node);
      });
    } catch (error) {
      if (saved !== null) restoreLeafGrads(saved);
      throw error;
    }
  } finally {
    leave();
  }
}

interface SavedGrads {
  leaves: Value[];
  grads: number[];
}

function saveLeafGrads(order: readonly Value[]): SavedGrads {
  const saved: SavedGrads = { leaves: [], grads: [] };
  for (const node of order) {
    if (node._op.code === LEAF) {
      saved.leaves.push(node);
      saved.grads.push(node.grad);
    }
  }
  return saved;
}

function restoreLeafGrads(saved: SavedGrads): void {
  for (let j = 0; j < saved.leaves.length; j++) {
    saved.leaves[j].grad = saved.grads[j];
  }
}

/**
 * Adds `node`'s local derivatives times its gradient `g` into its inputs'
 * gradients: their `.grad` (backward), or with `grads`, their entries
 * `grads[input._id]` (grad(), which changes no `.grad`).
 */
export function propagate(
  node: Value,
  g: number,
  grads: Float64Array | null,
): void {
  const code = node._op.code;
  if (code === LEAF || code === CONSTANT) return; // no inputs
  if (code === SUM) return sumInputs(node, g, grads);
  if (code === CUSTOM) return custom(node, g, grads);
  const a = node._a as Value;
  const b = node._b;
  const x = a.data;
  const z = b === null ? 0 : b.data;
  const y = node.data;
  // Constants take no gradient: their partials are not even computed.
  const toA = a._op.code !== CONSTANT;
  const toB = b !== null && b._op.code !== CONSTANT;
  let da = 0;
  let db = 0;
  // The switch only picks the op's partials from the table. Each call sees
  // one function, which V8 inlines; the calls sit here rather than in a
  // helper per arity, whose copies would draw on V8's inlining budget.
  switch (code) {
    case ADD:
      if (toA) da = add.partials[0](x, z, y);
      if (toB) db = add.partials[1](x, z, y);
      break;
    case SUB:
      if (toA) da = sub.partials[0](x, z, y);
      if (toB) db = sub.partials[1](x, z, y);
      break;
    case MUL:
      if (toA) da = mul.partials[0](x, z, y);
      if (toB) db = mul.partials[1](x, z, y);
      break;
    case DIV:
      if (toA) da = div.partials[0](x, z, y);
      if (toB) db = div.partials[1](x, z, y);
      break;
    case POW:
      if (toA) da = pow.partials[0](x, z, y);
      if (toB) db = pow.partials[1](x, z, y);
      break;
    case NEG:
      da = neg.partials[0](x, z, y);
      break;
    case EXP:
      da = exp.partials[0](x, z, y);
      break;
    case LOG:
      da = log.partials[0](x, z, y);
      break;
    case SQRT:
      da = sqrt.partials[0](x, z, y);
      break;
    case TANH:
      da = tanh.partials[0](x, z, y);
      break;
    case SIGMOID:
      da = sigmoid.partials[0](x, z, y);
      break;
    case RELU:
      da = relu.partials[0](x, z, y);
      break;
    case ABS:
      da = abs.partials[0](x, z, y);
      break;
    case SIN:
      da = sin.partials[0](x, z, y);
      break;
    case COS:
      da = cos.partials[0](x, z, y);
      break;
  }
  if (toA) send(a, da * g, grads);
  if (toB) send(b as Value, db * g, grads);
}

/** Adds `d` to `input`'s gradient, in its `.grad` or in `grads`. */
function send(input: Value, d: number, grads: Float64Array | null): void {
  if (grads === null) input.grad += d;
  else grads[input._id] += d;
}

function sumInputs(
  node: Value,
  g: number,
  grads: Float64Array | null,
): void {
  const inputs = node._rest as readonly Value[];
  const y = node.data;
  for (let k = 0; k < inputs.length; k++) {
    const x = inputs[k];
    if (x._op.code !== CONSTANT) {
      send(x, sum.partials[0](x.data, 0, y) * g, grads);
    }
  }
}

/** The generic path, for ops made by defineOp: calls the op's `derivatives`. */
function custom(node: Value, g: number, grads: Float64Array | null): void {
  const op = node._op as OpEntry;
  const inputs = node.inputs;
  const xs: number[] = new Array(inputs.length);
  for (let k = 0; k < inputs.length; k++) xs[k] = inputs[k].data;
  const partials = userDerivatives(op, xs, node.data, "backward");
  for (let k = 0; k < inputs.length; k++) {
    const x = inputs[k];
    if (x._op.code !== CONSTANT) send(x, partials[k] * g, grads);
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
function assertFiniteInputGrads(node: Value): void {
  const inputs = node.inputs;
  for (let k = 0; k < inputs.length; k++) {
    const input = inputs[k];
    if (input._op.code === CONSTANT || Number.isFinite(input.grad)) continue;
    throw new RangeError(
      `Cannot run backward: ${
        nameOf(node)
      } produced a non-finite gradient: ${input.grad}`,
    );
  }
}
