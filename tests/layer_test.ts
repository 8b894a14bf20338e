import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Layer } from "../nn/mod.ts";

describe("new Layer()", () => {
  it("makes nout neurons of nin inputs with the given activation", () => {
    const layer = new Layer(3, 4, { activation: "sigmoid" });
    assert.equal(layer.neurons.length, 4);
    for (const n of layer.neurons) {
      assert.equal(n.w.length, 3);
      assert.equal(n.activation, "sigmoid");
    }
    assert.equal(new Layer(1, 1).neurons[0].activation, "relu");
  });

  it("gives each neuron its own weights, the same on every run", () => {
    const a = new Layer(2, 3);
    const w = (l: Layer): number[][] =>
      l.neurons.map((n) => n.w.map((v) => v.data));
    assert.notDeepEqual(w(a)[0], w(a)[1]);
    assert.deepEqual(w(a), w(new Layer(2, 3)));
    assert.notDeepEqual(w(a), w(new Layer(2, 3, { seed: 9 })));
  });

  it("rejects sizes that are not positive integers, naming the size", () => {
    assert.throws(() => new Layer(2, 0), {
      name: "RangeError",
      message: "Cannot create Layer: nout must be a positive integer, got 0",
    });
    assert.throws(() => new Layer(-1, 2), {
      name: "RangeError",
      message: "Cannot create Layer: nin must be a positive integer, got -1",
    });
  });
});

describe("Layer.forward()", () => {
  it("returns each neuron's output on the same inputs", () => {
    const layer = new Layer(2, 3, { activation: "tanh" });
    const ys = layer.forward([0.5, -1]);
    assert.deepEqual(
      ys.map((y) => y.data),
      layer.neurons.map((n) => n.forward([0.5, -1]).data),
    );
  });

  it("rejects a wrong input length, naming both lengths", () => {
    assert.throws(() => new Layer(2, 3).forward([1]), {
      name: "RangeError",
      message: "Cannot run Layer.forward(): expected 2 inputs, got 1",
    });
  });

  it("rejects an input that is not a Value or a finite number", () => {
    assert.throws(
      () => new Layer(2, 3).forward([1, "2" as unknown as number]),
      {
        name: "TypeError",
        message:
          'Cannot run Layer.forward(): input 1 must be a Value or a number, got string "2"',
      },
    );
    assert.throws(() => new Layer(2, 3).forward([NaN, 1]), {
      name: "RangeError",
      message: "Cannot run Layer.forward(): input 0 must be finite, got NaN",
    });
  });
});

describe("Layer.parameters()", () => {
  it("lists nout * (nin + 1) Values, neuron by neuron", () => {
    const layer = new Layer(3, 2);
    const ps = layer.parameters();
    assert.equal(ps.length, 8);
    assert.deepEqual(ps, [
      ...layer.neurons[0].parameters(),
      ...layer.neurons[1].parameters(),
    ]);
  });
});

describe("Layer.toString()", () => {
  it("prints micrograd's repr", () => {
    assert.equal(
      String(new Layer(2, 2, { activation: "tanh" })),
      "Layer of [TanhNeuron(2), TanhNeuron(2)]",
    );
  });
});
