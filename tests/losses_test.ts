import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Value } from "../engine/mod.ts";
import { assertGradcheck } from "../gradcheck/mod.ts";
import {
  binaryCrossEntropy,
  hingeLoss,
  mse,
  softmax,
  softmaxCrossEntropy,
} from "../nn/mod.ts";

const values = (xs: number[]): Value[] => xs.map((x) => new Value(x));
const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

function close(actual: number, expected: number, tol = 1e-12): void {
  assert.ok(
    Math.abs(actual - expected) <= tol,
    `expected ${expected}, got ${actual}`,
  );
}

describe("mse()", () => {
  it("averages squared errors and routes 2(p - t)/n to each prediction", () => {
    const p = values([1.5, -0.5, 2]);
    const loss = mse(p, [1, 0, -1]);
    loss.backward();
    // (0.5² + 0.5² + 3²) / 3 = 9.5 / 3; gradients 2 (p - t) / 3
    close(loss.data, 9.5 / 3);
    close(p[0].grad, 1 / 3);
    close(p[1].grad, -1 / 3);
    close(p[2].grad, 2);
  });

  it("passes gradcheck", () => {
    assertGradcheck((a, b, c) => mse([a, b, c], [0.3, -1, 2]), [1.2, -0.4, 5]);
  });

  it("rejects mismatched lengths, naming both", () => {
    assert.throws(() => mse(values([1, 2]), [1]), {
      name: "RangeError",
      message: "Cannot compute mse: got 2 predictions and 1 targets",
    });
  });

  it("rejects empty arrays, non-Values and bad targets", () => {
    assert.throws(() => mse([], []), {
      name: "RangeError",
      message: "Cannot compute mse: predictions is empty",
    });
    assert.throws(() => mse([1] as unknown as Value[], [1]), {
      name: "TypeError",
      message: "Cannot compute mse: predictions[0] must be a Value, got 1",
    });
    assert.throws(() => mse(values([1]), [NaN]), {
      name: "RangeError",
      message: "Cannot compute mse: targets[0] must be finite, got NaN",
    });
    assert.throws(() => mse(values([1]), ["1" as unknown as number]), {
      name: "TypeError",
      message:
        'Cannot compute mse: targets[0] must be a number, got string "1"',
    });
  });
});

describe("hingeLoss()", () => {
  it("averages relu(1 - y s), the micrograd demo's max-margin loss", () => {
    const s = values([2, 0.5, -0.3]);
    const loss = hingeLoss(s, [1, 1, -1]);
    loss.backward();
    // (max(0, -1) + max(0, 0.5) + max(0, 0.7)) / 3 = 0.4;
    // d/ds = -y / 3 where the margin is violated, else 0
    close(loss.data, 0.4);
    close(s[0].grad, 0);
    close(s[1].grad, -1 / 3);
    close(s[2].grad, 1 / 3);
  });

  it("passes gradcheck away from the margin", () => {
    assertGradcheck(
      (a, b, c) => hingeLoss([a, b, c], [1, -1, 1]),
      [0.2, 0.4, 3],
    );
  });

  it("rejects labels other than -1 and 1, and mismatched lengths", () => {
    assert.throws(() => hingeLoss(values([1]), [0]), {
      name: "RangeError",
      message: "Cannot compute hingeLoss: labels[0] must be -1 or 1, got 0",
    });
    assert.throws(() => hingeLoss(values([1, 2, 3]), [1, -1]), {
      name: "RangeError",
      message: "Cannot compute hingeLoss: got 3 scores and 2 labels",
    });
  });
});

describe("binaryCrossEntropy()", () => {
  const z = [-3, -0.5, 0, 0.7, 4, 1.5];
  const y = [0, 1, 1, 0, 1, 0.3];

  it("equals -[y log σ(z) + (1 - y) log(1 - σ(z))], averaged", () => {
    let expected = 0;
    for (let i = 0; i < z.length; i++) {
      const s = sigmoid(z[i]);
      expected -= y[i] * Math.log(s) + (1 - y[i]) * Math.log(1 - s);
    }
    close(binaryCrossEntropy(values(z), y).data, expected / z.length);
  });

  it("routes (σ(z) - y) / n to each logit, also at z = 0", () => {
    const logits = values(z);
    binaryCrossEntropy(logits, y).backward();
    for (let i = 0; i < z.length; i++) {
      close(logits[i].grad, (sigmoid(z[i]) - y[i]) / z.length);
    }
    const zero = new Value(0);
    binaryCrossEntropy([zero], [1]).backward();
    close(zero.grad, -0.5, 0);
  });

  it("passes gradcheck on both branches", () => {
    assertGradcheck(
      (a, b, c, d) => binaryCrossEntropy([a, b, c, d], [1, 0, 0.3, 1]),
      [-2, 0.8, 3, -0.1],
    );
  });

  it("stays finite at logits of +-1000", () => {
    const logits = values([1000, -1000, 1000, -1000]);
    const loss = binaryCrossEntropy(logits, [1, 0, 0, 1]);
    loss.backward({ checkFinite: true });
    // per example: 0, 0, 1000, 1000; gradients (σ(z) - y) / 4
    close(loss.data, 500, 0);
    const grads = logits.map((v) => v.grad);
    for (const [k, g] of [0, 0, 0.25, -0.25].entries()) close(grads[k], g, 0);
  });

  it("rejects labels outside [0, 1] and mismatched lengths", () => {
    assert.throws(() => binaryCrossEntropy(values([1]), [2]), {
      name: "RangeError",
      message:
        "Cannot compute binaryCrossEntropy: labels[0] must be in [0, 1], got 2",
    });
    assert.throws(() => binaryCrossEntropy(values([1]), [1, 0]), {
      name: "RangeError",
      message: "Cannot compute binaryCrossEntropy: got 1 logits and 2 labels",
    });
  });
});

describe("softmax()", () => {
  it("equals e^z / Σ e^z and sums to 1", () => {
    const p = softmax(values([1, 2, 3])).map((v) => v.data);
    const total = Math.E + Math.E ** 2 + Math.E ** 3;
    close(p[0], Math.E / total);
    close(p[1], Math.E ** 2 / total);
    close(p[2], Math.E ** 3 / total);
    close(p[0] + p[1] + p[2], 1, 1e-15);
  });

  it("passes gradcheck", () => {
    assertGradcheck((a, b, c) => {
      const p = softmax([a, b, c]);
      return p[0].add(p[2].mul(3)); // weights each output differently
    }, [0.5, -1, 2]);
  });

  it("stays finite at logits of +-1000", () => {
    const z = values([1000, -1000]);
    const p = softmax(z);
    assert.deepEqual(p.map((v) => v.data), [1, 0]);
    p[0].backward({ checkFinite: true });
    // dp0/dz0 = p0 (1 - p0) = 0, dp0/dz1 = -p0 p1 = 0
    close(z[0].grad, 0, 0);
    close(z[1].grad, 0, 0);
    assert.deepEqual(softmax(values([-1000, -1000])).map((v) => v.data), [
      0.5,
      0.5,
    ]);
  });

  it("rejects empty logits and non-Values", () => {
    assert.throws(() => softmax([]), {
      name: "RangeError",
      message: "Cannot compute softmax: logits is empty",
    });
    assert.throws(() => softmax([new Value(1), 2 as unknown as Value]), {
      name: "TypeError",
      message: "Cannot compute softmax: logits[1] must be a Value, got 2",
    });
  });
});

describe("softmaxCrossEntropy()", () => {
  it("equals logsumexp(z) - z[c] and routes softmax(z) - onehot(c)", () => {
    const z = values([1, 2, 3]);
    const loss = softmaxCrossEntropy(z, 0);
    loss.backward();
    const total = Math.E + Math.E ** 2 + Math.E ** 3;
    close(loss.data, Math.log(total) - 1);
    close(z[0].grad, Math.E / total - 1);
    close(z[1].grad, Math.E ** 2 / total);
    close(z[2].grad, Math.E ** 3 / total);
  });

  it("passes gradcheck", () => {
    assertGradcheck((a, b, c) => softmaxCrossEntropy([a, b, c], 1), [
      0.5,
      -1,
      2,
    ]);
  });

  it("stays finite at logits of +-1000", () => {
    const z = values([1000, -1000]);
    const loss = softmaxCrossEntropy(z, 1);
    loss.backward({ checkFinite: true });
    // logsumexp = 1000 (e^-2000 vanishes), so the loss is 2000; grads [1, -1]
    assert.equal(loss.data, 2000);
    assert.deepEqual([z[0].grad, z[1].grad], [1, -1]);
    close(
      softmaxCrossEntropy(values([1000, 1000, -1000]), 0).data,
      Math.log(2),
    );
  });

  it("averages over a batch", () => {
    const a = values([1, 2, 3]);
    const b = values([0, 0]);
    const loss = softmaxCrossEntropy([a, b], [2, 0]);
    const total = Math.E + Math.E ** 2 + Math.E ** 3;
    close(loss.data, (Math.log(total) - 3 + Math.log(2)) / 2);
    assertGradcheck(
      (p, q, r, s) => softmaxCrossEntropy([[p, q], [r, s]], [0, 1]),
      [0.3, -0.2, 1.5, 1],
    );
  });

  it("rejects a class index out of range or not an integer", () => {
    assert.throws(() => softmaxCrossEntropy(values([1, 2]), 2), {
      name: "RangeError",
      message:
        "Cannot compute softmaxCrossEntropy: classIndex must be an integer in [0, 2), got 2",
    });
    assert.throws(() => softmaxCrossEntropy(values([1, 2]), 0.5), {
      name: "RangeError",
      message: /classIndex must be an integer in \[0, 2\), got 0.5/,
    });
    assert.throws(
      () => softmaxCrossEntropy(values([1, 2]), "0" as unknown as number),
      {
        name: "TypeError",
        message: /classIndex must be an integer, got string "0"/,
      },
    );
  });

  it("rejects a batch whose lengths differ, naming both, and empty logits", () => {
    assert.throws(
      () => softmaxCrossEntropy([values([1, 2]), values([3, 4])], [0]),
      {
        name: "RangeError",
        message:
          "Cannot compute softmaxCrossEntropy: got 2 examples of logits and 1 class indices",
      },
    );
    assert.throws(
      () => softmaxCrossEntropy([values([1, 2]), values([3])], [0, 1]),
      {
        name: "RangeError",
        message: /classIndex\[1\] must be an integer in \[0, 1\), got 1/,
      },
    );
    assert.throws(() => softmaxCrossEntropy([], 0), {
      name: "RangeError",
      message: "Cannot compute softmaxCrossEntropy: logits is empty",
    });
  });
});
