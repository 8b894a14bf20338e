import { CONSTANT, constant, type OpEntry } from "./_make_op.ts";
import { enter, gradientOf, leave, pass } from "./_backward.ts";
import { sweepOrder } from "./_sweep.ts";
import { describe } from "./_validate.ts";
import { _leaf, Value } from "./value.ts";

/** Options for {@linkcode grad}. */
export interface GradOptions {
  /**
   * Build each result from ops on the graph, so that it can be
   * differentiated again (`grad` of a `grad`, or `backward()` on it), as
   * torch's `create_graph=True`. Every op needs `derivativeValues` for this.
   *
   * @default {false}
   */
  createGraph?: boolean;
}

/**
 * The derivatives of `output` with respect to each of `inputs`, in order, as
 * `torch.autograd.grad`: d(output)/d(inputs[k]). Unlike `backward()`, it
 * reads and changes no `.grad` field. An input may be any node of the graph
 * (a leaf or not); one that `output` does not depend on gets 0.
 *
 * Without `createGraph`, each result is a new leaf holding the number (the
 * same sweep as `backward()`, so the same bits). With it, each result is
 * built from ops on the same graph (`derivativeValues` of each op), so you
 * can take derivatives of derivatives, to any order: Hessians,
 * Hessian-vector products, Newton steps. A result may then be an existing
 * node: d e^x/dx is the node e^x itself.
 *
 * @param output The node to differentiate.
 * @param inputs The nodes to differentiate with respect to.
 * @param options `createGraph: true` to get differentiable results.
 * @returns One Value per input.
 * @throws {TypeError} If `output` or an input is not a Value, `inputs` not
 *   an array, an option unknown or `createGraph` not a boolean; with
 *   `createGraph`, if a user op has no `derivativeValues` or it returns
 *   something other than one Value per input.
 * @example First and second derivatives of x³
 * ```ts
 * import { grad, Value } from "@micrograd/micrograd/engine";
 * import assert from "node:assert/strict";
 *
 * const x = new Value(2);
 * const y = x.pow(3);
 * const [dy] = grad(y, [x], { createGraph: true }); // 3x²
 * const [d2y] = grad(dy, [x]);                       // 6x
 * assert.deepEqual([dy.data, d2y.data], [12, 12]);
 * assert.equal(x.grad, 0); // no .grad was touched
 * ```
 * @example A Hessian-vector product through backward()
 * ```ts
 * import { grad, Value } from "@micrograd/micrograd/engine";
 * import assert from "node:assert/strict";
 *
 * // f = x² y, v = (1, 1): H v = (2y + 2x, 2x)
 * const x = new Value(3);
 * const y = new Value(5);
 * const f = x.mul(x).mul(y);
 * const [gx, gy] = grad(f, [x, y], { createGraph: true });
 * gx.add(gy).backward();
 * assert.deepEqual([x.grad, y.grad], [16, 6]);
 * ```
 */
export function grad(
  output: Value,
  inputs: readonly Value[],
  options?: GradOptions,
): Value[] {
  const createGraph = readOptions(output, inputs, options);
  enter("grad");
  try {
    return createGraph
      ? gradValues(output, inputs)
      : gradNumbers(output, inputs);
  } finally {
    leave();
  }
}

function gradNumbers(output: Value, inputs: readonly Value[]): Value[] {
  return pass(
    output,
    false,
    false,
    () => inputs.map((input) => _leaf(gradientOf(input))),
  );
}

/**
 * The same sweep with gradients as Values: each node sends
 * `derivativeValues[k] * gradient` to its inputs, built with ops. A partial
 * that is the constant 1 passes the gradient on as is, and -1 negates it, so
 * that sums and differences add no nodes (and no rounding).
 */
function gradValues(output: Value, inputs: readonly Value[]): Value[] {
  const order = sweepOrder(output);
  const grads: (Value | null)[] = new Array(order.length).fill(null);
  // The root's gradient, 1: a partial times it is the partial itself.
  const seed = output._op.code === CONSTANT ? null : _leaf(1);
  grads[0] = seed;
  const index = new Map<Value, number>();
  for (let i = 0; i < order.length; i++) index.set(order[i], i);
  for (let i = 0; i < order.length; i++) {
    const node = order[i];
    const g = grads[i];
    if (g === null || node._rest === null && node._a === null) continue;
    const xs = node.inputs;
    const partials = derivativeValues(node, xs);
    for (let k = 0; k < xs.length; k++) {
      const x = xs[k];
      if (x._op.code === CONSTANT) continue;
      const term = times(partials[k], g, seed);
      const id = index.get(x) as number;
      const sum = grads[id];
      // The numeric passes add up from 0, and 0 + -0 is 0: so here too.
      grads[id] = sum !== null
        ? sum.add(term)
        : Object.is(term.data, -0)
        ? term.add(0)
        : term;
    }
  }
  return inputs.map((input) => {
    if (input === output && seed !== null) return _leaf(1);
    const id = index.get(input);
    return (id === undefined ? null : grads[id]) ?? _leaf(0);
  });
}

/**
 * partial * g, without a new op node where the partial is a constant 0, 1
 * or -1. A zero partial gives the constant 0 * g (its sign as the numeric
 * passes compute it), whose derivative is 0.
 */
function times(partial: Value, g: Value, seed: Value | null): Value {
  if (partial._op.code === CONSTANT) {
    if (partial.data === 0) return constant.of(partial.data * g.data);
    if (partial.data === 1) return g;
    if (partial.data === -1) return g.neg();
  }
  return g === seed ? partial : partial.mul(g);
}

function derivativeValues(node: Value, xs: readonly Value[]): Value[] {
  const op = node._op as OpEntry;
  if (typeof op.derivativeValues !== "function") {
    throw new TypeError(
      `Cannot compute grad with createGraph: op "${op.name}" has no derivativeValues; add derivativeValues(inputs, output) to its defineOp spec (its partials built from ops on Values)`,
    );
  }
  const partials: unknown = op.derivativeValues(xs, node);
  const n = xs.length;
  const bad = Array.isArray(partials)
    ? partials.findIndex((p) => !(p instanceof Value))
    : -1;
  if (!Array.isArray(partials) || partials.length !== n || bad >= 0) {
    throw new TypeError(
      `Cannot compute grad with createGraph: op "${op.name}" derivativeValues must return ${n} ${
        n === 1 ? "Value" : "Values"
      }, got ${
        !Array.isArray(partials)
          ? describe(partials)
          : bad >= 0
          ? `${describe(partials[bad])} at index ${bad}`
          : `${partials.length} ${partials.length === 1 ? "item" : "items"}`
      }`,
    );
  }
  return partials;
}

function readOptions(
  output: unknown,
  inputs: unknown,
  options: unknown,
): boolean {
  if (!(output instanceof Value)) {
    throw new TypeError(
      `Cannot compute grad: output must be a Value, got ${describe(output)}`,
    );
  }
  if (!Array.isArray(inputs)) {
    throw new TypeError(
      `Cannot compute grad: inputs must be an array of Values, got ${
        describe(inputs)
      }`,
    );
  }
  for (let k = 0; k < inputs.length; k++) {
    if (!(inputs[k] instanceof Value)) {
      throw new TypeError(
        `Cannot compute grad: inputs[${k}] must be a Value, got ${
          describe(inputs[k])
        }`,
      );
    }
  }
  if (options === undefined) return false;
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `Cannot compute grad: options must be an object, got ${
        describe(options)
      }`,
    );
  }
  for (const key of Object.keys(options)) {
    if (key !== "createGraph") {
      throw new TypeError(
        `Cannot compute grad: unknown option "${key}", expected createGraph`,
      );
    }
  }
  const { createGraph } = options as GradOptions;
  if (createGraph !== undefined && typeof createGraph !== "boolean") {
    throw new TypeError(
      `Cannot compute grad: createGraph must be a boolean, got ${
        describe(createGraph)
      }`,
    );
  }
  return createGraph === true;
}
