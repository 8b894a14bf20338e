// Internal: the walk gradcheck and gradgradcheck take after a failure, to
// name the first node of the graph whose op fails at the values it saw.
import { type Op, ops as builtins, topo, type Value } from "../engine/mod.ts";
import { number } from "./_format.ts";
import { resolve, type Target } from "./_local.ts";
import type { Resolved } from "./_options.ts";
import type { GradcheckCheck, GradcheckReport } from "./gradcheck.ts";

/** What one checker does at a node; see {@linkcode locate}. */
export interface Locator {
  /** The failing checks of `node`'s op at its inputs `xs`, or null to skip the node. */
  check(target: Target, xs: number[], node: Value): GradcheckCheck[] | null;
  /** What the first failing check measured: `derivative of input 0`. */
  name(c: GradcheckCheck, node: Value): string;
  /** Lines to add after the one that names the node. */
  more(op: Op, failing: GradcheckCheck[], node: Value): string[];
}

/**
 * Checks every node under `root` whose op is known (built in, or in
 * `o.ops`), in topological order, at the values it saw. The first node that
 * fails goes into `report.culprit`, with a line (and the locator's own
 * lines) in `report.diagnosis`; a node given a point outside its op's
 * domain stops the walk with a line saying so.
 */
export function locate(
  root: Value,
  o: Resolved,
  report: GradcheckReport,
  locator: Locator,
): void {
  const lines = report.diagnosis ?? [];
  report.diagnosis = lines;
  const known = new Map<string, Op>();
  for (const name of Object.keys(builtins)) known.set(name, builtins[name]);
  for (const op of o.ops) known.set(op.name, op);
  const nodes = topo(root);
  const unknown = new Set<string>();
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i];
    if (node.op === "") continue;
    const op = known.get(node.op);
    if (op === undefined) {
      unknown.add(node.op);
      continue;
    }
    const target = resolve(op);
    const xs = node.inputs.map((v) => v.data);
    const where = `op "${node.op}"${
      node.label === undefined ? "" : ` (label "${node.label}")`
    }, node ${i + 1} of ${nodes.length} in topological order`;
    const at = `(${xs.map((x) => number(x, 6)).join(", ")})`;
    if (!target.domain(...xs)) {
      // Not the op's fault: it was given a point where it is undefined.
      lines.push(`${where} gets ${at}, outside its domain`);
      return;
    }
    const failing = locator.check(target, xs, node);
    if (failing === null || failing.length === 0) continue;
    report.culprit = {
      op: node.op,
      label: node.label,
      index: i,
      nodes: nodes.length,
      point: xs,
      checks: failing,
    };
    const c = failing[0];
    lines.push(
      `first wrong node: ${where}, at ${at}: ${locator.name(c, node)} is ${
        number(c.analytic, 6)
      }, numerically ${number(c.numeric, 6)}`,
    );
    lines.push(...locator.more(op, failing, node));
    return;
  }
  lines.push(
    unknown.size > 0
      ? `no node of a known op fails at the values it saw; not checked node by node: ${
        [...unknown].map((n) => `"${n}"`).join(", ")
      } (pass them in options.ops)`
      : "every node's op passes at the values it saw",
  );
}
