/**
 * Gradient checking: compare the derivatives that `backward()` computes with
 * numerical ones, for an expression ({@linkcode gradcheck}), one op
 * ({@linkcode checkOp}) or every built-in op ({@linkcode checkAllOps}); and
 * second derivatives, built by `grad(..., { createGraph: true })`, for an
 * expression ({@linkcode gradgradcheck}).
 *
 * The numerical derivative is a central difference with a step that scales
 * with the input and one Richardson step, which also bounds its own error;
 * each check is judged against that bound, so no tolerance certifies a
 * difference the estimate resolves, and a check too noisy to decide is
 * `"inconclusive"` (counted, not a failure). `checkOp` samples seeded points
 * inside an op's domain plus edge points out to where the forward overflows,
 * never reports a false failure at a declared kink, and also checks that
 * gradients are multiplied by the upstream gradient, accumulate over
 * repeated operands and do not depend on earlier calls. A failing report
 * carries a diagnosis (sign flipped, constant factor, ...), and a failing
 * `gradcheck` names the first wrong node of the graph.
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
export * from "./gradgradcheck.ts";
export * from "./check_op.ts";
export * from "./format_report.ts";
