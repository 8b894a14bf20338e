// Internal: reading and validating GradcheckOptions.
import type { Op } from "../engine/mod.ts";
import { describe } from "../engine/_validate.ts";
import { opOf } from "./_local.ts";
import type { GradcheckOptions } from "./gradcheck.ts";

/**
 * The largest `samples`. Every check is kept in the report: 10000 samples
 * of all 16 built-in ops make 457,000 checks, 345 MB and 9 s (`deno task
 * gradcheck --samples 10000`); the old limit of 1e6 ran out of memory.
 */
export const MAX_SAMPLES = 10000;

/** GradcheckOptions with every default filled in. */
export interface Resolved {
  eps: number;
  atol: number;
  rtol: number;
  samples: number;
  seed: number;
  constants: readonly number[];
  fast: boolean;
  ops: readonly Op[];
}

/** The defaults, as documented on GradcheckOptions. */
export const DEFAULTS: Readonly<Resolved> = Object.freeze({
  eps: 6e-6,
  atol: 1e-5,
  rtol: 1e-3,
  samples: 64,
  seed: 1,
  constants: Object.freeze([]) as readonly number[],
  fast: false,
  ops: Object.freeze([]) as readonly Op[],
});

/**
 * Checks `options` and fills in defaults; errors start with `action`
 * ("Cannot run gradcheck").
 */
export function readOptions(options: unknown, action: string): Resolved {
  if (options === undefined) return DEFAULTS;
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `${action}: options must be an object, got ${describe(options)}`,
    );
  }
  const o = options as GradcheckOptions;
  const number = (
    key: "eps" | "atol" | "rtol" | "samples" | "seed",
    valid: (x: number) => boolean,
    rule: string,
  ): number => {
    const x = o[key];
    if (x === undefined) return DEFAULTS[key];
    if (typeof x !== "number") {
      throw new TypeError(
        `${action}: ${key} must be a number, got ${describe(x)}`,
      );
    }
    if (!valid(x)) {
      throw new RangeError(`${action}: ${key} must be ${rule}, got ${x}`);
    }
    return x;
  };
  const finite = Number.isFinite;
  const eps = number("eps", (x) => finite(x) && x > 0 && x < 1, "in (0, 1)");
  const atol = number("atol", (x) => finite(x) && x >= 0, "finite and >= 0");
  const rtol = number("rtol", (x) => finite(x) && x >= 0, "finite and >= 0");
  const samples = number(
    "samples",
    (x) => Number.isInteger(x) && x >= 1 && x <= MAX_SAMPLES,
    `an integer from 1 to ${MAX_SAMPLES}`,
  );
  const seed = number(
    "seed",
    (x) => Number.isInteger(x) && x >= 0 && x <= 0xffffffff,
    "an integer from 0 to 4294967295",
  );
  const constants = o.constants ?? DEFAULTS.constants;
  if (!Array.isArray(constants)) {
    throw new TypeError(
      `${action}: constants must be an array of input indices, got ${
        describe(constants)
      }`,
    );
  }
  for (const k of constants) {
    if (typeof k !== "number") {
      throw new TypeError(
        `${action}: constants must hold input indices, got ${describe(k)}`,
      );
    }
    if (!Number.isInteger(k) || k < 0) {
      throw new RangeError(
        `${action}: constants must hold input indices (integers >= 0), got ${k}`,
      );
    }
  }
  const fast = o.fast ?? false;
  if (typeof fast !== "boolean") {
    throw new TypeError(
      `${action}: fast must be a boolean, got ${describe(fast)}`,
    );
  }
  const list = o.ops ?? [];
  if (!Array.isArray(list)) {
    throw new TypeError(
      `${action}: ops must be an array of Ops or OpFunctions, got ${
        describe(list)
      }`,
    );
  }
  const userOps: Op[] = [];
  for (const x of list as unknown[]) {
    const op = opOf(x);
    if (op === null) {
      throw new TypeError(
        `${action}: ops must hold Ops or OpFunctions, got ${describe(x)}`,
      );
    }
    userOps.push(op);
  }
  return {
    eps,
    atol,
    rtol,
    samples,
    seed,
    constants: constants.slice(),
    fast,
    ops: userOps,
  };
}
