// Internal: each built-in op's forward and partials as constants of their
// own, for the switches of backward and of the typed-array replay.
//
// Why constants: V8 inlines a call to a constant binding outright, while a
// call written `mul.partials[0](...)` loads the entry, its array and the
// element, and checks the target, on every node. Swapping only those calls,
// the chain's backward sweep took 23-24 ns a node through the table and 14
// through constants. The functions are the table's own: the math is still
// written once, in ops.ts.
import type { OpEntry } from "./_make_op.ts";
import { ops } from "./ops.ts";

const {
  add,
  sub,
  mul,
  div,
  neg,
  pow,
  exp,
  log,
  sqrt,
  tanh,
  sigmoid,
  relu,
  abs,
  sin,
  cos,
  sum,
} = ops as Readonly<Record<string, OpEntry>>;

export const addForward = add.forward;
export const [addD0, addD1] = add.partials;
export const subForward = sub.forward;
export const [subD0, subD1] = sub.partials;
export const mulForward = mul.forward;
export const [mulD0, mulD1] = mul.partials;
export const divForward = div.forward;
export const [divD0, divD1] = div.partials;
export const powForward = pow.forward;
export const [powD0, powD1] = pow.partials;
export const negForward = neg.forward;
export const [negD0] = neg.partials;
export const expForward = exp.forward;
export const [expD0] = exp.partials;
export const logForward = log.forward;
export const [logD0] = log.partials;
export const sqrtForward = sqrt.forward;
export const [sqrtD0] = sqrt.partials;
export const tanhForward = tanh.forward;
export const [tanhD0] = tanh.partials;
export const sigmoidForward = sigmoid.forward;
export const [sigmoidD0] = sigmoid.partials;
export const reluForward = relu.forward;
export const [reluD0] = relu.partials;
export const absForward = abs.forward;
export const [absD0] = abs.partials;
export const sinForward = sin.forward;
export const [sinD0] = sin.partials;
export const cosForward = cos.forward;
export const [cosD0] = cos.partials;
export const [sumD0] = sum.partials;

// Every function above is called a few times as this module loads, so that
// V8 has given each one its feedback by the time a replay is compiled (it
// does after 8 calls: --invocation-count-for-feedback-allocation) and can
// inline it there: V8 inlines no function without it. A large tape's loop
// is compiled during its first replays, before an op the tape holds seldom
// has been called 8 times (in the moons step, the adds' partials: seen with
// --trace-turbo-inlining), and such a call left in the loop slows all of it
// (see the replays in compile.ts). In processes that replayed only the
// moons step, its replay backward took 174-175 µs in four of four with
// this, and 230-237 in six of eight without it. Pure functions of numbers:
// calling them changes nothing.
for (const op of Object.values(ops as Readonly<Record<string, OpEntry>>)) {
  for (let k = 0; k < 10; k++) {
    op.forward(0.5, 0.25);
    for (const partial of op.partials) partial(0.5, 0.25, 0.75);
  }
}
