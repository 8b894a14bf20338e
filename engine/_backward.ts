// Internal: the backward pass behind Value.backward(), backwardSteps() and
// grad(). backward() and backwardSteps() show each node's gradient in its
// `.grad`, grad() changes no `.grad`.
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
import * as builtins from "./_builtins.ts";
import { peekId, skipIds } from "./_ids.ts";
import { sweepOrder, withIds } from "./_sweep.ts";
import { topo } from "./topo.ts";
import type { BackwardOptions, Value } from "./value.ts";

// The op table's partials as constants of this module, not import
// bindings, as in compile.ts: chain backward 1-5% faster (six of six
// alternating in-process runs), the moons step's backward faster in 11 of
// 14 (by up to 4%).
const {
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
} = builtins;

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

// The sweep's state. The buffers are reused pass after pass (passes cannot
// overlap): allocating typed arrays per pass cost more than a small pass
// itself. An op node's gradient lives at its offset, `top - node._id`, the
// number of nodes made after it up to the root; a leaf's at its index in
// `leaves`. The sums live in Float64Arrays rather than on the nodes: they
// were added up in `.grad` when it was a tagged field, where each store made
// a new heap object, and a leaf's sum must not reach its `.grad` before the
// pass has finished (see backward()).
//
// What the running or last sweep left, for gradientOf(), addLeafGrads()
// and clear(): its root's creation number, its leaves' first number, its last
// offset, how many leaves it reached and how many inputs it went through.
let lastTop = 0;
let lastFirst = 0;
let last = -1;
let lastLeafCount = 0;
let edges = 0;
const slots: (Value | undefined)[] = new Array(1024).fill(undefined);
let opGrads: Float64Array = new Float64Array(1024);
const leaves: (Value | undefined)[] = new Array(256).fill(undefined);
let leafGrads: Float64Array = new Float64Array(256);

// The running sweep's `near` array (see sweep()), for gradientOf() while
// checkFinite looks at a node's inputs.
const NEAR = 64;
const NEAR_MASK = NEAR - 1;
const NONE: (Value | undefined)[] = [];
let nearby: (Value | undefined)[] = NONE;

// Offsets beyond this many times the inputs gone through so far (plus some
// room) mean the graph's nodes were made far apart (an old node reused in a
// new graph): sweeping every offset between them would cost time and
// memory for nodes not in the graph, so the pass numbers the graph's own
// nodes first (see pass()).
const SPREAD = 4;
const ROOM = 1 << 16;

/**
 * Runs backpropagation from `root`; see Value.backward() for the contract.
 *
 * The sweep gives each op node its turn newest first (see _sweep.ts): its
 * users have all added their share into its gradient, which is then
 * complete, so it stores it in `.grad` and sends its local derivatives times
 * it to its inputs. Leaves add their sums to what they hold last, once the
 * sweep has finished: a pass that throws (checkFinite, a user op) changes no
 * leaf gradient.
 */
export function backward(root: Value, options?: BackwardOptions): void {
  const checkFinite = readCheckFinite(options);
  enter("backward");
  try {
    if (checkFinite) assertFiniteValues(topo(root));
    pass(root, true, checkFinite, () => addLeafGrads(checkFinite));
  } finally {
    leave();
  }
}

/**
 * Sweeps from `root`, calls `finish` while the sweep's gradients are there
 * to read (see gradientOf), and empties the buffers, also on a throw, so
 * they keep no graph alive.
 */
export function pass<T>(
  root: Value,
  store: boolean,
  checkFinite: boolean,
  finish: () => T,
): T {
  try {
    if (sweep(root, store, checkFinite, true)) return finish();
    clear();
    // Too far apart: number the graph's op nodes 1 .. n in the same order
    // (the root n, so offsets run 0 .. n - 1), and sweep.
    const order = sweepOrder(root);
    let count = 0;
    while (count < order.length && isOp(order[count])) count++;
    const ops = order.slice(0, count);
    return withIds(ops, count, -1, () => {
      sweep(root, store, checkFinite, false);
      return finish();
    });
  } finally {
    clear();
  }
}

function clear(): void {
  // Loops: Array.prototype.fill took 10% of a wide sum's backward (profile).
  for (let k = 0; k <= last; k++) slots[k] = undefined;
  nearby = NONE;
  for (let j = 0; j < lastLeafCount; j++) leaves[j] = undefined;
  // Numbers given to leaves are taken: no later pass or node reuses them.
  skipIds(lastFirst + lastLeafCount);
  last = -1;
  lastLeafCount = 0;
}

function isOp(node: Value): boolean {
  const code = node._op.code;
  return code !== LEAF && code !== CONSTANT;
}

/**
 * The sweep: each op node under `root`, newest first, takes its complete
 * gradient, stores it in `.grad` if `store`, and sends its local
 * derivatives times it to its inputs: a leaf's share into `leafGrads`, an
 * op node's into `opGrads` at its offset (see place()). Returns false,
 * having stopped, if `cap` and the graph's nodes were made too far apart
 * (see SPREAD).
 *
 * Each input's send is written out where it happens: a loop over a node's
 * inputs, with the partials computed first, made the moons step's
 * backward 1.50-1.54 ms against 0.92-1.12 (three alternating runs).
 */
function sweep(
  root: Value,
  store: boolean,
  checkFinite: boolean,
  cap: boolean,
): boolean {
  // The leaves reached get the numbers from `first` on, in the order
  // reached: "reached by this pass" is `leaf._id >= first`, and its sum is
  // at `leaf._id - first` (see _ids.ts).
  const first = peekId();
  const top = root._id;
  lastFirst = first;
  lastTop = top;
  edges = 0;
  lastLeafCount = 0;
  let end = -1;
  const rootCode = root._op.code;
  if (rootCode === LEAF) {
    newLeaf(root, first);
    leafGrads[0] = 1;
  } else if (rootCode !== CONSTANT) {
    slots[0] = root;
    opGrads[0] = 1;
    end = 0;
  }
  let grads = opGrads;
  let sums = leafGrads;
  // backward() keeps each node it places less than NEAR offsets ahead of
  // the one being swept in `near`, a small array made for this pass, at its
  // offset modulo NEAR (only one of the nodes waiting can have each entry),
  // rather than in `slots`. `slots` lives long, so V8 has moved it to its old
  // generation, and storing there a node made since the last collection
  // takes the write barrier's slow path. Chain backward (every op node is
  // the next one swept): 20-22 ns a node with all of them in `slots`, 16-17.5
  // with the next one kept apart; the moons step, with `near`: median 2.99x
  // to 2.80x the floor (16 alternating bench:scaling runs each). grad()
  // looks nodes up in `slots` after its sweep, so it puts all of them there.
  const window = store ? NEAR : 1;
  const near: (Value | undefined)[] = new Array(NEAR);
  nearby = near;
  try {
    for (let k = 0; k <= end; k++) {
      const node: Value | undefined = near[k & NEAR_MASK] ?? slots[k];
      near[k & NEAR_MASK] = undefined;
      if (node === undefined) continue;
      const g = grads[k];
      if (store) node.grad = g;
      const code = node._op.code;
      if (code === SUM || code === CUSTOM) {
        // `_rest` rather than `inputs`, which copies it.
        const inputs: readonly Value[] = node._rest ?? node.inputs;
        edges += inputs.length;
        const partials = code === CUSTOM ? partialsOf(node) : null;
        const y = node.data;
        for (let j = 0; j < inputs.length; j++) {
          const x: Value = inputs[j];
          const kind = x._op.code;
          if (kind === CONSTANT) continue;
          const share = partials === null
            ? sumD0(x.data, 0, y) * g
            : partials[j] * g;
          if (kind === LEAF) {
            if (x._id < first) sums = newLeaf(x, first);
            sums[x._id - first] += share;
          } else {
            const at = top - x._id;
            if (
              at > end ||
              (slots[at] === undefined && near[at & NEAR_MASK] !== x)
            ) {
              if (at - k < window) {
                // Room is checked against `grads`, the sweep's own reference
                // to `opGrads`, reread only when it grows or after place():
                // through makeRoom(), which reads the module's `opGrads`, chain
                // backward was 2-6% slower (six of six alternating in-process
                // runs) and the moons step's backward 1-5% (12 of 14).
                near[at & NEAR_MASK] = x;
                if (at >= grads.length) grads = growSlots(at, end);
                grads[at] = 0;
                if (at > end) end = at;
              } else {
                end = place(x, at, end, cap);
                if (end < 0) return false;
                grads = opGrads;
              }
            }
            grads[at] += share;
          }
        }
      } else {
        edges += 2;
        const a = node._a as Value;
        const b = node._b as Value | null;
        const x = a.data;
        const z = b === null ? 0 : b.data;
        const y = node.data;
        const kindA = a._op.code;
        const kindB = b === null ? CONSTANT : b._op.code;
        // Constants take no gradient: their partials are not even computed.
        const toA = kindA !== CONSTANT;
        const toB = kindB !== CONSTANT;
        let da = 0;
        let db = 0;
        // The switch only picks the op's partials, the table's own
        // functions as constants (see _builtins.ts), which V8 inlines. V8
        // tests its cases one after the other (see replayForward in
        // compile.ts), so they come in the order an MLP's graph has most of:
        // mul and add first, then relu and tanh. Against add, sub, mul first
        // and relu twelfth: chain backward 5-9% faster (six of six
        // alternating in-process runs), the moons step's backward 1-7% (five
        // of six, and one the same).
        switch (code) {
          case MUL:
            if (toA) da = mulD0(x, z, y);
            if (toB) db = mulD1(x, z, y);
            break;
          case ADD:
            if (toA) da = addD0(x, z, y);
            if (toB) db = addD1(x, z, y);
            break;
          case RELU:
            da = reluD0(x, z, y);
            break;
          case TANH:
            da = tanhD0(x, z, y);
            break;
          case SUB:
            if (toA) da = subD0(x, z, y);
            if (toB) db = subD1(x, z, y);
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
          case SIGMOID:
            da = sigmoidD0(x, z, y);
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
        if (kindA === LEAF) {
          if (a._id < first) sums = newLeaf(a, first);
          sums[a._id - first] += da * g;
        } else if (toA) {
          const at = top - a._id;
          if (
            at > end ||
            (slots[at] === undefined && near[at & NEAR_MASK] !== a)
          ) {
            if (at - k < window) {
              near[at & NEAR_MASK] = a;
              if (at >= grads.length) grads = growSlots(at, end);
              grads[at] = 0;
              if (at > end) end = at;
            } else {
              end = place(a, at, end, cap);
              if (end < 0) return false;
              grads = opGrads;
            }
          }
          grads[at] += da * g;
        }
        if (kindB === LEAF) {
          const bv = b as Value;
          if (bv._id < first) sums = newLeaf(bv, first);
          sums[bv._id - first] += db * g;
        } else if (toB) {
          const bv = b as Value;
          const at = top - bv._id;
          if (
            at > end ||
            (slots[at] === undefined && near[at & NEAR_MASK] !== bv)
          ) {
            if (at - k < window) {
              near[at & NEAR_MASK] = bv;
              if (at >= grads.length) grads = growSlots(at, end);
              grads[at] = 0;
              if (at > end) end = at;
            } else {
              end = place(bv, at, end, cap);
              if (end < 0) return false;
              grads = opGrads;
            }
          }
          grads[at] += db * g;
        }
      }
      if (checkFinite) {
        last = end;
        assertFiniteInputGrads(node);
      }
    }
    // Not in a `finally`: there, V8's code compiled while the loop ran (OSR)
    // met `end > last` with no type feedback and fell back to the
    // interpreter at the end of every pass (--trace-deopt: 309 times in the
    // first 500 moons steps, none after this change).
    last = end;
    return true;
  } catch (error) {
    if (end > last) last = end;
    throw error;
  }
}

/**
 * Gives a leaf reached for the first time its number, `first` plus its index
 * in `leaves`; returns `leafGrads`.
 */
function newLeaf(leaf: Value, first: number): Float64Array {
  const j = lastLeafCount++;
  if (j === leaves.length) growLeaves(j);
  leaf._id = first + j;
  leaves[j] = leaf;
  leafGrads[j] = 0;
  return leafGrads;
}

/**
 * Places an op node reached for the first time in `slots` at its offset
 * `at` (see makeRoom). Returns the new last offset, or -1 if `cap` and `at`
 * is too far.
 */
function place(node: Value, at: number, end: number, cap: boolean): number {
  if (cap && at > SPREAD * edges + ROOM) {
    last = end;
    return -1;
  }
  const newEnd = makeRoom(at, end);
  slots[at] = node;
  return newEnd;
}

/**
 * Gives offset `at` a gradient of 0 for a node reached for the first time
 * (every sum starts from 0, in every engine: 0 + -0 is 0), growing the
 * buffers if needed. Returns the new last offset.
 */
function makeRoom(at: number, end: number): number {
  if (at >= opGrads.length) growSlots(at, end);
  opGrads[at] = 0;
  return at > end ? at : end;
}

// `slots` and `leaves` grow in place, by push (each is one `const` array);
// their gradients move to a typed array twice as long, which growSlots
// returns (the new `opGrads`).
function growSlots(at: number, end: number): Float64Array {
  const size = Math.max(at + 1, 2 * slots.length);
  while (slots.length < size) slots.push(undefined);
  const grads = new Float64Array(size);
  grads.set(opGrads.subarray(0, end + 1));
  opGrads = grads;
  return grads;
}

function growLeaves(count: number): void {
  const size = 2 * leaves.length;
  while (leaves.length < size) leaves.push(undefined);
  const grads = new Float64Array(size);
  grads.set(leafGrads.subarray(0, count));
  leafGrads = grads;
}

/**
 * After a sweep: each leaf adds its sum to what it holds, as PyTorch does.
 * With `checkFinite`, first checks that no leaf would overflow, so a throw
 * changes none.
 */
function addLeafGrads(checkFinite: boolean): void {
  if (checkFinite) {
    for (let j = 0; j < lastLeafCount; j++) {
      const leaf = leaves[j] as Value;
      assertFiniteLeafGrad(leaf, leafGrads[j]);
    }
  }
  for (let j = 0; j < lastLeafCount; j++) {
    (leaves[j] as Value).grad += leafGrads[j];
  }
}

/**
 * After a sweep, inside {@linkcode pass}'s `finish`: `node`'s gradient, 0
 * for a node not under the root or a constant.
 */
export function gradientOf(node: Value): number {
  const code = node._op.code;
  if (code === LEAF) {
    const j = node._id - lastFirst;
    return j >= 0 && j < lastLeafCount && leaves[j] === node ? leafGrads[j] : 0;
  }
  if (code === CONSTANT) return 0;
  const at = lastTop - node._id;
  if (at < 0 || at > last) return 0;
  return slots[at] === node || nearby[at & NEAR_MASK] === node
    ? opGrads[at]
    : 0;
}

/**
 * `node`'s local derivatives, one per input, from its op's `derivatives`:
 * the sweep's path for user ops, and backwardSteps' for every op (a built-in
 * op's `derivatives` calls the same partials as the sweep's switch).
 */
export function partialsOf(node: Value): number[] {
  const op = node._op as OpEntry;
  const inputs = node.inputs;
  const xs: number[] = new Array(inputs.length);
  for (let k = 0; k < inputs.length; k++) xs[k] = inputs[k].data;
  return userDerivatives(op, xs, node.data, "backward");
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

/** Throws if adding this pass's gradient `g` to a leaf's would overflow. */
function assertFiniteLeafGrad(leaf: Value, g: number): void {
  if (Number.isFinite(leaf.grad + g)) return;
  throw new RangeError(
    `Cannot run backward: the gradient of ${nameOf(leaf)} overflowed to ${
      leaf.grad + g
    } when this pass added ${g} to what it held`,
  );
}

/** Throws, naming `node`, if its op just made an input's gradient non-finite. */
function assertFiniteInputGrads(node: Value): void {
  const inputs = node.inputs;
  for (let k = 0; k < inputs.length; k++) {
    const input = inputs[k];
    const g = gradientOf(input);
    if (input._op.code === CONSTANT || Number.isFinite(g)) continue;
    throw new RangeError(
      `Cannot run backward: ${
        nameOf(node)
      } produced a non-finite gradient: ${g}`,
    );
  }
}
