import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Value } from "../engine/mod.ts";
import { type Activation, Neuron } from "../nn/mod.ts";

const data = (vs: readonly Value[]): number[] => vs.map((v) => v.data);

describe("new Neuron()", () => {
  it("draws nin weights in [-1, 1] and starts the bias at 0", () => {
    const n = new Neuron(50);
    assert.equal(n.w.length, 50);
    assert.ok(n.w.every((w) => w.data >= -1 && w.data <= 1));
    assert.equal(n.b.data, 0);
    // 50 uniform draws are not all on one side of 0 (chance 2^-49)
    assert.ok(n.w.some((w) => w.data < 0) && n.w.some((w) => w.data > 0));
  });

  it("is deterministic: no seed is the default seed 1337", () => {
    assert.deepEqual(data(new Neuron(5).w), data(new Neuron(5).w));
    assert.deepEqual(
      data(new Neuron(5).w),
      data(new Neuron(5, { seed: 1337 }).w),
    );
  });

  it("gives other weights for another seed", () => {
    assert.notDeepEqual(
      data(new Neuron(5, { seed: 1 }).w),
      data(new Neuron(5, { seed: 2 }).w),
    );
  });

  it("defaults to relu and keeps the activation given", () => {
    assert.equal(new Neuron(1).activation, "relu");
    assert.equal(new Neuron(1, { activation: "tanh" }).activation, "tanh");
  });

  it("rejects a size that is not a positive integer", () => {
    assert.throws(() => new Neuron(0), {
      name: "RangeError",
      message: "Cannot create Neuron: nin must be a positive integer, got 0",
    });
    assert.throws(() => new Neuron(1.5), {
      name: "RangeError",
      message: /nin must be a positive integer, got 1.5/,
    });
    assert.throws(() => new Neuron("2" as unknown as number), {
      name: "TypeError",
      message: /nin must be a positive integer, got string "2"/,
    });
  });

  it("rejects bad options, naming the option", () => {
    assert.throws(
      () => new Neuron(2, { activation: "gelu" as Activation }),
      {
        name: "RangeError",
        message:
          'Cannot create Neuron: activation must be one of "relu", "tanh", "sigmoid", "linear", got string "gelu"',
      },
    );
    assert.throws(() => new Neuron(2, { seed: 0.5 }), {
      name: "RangeError",
      message: "Cannot create Neuron: seed must be an integer, got 0.5",
    });
    assert.throws(() => new Neuron(2, { seed: "1" as unknown as number }), {
      name: "TypeError",
      message: /seed must be an integer, got string "1"/,
    });
    assert.throws(() => new Neuron(2, null as unknown as undefined), {
      name: "TypeError",
      message: "Cannot create Neuron: options must be an object, got null",
    });
  });
});

describe("Neuron.forward()", () => {
  const x = [0.5, -2, 1.5];
  // The closed form: act(b + w·x), with w and b read back from the neuron.
  const pre = (n: Neuron): number =>
    n.b.data + n.w[0].data * x[0] + n.w[1].data * x[1] + n.w[2].data * x[2];

  it("computes act(b + w·x) for each activation", () => {
    const acts: [Activation, (z: number) => number][] = [
      ["relu", (z) => Math.max(0, z)],
      ["tanh", Math.tanh],
      ["sigmoid", (z) => 1 / (1 + Math.exp(-z))],
      ["linear", (z) => z],
    ];
    for (const [activation, f] of acts) {
      for (const seed of [1, 2, 3, 4]) {
        const n = new Neuron(3, { activation, seed });
        n.b.data = 0.25;
        const y = n.forward(x);
        assert.ok(Math.abs(y.data - f(pre(n))) < 1e-12, activation);
      }
    }
  });

  it("builds one sum node over the bias and the products, then the activation", () => {
    const n = new Neuron(3, { activation: "tanh" });
    const y = n.forward(x);
    assert.equal(y.op, "tanh");
    const s = y.inputs[0];
    assert.equal(s.op, "sum");
    assert.equal(s.inputs.length, 4);
    assert.equal(s.inputs[0], n.b);
    assert.deepEqual(s.inputs.slice(1).map((v) => v.op), ["mul", "mul", "mul"]);
    assert.equal(
      new Neuron(2, { activation: "linear" }).forward([1, 2]).op,
      "sum",
    );
  });

  it("routes (1 - y²) x[i] to w[i] and (1 - y²) to b (tanh)", () => {
    const n = new Neuron(3, { activation: "tanh" });
    const y = n.forward(x);
    y.backward();
    const d = 1 - y.data ** 2;
    for (let i = 0; i < 3; i++) {
      assert.ok(Math.abs(n.w[i].grad - d * x[i]) < 1e-12);
    }
    assert.ok(Math.abs(n.b.grad - d) < 1e-12);
  });

  it("takes Values as inputs and sends them w[i] times the upstream gradient", () => {
    const n = new Neuron(2, { activation: "linear" });
    const xs = [new Value(1), new Value(2)];
    n.forward(xs).backward();
    assert.deepEqual([xs[0].grad, xs[1].grad], [n.w[0].data, n.w[1].data]);
  });

  it("rejects a wrong input length, naming both lengths", () => {
    assert.throws(() => new Neuron(2).forward([1, 2, 3]), {
      name: "RangeError",
      message: "Cannot run Neuron.forward(): expected 2 inputs, got 3",
    });
    assert.throws(() => new Neuron(1).forward([]), {
      name: "RangeError",
      message: /expected 1 input, got 0/,
    });
    assert.throws(() => new Neuron(1).forward(3 as unknown as number[]), {
      name: "TypeError",
      message: "Cannot run Neuron.forward(): x must be an array, got 3",
    });
  });

  it("names itself and the input when an element is not a Value or a number", () => {
    const n = new Neuron(2);
    assert.throws(() => n.forward([1, "2" as unknown as number]), {
      name: "TypeError",
      message:
        'Cannot run Neuron.forward(): input 1 must be a Value or a number, got string "2"',
    });
    assert.throws(() => n.forward([NaN, 1]), {
      name: "RangeError",
      message: "Cannot run Neuron.forward(): input 0 must be finite, got NaN",
    });
  });
});

describe("Neuron.parameters()", () => {
  it("lists the weights, then the bias", () => {
    const n = new Neuron(3);
    const ps = n.parameters();
    assert.equal(ps.length, 4);
    assert.deepEqual(ps, [n.w[0], n.w[1], n.w[2], n.b]);
    assert.notEqual(n.parameters(), ps); // a new array each call
  });
});

describe("Neuron.toString()", () => {
  it("prints micrograd's repr with the activation and nin", () => {
    assert.equal(String(new Neuron(2)), "ReLUNeuron(2)");
    assert.equal(
      String(new Neuron(3, { activation: "tanh" })),
      "TanhNeuron(3)",
    );
    assert.equal(
      String(new Neuron(1, { activation: "sigmoid" })),
      "SigmoidNeuron(1)",
    );
    assert.equal(
      String(new Neuron(4, { activation: "linear" })),
      "LinearNeuron(4)",
    );
  });
});
