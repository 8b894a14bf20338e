// Internal: the one factory every Op object comes from (built-in and user
// ops alike), so that all of them share one hidden class, and the op codes
// that let the engines dispatch with a switch instead of a call per node.
import type { Op, OpSpec } from "./op.ts";
import type { Value } from "./value.ts";

/** Code of a leaf made by `new Value` (or `detach()`): it accumulates gradient. */
export const LEAF = 0;
/** Code of a constant made from a number operand: no gradient flows into it. */
export const CONSTANT = 1;
/** Code of a user op from `defineOp`: the engines call its `derivatives`. */
export const CUSTOM = 2;
// Built-in op codes, one per entry of the op table.
export const ADD = 3;
export const SUB = 4;
export const MUL = 5;
export const DIV = 6;
export const NEG = 7;
export const POW = 8;
export const EXP = 9;
export const LOG = 10;
export const SQRT = 11;
export const TANH = 12;
export const SIGMOID = 13;
export const RELU = 14;
export const ABS = 15;
export const SIN = 16;
export const COS = 17;
export const SUM = 18;

/**
 * One local partial derivative of a built-in op, d(output)/d(input), from the
 * values of the first two inputs `a`, `b` (0 when absent) and the output `y`.
 * Every engine (backward, grad, the compiled tape and its generated code)
 * calls these same functions: each op's calculus is written once.
 */
export type Partial = (a: number, b: number, y: number) => number;

/** An Op plus what the engines need to run it. */
export interface OpEntry extends Op {
  /** Dispatch code: one of the constants above. */
  readonly code: number;
  /**
   * Built-in ops: the partials, one per input (`sum`: one for every input).
   * Empty for user ops, whose `derivatives` the engines call instead.
   */
  readonly partials: readonly Partial[];
}

/** A built-in op's definition: its partials as formulas, see {@linkcode Partial}. */
export interface BuiltinSpec {
  name: string;
  arity: number;
  forward(...inputs: number[]): number;
  partials: Partial[];
  derivativeValues(inputs: readonly Value[], output: Value): Value[];
  domain?: (...inputs: number[]) => boolean;
  kinks?: number[];
}

/** Builds a frozen Op with every property present, in the same order. */
export function makeOp(
  spec: OpSpec & { arity: number },
  code: number,
  partials: readonly Partial[] = [],
): OpEntry {
  return Object.freeze({
    name: spec.name,
    arity: spec.arity,
    forward: spec.forward,
    derivatives: spec.derivatives,
    derivativeValues: spec.derivativeValues,
    domain: spec.domain,
    kinks: spec.kinks === undefined
      ? undefined
      : Object.freeze(spec.kinks.slice()) as number[],
    code,
    partials: Object.freeze(partials.slice()),
  });
}

/**
 * Builds a built-in op: its public `derivatives(inputs, output)` is its
 * partials evaluated at the inputs, so the table entry is the only place the
 * op's math is written.
 */
export function makeBuiltin(code: number, spec: BuiltinSpec): OpEntry {
  const partials = spec.partials;
  const derivatives = spec.arity === -1
    ? (xs: readonly number[], y: number): number[] =>
      xs.map((x) => partials[0](x, 0, y))
    : (xs: readonly number[], y: number): number[] =>
      partials.map((partial) => partial(xs[0], xs[1] ?? 0, y));
  return makeOp({ ...spec, derivatives }, code, partials);
}

const noInputs = (): number => 0;
const noDerivatives = (): number[] => [];

/** The op of leaves: no inputs, name "". */
export const LEAF_OP: OpEntry = makeOp(
  { name: "", arity: 0, forward: noInputs, derivatives: noDerivatives },
  LEAF,
);
/** The op of constants: no inputs, name "". */
export const CONSTANT_OP: OpEntry = makeOp(
  { name: "", arity: 0, forward: noInputs, derivatives: noDerivatives },
  CONSTANT,
);

/**
 * Makes a constant node. value.ts sets it when it loads, so that the op
 * table's `derivativeValues` can build constants without importing value.ts
 * (which imports the table).
 */
export const constant = {
  of: (x: number): Value => {
    throw new Error(`constant(${x}) called before value.ts loaded`);
  },
};
