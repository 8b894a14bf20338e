// Internal: the backward pass behind Value.backward(), backwardSteps() and
// grad(). propagate() holds every op's case once and adds into a
// Float64Array of gradients; backward() and backwardSteps() also show each
// node's gradient in its `.grad`, grad() changes no `.grad`.
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
  absD0,
  addD0,
  addD1,
  cosD0,
  divD0,
  divD1,
  expD0,
  logD0,
  mulD0,
  mulD1,
  negD0,
  powD0,
  powD1,
  reluD0,
  sigmoidD0,
  sinD0,
  sqrtD0,
  subD0,
  subD1,
  sumD0,
  tanhD0,
} from "./_builtins.ts";
import { countUsers, release } from "./_sweep.ts";
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
 * The gradients of a pass, one per node by `_id`, all 0 but the root's: 1
 * (none for a constant root). The array is a view of one buffer reused pass
 * after pass: allocating a typed array per pass cost more than the pass
 * itself (GC of its external memory), and these passes cannot overlap.
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
 * Pass 1 numbers the nodes and counts each one's users (see _sweep.ts).
 * Pass 2, the sweep, gives a node its turn once all its users have added
 * their share into its gradient, `grads[node._id]`: the gradient is then
 * complete, so the node stores it in `.grad` (a leaf adds it to what it
 * holds, as PyTorch does) and sends its local derivatives times it into its
 * inputs' entries. The sums live in a Float64Array rather than on the
 * nodes: a number stored in an object field is boxed, a new heap object per
 * store, while a typed array holds raw doubles.
 *
 * Where the sweep can throw (checkFinite, user ops), each leaf's gradient is
 * kept before it changes and put back on a throw, so a pass that throws
 * changes no leaf gradient.
 */
export function backward(root: Value, options?: BackwardOptions): void {
  const checkFinite = readCheckFinite(options);
  enter("backward");
  try {
    if (checkFinite) assertFiniteValues(topo(root));
    const stack: Value[] = [];
    const { n, hasCustomOps, users } = countUsers(root, stack);
    const grads = scratchGrads(root, n);
    const kept: Kept | null = checkFinite || hasCustomOps
      ? { leaves: [], grads: [] }
      : null;
    try {
      sweep(root, stack, users, grads, true, kept, checkFinite);
    } catch (error) {
      if (kept !== null) {
        kept.leaves.forEach((leaf, j) => (leaf.grad = kept.grads[j]));
      }
      throw error;
    }
  } finally {
    leave();
  }
}

/** The leaves a sweep has changed, with the gradients they held before. */
interface Kept {
  leaves: Value[];
  grads: number[];
}

/**
 * Pass 2, from `root`: each node, once all its users have had their turn,
 * takes its complete gradient `grads[node._id]`, stores it in `.grad` if
 * `store` (a leaf adds it to what it holds, first noting in `kept` what it
 * held), and sends its local derivatives times it into its inputs' entries.
 */
export function sweep(
  root: Value,
  stack: Value[],
  users: Int32Array,
  grads: Float64Array,
  store: boolean,
  kept: Kept | null,
  checkFinite: boolean,
): void {
  stack[0] = root;
  let top = 0;
  while (top >= 0) {
    const node = stack[top--];
    const g = grads[node._id];
    if (store) {
      const code = node._op.code;
      if (code === LEAF) {
        if (kept !== null) {
          kept.leaves.push(node);
          kept.grads.push(node.grad);
        }
        node.grad += g;
        if (checkFinite) assertFiniteLeafGrad(node, g);
      } else if (code !== CONSTANT) node.grad = g;
    }
    propagate(node, g, grads);
    if (checkFinite) assertFiniteInputGrads(node, grads);
    top = release(node, stack, top, users);
  }
}

/**
 * Adds `node`'s local derivatives times its gradient `g` into its inputs'
 * entries `grads[input._id]`.
 */
export function propagate(
  node: Value,
  g: number,
  grads: Float64Array,
): void {
  const code = node._op.code;
  if (code === LEAF || code === CONSTANT) return; // no inputs
  if (code === SUM) return sumInputs(node, g, grads);
  if (code === CUSTOM) return custom(node, g, grads);
  const a = node._a as Value;
  const b = node._b as Value | null;
  const x = a.data;
  const z = b === null ? 0 : b.data;
  const y = node.data;
  // Constants take no gradient: their partials are not even computed.
  const toA = a._op.code !== CONSTANT;
  const toB = b !== null && b._op.code !== CONSTANT;
  let da = 0;
  let db = 0;
  // The switch only picks the op's partials, the table's own functions as
  // constants (see _builtins.ts), which V8 inlines; the calls sit here
  // rather than in a helper per arity, whose copies would draw on V8's
  // inlining budget.
  switch (code) {
    case ADD:
      if (toA) da = addD0(x, z, y);
      if (toB) db = addD1(x, z, y);
      break;
    case SUB:
      if (toA) da = subD0(x, z, y);
      if (toB) db = subD1(x, z, y);
      break;
    case MUL:
      if (toA) da = mulD0(x, z, y);
      if (toB) db = mulD1(x, z, y);
      break;
    case DIV:
      if (toA) da = divD0(x, z, y);
      if (toB) db = divD1(x, z, y);
      break;
    case POW:
      if (toA) da = powD0(x, z, y);
      if (toB) db = powD1(x, z, y);
      break;
    case NEG:
      da = negD0(x, z, y);
      break;
    case EXP:
      da = expD0(x, z, y);
      break;
    case LOG:
      da = logD0(x, z, y);
      break;
    case SQRT:
      da = sqrtD0(x, z, y);
      break;
    case TANH:
      da = tanhD0(x, z, y);
      break;
    case SIGMOID:
      da = sigmoidD0(x, z, y);
      break;
    case RELU:
      da = reluD0(x, z, y);
      break;
    case ABS:
      da = absD0(x, z, y);
      break;
    case SIN:
      da = sinD0(x, z, y);
      break;
    case COS:
      da = cosD0(x, z, y);
      break;
  }
  if (toA) grads[a._id] += da * g;
  if (toB) grads[(b as Value)._id] += db * g;
}

function sumInputs(node: Value, g: number, grads: Float64Array): void {
  const inputs = node._rest as readonly Value[];
  const y = node.data;
  for (let k = 0; k < inputs.length; k++) {
    const x = inputs[k];
    if (x._op.code !== CONSTANT) {
      grads[x._id] += sumD0(x.data, 0, y) * g;
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
function nameOf(node: Value): string {
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

/** Throws if adding this pass's gradient `g` to a leaf's overflowed. */
function assertFiniteLeafGrad(leaf: Value, g: number): void {
  if (Number.isFinite(leaf.grad)) return;
  throw new RangeError(
    `Cannot run backward: the gradient of ${
      nameOf(leaf)
    } overflowed to ${leaf.grad} when this pass added ${g} to what it held`,
  );
}

/** Throws, naming `node`, if its op just made an input's gradient non-finite. */
function assertFiniteInputGrads(node: Value, grads: Float64Array): void {
  const inputs = node.inputs;
  for (let k = 0; k < inputs.length; k++) {
    const input = inputs[k];
    const g = grads[input._id];
    if (input._op.code === CONSTANT || Number.isFinite(g)) continue;
    throw new RangeError(
      `Cannot run backward: ${
        nameOf(node)
      } produced a non-finite gradient: ${g}`,
    );
  }
}
