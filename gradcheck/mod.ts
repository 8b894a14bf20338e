/**
 * Gradient checking: compare the derivatives that `backward()` computes with
 * numerical ones, for an expression ({@linkcode gradcheck}), one op
 * ({@linkcode checkOp}) or every built-in op ({@linkcode checkAllOps}).
 *
 * The numerical derivative is a central difference with a step that scales
 * with the input and one Richardson step. `checkOp` samples seeded points
 * inside an op's domain plus edge points, never reports a false failure at a
 * declared kink, and also checks that gradients are multiplied by the
 * upstream gradient and accumulate over repeated operands.
 * {@linkcode formatReport} renders a report as a table, worst first. From a
 * shell, `deno task gradcheck [module.ts ...]` checks every built-in op, or
 * every op a module exports.
 *
 * ```ts
 * import { defineOp } from "@micrograd/micrograd/engine";
 * import { checkOp, gradcheck } from "@micrograd/micrograd/gradcheck";
 * import assert from "node:assert/strict";
 *
 * assert.equal(gradcheck((x, y) => x.mul(y).exp(), [0.3, -2]).ok, true);
 *
 * const softplus = defineOp({
 *   name: "softplus",
 *   forward: (x) => Math.log1p(Math.exp(x)),
 *   derivatives: ([x]) => [1 / (1 + Math.exp(-x))],
 * });
 * assert.equal(checkOp(softplus).ok, true);
 * ```
 *
 * @module
 */
export * from "./gradcheck.ts";
export * from "./check_op.ts";
export * from "./format_report.ts";
