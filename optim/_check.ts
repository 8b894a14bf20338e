// Internal: option checks and the learning-rate lookup shared by the
// optimizers. Messages are "<action>: <state>", as in the engine.
import { describe } from "../engine/_validate.ts";
import { Value } from "../engine/value.ts";
import { isSeen, markSeen, unmarkNode } from "../engine/_ids.ts";
import type { LearningRate } from "./optimizer.ts";

/**
 * Checks the parameter list: a non-empty array of distinct trainable leaves
 * (`isLeaf`); returns a copy (or, with `copy` false, the array itself).
 *
 * Duplicates are found with the mark the graph walks use (see
 * engine/_ids.ts): each parameter is marked on itself when first seen, so a
 * parameter already marked was seen before, and every mark is taken off
 * before returning. This takes no Map or Set, whose sizes are capped (2^24
 * entries in V8: "Map maximum size exceeded" at 16.8M parameters), so any
 * number of parameters is accepted.
 */
export function checkParams(
  action: string,
  params: unknown,
  allowEmpty = false,
  copy = true,
): Value[] {
  if (!Array.isArray(params)) {
    throw new TypeError(
      `${action}: params must be an array of Values, got ${describe(params)}`,
    );
  }
  if (params.length === 0 && !allowEmpty) {
    throw new RangeError(`${action}: params is empty`);
  }
  try {
    markDistinct(action, params);
  } finally {
    // The Values marked are among the first ones, up to a throw.
    for (let i = 0; i < params.length; i++) {
      const p: unknown = params[i];
      if (p instanceof Value) unmarkNode(p);
    }
  }
  return copy ? params.slice() : params;
}

/** The checks of checkParams, marking each parameter. */
function markDistinct(action: string, params: readonly unknown[]): void {
  for (let i = 0; i < params.length; i++) {
    const p: unknown = params[i];
    if (!(p instanceof Value)) {
      throw new TypeError(
        `${action}: params[${i}] must be a Value, got ${describe(p)}`,
      );
    }
    if (!p.isLeaf) {
      throw new TypeError(
        `${action}: params[${i}] must be a leaf Value (made by new Value), got ${
          p.op === ""
            ? "a constant (a number operand)"
            : `the result of op "${p.op}"`
        }${p.label === undefined ? "" : ` (label ${JSON.stringify(p.label)})`}`,
      );
    }
    if (isSeen(p)) {
      throw new RangeError(
        `${action}: params[${i}] is the same Value as params[${
          params.indexOf(p)
        }]`,
      );
    }
    markSeen(p);
  }
}

/** Checks the options object itself. */
export function checkOptionsObject(action: string, options: unknown): void {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `${action}: options must be an object with lr, got ${describe(options)}`,
    );
  }
}

/** Checks `lr`: a finite number > 0 or a function. */
export function checkLr(action: string, lr: unknown): LearningRate {
  if (typeof lr === "function") return lr as (step: number) => number;
  if (typeof lr !== "number") {
    throw new TypeError(
      `${action}: lr must be a number or a function, got ${describe(lr)}`,
    );
  }
  if (!(lr > 0) || !Number.isFinite(lr)) {
    throw new RangeError(
      `${action}: lr must be a finite number > 0, got ${describe(lr)}`,
    );
  }
  return lr;
}

/**
 * Checks an optional number option against [low, high) or [low, high]
 * (when `high` is Infinity the bound is only "finite"); returns it or the
 * default.
 */
export function checkRange(
  action: string,
  field: string,
  x: unknown,
  fallback: number,
  low: number,
  high: number,
): number {
  if (x === undefined) return fallback;
  if (typeof x !== "number") {
    throw new TypeError(
      `${action}: ${field} must be a number, got ${describe(x)}`,
    );
  }
  if (!(x >= low && x < high)) {
    throw new RangeError(
      `${action}: ${field} must be in [${low}, ${
        high === Infinity ? "Infinity" : high
      }), got ${describe(x)}`,
    );
  }
  return x;
}

/** The rate for step `step`: `lr` itself, or the schedule's (checked) value. */
export function rateAt(action: string, lr: LearningRate, step: number): number {
  if (typeof lr === "number") return lr;
  const rate: unknown = lr(step);
  if (typeof rate !== "number") {
    throw new TypeError(
      `${action}: the lr schedule returned ${
        describe(rate)
      } at step ${step}, expected a number`,
    );
  }
  if (!(rate >= 0) || !Number.isFinite(rate)) {
    throw new RangeError(
      `${action}: the lr schedule returned ${rate} at step ${step}, expected a finite number >= 0`,
    );
  }
  return rate;
}

/** Checks a required integer option: an integer >= `low`; returns it. */
export function checkInteger(
  action: string,
  field: string,
  x: unknown,
  low: number,
): number {
  if (typeof x !== "number") {
    throw new TypeError(
      `${action}: ${field} must be a number, got ${describe(x)}`,
    );
  }
  if (!Number.isSafeInteger(x) || x < low) {
    throw new RangeError(
      `${action}: ${field} must be an integer >= ${low}, got ${describe(x)}`,
    );
  }
  return x;
}

/**
 * Checks that `options` has no key outside `known` (a misspelt or
 * torch-style name such as `max_iter` would otherwise be ignored).
 */
export function checkKnownKeys(
  action: string,
  options: object,
  known: readonly string[],
): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new TypeError(
        `${action}: unknown option ${JSON.stringify(key)}, expected one of ${
          known.join(", ")
        }`,
      );
    }
  }
}
