// Internal: the op table's entries by name, with what the engines need of
// them (partials, code), for the switches in backward and the replays.
import type { OpEntry } from "./_make_op.ts";
import { ops } from "./ops.ts";

export const {
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
