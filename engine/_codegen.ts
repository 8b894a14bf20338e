// Internal: compile(root, { codegen: true }). Turns a typed-array tape into
// straight-line JavaScript, one statement per node (forward) and per edge
// (backward), with the operand indices written in, so a replay runs no
// dispatch and loads no index. The statements call the op table's own
// forward and partial functions (V8 inlines them), so the generated code
// computes exactly what the typed-array replay computes, in the same order.
import { CONSTANT, CUSTOM, LEAF, type OpEntry, SUM } from "./_make_op.ts";
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
}

/**
 * Graphs above this many nodes replay from the typed arrays: the generated
 * source grows with the graph (about 40 bytes a node) and takes about
 * 10 µs a node to generate and compile.
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

// Statements per generated function. V8 optimizes a function only up to
// about 60 KB of bytecode, but well before that, big straight-line functions
// ran far slower: on a 1e4-node chain, backward took 565 ns a node with 1000
// statements a function and 9-14 with 200-400 (one run each, loaded machine;
// the typed-array replay took 9-22). Why is not isolated.
const STATEMENTS_PER_FUNCTION = 200;

const table = ops as Readonly<Record<string, OpEntry>>;
const byCode = new Map<number, [string, OpEntry]>(
  Object.entries(table).map(([name, op]) => [op.code, [name, op]]),
);

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
    const forward = chunks(forwardStatements(tape), "v").map((f) =>
      f as (values: Float64Array) => void
    );
    const backward = chunks(backwardStatements(tape), "v, G").map((f) =>
      f as (values: Float64Array, grads: Float64Array) => void
    );
    return {
      forward(values: Float64Array): void {
        for (let k = 0; k < forward.length; k++) forward[k](values);
      },
      backward(values: Float64Array, grads: Float64Array): void {
        for (let k = 0; k < backward.length; k++) backward[k](values, grads);
      },
    };
  } catch (error) {
    if (error instanceof EvalError) return null; // CSP forbids new Function
    throw error;
  }
}

/** `v[i] = mul_forward(v[3], v[7]);` for each op node, inputs first. */
function forwardStatements(t: TapeArrays): string[] {
  const out: string[] = [];
  for (let i = 0; i < t.size; i++) {
    const code = t.code[i];
    if (code === LEAF || code === CONSTANT) continue;
    if (code === SUM) {
      // As sum() adds: from 0, in input order, left to right; a few terms
      // a statement, so that a long sum spreads over functions too.
      let terms = ["0"];
      for (let k = t.a[i]; k < t.a[i] + t.b[i]; k++) {
        if (terms.length === 8) {
          out.push(`v[${i}] = ${terms.join(" + ")};`);
          terms = [`v[${i}]`];
        }
        terms.push(`v[${t.rest[k]}]`);
      }
      out.push(`v[${i}] = ${terms.join(" + ")};`);
      continue;
    }
    const [name] = byCode.get(code)!;
    const args = t.b[i] < 0 ? `v[${t.a[i]}]` : `v[${t.a[i]}], v[${t.b[i]}]`;
    out.push(`v[${i}] = ${name}_forward(${args});`);
  }
  return out;
}

/** `G[3] += mul_d0(v[3], v[7], v[i]) * G[i];` for each edge, root first. */
function backwardStatements(t: TapeArrays): string[] {
  const out: string[] = [];
  for (let i = t.size - 1; i >= 0; i--) {
    const code = t.code[i];
    if (code === LEAF || code === CONSTANT) continue;
    if (code === SUM) {
      for (let k = t.a[i]; k < t.a[i] + t.b[i]; k++) {
        const x = t.rest[k];
        if (t.code[x] === CONSTANT) continue;
        out.push(`G[${x}] += sum_d0(v[${x}], 0, v[${i}]) * G[${i}];`);
      }
      continue;
    }
    const [name] = byCode.get(code)!;
    const x = t.a[i];
    const y = t.b[i];
    const args = `v[${x}], ${y < 0 ? "0" : `v[${y}]`}, v[${i}]`;
    if (t.code[x] !== CONSTANT) {
      out.push(`G[${x}] += ${name}_d0(${args}) * G[${i}];`);
    }
    if (y >= 0 && t.code[y] !== CONSTANT) {
      out.push(`G[${y}] += ${name}_d1(${args}) * G[${i}];`);
    }
  }
  return out;
}

// Each generated function sees the op table's functions as constants of its
// closure, named `tanh_forward`, `tanh_d0`, `mul_d1`, ...
const prelude = Object.entries(table).map(([name, op]) =>
  [
    `const ${name}_forward = K.${name}.forward;`,
    ...op.partials.map((_, k) =>
      `const ${name}_d${k} = K.${name}.partials[${k}];`
    ),
  ].join("\n")
).join("\n");

function chunks(statements: string[], params: string): unknown[] {
  const fns: unknown[] = [];
  for (let s = 0; s < statements.length; s += STATEMENTS_PER_FUNCTION) {
    const body = statements.slice(s, s + STATEMENTS_PER_FUNCTION).join("\n");
    const make = new Function(
      "K",
      `"use strict";\n${prelude}\nreturn function replay(${params}) {\n${body}\n};`,
    );
    fns.push(make(table));
  }
  return fns;
}
