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
import { enter, leave, userDerivatives } from "./_backward.ts";
import { sweepOrder, withIds } from "./_sweep.ts";
import { describe } from "./_validate.ts";
import * as builtins from "./_builtins.ts";
import { Value } from "./value.ts";
import { generateReplay, type Replay } from "./_codegen.ts";
export { CODEGEN_MAX_NODES } from "./_codegen.ts";

// The op table's functions as constants of this module, not import
// bindings: the moons replay's backward took 257-267 µs with the imports and
// 239-252 with these, in the code V8 optimizes for calls (--no-use-osr; two
// processes each; the floor's 206-218). My reading, not isolated: optimized
// code reads an import through its module cell at every use.
const {
  absD0,
  absForward,
  addD0,
  addD1,
  addForward,
  cosD0,
  cosForward,
  divD0,
  divD1,
  divForward,
  expD0,
  expForward,
  logD0,
  logForward,
  mulD0,
  mulD1,
  mulForward,
  negD0,
  negForward,
  powD0,
  powD1,
  powForward,
  reluD0,
  reluForward,
  sigmoidD0,
  sigmoidForward,
  sinD0,
  sinForward,
  sqrtD0,
  sqrtForward,
  subD0,
  subD1,
  subForward,
  sumD0,
  tanhD0,
  tanhForward,
} = builtins;

/** Options for {@linkcode compile}. */
export interface CompileOptions {
  /**
   * Also generate JavaScript for the replay (straight-line code in chunks,
   * calling the op table's own formulas), which runs faster once V8 has
   * optimized it. Falls back to the typed-array replay where code cannot be
   * generated (a page whose Content-Security-Policy forbids `new Function`)
   * or the graph is larger than {@linkcode CODEGEN_MAX_NODES}. Same bits
   * either way.
   *
   * @default {false}
   */
  codegen?: boolean;
}

/**
 * A graph recorded by {@linkcode compile}: replay its forward and backward
 * pass on new leaf values without building a single object.
 */
export interface Tape {
  /** Number of nodes recorded: `topo(root).length`. */
  readonly size: number;
  /** The leaves the tape reads, in tape order (inputs before users). */
  readonly leaves: readonly Value[];
  /** Whether the replay runs generated code (see `codegen`). */
  readonly codegen: boolean;
  /**
   * Reads every leaf's `.data`, recomputes every node, and returns the
   * root's value.
   */
  forward(): number;
  /**
   * As `root.backward()` on the graph with the last `forward()`'s values:
   * adds d(root)/d(leaf) to each leaf's `.grad`. Recorded op nodes are not
   * updated. If a user op's `derivatives` throws, no leaf gradient changes.
   */
  backward(): void;
}

/**
 * Records the graph under `root` once, in the order `backward()` walks it,
 * into typed arrays (op codes, operand indices, values, gradients: about
 * 25 bytes a node); constants are baked in. A training loop whose graph has
 * the same shape every step (an MLP on a fixed-size batch) then replays it:
 * write the parameters' and inputs' `.data` (the optimizer does the
 * former), call `forward()` and `backward()`, read the leaves' `.grad`.
 *
 * A replay gives bit for bit the value and leaf gradients that building the
 * graph again from the same leaf values and calling `backward()` gives. It
 * replays the recorded shape only: a graph whose shape depends on the data
 * (an `if` on `.data` while building it, relu's branch is not such a case)
 * must be compiled again when the data changes.
 *
 * @param root The node whose graph to record.
 * @param options `codegen: true` to also generate JavaScript.
 * @returns The tape.
 * @throws {TypeError} If `root` is not a Value, or an option is unknown or
 *   not a boolean.
 * @example Replaying a neuron on new inputs
 * ```ts
 * import { compile, Value } from "@micrograd/micrograd/engine";
 * import assert from "node:assert/strict";
 *
 * const x = new Value(1);
 * const w = new Value(0.5);
 * const y = x.mul(w).tanh();
 * const tape = compile(y);
 * x.data = 2; // a new input
 * assert.equal(tape.forward(), Math.tanh(2 * 0.5));
 * tape.backward();
 * assert.equal(w.grad, (1 - Math.tanh(1) ** 2) * 2);
 * ```
 */
export function compile(root: Value, options?: CompileOptions): Tape {
  if (!(root instanceof Value)) {
    throw new TypeError(
      `Cannot compile: root must be a Value, got ${describe(root)}`,
    );
  }
  const codegen = readOptions(options);
  enter("compile");
  let tape: TypedTape;
  try {
    // The tape numbers the nodes by their place in the order, in `_id`.
    const order = sweepOrder(root);
    tape = withIds(order, 0, 1, () => new TypedTape(order));
  } finally {
    leave();
  }
  if (codegen) {
    const replay = generateReplay(tape);
    if (replay !== null) tape.useGenerated(replay);
  }
  return tape;
}

/** The typed-array tape. Index i is the node's place in forward order. */
class TypedTape implements Tape {
  readonly size: number;
  readonly leaves: readonly Value[];
  codegen = false;
  /** Op code per node. */
  readonly code: Uint8Array;
  /** First and second operand index (-1 if none); sum and user ops with more
   * than two inputs: offset and count in `rest`. */
  readonly a: Int32Array;
  readonly b: Int32Array;
  /** Operand indices of n-ary nodes, back to back. */
  readonly rest: Int32Array;
  readonly values: Float64Array;
  readonly grads: Float64Array;
  /** Tape index of each leaf in `leaves`. */
  readonly leafIndex: Int32Array;
  /** The op of each user-op node, by tape index. */
  readonly userOps: Map<number, OpEntry>;
  private generated: Replay | null = null;

  constructor(order: readonly Value[]) {
    // `order` is the sweep's (root first); the tape stores it reversed, so
    // forward runs inputs before users and backward walks it from the end.
    const n = order.length;
    this.size = n;
    this.code = new Uint8Array(n);
    this.a = new Int32Array(n).fill(-1);
    this.b = new Int32Array(n).fill(-1);
    this.values = new Float64Array(n);
    this.grads = new Float64Array(n);
    this.userOps = new Map();
    const at = (node: Value): number => n - 1 - node._id;
    const leaves: Value[] = [];
    const leafIndex: number[] = [];
    const rest: number[] = [];
    for (let i = 0; i < n; i++) {
      const node = order[n - 1 - i];
      const op = node._op;
      this.code[i] = op.code;
      this.values[i] = node.data;
      if (op.code === LEAF) {
        leaves.push(node);
        leafIndex.push(i);
      } else if (op.code === CUSTOM) {
        this.userOps.set(i, op as OpEntry);
      }
      if (node._rest !== null) {
        this.a[i] = rest.length;
        this.b[i] = node._rest.length;
        for (const input of node._rest) rest.push(at(input));
      } else if (node._a !== null) {
        this.a[i] = at(node._a);
        if (node._b !== null) this.b[i] = at(node._b as Value);
      }
    }
    this.rest = Int32Array.from(rest);
    this.leaves = Object.freeze(leaves);
    this.leafIndex = Int32Array.from(leafIndex);
  }

  /** Switches the replay to generated code. */
  useGenerated(replay: Replay): void {
    this.generated = replay;
    this.codegen = true;
  }

  forward(): number {
    const { leaves, leafIndex, values } = this;
    for (let j = 0; j < leaves.length; j++) {
      values[leafIndex[j]] = leaves[j].data;
    }
    if (this.generated !== null) this.generated.forward(values);
    else replayForward(this);
    return values[this.size - 1];
  }

  backward(): void {
    // As backward(): every gradient adds up from 0 in the same order, and
    // a leaf then adds its sum to what it holds: the same bits.
    const { grads, size, leaves, leafIndex } = this;
    grads.fill(0);
    const root = size - 1;
    if (this.code[root] !== CONSTANT) grads[root] = 1;
    if (this.generated !== null) this.generated.backward(this.values, grads);
    else replayBackward(this);
    for (let j = 0; j < leaves.length; j++) {
      leaves[j].grad += grads[leafIndex[j]];
    }
  }
}

// The replays dispatch on the op code, and each case calls its op's own
// forward or partials from the op table: V8 inlines them (checked with
// --trace-turbo-inlining), and the math stays written once. The calls sit in
// the switch itself rather than in a helper per arity, whose copies would
// draw on V8's budget for inlining into one function. Each case also sends
// into its inputs itself: written as propagate() is (the switch sets da and
// db, one send after it), the chain's replay backward went from 0.9x to
// 1.3x the floor (bench:scaling, two alternating runs).
//
// The inner loop runs only the ops a neuron is made of: mul, add, relu and
// tanh (and skips leaves and constants). Every other op leaves it (`break
// ops`) and runs in the outer loop, for two reasons, each measured alone:
//
// - A call V8 does not inline, left in the inner loop, slows all of it. V8
//   inlines a call only if it is frequent enough (--min-inlining-frequency)
//   and its callee has feedback (see _builtins.ts). After the scaling
//   shapes' replays, as bench:scaling runs them, the moons step's one
//   division (its mean) was not frequent enough and stayed a call. With
//   division in the inner loop, the moons step's replay took 150-151 µs
//   forward and 230-236 backward; with it out, 113-114 and 174-175 (four or
//   five processes each; the floor's: 105-106 and 204-206).
// - The ops with a loop over their inputs (sum, user ops) would make the
//   inner loop non-innermost, and V8 peels only innermost loops (taking the
//   typed arrays' checks out of them): after a sum's replay, the 1e4-node
//   chain's replay took 41/57 µs (forward/backward) against 33/44, and
//   48/70 with --no-turbo-loop-peeling; this way, 35/46 either way.
//
// The price: a tape of other ops replays slower, each one leaving and
// entering the loop. A chain of sub and mul: 4.6-5.4/8.4-11.7 ns a node
// against 3.5-3.8/5.9-6.9 with sub in the inner loop.

function replayForward(t: TypedTape): void {
  const { code, a, b, rest, values: v, size } = t;
  let i = 0;
  while (i < size) {
    ops: for (; i < size; i++) {
      const x = a[i];
      const y = b[i];
      const op = code[i];
      // V8 runs this switch as a chain of comparisons in source order (its
      // labels are imported constants, not number literals: --print-bytecode
      // shows one TestEqualStrict per case), so the ops come in the order a
      // neural net's graph has most of: mul (three quarters of an MLP's
      // nodes) ahead of it, then leaves and constants, add, relu, tanh. Mul
      // ahead took the moons step's forward from 0.28 to 0.23 ms; sums and
      // relu moved up from the end of the switch took it from 1.21-1.25x to
      // 0.99-1.02x the floor's (four of five processes each).
      if (op === MUL) {
        v[i] = mulForward(v[x], v[y]);
        continue;
      }
      switch (op) {
        case LEAF:
        case CONSTANT:
          break;
        case ADD:
          v[i] = addForward(v[x], v[y]);
          break;
        case RELU:
          v[i] = reluForward(v[x]);
          break;
        case TANH:
          v[i] = tanhForward(v[x]);
          break;
        default:
          break ops;
      }
    }
    if (i === size) break;
    if (code[i] === SUM) {
      // As sum() builds it: from 0, in input order. Here rather than in
      // otherForward(): the moons step's forward took 112-115 µs this way
      // and 117-121 with the call (four processes each).
      const end = a[i] + b[i];
      let total = 0;
      for (let k = a[i]; k < end; k++) total += v[rest[k]];
      v[i] = total;
    } else {
      v[i] = otherForward(t, i);
    }
    i++;
  }
}

/** The value of node `i`, of an op that leaves replayForward's inner loop. */
function otherForward(t: TypedTape, i: number): number {
  const { code, a, b, values: v } = t;
  const x = a[i];
  const y = b[i];
  switch (code[i]) {
    case SUB:
      return subForward(v[x], v[y]);
    case DIV:
      return divForward(v[x], v[y]);
    case NEG:
      return negForward(v[x]);
    case POW:
      return powForward(v[x], v[y]);
    case EXP:
      return expForward(v[x]);
    case LOG:
      return logForward(v[x]);
    case SQRT:
      return sqrtForward(v[x]);
    case SIGMOID:
      return sigmoidForward(v[x]);
    case ABS:
      return absForward(v[x]);
    case SIN:
      return sinForward(v[x]);
    case COS:
      return cosForward(v[x]);
    default:
      return userForward(t, i);
  }
}

function userForward(t: TypedTape, i: number): number {
  const op = t.userOps.get(i) as OpEntry;
  return op.forward(...userInputs(t, i));
}

/** The input values of user-op node `i`. */
function userInputs(t: TypedTape, i: number): number[] {
  const { a, b, rest, values: v } = t;
  if (t.userOps.get(i)!.arity > 2) {
    const xs: number[] = [];
    for (let k = a[i]; k < a[i] + b[i]; k++) xs.push(v[rest[k]]);
    return xs;
  }
  return b[i] < 0 ? [v[a[i]]] : [v[a[i]], v[b[i]]];
}

// Whether the sum's partial takes no argument (ops.ts: `() => 1`), so that
// every input of a sum takes the same share, worked out once per node:
// the moons replay's backward went from 0.323-0.331 to 0.308-0.313 ms (six
// alternating in-process runs). Read from the table, so a partial that
// reads its input is still called once per input.
const SUM_SHARE_IS_SHARED = sumD0.length === 0;

function replayBackward(t: TypedTape): void {
  const { code, a, b, rest, values: v, grads } = t;
  let i = t.size - 1;
  while (i >= 0) {
    ops: for (; i >= 0; i--) {
      const g = grads[i];
      const x = a[i];
      const y = b[i];
      const op = code[i];
      if (op === MUL) { // ahead of the switch, in replayForward's order
        if (code[x] !== CONSTANT) grads[x] += mulD0(v[x], v[y], v[i]) * g;
        if (code[y] !== CONSTANT) grads[y] += mulD1(v[x], v[y], v[i]) * g;
        continue;
      }
      switch (op) {
        case LEAF:
        case CONSTANT:
          break;
        case ADD:
          if (code[x] !== CONSTANT) {
            grads[x] += addD0(v[x], v[y], v[i]) * g;
          }
          if (code[y] !== CONSTANT) {
            grads[y] += addD1(v[x], v[y], v[i]) * g;
          }
          break;
        case RELU:
          if (code[x] !== CONSTANT) {
            grads[x] += reluD0(v[x], 0, v[i]) * g;
          }
          break;
        case TANH:
          if (code[x] !== CONSTANT) {
            grads[x] += tanhD0(v[x], 0, v[i]) * g;
          }
          break;
        default:
          break ops;
      }
    }
    if (i < 0) break;
    if (code[i] === SUM) {
      const g = grads[i];
      const out = v[i];
      const shared = SUM_SHARE_IS_SHARED ? sumD0(0, 0, out) * g : 0;
      const end = a[i] + b[i];
      for (let k = a[i]; k < end; k++) {
        const input = rest[k];
        if (code[input] !== CONSTANT) {
          grads[input] += SUM_SHARE_IS_SHARED
            ? shared
            : sumD0(v[input], 0, out) * g;
        }
      }
    } else {
      otherBackward(t, i);
    }
    i--;
  }
}

/**
 * Sends node `i`'s gradient to its inputs, for an op that leaves
 * replayBackward's inner loop. As there, a constant input's partial is not
 * worked out (a number exponent's would be a log per node).
 */
function otherBackward(t: TypedTape, i: number): void {
  const { code, a, b, values: v, grads } = t;
  const x = a[i];
  const y = b[i];
  const toX = code[x] !== CONSTANT;
  const toY = y >= 0 && code[y] !== CONSTANT;
  let dx = 0;
  let dy = 0;
  switch (code[i]) {
    case SUB:
      if (toX) dx = subD0(v[x], v[y], v[i]);
      if (toY) dy = subD1(v[x], v[y], v[i]);
      break;
    case DIV:
      if (toX) dx = divD0(v[x], v[y], v[i]);
      if (toY) dy = divD1(v[x], v[y], v[i]);
      break;
    case POW:
      if (toX) dx = powD0(v[x], v[y], v[i]);
      if (toY) dy = powD1(v[x], v[y], v[i]);
      break;
    case NEG:
      dx = negD0(v[x], 0, v[i]);
      break;
    case EXP:
      dx = expD0(v[x], 0, v[i]);
      break;
    case LOG:
      dx = logD0(v[x], 0, v[i]);
      break;
    case SQRT:
      dx = sqrtD0(v[x], 0, v[i]);
      break;
    case SIGMOID:
      dx = sigmoidD0(v[x], 0, v[i]);
      break;
    case ABS:
      dx = absD0(v[x], 0, v[i]);
      break;
    case SIN:
      dx = sinD0(v[x], 0, v[i]);
      break;
    case COS:
      dx = cosD0(v[x], 0, v[i]);
      break;
    default:
      userBackward(t, i);
      return;
  }
  const g = grads[i];
  if (toX) grads[x] += dx * g;
  if (toY) grads[y] += dy * g;
}

function userBackward(t: TypedTape, i: number): void {
  const op = t.userOps.get(i) as OpEntry;
  const g = t.grads[i];
  const xs = userInputs(t, i);
  const partials = userDerivatives(op, xs, t.values[i], "backward");
  const { a, b, rest, code, grads } = t;
  const at = (k: number): number =>
    op.arity > 2 ? rest[a[i] + k] : k === 0 ? a[i] : b[i];
  for (let k = 0; k < xs.length; k++) {
    const input = at(k);
    if (code[input] !== CONSTANT) grads[input] += partials[k] * g;
  }
}

function readOptions(options: unknown): boolean {
  if (options === undefined) return false;
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `Cannot compile: options must be an object, got ${describe(options)}`,
    );
  }
  for (const key of Object.keys(options)) {
    if (key !== "codegen") {
      throw new TypeError(
        `Cannot compile: unknown option "${key}", expected codegen`,
      );
    }
  }
  const { codegen } = options as CompileOptions;
  if (codegen !== undefined && typeof codegen !== "boolean") {
    throw new TypeError(
      `Cannot compile: codegen must be a boolean, got ${describe(codegen)}`,
    );
  }
  return codegen === true;
}
