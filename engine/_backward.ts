// Internal: the backward pass behind Value.backward().
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
  POW,
  RELU,
  SIGMOID,
  SIN,
  SQRT,
  SUB,
  SUM,
  TANH,
} from "./_make_op.ts";
import { nextMark } from "./_mark.ts";
import { describe } from "./_validate.ts";
import { topo } from "./topo.ts";
import type { BackwardOptions, Value } from "./value.ts";

// True while a backward pass runs: a user op's `derivatives` that started
// another one would overwrite the `_pending` counts this one relies on.
let running = false;

/**
 * Runs backpropagation from `root`; see Value.backward() for the contract.
 *
 * A node may pass its gradient on only once every node that uses it has
 * added its share. Rather than sorting the graph first, the pass counts each
 * node's users (pass 1), then starts at the root and hands a node its turn
 * when its count of users still to come drops to zero (pass 2, Kahn's
 * algorithm): the same order as walking a topological sort backwards, with
 * two stack walks and no sorted array.
 */
export function backward(root: Value, options?: BackwardOptions): void {
  const checkFinite = readCheckFinite(options);
  if (running) {
    throw new Error(
      "Cannot run backward: another backward() is running (called from an op's derivatives)",
    );
  }
  let order: Value[] | null = null;
  if (checkFinite) {
    order = topo(root);
    assertFiniteValues(order);
  }
  running = true;
  try {
    const stack: Value[] = [root];
    const hasCustomOps = countUsers(root, stack);
    // Only checkFinite and user ops' `derivatives` can throw during the
    // sweep; then the leaf gradients it already changed are put back, so a
    // failed call changes nothing.
    const saved = checkFinite || hasCustomOps
      ? saveLeafGrads(order ?? topo(root))
      : null;
    if (root._op.code === LEAF) root.grad += 1;
    else if (root._op.code !== CONSTANT) root.grad = 1;
    try {
      sweep(root, stack, checkFinite);
    } catch (error) {
      if (saved !== null) restoreLeafGrads(saved);
      throw error;
    }
  } finally {
    running = false;
  }
}

/**
 * Pass 1: visits every node under `root` once, sets `_pending` to its number
 * of users under `root`, and zeroes the gradient of every op node (leaves
 * keep theirs and accumulate, as in PyTorch). `stack` holds `root` and is
 * left for pass 2 to reuse. Returns whether the graph has user ops.
 */
function countUsers(root: Value, stack: Value[]): boolean {
  const mark = nextMark();
  root._visit = mark;
  root._pending = 0;
  let hasCustomOps = false;
  let top = 0;
  while (top >= 0) {
    const node = stack[top--];
    const code = node._op.code;
    if (code > CONSTANT) node.grad = 0;
    if (code === CUSTOM) hasCustomOps = true;
    const rest = node._rest;
    if (rest !== null) {
      for (let k = 0; k < rest.length; k++) {
        top = countUser(rest[k], mark, stack, top);
      }
    } else if (node._a !== null) {
      top = countUser(node._a, mark, stack, top);
      if (node._b !== null) top = countUser(node._b, mark, stack, top);
    }
  }
  return hasCustomOps;
}

/** Counts one more user of `input`; pushes it the first time it is seen. */
function countUser(
  input: Value,
  mark: number,
  stack: Value[],
  top: number,
): number {
  if (input._visit === mark) {
    input._pending++;
    return top;
  }
  input._visit = mark;
  input._pending = 1;
  stack[top + 1] = input;
  return top + 1;
}

/**
 * Pass 2: pops a node whose users have all sent their gradient, adds its
 * local derivative times its gradient into each input, and pushes the inputs
 * that this made ready.
 *
 * Each op's case computes exactly `derivatives(inputs, output)[k] * grad`
 * from the op table, only without allocating the array; the engine tests
 * check that every case agrees bit for bit with the table.
 */
function sweep(root: Value, stack: Value[], checkFinite: boolean): void {
  stack[0] = root;
  let top = 0;
  while (top >= 0) {
    const node = stack[top--];
    const g = node.grad;
    const a = node._a as Value;
    const b = node._b as Value;
    switch (node._op.code) {
      case LEAF:
      case CONSTANT:
        continue; // no inputs
      case ADD:
        send(a, 1 * g);
        send(b, 1 * g);
        break;
      case SUB:
        send(a, 1 * g);
        send(b, -1 * g);
        break;
      case MUL:
        send(a, b.data * g);
        send(b, a.data * g);
        break;
      case DIV:
        send(a, (1 / b.data) * g);
        send(b, (-a.data / (b.data * b.data)) * g);
        break;
      case NEG:
        send(a, -1 * g);
        break;
      case POW: {
        const x = a.data;
        const p = b.data;
        send(a, (p === 0 ? 0 : p * x ** (p - 1)) * g);
        if (b._op.code !== CONSTANT) {
          send(b, (x === 0 && p >= 0 ? 0 : node.data * Math.log(x)) * g);
        }
        break;
      }
      case EXP:
        send(a, node.data * g);
        break;
      case LOG:
        send(a, (1 / a.data) * g);
        break;
      case SQRT:
        send(a, (1 / (2 * node.data)) * g);
        break;
      case TANH:
        send(a, (1 - node.data * node.data) * g);
        break;
      case SIGMOID:
        send(a, (node.data * (1 - node.data)) * g);
        break;
      case RELU:
        send(a, (a.data > 0 ? 1 : 0) * g);
        break;
      case ABS:
        send(a, Math.sign(a.data) * g);
        break;
      case SIN:
        send(a, Math.cos(a.data) * g);
        break;
      case COS:
        send(a, -Math.sin(a.data) * g);
        break;
      case SUM: {
        const inputs = node._rest as readonly Value[];
        for (let k = 0; k < inputs.length; k++) send(inputs[k], 1 * g);
        break;
      }
      default:
        customBackward(node, g);
    }
    if (checkFinite) assertFiniteInputGrads(node);
    const rest = node._rest;
    if (rest !== null) {
      for (let k = 0; k < rest.length; k++) top = release(rest[k], stack, top);
    } else {
      top = release(a, stack, top);
      if (b !== null) top = release(b, stack, top);
    }
  }
}

/** Adds `d` to an input's gradient; constants take none. */
function send(input: Value, d: number): void {
  if (input._op.code !== CONSTANT) input.grad += d;
}

/** One user of `input` is done; pushes it once all of them are. */
function release(input: Value, stack: Value[], top: number): number {
  if (--input._pending !== 0) return top;
  stack[top + 1] = input;
  return top + 1;
}

/** The generic path, for ops made by defineOp: calls the op's `derivatives`. */
function customBackward(node: Value, g: number): void {
  const op = node._op;
  const inputs = node.inputs;
  const xs: number[] = new Array(inputs.length);
  for (let k = 0; k < inputs.length; k++) xs[k] = inputs[k].data;
  const partials: unknown = op.derivatives(xs, node.data);
  if (!Array.isArray(partials) || partials.length !== inputs.length) {
    throw new TypeError(
      `Cannot run backward: op "${op.name}" derivatives must return ${inputs.length} ${
        inputs.length === 1 ? "number" : "numbers"
      }, got ${
        Array.isArray(partials)
          ? `${partials.length} ${partials.length === 1 ? "value" : "values"}`
          : describe(partials)
      }`,
    );
  }
  for (let k = 0; k < inputs.length; k++) {
    const d = partials[k];
    if (typeof d !== "number") {
      throw new TypeError(
        `Cannot run backward: op "${op.name}" derivative ${k} must be a number, got ${
          describe(d)
        }`,
      );
    }
    send(inputs[k], d * g);
  }
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
function name(node: Value): string {
  const what = node._op.code === LEAF ? "leaf" : `op "${node._op.name}"`;
  return node.label === undefined ? what : `${what} (label "${node.label}")`;
}

/** Throws at the earliest node, in topological order, with a non-finite value. */
function assertFiniteValues(order: readonly Value[]): void {
  for (let i = 0; i < order.length; i++) {
    const node = order[i];
    if (node._op.code === CONSTANT || Number.isFinite(node.data)) continue;
    const verb = node._op.code === LEAF ? "has" : "produced";
    throw new RangeError(
      `Cannot run backward: ${
        name(node)
      } ${verb} a non-finite value: ${node.data}`,
    );
  }
}

interface SavedGrads {
  leaves: Value[];
  grads: number[];
}

function saveLeafGrads(order: readonly Value[]): SavedGrads {
  const saved: SavedGrads = { leaves: [], grads: [] };
  for (let i = 0; i < order.length; i++) {
    if (order[i]._op.code === LEAF) {
      saved.leaves.push(order[i]);
      saved.grads.push(order[i].grad);
    }
  }
  return saved;
}

function restoreLeafGrads(saved: SavedGrads): void {
  for (let j = 0; j < saved.leaves.length; j++) {
    saved.leaves[j].grad = saved.grads[j];
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
        name(node)
      } produced a non-finite gradient: ${input.grad}`,
    );
  }
}
