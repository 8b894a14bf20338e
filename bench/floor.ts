/**
 * The floor: a minimal hand-written tape that does the same forward and
 * reverse sweep as the engine, for the same graph shapes, so that every
 * engine number can be reported as a ratio against it.
 *
 * The tape stores one node per slot in flat typed arrays (values and
 * gradients in Float64Arrays, op codes and input slots in Int32Arrays). It is
 * the fastest honest way to do the engine's work in JavaScript, and no more:
 *
 * - it records every node the engine records (leaves, constants made from
 *   numbers, one n-ary `sum` node, one node per op), so it has exactly as many
 *   nodes as `topo(root).length` of the engine's graph (the bench tests check
 *   this);
 * - it computes each value when the node is recorded, as the engine does, and
 *   checks that numbers turned into constants are finite;
 * - its storage starts small and doubles as it grows; like the tape of a
 *   training loop, a tape may be reset and recorded again (the builders take
 *   one), so repeated builds reuse its memory instead of paying the OS for
 *   fresh zeroed pages (a page fault per 4 KiB on first touch, 10-20 ns per
 *   node here, which would measure the kernel, not the work);
 * - backward zeroes the gradient of every op node, seeds the root with 1, and
 *   sweeps in reverse order with a switch on the op code, adding each local
 *   derivative times the upstream gradient into the inputs; constants get no
 *   gradient and leaves accumulate;
 * - its replay (`forward`, and `backward` on a recorded tape) runs a sum's
 *   loop over its inputs outside the loop over the other ops, which V8 then
 *   optimizes better (see `forward`), and its switches test the ops in the
 *   order an MLP's graph has most of (V8 tests the cases one after the
 *   other), as compile()'s replay does: that order (mul, leaves and
 *   constants, add, sum, relu, tanh, then the rest) took the moons replay's
 *   forward from 165-170 to 100-108 µs.
 *
 * What it does not do is what a tape does not need: the tape is recorded in
 * execution order, which already is a topological order, so it has no graph
 * walk (the engine builds a graph of objects and must sort it). That is the
 * design advantage the ratio measures.
 *
 * @module
 */

/** Op code of a leaf (a parameter or input): accumulates gradient. */
export const LEAF = 0;
/** Op code of a constant made from a number: gets no gradient. */
export const CONSTANT = 1;
/** Op code of `a + b`. */
export const ADD = 2;
/** Op code of `a - b`. */
export const SUB = 3;
/** Op code of `a * b`. */
export const MUL = 4;
/** Op code of `a / b`. */
export const DIV = 5;
/** Op code of `-a`. */
export const NEG = 6;
/** Op code of `max(0, a)`. */
export const RELU = 7;
/** Op code of `tanh(a)`. */
export const TANH = 8;
/** Op code of the n-ary sum: `a` is the first slot in `args`, `b` the count. */
export const SUM = 9;

const INITIAL_CAPACITY = 1024;

/**
 * A flat tape of scalar nodes. Every method that records a node returns its
 * slot; slots are in execution order, so inputs always come before users.
 *
 * @example Usage
 * ```ts
 * import { Tape } from "./floor.ts";
 * import assert from "node:assert/strict";
 * const t = new Tape();
 * const a = t.leaf(2);
 * const y = t.add(t.mul(a, a), t.constant(1));
 * t.backward(y);
 * assert.deepEqual([t.data[y], t.grad[a]], [5, 4]);
 * ```
 */
export class Tape {
  /** Number of nodes recorded. */
  size: number;
  /** Forward value of each node. */
  data: Float64Array;
  /** Gradient of each node after `backward`. */
  grad: Float64Array;
  /** Op code of each node. */
  op: Int32Array;
  /** First input slot (for SUM: the first index into `args`). */
  a: Int32Array;
  /** Second input slot (for SUM: the number of inputs). */
  b: Int32Array;
  /** Input slots of the n-ary nodes, back to back. */
  args: Int32Array;
  /** Number of entries used in `args`. */
  argCount: number;

  /** An empty tape with room for `capacity` nodes; it grows as needed. */
  constructor(capacity: number = INITIAL_CAPACITY) {
    this.size = 0;
    this.data = new Float64Array(capacity);
    this.grad = new Float64Array(capacity);
    this.op = new Int32Array(capacity);
    this.a = new Int32Array(capacity);
    this.b = new Int32Array(capacity);
    this.args = new Int32Array(capacity);
    this.argCount = 0;
  }

  /** Forgets every node, keeping the storage, to record a new graph. */
  reset(): void {
    this.size = 0;
    this.argCount = 0;
  }

  /** Records a node and returns its slot. */
  push(op: number, data: number, a: number, b: number): number {
    const i = this.size;
    if (i === this.data.length) this.grow();
    this.data[i] = data;
    this.grad[i] = 0;
    this.op[i] = op;
    this.a[i] = a;
    this.b[i] = b;
    this.size = i + 1;
    return i;
  }

  /** Doubles the node storage, keeping what is there. */
  grow(): void {
    const capacity = this.data.length * 2;
    this.data = growFloat(this.data, capacity);
    this.grad = growFloat(this.grad, capacity);
    this.op = growInt(this.op, capacity);
    this.a = growInt(this.a, capacity);
    this.b = growInt(this.b, capacity);
  }

  /** A leaf: gradients flow into it and accumulate. */
  leaf(x: number): number {
    if (typeof x !== "number" || !Number.isFinite(x)) {
      throw new RangeError(`Cannot create leaf: data must be finite, got ${x}`);
    }
    return this.push(LEAF, x, -1, -1);
  }

  /** A constant made from a number operand: no gradient flows into it. */
  constant(x: number): number {
    if (typeof x !== "number" || !Number.isFinite(x)) {
      throw new RangeError(
        `Cannot create constant: data must be finite, got ${x}`,
      );
    }
    return this.push(CONSTANT, x, -1, -1);
  }

  /** y = a + b. */
  add(a: number, b: number): number {
    return this.push(ADD, this.data[a] + this.data[b], a, b);
  }

  /** y = a - b. */
  sub(a: number, b: number): number {
    return this.push(SUB, this.data[a] - this.data[b], a, b);
  }

  /** y = a * b. */
  mul(a: number, b: number): number {
    return this.push(MUL, this.data[a] * this.data[b], a, b);
  }

  /** y = a / b. */
  div(a: number, b: number): number {
    return this.push(DIV, this.data[a] / this.data[b], a, b);
  }

  /** y = -a. */
  neg(a: number): number {
    return this.push(NEG, -this.data[a], a, -1);
  }

  /** y = max(0, a). */
  relu(a: number): number {
    const x = this.data[a];
    return this.push(RELU, x > 0 ? x : 0, a, -1);
  }

  /** y = tanh(a). */
  tanh(a: number): number {
    return this.push(TANH, Math.tanh(this.data[a]), a, -1);
  }

  /** One n-ary node: y = the sum of the nodes in `inputs`. */
  sum(inputs: readonly number[]): number {
    const n = inputs.length;
    const start = this.argCount;
    if (start + n > this.args.length) {
      this.args = growInt(
        this.args,
        Math.max(this.args.length * 2, start + n),
      );
    }
    const args = this.args;
    const data = this.data;
    let total = 0;
    for (let k = 0; k < n; k++) {
      const x = inputs[k];
      args[start + k] = x;
      total += data[x];
    }
    this.argCount = start + n;
    return this.push(SUM, total, start, n);
  }

  /**
   * Replays the recorded forward pass: recomputes every op node from its
   * inputs, in recording order, from the leaves' current `data` (write new
   * leaf values there first). What `compile()`'s tape is measured against.
   */
  forward(): void {
    const data = this.data;
    const op = this.op;
    const A = this.a;
    const B = this.b;
    const args = this.args;
    const size = this.size;
    let i = 0;
    while (i < size) {
      // A sum leaves the loop over the other ops (`break ops`) and runs out
      // here, as in compile()'s replay, so that that loop has no loop inside
      // it: V8 peels only innermost loops. With the sum's loop in the
      // switch, once the tape had replayed the moons step, the 1e4-node
      // chain's replay took 51/70 µs (forward/backward) against 35/52.
      ops: for (; i < size; i++) {
        const a = A[i];
        const b = B[i];
        switch (op[i]) {
          case MUL:
            data[i] = data[a] * data[b];
            break;
          case LEAF:
          case CONSTANT:
            break;
          case ADD:
            data[i] = data[a] + data[b];
            break;
          case SUM:
            break ops;
          case RELU:
            data[i] = data[a] > 0 ? data[a] : 0;
            break;
          case TANH:
            data[i] = Math.tanh(data[a]);
            break;
          case SUB:
            data[i] = data[a] - data[b];
            break;
          case DIV:
            data[i] = data[a] / data[b];
            break;
          case NEG:
            data[i] = -data[a];
            break;
          default:
            throw new RangeError(
              `Cannot run forward: unknown op code ${op[i]} at slot ${i}`,
            );
        }
      }
      if (i === size) break;
      const end = A[i] + B[i];
      let total = 0;
      for (let k = A[i]; k < end; k++) total += data[args[k]];
      data[i] = total;
      i++;
    }
  }

  /**
   * Reverse sweep from `root`, with the engine's semantics: op nodes start
   * from 0, the root gets 1 (a leaf root accumulates 1), constants get no
   * gradient, leaves accumulate.
   */
  backward(root: number): void {
    const data = this.data;
    const grad = this.grad;
    const op = this.op;
    const A = this.a;
    const B = this.b;
    const args = this.args;
    for (let i = 0; i <= root; i++) {
      if (op[i] > CONSTANT) grad[i] = 0;
    }
    if (op[root] === LEAF) grad[root] += 1;
    else if (op[root] !== CONSTANT) grad[root] = 1;
    let i = root;
    while (i >= 0) {
      // Sums run out here, as in forward().
      ops: for (; i >= 0; i--) {
        const g = grad[i];
        const a = A[i];
        const b = B[i];
        switch (op[i]) {
          case MUL:
            if (op[a] !== CONSTANT) grad[a] += data[b] * g;
            if (op[b] !== CONSTANT) grad[b] += data[a] * g;
            break;
          case LEAF:
          case CONSTANT:
            break;
          case ADD:
            if (op[a] !== CONSTANT) grad[a] += g;
            if (op[b] !== CONSTANT) grad[b] += g;
            break;
          case SUM:
            break ops;
          case RELU:
            if (op[a] !== CONSTANT) grad[a] += data[a] > 0 ? g : 0;
            break;
          case TANH:
            if (op[a] !== CONSTANT) grad[a] += (1 - data[i] * data[i]) * g;
            break;
          case SUB:
            if (op[a] !== CONSTANT) grad[a] += g;
            if (op[b] !== CONSTANT) grad[b] -= g;
            break;
          case DIV:
            if (op[a] !== CONSTANT) grad[a] += (1 / data[b]) * g;
            if (op[b] !== CONSTANT) {
              grad[b] += (-data[a] / (data[b] * data[b])) * g;
            }
            break;
          case NEG:
            if (op[a] !== CONSTANT) grad[a] -= g;
            break;
          default:
            throw new RangeError(
              `Cannot run backward: unknown op code ${op[i]} at slot ${i}`,
            );
        }
      }
      if (i < 0) break;
      const g = grad[i];
      const end = A[i] + B[i];
      for (let k = A[i]; k < end; k++) {
        const x = args[k];
        if (op[x] !== CONSTANT) grad[x] += g;
      }
      i--;
    }
  }
}

function growFloat(array: Float64Array, capacity: number): Float64Array {
  const next = new Float64Array(capacity);
  next.set(array);
  return next;
}

function growInt(array: Int32Array, capacity: number): Int32Array {
  const next = new Int32Array(capacity);
  next.set(array);
  return next;
}

/** A recorded graph: the tape and the slot of its root. */
export interface FloorGraph {
  /** The tape holding the graph. */
  tape: Tape;
  /** Slot of the output node. */
  root: number;
}

/**
 * The chain y = y * a + b, `steps` times, from leaves x0, a, b: 3 + 2 * steps
 * nodes. Same construction as the engine's `chain` in `_shapes.ts`. Records
 * on `tape` (reset first) or on a new tape; so do the other builders.
 */
export function chainFloor(
  steps: number,
  x0: number,
  a: number,
  b: number,
  tape: Tape = new Tape(),
): FloorGraph {
  tape.reset();
  let y = tape.leaf(x0);
  const va = tape.leaf(a);
  const vb = tape.leaf(b);
  for (let i = 0; i < steps; i++) y = tape.add(tape.mul(y, va), vb);
  return { tape, root: y };
}

/**
 * The wide sum of products sum_i x_i * w_i over leaves: 3n + 1 nodes, with
 * one n-ary sum node.
 */
export function sumFloor(
  xs: Float64Array,
  ws: Float64Array,
  tape: Tape = new Tape(),
): FloorGraph {
  tape.reset();
  const n = xs.length;
  const products: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    products[i] = tape.mul(tape.leaf(xs[i]), tape.leaf(ws[i]));
  }
  return { tape, root: tape.sum(products) };
}

/**
 * A balanced binary tree of additions over n leaves, reduced level by level
 * (an odd last node moves up as is): 2n - 1 nodes.
 */
export function treeFloor(
  xs: Float64Array,
  tape: Tape = new Tape(),
): FloorGraph {
  tape.reset();
  let level: number[] = new Array(xs.length);
  for (let i = 0; i < xs.length; i++) level[i] = tape.leaf(xs[i]);
  while (level.length > 1) {
    const half = level.length >> 1;
    const next: number[] = new Array(level.length - half);
    for (let i = 0; i < half; i++) {
      next[i] = tape.add(level[2 * i], level[2 * i + 1]);
    }
    if (level.length % 2 === 1) next[half] = level[level.length - 1];
    level = next;
  }
  return { tape, root: level[0] };
}

/**
 * The moons training step on the tape, for an MLP(nin, nouts) with ReLU
 * hidden layers and a linear last layer: record the parameters as leaves,
 * the forward pass of every point exactly as `Neuron.forward` builds it
 * (one n-ary sum of [b, w_0 x_0, ...], numbers as constants), the hinge
 * loss (per point relu(1 + (-y) s), then the mean: a sum and a division), the
 * L2 term alpha * sum(p * p), then backward and the SGD update
 * p -= lr * grad. `params` is in `MLP.parameters()` order and is updated in
 * place. Returns the loss and the node count.
 */
export function moonsStepFloor(
  tape: Tape,
  params: Float64Array,
  nin: number,
  nouts: readonly number[],
  xs: readonly (readonly number[])[],
  ys: readonly number[],
  alpha: number,
  lr: number,
): { loss: number; nodes: number } {
  tape.reset();
  const slots: number[] = new Array(params.length);
  for (let i = 0; i < params.length; i++) slots[i] = tape.leaf(params[i]);
  const n = xs.length;
  const hinge: number[] = new Array(n);
  for (let p = 0; p < n; p++) {
    const x = xs[p];
    // Layer 0 multiplies by numbers (constants), later layers by nodes.
    let h: number[] = new Array(nin);
    let first = true;
    let k = 0; // next parameter
    let width = nin;
    for (let l = 0; l < nouts.length; l++) {
      const out: number[] = new Array(nouts[l]);
      const last = l === nouts.length - 1;
      for (let j = 0; j < nouts[l]; j++) {
        const terms: number[] = new Array(width + 1);
        const w0 = k;
        terms[0] = slots[w0 + width]; // the bias comes after the weights
        for (let i = 0; i < width; i++) {
          const input = first ? tape.constant(x[i]) : h[i];
          terms[i + 1] = tape.mul(slots[w0 + i], input);
        }
        const z = tape.sum(terms);
        out[j] = last ? z : tape.relu(z);
        k += width + 1;
      }
      h = out;
      width = nouts[l];
      first = false;
    }
    const score = h[0];
    hinge[p] = tape.relu(
      tape.add(tape.mul(score, tape.constant(-ys[p])), tape.constant(1)),
    );
  }
  const dataLoss = tape.div(tape.sum(hinge), tape.constant(n));
  const squares: number[] = new Array(params.length);
  for (let i = 0; i < params.length; i++) {
    squares[i] = tape.mul(slots[i], slots[i]);
  }
  const reg = tape.mul(tape.sum(squares), tape.constant(alpha));
  const loss = tape.add(dataLoss, reg);
  tape.backward(loss);
  const grad = tape.grad;
  for (let i = 0; i < params.length; i++) params[i] -= lr * grad[slots[i]];
  return { loss: tape.data[loss], nodes: tape.size };
}
