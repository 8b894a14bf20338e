// Internal: compile(root, { codegen: true }). Turns a typed-array tape into
// generated JavaScript kernels: straight-line code, one statement per node
// (forward) and per edge (backward), with no dispatch on the op code. The
// statements call the op table's own forward and partial functions (V8
// inlines them), in the typed-array replay's order: the same additions in
// the same order, so the same bits.
import {
  CONSTANT,
  CUSTOM,
  LEAF,
  type OpEntry,
  type Partial,
  SUM,
} from "./_make_op.ts";
import { ops } from "./ops.ts";

/** What compile() needs to know of a tape to generate code for it. */
export interface TapeArrays {
  readonly size: number;
  readonly code: Uint8Array;
  readonly a: Int32Array;
  readonly b: Int32Array;
  readonly rest: Int32Array;
}

/** A generated replay: the same work as the typed-array replay. */
export interface Replay {
  forward(values: Float64Array): void;
  backward(values: Float64Array, grads: Float64Array): void;
  /** How many chunks the tape was cut into. */
  readonly chunks: number;
  /** How many distinct kernels they share (each way). */
  readonly kernels: number;
}

/**
 * Graphs above this many nodes replay from the typed arrays: generating the
 * kernels takes about 1 µs a node, and their source, for a graph that does
 * not repeat itself, grows with the graph.
 *
 * @example A large graph replays from the typed arrays
 * ```ts
 * import { CODEGEN_MAX_NODES, compile, sum, Value } from "@micrograd/micrograd/engine";
 * import assert from "node:assert/strict";
 *
 * const xs = Array.from({ length: CODEGEN_MAX_NODES }, (_, i) => new Value(i));
 * const tape = compile(sum(xs), { codegen: true });
 * assert.equal(tape.codegen, false);
 * ```
 */
export const CODEGEN_MAX_NODES = 250_000;

// The tape is cut into chunks of consecutive nodes at places chosen by the
// nodes' own shapes (content-defined chunking, as rsync does), so that the
// parts of a graph that repeat (the same network on each data point) are
// cut into chunks of the same shape. Each distinct shape becomes one
// function, a kernel, called once per chunk of that shape with the chunk's
// first slot `o` (its nodes are o+0, o+1, ...) and where its inputs from
// outside the chunk are listed in `X`. A kernel runs many times per replay,
// so V8 optimizes it. Measured when kernels came in (moons step, 41,281
// nodes, 2,323 chunks, 29 kernels each way): 0.35x the floor's replay after
// 1000 steps, where one function per 200 nodes (about 700 functions, each
// run once a replay) stayed mostly in the interpreter at 20-30x.
//
// A chunk ends after a one-input op (an activation, most often) once it
// holds MIN_WORK statements; else where the hash of its last WINDOW nodes'
// shapes has its CUT_MASK bits 0, once it holds HASH_MIN_WORK; else at
// MAX_WORK. Ending chunks after an activation keeps a neuron in one chunk,
// so that its sum reads the products in its own chunk (`v[o+3]`), not
// through `X` (`v[X[k+3]]`, two reads and two bounds checks). On the moons
// step (a second-layer neuron is 68 statements), against chunks cut by the
// hash alone once they held 8 statements (at most 64): 3,311 chunks of 11
// kernels instead of 3,831 of 24, and its replay took 54-56/73-75 µs
// forward/backward against 65-70/102-106 (three alternating processes; the
// floor's 106-109/206-211). Cut by the hash alone, larger chunks (at least
// 16 or 32 statements) were slower: forward 66-81 µs.
//
// Kernels stay small: on the moons step, backward took 0.10-0.12 ms with
// kernels of at most 64 statements, 0.16 with 256, and 0.3-0.6 with chunks
// of 256 nodes (kernels of up to 1000 statements, most left by V8 at its
// middle tier).
const MIN_WORK = 8;
const HASH_MIN_WORK = 64;
const MAX_WORK = 128;
const CUT_MASK = 7;
const WINDOW = 4;

const table = ops as Readonly<Record<string, OpEntry>>;
const byCode = new Map<number, [string, OpEntry]>(
  Object.entries(table).map(([name, op]) => [op.code, [name, op]]),
);

type Forward = (v: Float64Array, o: number, X: Int32Array, k: number) => void;
type Backward = (
  v: Float64Array,
  G: Float64Array,
  o: number,
  X: Int32Array,
  k: number,
) => void;

/**
 * Generates the replay of `tape`, or returns null where code cannot be
 * generated: the graph has user ops, is too large, or the page forbids
 * `new Function` (Content-Security-Policy).
 */
export function generateReplay(tape: TapeArrays): Replay | null {
  if (tape.size > CODEGEN_MAX_NODES) return null;
  for (let i = 0; i < tape.size; i++) {
    if (tape.code[i] === CUSTOM) return null;
  }
  try {
    return build(tape);
  } catch (error) {
    if (error instanceof EvalError) return null; // CSP forbids new Function
    throw error;
  }
}

/** The inputs of node `i`, as tape slots. */
function inputsOf(t: TapeArrays, i: number): number[] {
  const code = t.code[i];
  if (code === LEAF || code === CONSTANT) return [];
  if (code === SUM) {
    const xs: number[] = [];
    for (let k = t.a[i]; k < t.a[i] + t.b[i]; k++) xs.push(t.rest[k]);
    return xs;
  }
  return t.b[i] < 0 ? [t.a[i]] : [t.a[i], t.b[i]];
}

/** Where each chunk starts, and the end of the tape last. */
function cut(t: TapeArrays): number[] {
  // A node's shape: its op, and for each input how far back it is (near
  // ones only) and whether it is a constant.
  const shape = new Uint32Array(t.size);
  const width = new Int32Array(t.size);
  for (let i = 0; i < t.size; i++) {
    let h = Math.imul(t.code[i] + 1, 0x9e3779b1);
    const inputs = inputsOf(t, i);
    width[i] = inputs.length;
    for (const x of inputs) {
      const back = i - x < 64 ? i - x : 64;
      h = Math.imul(
        h ^ (back + (t.code[x] === CONSTANT ? 128 : 0)),
        0x85ebca77,
      );
    }
    shape[i] = h >>> 0;
  }
  const starts = [0];
  let start = 0;
  let work = 0;
  for (let i = 0; i < t.size; i++) {
    let h = 0x811c9dc5;
    for (let k = Math.max(start, i - WINDOW + 1); k <= i; k++) {
      h = Math.imul(h ^ shape[k], 0x01000193);
    }
    if (width[i] > MAX_WORK) {
      // A wide sum gets a chunk of its own, whose kernel is a loop.
      if (start < i) starts.push(i);
      start = i + 1;
      starts.push(start);
      work = 0;
      continue;
    }
    work += 1 + width[i];
    const oneInput = width[i] === 1 && t.code[i] !== SUM;
    if (
      (work >= MIN_WORK && oneInput) ||
      (work >= HASH_MIN_WORK && ((h >>> 8) & CUT_MASK) === 0) ||
      work >= MAX_WORK
    ) {
      start = i + 1;
      starts.push(start);
      work = 0;
    }
  }
  if (starts[starts.length - 1] !== t.size) starts.push(t.size);
  return starts;
}

/**
 * A chunk's kernels as source, and its outside inputs. Inside the kernels,
 * node `s + r` of the chunk is `o+r`, and the j-th outside input `X[k+j]`.
 */
function chunkSource(
  t: TapeArrays,
  s: number,
  e: number,
): { forward: string; backward: string; outside: number[] } {
  if (e - s === 1 && t.code[s] === SUM && t.b[s] > MAX_WORK) {
    return wideSumSource(t, s);
  }
  const outside: number[] = [];
  // The expression for each input occurrence, by node and input position.
  const refs: string[][] = [];
  for (let i = s; i < e; i++) {
    refs.push(
      inputsOf(t, i).map((x) => {
        if (x >= s && x < e) return `o+${x - s}`;
        outside.push(x);
        return `X[k+${outside.length - 1}]`;
      }),
    );
  }
  const forward: string[] = [];
  for (let i = s; i < e; i++) {
    const code = t.code[i];
    if (code === LEAF || code === CONSTANT) continue;
    const self = `o+${i - s}`;
    const xs = refs[i - s].map((r) => `v[${r}]`);
    if (code === SUM) {
      // As sum() adds: from 0, in input order, left to right.
      forward.push(`v[${self}] = ${["0", ...xs].join(" + ")};`);
      continue;
    }
    const [name] = byCode.get(code)!;
    forward.push(`v[${self}] = ${name}_forward(${xs.join(", ")});`);
  }
  // Backward: nodes from last to first, each sending into its inputs in
  // order, as the typed-array replay does: the same additions, same order.
  const backward: string[] = [];
  for (let i = e - 1; i >= s; i--) {
    const code = t.code[i];
    if (code === LEAF || code === CONSTANT) continue;
    const self = `o+${i - s}`;
    const ins = inputsOf(t, i);
    const rs = refs[i - s];
    // Its gradient is complete before it sends any: read it once.
    const g = `g${i - s}`;
    backward.push(`const ${g} = G[${self}];`);
    if (code === SUM) {
      for (let k = 0; k < ins.length; k++) {
        if (t.code[ins[k]] === CONSTANT) continue;
        const args = argumentsFor(table.sum.partials[0], [
          `v[${rs[k]}]`,
          "0",
          `v[${self}]`,
        ]);
        backward.push(`G[${rs[k]}] += sum_d0(${args}) * ${g};`);
      }
      continue;
    }
    const [name, op] = byCode.get(code)!;
    const values = [
      `v[${rs[0]}]`,
      rs.length > 1 ? `v[${rs[1]}]` : "0",
      `v[${self}]`,
    ];
    for (let k = 0; k < ins.length; k++) {
      if (t.code[ins[k]] === CONSTANT) continue;
      const args = argumentsFor(op.partials[k], values);
      backward.push(`G[${rs[k]}] += ${name}_d${k}(${args}) * ${g};`);
    }
  }
  return {
    forward: forward.join("\n"),
    backward: backward.join("\n"),
    outside,
  };
}

/**
 * The arguments of a call to `partial`, with 0 for each parameter it does
 * not read: those it does not declare, and those whose names start with
 * `_` (as ops.ts writes them). A value read from a typed array costs even
 * when unused: V8 keeps the read's bounds check.
 */
function argumentsFor(partial: Partial, values: readonly string[]): string {
  const names = parameterNames(partial);
  return values.map((value, k) =>
    names !== null && (k >= names.length || names[k].startsWith("_"))
      ? "0"
      : value
  ).join(", ");
}

/** The parameter names of an arrow function such as `(_a, b) => b`. */
function parameterNames(fn: Partial): string[] | null {
  let names = parsedNames.get(fn);
  if (names === undefined) {
    names = parseNames(fn);
    parsedNames.set(fn, names);
  }
  return names;
}
const parsedNames = new Map<Partial, string[] | null>();

function parseNames(fn: Partial): string[] | null {
  const match = /^\s*(?:\(([^)]*)\)|([\w$]+))\s*=>/.exec(String(fn));
  if (match === null) return null;
  const list = match[1] ?? match[2];
  return list.trim() === "" ? [] : list.split(",").map((name) => name.trim());
}

/**
 * The kernels of a chunk that is one sum of more than MAX_WORK inputs, as
 * loops: the same additions in the same order as the straight-line code.
 * Its outside slots are all its inputs, then those that take a gradient.
 */
function wideSumSource(
  t: TapeArrays,
  i: number,
): { forward: string; backward: string; outside: number[] } {
  const inputs = inputsOf(t, i);
  const taking = inputs.filter((x) => t.code[x] !== CONSTANT);
  const args = argumentsFor(table.sum.partials[0], ["v[x]", "0", "v[o]"]);
  return {
    forward: [
      "let total = 0;",
      `for (let j = 0; j < ${inputs.length}; j++) total += v[X[k + j]];`,
      "v[o] = total;",
    ].join("\n"),
    backward: [
      "const g = G[o];",
      `for (let j = ${inputs.length}; j < ${
        inputs.length + taking.length
      }; j++) {`,
      "  const x = X[k + j];",
      `  G[x] += sum_d0(${args}) * g;`,
      "}",
    ].join("\n"),
    outside: [...inputs, ...taking],
  };
}

function build(t: TapeArrays): Replay {
  const starts = cut(t);
  const forwards = new Map<string, Forward>();
  const backwards = new Map<string, Backward>();
  const chunkForward: Forward[] = [];
  const chunkBackward: Backward[] = [];
  const chunkStart: number[] = [];
  const chunkOutside: number[] = [];
  const outsideSlots: number[] = [];
  for (let c = 0; c + 1 < starts.length; c++) {
    const { forward, backward, outside } = chunkSource(
      t,
      starts[c],
      starts[c + 1],
    );
    if (forward === "" && backward === "") continue; // leaves only
    let f = forwards.get(forward);
    if (f === undefined) {
      f = kernel(forward, "v, o, X, k") as Forward;
      forwards.set(forward, f);
    }
    let b = backwards.get(backward);
    if (b === undefined) {
      b = kernel(backward, "v, G, o, X, k") as Backward;
      backwards.set(backward, b);
    }
    chunkForward.push(f);
    chunkBackward.push(b);
    chunkStart.push(starts[c]);
    chunkOutside.push(outsideSlots.length);
    for (const x of outside) outsideSlots.push(x);
  }
  const X = Int32Array.from(outsideSlots);
  const n = chunkStart.length;
  if (
    forwards.size <= SWITCH_MAX_KERNELS && backwards.size <= SWITCH_MAX_KERNELS
  ) {
    return {
      chunks: n,
      kernels: forwards.size,
      ...switchDispatch(
        [...forwards.values()],
        [...backwards.values()],
        chunkForward,
        chunkBackward,
        Int32Array.from(chunkStart),
        Int32Array.from(chunkOutside),
        X,
      ),
    };
  }
  return {
    chunks: n,
    kernels: forwards.size,
    forward(values: Float64Array): void {
      for (let c = 0; c < n; c++) {
        chunkForward[c](values, chunkStart[c], X, chunkOutside[c]);
      }
    },
    backward(values: Float64Array, grads: Float64Array): void {
      for (let c = n - 1; c >= 0; c--) {
        chunkBackward[c](values, grads, chunkStart[c], X, chunkOutside[c]);
      }
    },
  };
}

// Calling each chunk's kernel through `chunkForward[c]` brings every kernel
// to one call site: 2,323 calls of 29 small kernels took 15-17 µs that way
// and 4-5 through a switch on the kernel's number, which gives each kernel a
// call site of its own (a scratch benchmark); the moons step's codegen replay
// went from 0.61-0.69x to 0.50-0.52x the floor's (three alternating
// processes). A graph that does not repeat itself has about one kernel per
// chunk, which one call site per kernel cannot help (my reading, not
// measured), so above this many kernels the array stays.
export const SWITCH_MAX_KERNELS = 256;

/** The replay's two passes, dispatching on each chunk's kernel number. */
function switchDispatch(
  kernelsF: Forward[],
  kernelsB: Backward[],
  chunkForward: Forward[],
  chunkBackward: Backward[],
  S: Int32Array,
  O: Int32Array,
  X: Int32Array,
): Pick<Replay, "forward" | "backward"> {
  const numberF = new Map(kernelsF.map((f, j) => [f, j]));
  const numberB = new Map(kernelsB.map((b, j) => [b, j]));
  const idF = Int32Array.from(chunkForward, (f) => numberF.get(f)!);
  const idB = Int32Array.from(chunkBackward, (b) => numberB.get(b)!);
  const names = (prefix: string, count: number): string =>
    Array.from(
      { length: count },
      (_, j) => `const ${prefix}${j} = ${prefix}s[${j}];`,
    ).join("\n");
  const cases = (count: number, call: (j: number) => string): string =>
    Array.from({ length: count }, (_, j) => `case ${j}: ${call(j)}; break;`)
      .join("\n");
  const make = new Function(
    "fs",
    "bs",
    "idF",
    "idB",
    "S",
    "O",
    "X",
    `"use strict";
${names("f", kernelsF.length)}
${names("b", kernelsB.length)}
const n = S.length;
return {
  forward(v) {
    for (let c = 0; c < n; c++) {
      switch (idF[c]) {
${cases(kernelsF.length, (j) => `f${j}(v, S[c], X, O[c])`)}
      }
    }
  },
  backward(v, G) {
    for (let c = n - 1; c >= 0; c--) {
      switch (idB[c]) {
${cases(kernelsB.length, (j) => `b${j}(v, G, S[c], X, O[c])`)}
      }
    }
  },
};`,
  );
  return make(kernelsF, kernelsB, idF, idB, S, O, X);
}

// Each kernel sees the op table's functions as constants of its closure,
// named `tanh_forward`, `tanh_d0`, `mul_d1`, ...: V8 inlines them.
const prelude = Object.entries(table).map(([name, op]) =>
  [
    `const ${name}_forward = K.${name}.forward;`,
    ...op.partials.map((_, k) =>
      `const ${name}_d${k} = K.${name}.partials[${k}];`
    ),
  ].join("\n")
).join("\n");

function kernel(body: string, params: string): unknown {
  const make = new Function(
    "K",
    `"use strict";\n${prelude}\nreturn function kernel(${params}) {\n${body}\n};`,
  );
  return make(table);
}
