import { mean, sum, Value } from "../engine/value.ts";
import { describe } from "./_check.ts";

/**
 * Mean squared error: mean over i of (pred[i] - target[i])², as
 * `torch.nn.functional.mse_loss`.
 *
 * @param pred The predictions.
 * @param target The targets, one finite number per prediction.
 * @returns The loss, one Value whose graph reaches every prediction.
 * @throws {TypeError} If `pred` is not an array of Values or `target` not an
 *   array of numbers.
 * @throws {RangeError} If the lengths differ (the message names both), the
 *   arrays are empty, or a target is not finite.
 * @example Usage
 * ```ts
 * import { mse } from "@micrograd/micrograd/nn";
 * import { Value } from "@micrograd/micrograd/engine";
 * import assert from "node:assert/strict";
 * const a = new Value(3);
 * const b = new Value(-1);
 * const loss = mse([a, b], [1, -1]); // ((3 - 1)² + 0²) / 2
 * loss.backward();
 * assert.deepEqual([loss.data, a.grad, b.grad], [2, 2, 0]); // d/da = (a - 1)
 * ```
 */
export function mse(pred: readonly Value[], target: readonly number[]): Value {
  const action = "Cannot compute mse";
  const n = checkPairs(action, pred, "predictions", target, "targets");
  const terms: Value[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const d = pred[i].sub(checkNumber(action, "targets", i, target[i]));
    terms[i] = d.mul(d);
  }
  return mean(terms);
}

/**
 * Max-margin (hinge) loss, as in micrograd's demo: mean over i of
 * relu(1 - labels[i] * scores[i]), with labels -1 or +1. It is 0 for points
 * classified with a margin of at least 1.
 *
 * @param scores The raw scores (the model's outputs).
 * @param labels The classes, each -1 or 1.
 * @returns The loss, one Value.
 * @throws {TypeError} If `scores` is not an array of Values or `labels` not
 *   an array of numbers.
 * @throws {RangeError} If the lengths differ (the message names both), the
 *   arrays are empty, or a label is not -1 or 1.
 * @example Usage
 * ```ts
 * import { hingeLoss } from "@micrograd/micrograd/nn";
 * import { Value } from "@micrograd/micrograd/engine";
 * import assert from "node:assert/strict";
 * const s = [new Value(2), new Value(0.5)];
 * const loss = hingeLoss(s, [1, 1]); // (max(0, 1 - 2) + max(0, 1 - 0.5)) / 2
 * loss.backward();
 * assert.deepEqual([loss.data, s[0].grad, s[1].grad], [0.25, 0, -0.5]);
 * ```
 */
export function hingeLoss(
  scores: readonly Value[],
  labels: readonly number[],
): Value {
  const action = "Cannot compute hingeLoss";
  const n = checkPairs(action, scores, "scores", labels, "labels");
  const terms: Value[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    if (y !== 1 && y !== -1) {
      checkNumber(action, "labels", i, y);
      throw new RangeError(`${action}: labels[${i}] must be -1 or 1, got ${y}`);
    }
    terms[i] = scores[i].mul(-y).add(1).relu();
  }
  return mean(terms);
}

/**
 * Binary cross-entropy from logits, as
 * `torch.nn.functional.binary_cross_entropy_with_logits`: mean over i of
 * -[y log σ(z) + (1 - y) log(1 - σ(z))], for logits z and labels y.
 *
 * Computed stably as softplus(z) - y·z, with softplus(z) = z + log(1 + e^-z)
 * for z >= 0 and log(1 + e^z) below, so e^x never overflows: logits of
 * +-1000 give finite losses and gradients. The gradient is σ(z) - y.
 *
 * @param logits The raw scores (before the sigmoid).
 * @param labels The targets: 0 or 1, or a probability in between.
 * @returns The loss, one Value.
 * @throws {TypeError} If `logits` is not an array of Values or `labels` not
 *   an array of numbers.
 * @throws {RangeError} If the lengths differ (the message names both), the
 *   arrays are empty, or a label is outside [0, 1].
 * @example Usage
 * ```ts
 * import { binaryCrossEntropy } from "@micrograd/micrograd/nn";
 * import { Value } from "@micrograd/micrograd/engine";
 * import assert from "node:assert/strict";
 * const z = new Value(0);
 * const loss = binaryCrossEntropy([z], [1]); // -log σ(0) = log 2
 * loss.backward();
 * assert.equal(loss.data, Math.log(2));
 * assert.equal(z.grad, -0.5); // σ(0) - 1
 * ```
 */
export function binaryCrossEntropy(
  logits: readonly Value[],
  labels: readonly number[],
): Value {
  const action = "Cannot compute binaryCrossEntropy";
  const n = checkPairs(action, logits, "logits", labels, "labels");
  const terms: Value[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const y = checkNumber(action, "labels", i, labels[i]);
    if (!(y >= 0 && y <= 1)) {
      throw new RangeError(
        `${action}: labels[${i}] must be in [0, 1], got ${y}`,
      );
    }
    const z = logits[i];
    // softplus(z) - y z, each branch exact and smooth (no kink at 0):
    //   z >= 0:  (1 - y) z + log(1 + e^-z)
    //   z < 0:       -y z  + log(1 + e^z)
    terms[i] = z.data >= 0
      ? z.mul(1 - y).add(z.neg().exp().add(1).log())
      : z.mul(-y).add(z.exp().add(1).log());
  }
  return mean(terms);
}

/**
 * Softmax: e^z[k] / Σ e^z[j], a probability per class. Stable: it first
 * subtracts max(z) (a constant, which leaves the result and its gradient
 * unchanged), so logits of +-1000 give finite values and gradients.
 *
 * @param logits The raw scores, one per class.
 * @returns The probabilities, one Value per class; they sum to 1.
 * @throws {TypeError} If `logits` is not an array of Values.
 * @throws {RangeError} If `logits` is empty.
 * @example Usage
 * ```ts
 * import { softmax } from "@micrograd/micrograd/nn";
 * import { Value } from "@micrograd/micrograd/engine";
 * import assert from "node:assert/strict";
 * const p = softmax([new Value(Math.log(1)), new Value(Math.log(3))]);
 * assert.deepEqual(p.map((v) => v.data), [0.25, 0.75]);
 * ```
 */
export function softmax(logits: readonly Value[]): Value[] {
  const action = "Cannot compute softmax";
  const n = checkValues(action, "logits", logits);
  if (n === 0) throw new RangeError(`${action}: logits is empty`);
  const m = maxData(logits);
  const e: Value[] = new Array(n);
  for (let k = 0; k < n; k++) e[k] = logits[k].sub(m).exp();
  const total = sum(e);
  const p: Value[] = new Array(n);
  for (let k = 0; k < n; k++) p[k] = e[k].div(total);
  return p;
}

/**
 * Cross-entropy of softmax(logits) against a class index, for one example,
 * as `torch.nn.functional.cross_entropy`: -log softmax(z)[c] =
 * logsumexp(z) - z[c]. Computed as max(z) + log Σ e^(z[j] - max(z)) - z[c],
 * so logits of +-1000 give finite values; the gradient is
 * softmax(z) - onehot(c). For a batch, pass arrays (see the other overload).
 *
 * @param logits One example's logits, one Value per class.
 * @param classIndex The correct class: an integer in [0, logits.length).
 * @returns The loss, one Value.
 * @throws {TypeError} If the logits are not Values or the class index is not
 *   a number.
 * @throws {RangeError} If the logits are empty or the class index is out of
 *   range.
 * @example Usage
 * ```ts
 * import { softmaxCrossEntropy } from "@micrograd/micrograd/nn";
 * import { Value } from "@micrograd/micrograd/engine";
 * import assert from "node:assert/strict";
 * const z = [new Value(0), new Value(0)];
 * const loss = softmaxCrossEntropy(z, 1); // -log(1/2)
 * loss.backward();
 * assert.equal(loss.data, Math.log(2));
 * assert.deepEqual([z[0].grad, z[1].grad], [0.5, -0.5]);
 * ```
 */
export function softmaxCrossEntropy(
  logits: readonly Value[],
  classIndex: number,
): Value;
/**
 * Softmax cross-entropy averaged over a batch: the mean over examples i of
 * -log softmax(logits[i])[classIndex[i]], each computed stably as in the
 * one-example overload.
 *
 * @param logits One array of logits per example.
 * @param classIndex One class index per example.
 * @returns The mean loss, one Value.
 * @throws {TypeError} If an example is not an array of Values or a class
 *   index is not a number.
 * @throws {RangeError} If the batch lengths differ (the message names both),
 *   the batch or an example is empty, or a class index is out of range.
 * @example Usage
 * ```ts
 * import { softmaxCrossEntropy } from "@micrograd/micrograd/nn";
 * import { Value } from "@micrograd/micrograd/engine";
 * import assert from "node:assert/strict";
 * const batch = [[new Value(1000), new Value(-1000)], [new Value(0), new Value(0)]];
 * const loss = softmaxCrossEntropy(batch, [0, 1]); // (0 + log 2) / 2
 * assert.equal(loss.data, Math.log(2) / 2);
 * ```
 */
export function softmaxCrossEntropy(
  logits: readonly (readonly Value[])[],
  classIndex: readonly number[],
): Value;
export function softmaxCrossEntropy(
  logits: readonly Value[] | readonly (readonly Value[])[],
  classIndex: number | readonly number[],
): Value {
  const action = "Cannot compute softmaxCrossEntropy";
  if (!Array.isArray(logits)) {
    throw new TypeError(
      `${action}: logits must be an array, got ${describe(logits)}`,
    );
  }
  if (!Array.isArray(logits[0])) {
    return crossEntropy(action, "", logits as readonly Value[], classIndex);
  }
  const batch = logits as readonly (readonly Value[])[];
  const n = batch.length;
  if (!Array.isArray(classIndex)) {
    throw new TypeError(
      `${action}: a batch of logits needs an array of class indices, got ${
        describe(classIndex)
      }`,
    );
  }
  if (classIndex.length !== n) {
    throw new RangeError(
      `${action}: got ${n} examples of logits and ${classIndex.length} class indices`,
    );
  }
  const terms: Value[] = new Array(n);
  for (let i = 0; i < n; i++) {
    if (!Array.isArray(batch[i])) {
      throw new TypeError(
        `${action}: logits[${i}] must be an array, got ${describe(batch[i])}`,
      );
    }
    terms[i] = crossEntropy(action, `[${i}]`, batch[i], classIndex[i]);
  }
  return mean(terms);
}

/** -log softmax(z)[c] for one example; `at` names it in errors ("[2]"). */
function crossEntropy(
  action: string,
  at: string,
  logits: readonly Value[],
  c: unknown,
): Value {
  const n = checkValues(action, `logits${at}`, logits);
  if (n === 0) throw new RangeError(`${action}: logits${at} is empty`);
  if (typeof c !== "number") {
    throw new TypeError(
      `${action}: classIndex${at} must be an integer, got ${describe(c)}`,
    );
  }
  if (!Number.isInteger(c) || c < 0 || c >= n) {
    throw new RangeError(
      `${action}: classIndex${at} must be an integer in [0, ${n}), got ${c}`,
    );
  }
  const m = maxData(logits);
  const e: Value[] = new Array(n);
  for (let k = 0; k < n; k++) e[k] = logits[k].sub(m).exp();
  // log Σ e^(z - m) + m - z[c]; the sum is >= 1, so the log is finite.
  return sum(e).log().add(m).sub(logits[c]);
}

/** The largest `data` of non-empty `values`: the stabilising shift. */
function maxData(values: readonly Value[]): number {
  let m = values[0].data;
  for (let k = 1; k < values.length; k++) {
    if (values[k].data > m) m = values[k].data;
  }
  return m;
}

/** Checks that `values` is an array of Values; returns its length. */
function checkValues(action: string, field: string, values: unknown): number {
  if (!Array.isArray(values)) {
    throw new TypeError(
      `${action}: ${field} must be an array, got ${describe(values)}`,
    );
  }
  for (let i = 0; i < values.length; i++) {
    if (!(values[i] instanceof Value)) {
      throw new TypeError(
        `${action}: ${field}[${i}] must be a Value, got ${describe(values[i])}`,
      );
    }
  }
  return values.length;
}

/** Checks one target/label: a finite number. */
function checkNumber(
  action: string,
  what: string,
  i: number,
  x: unknown,
): number {
  if (typeof x !== "number") {
    throw new TypeError(
      `${action}: ${what}[${i}] must be a number, got ${describe(x)}`,
    );
  }
  if (!Number.isFinite(x)) {
    throw new RangeError(`${action}: ${what}[${i}] must be finite, got ${x}`);
  }
  return x;
}

/**
 * Checks Values against numbers, one each, non-empty; returns the length.
 * The lengths' error names both: "got 3 predictions and 2 targets".
 */
function checkPairs(
  action: string,
  values: unknown,
  valuesName: string,
  numbers: unknown,
  numbersName: string,
): number {
  const n = checkValues(action, valuesName, values);
  if (!Array.isArray(numbers)) {
    throw new TypeError(
      `${action}: ${numbersName} must be an array, got ${describe(numbers)}`,
    );
  }
  if (numbers.length !== n) {
    throw new RangeError(
      `${action}: got ${n} ${valuesName} and ${numbers.length} ${numbersName}`,
    );
  }
  if (n === 0) {
    throw new RangeError(`${action}: ${valuesName} is empty`);
  }
  return n;
}
