// Internal: the one factory every Op object comes from (built-in and user
// ops alike), so that all of them share one hidden class, and the op codes
// that let backward() dispatch with a switch instead of a call per node.
import type { Op, OpSpec } from "./op.ts";

/** Code of a leaf made by `new Value` (or `detach()`): it accumulates gradient. */
export const LEAF = 0;
/** Code of a constant made from a number operand: no gradient flows into it. */
export const CONSTANT = 1;
/** Code of a user op from `defineOp`: backward calls its `derivatives`. */
export const CUSTOM = 2;
// Built-in op codes; each has a fast path in backward().
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

/** An Op plus the code backward() switches on. */
export interface OpEntry extends Op {
  /** Dispatch code: one of the constants above. */
  readonly code: number;
}

/** Builds a frozen Op with every property present, in the same order. */
export function makeOp(
  spec: OpSpec & { arity: number },
  code: number,
): OpEntry {
  return Object.freeze({
    name: spec.name,
    arity: spec.arity,
    forward: spec.forward,
    derivatives: spec.derivatives,
    domain: spec.domain,
    kinks: spec.kinks === undefined
      ? undefined
      : Object.freeze(spec.kinks.slice()) as number[],
    code,
  });
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
