import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Value } from "../engine/mod.ts";
import { type Activation, MLP, type MLPJSON, mse } from "../nn/mod.ts";

const data = (vs: readonly Value[]): number[] => vs.map((v) => v.data);
const ACTIVATIONS: Activation[] = ["relu", "tanh", "sigmoid", "linear"];

/** Points spread over [-3, 3]² (fixed, no randomness). */
function grid(n: number): number[][] {
  const xs: number[][] = [];
  for (let i = 0; i < n; i++) {
    xs.push([3 * Math.sin(1.7 * i + 0.3), 3 * Math.cos(2.3 * i)]);
  }
  return xs;
}

/** A few SGD steps so the weights (biases too) are not the initial ones. */
function train(model: MLP, steps: number): void {
  const xs = grid(8);
  const ys = xs.map(([a, b]) => a * b > 0 ? 1 : -1);
  for (let s = 0; s < steps; s++) {
    const loss = mse(xs.map((x) => model.forward(x)[0]), ys);
    model.zeroGrad();
    loss.backward();
    for (const p of model.parameters()) p.data -= 0.01 * p.grad;
  }
}

describe("new MLP()", () => {
  it("has (nin + 1) * nout parameters per layer", () => {
    assert.equal(
      new MLP(2, [16, 16, 1]).parameters().length,
      3 * 16 + 17 * 16 + 17,
    );
    assert.equal(new MLP(3, [4, 4, 1]).parameters().length, 41);
    assert.equal(new MLP(1, [1]).parameters().length, 2);
  });

  it("chains the layer sizes nin -> nouts[0] -> ... and keeps nin, nouts", () => {
    const model = new MLP(3, [4, 5, 2]);
    assert.deepEqual(
      model.layers.map((l) => [l.neurons[0].w.length, l.neurons.length]),
      [[3, 4], [4, 5], [5, 2]],
    );
    assert.equal(model.nin, 3);
    assert.deepEqual(model.nouts, [4, 5, 2]);
  });

  it("uses the activation on hidden layers and a linear last layer", () => {
    const model = new MLP(2, [3, 3, 2], { activation: "tanh" });
    const acts = model.layers.map((l) => l.neurons.map((n) => n.activation));
    assert.deepEqual(acts, [
      ["tanh", "tanh", "tanh"],
      ["tanh", "tanh", "tanh"],
      ["linear", "linear"],
    ]);
    assert.equal(new MLP(2, [3, 1]).layers[0].neurons[0].activation, "relu");
  });

  it("initialises weights in [-1, 1] and biases at 0, the same on every run", () => {
    const model = new MLP(2, [16, 16, 1]);
    for (const l of model.layers) {
      for (const n of l.neurons) {
        assert.equal(n.b.data, 0);
        assert.ok(n.w.every((w) => w.data >= -1 && w.data <= 1));
      }
    }
    assert.deepEqual(
      data(model.parameters()),
      data(new MLP(2, [16, 16, 1]).parameters()),
    );
    assert.deepEqual(
      data(model.parameters()),
      data(new MLP(2, [16, 16, 1], { seed: 1337 }).parameters()),
    );
  });

  it("gives other weights for another seed, and different weights per neuron and layer", () => {
    const a = data(new MLP(2, [4, 4, 1], { seed: 1 }).parameters());
    const b = data(new MLP(2, [4, 4, 1], { seed: 2 }).parameters());
    assert.notDeepEqual(a, b);
    const weights = a.filter((w) => w !== 0); // drop the biases
    assert.equal(new Set(weights).size, weights.length);
  });

  it("rejects bad sizes, naming the field", () => {
    assert.throws(() => new MLP(0, [1]), {
      name: "RangeError",
      message: "Cannot create MLP: nin must be a positive integer, got 0",
    });
    assert.throws(() => new MLP(2, []), {
      name: "RangeError",
      message: "Cannot create MLP: nouts must not be empty",
    });
    assert.throws(() => new MLP(2, [3, 0]), {
      name: "RangeError",
      message: "Cannot create MLP: nouts[1] must be a positive integer, got 0",
    });
    assert.throws(() => new MLP(2, 3 as unknown as number[]), {
      name: "TypeError",
      message: "Cannot create MLP: nouts must be an array, got 3",
    });
    assert.throws(() => new MLP(2, [1], { activation: "elu" as Activation }), {
      name: "RangeError",
      message: /Cannot create MLP: activation must be one of/,
    });
  });
});

describe("MLP.forward()", () => {
  it("feeds each layer's outputs to the next", () => {
    const model = new MLP(2, [3, 2], { activation: "tanh" });
    const x = [0.3, -0.7];
    const h = model.layers[0].forward(x);
    const expected = model.layers[1].forward(h).map((v) => v.data);
    assert.deepEqual(data(model.forward(x)), expected);
  });

  it("builds a graph that backward() reaches every parameter through", () => {
    const model = new MLP(2, [4, 1], { activation: "tanh" });
    model.forward([1, -1])[0].backward();
    assert.ok(model.parameters().every((p) => p.grad !== 0));
  });

  it("rejects a wrong input length, naming both lengths", () => {
    assert.throws(() => new MLP(2, [3, 1]).forward([1, 2, 3]), {
      name: "RangeError",
      message: "Cannot run MLP.forward(): expected 2 inputs, got 3",
    });
  });

  it("rejects inputs that are not Values or finite numbers", () => {
    const model = new MLP(2, [1]);
    assert.throws(() => model.forward([1, null as unknown as number]), {
      name: "TypeError",
      message:
        "Cannot run MLP.forward(): input 1 must be a Value or a number, got null",
    });
    assert.throws(() => model.forward([Infinity, 1]), {
      name: "RangeError",
      message: "Cannot run MLP.forward(): input 0 must be finite, got Infinity",
    });
  });
});

describe("MLP.predict()", () => {
  it("equals forward(x)[k].data exactly, for every activation", () => {
    for (const activation of ACTIVATIONS) {
      const model = new MLP(2, [16, 16, 3], { activation, seed: 5 });
      train(model, 3);
      for (const x of grid(50)) {
        const expected = data(model.forward(x));
        const got = model.predict(x);
        for (let k = 0; k < 3; k++) assert.ok(Object.is(got[k], expected[k]));
      }
    }
  });

  it("returns plain numbers in a new array each call, touching no gradient", () => {
    const model = new MLP(2, [4, 2]);
    for (const p of model.parameters()) p.grad = 0.5;
    const a = model.predict([1, 2]);
    const b = model.predict([1, 2]);
    assert.notEqual(a, b);
    assert.deepEqual(a, b);
    assert.ok(a.every((y) => typeof y === "number"));
    assert.ok(model.parameters().every((p) => p.grad === 0.5));
  });

  it("rejects a wrong length and inputs that are not finite numbers", () => {
    const model = new MLP(2, [1]);
    assert.throws(() => model.predict([1]), {
      name: "RangeError",
      message: "Cannot run MLP.predict(): expected 2 inputs, got 1",
    });
    assert.throws(() => model.predict([1, new Value(2) as unknown as number]), {
      name: "TypeError",
      message:
        "Cannot run MLP.predict(): input 1 must be a number, got an object",
    });
    assert.throws(() => model.predict([NaN, 1]), {
      name: "RangeError",
      message: "Cannot run MLP.predict(): input 0 must be finite, got NaN",
    });
  });
});

describe("MLP.toString()", () => {
  it("prints micrograd's repr", () => {
    assert.equal(
      String(new MLP(2, [2, 1])),
      "MLP of [Layer of [ReLUNeuron(2), ReLUNeuron(2)], Layer of [LinearNeuron(2)]]",
    );
  });
});

describe("MLP.toJSON()", () => {
  it("holds the format, version, shape, activation and weights in parameters() order", () => {
    const model = new MLP(2, [3, 1], { activation: "sigmoid" });
    const json = model.toJSON();
    assert.deepEqual(json, {
      format: "micrograd.mlp",
      version: 1,
      nin: 2,
      nouts: [3, 1],
      activation: "sigmoid",
      weights: data(model.parameters()),
    });
  });

  it("throws a RangeError naming a weight that is NaN or infinite", () => {
    // MLP(2, [3, 1]): layer 0 holds 3 neurons of (w0, w1, b) = 9 parameters,
    // so parameter 12 is the bias of layer 1's only neuron.
    const model = new MLP(2, [3, 1]);
    model.parameters()[12].data = Infinity;
    assert.throws(() => model.toJSON(), {
      name: "RangeError",
      message:
        /Cannot save MLP to JSON: weights\[12\] \(layer 1, neuron 0, b\) is Infinity/,
    });
    model.parameters()[12].data = 0;
    model.parameters()[1].data = NaN;
    assert.throws(() => JSON.stringify(model), {
      name: "RangeError",
      message: /weights\[1\] \(layer 0, neuron 0, w\[1\]\) is NaN/,
    });
  });

  it("keeps -0 through JSON text", () => {
    const model = new MLP(2, [3, 1]);
    model.parameters()[2].data = -0;
    const text = JSON.stringify(model);
    assert.ok(Object.is(JSON.parse(text).weights[2], -0), text);
    assert.ok(Object.is(MLP.fromJSON(text).parameters()[2].data, -0));
    assert.ok(Object.is(model.toJSON().weights[2], -0));
  });
});

describe("MLP.fromJSON()", () => {
  it("round-trips through JSON text with bit-identical outputs", () => {
    for (const activation of ACTIVATIONS) {
      const model = new MLP(2, [8, 8, 2], { activation, seed: 11 });
      train(model, 5);
      const text = JSON.stringify(model);
      for (const copy of [MLP.fromJSON(JSON.parse(text)), MLP.fromJSON(text)]) {
        assert.equal(copy.activation, activation);
        assert.deepEqual(data(copy.parameters()), data(model.parameters()));
        for (const x of grid(20)) {
          const a = model.predict(x);
          const b = copy.predict(x);
          assert.ok(Object.is(a[0], b[0]) && Object.is(a[1], b[1]));
        }
      }
    }
  });

  it("accepts and ignores a meta object", () => {
    const json = { ...new MLP(2, [3, 1]).toJSON(), meta: { loss: "hinge" } };
    const copy = MLP.fromJSON(JSON.parse(JSON.stringify(json)));
    assert.deepEqual(copy.toJSON().weights, json.weights);
  });

  const valid = (): MLPJSON => new MLP(2, [3, 1]).toJSON(); // 13 weights
  const without = (field: string): Record<string, unknown> => {
    const json: Record<string, unknown> = { ...valid() };
    delete json[field];
    return json;
  };
  const cases: [string, unknown, string, RegExp][] = [
    ["null", null, "TypeError", /expected an object, got null/],
    ["a number", 3, "TypeError", /expected an object, got 3/],
    ["an array", [], "TypeError", /expected an object, got an array/],
    ["text that is not JSON", "{", "TypeError", /the text is not valid JSON/],
    [
      "missing format",
      without("format"),
      "TypeError",
      /field "format" is missing/,
    ],
    [
      "missing version",
      without("version"),
      "TypeError",
      /field "version" is missing/,
    ],
    ["missing nin", without("nin"), "TypeError", /field "nin" is missing/],
    [
      "missing nouts",
      without("nouts"),
      "TypeError",
      /field "nouts" is missing/,
    ],
    [
      "missing activation",
      without("activation"),
      "TypeError",
      /field "activation" is missing/,
    ],
    [
      "missing weights",
      without("weights"),
      "TypeError",
      /field "weights" is missing/,
    ],
    [
      "an unknown field",
      { ...valid(), extra: 1 },
      "TypeError",
      /unexpected field "extra"/,
    ],
    [
      "a meta field that is not an object",
      { ...valid(), meta: "x" },
      "TypeError",
      /meta must be an object, got string "x"/,
    ],
    [
      "a constructor key",
      { ...valid(), constructor: {} },
      "TypeError",
      /unexpected field "constructor"/,
    ],
    [
      "a wrong format",
      { ...valid(), format: "torch" },
      "RangeError",
      /format must be "micrograd.mlp", got string "torch"/,
    ],
    [
      "a format that is not a string",
      { ...valid(), format: 1 },
      "TypeError",
      /format must be a string, got 1/,
    ],
    [
      "version 2",
      { ...valid(), version: 2 },
      "RangeError",
      /version must be 1, got 2/,
    ],
    [
      "version as a string",
      { ...valid(), version: "1" },
      "TypeError",
      /version must be a number, got string "1"/,
    ],
    [
      "nin 0",
      { ...valid(), nin: 0 },
      "RangeError",
      /nin must be a positive integer, got 0/,
    ],
    [
      "nin 1.5",
      { ...valid(), nin: 1.5 },
      "RangeError",
      /nin must be a positive integer, got 1.5/,
    ],
    [
      "nin as a string",
      { ...valid(), nin: "2" },
      "TypeError",
      /nin must be a positive integer, got string "2"/,
    ],
    [
      "a huge nin",
      { ...valid(), nin: 2 ** 30 },
      "RangeError",
      /nin must be at most 1048576, got 1073741824/,
    ],
    [
      "nouts not an array",
      { ...valid(), nouts: 3 },
      "TypeError",
      /nouts must be an array, got 3/,
    ],
    [
      "empty nouts",
      { ...valid(), nouts: [] },
      "RangeError",
      /nouts must hold 1 to 1024 sizes, got 0/,
    ],
    [
      "too many layers",
      { ...valid(), nouts: new Array(2000).fill(1) },
      "RangeError",
      /nouts must hold 1 to 1024 sizes, got 2000/,
    ],
    [
      "a size of 0",
      { ...valid(), nouts: [3, 0] },
      "RangeError",
      /nouts\[1\] must be a positive integer, got 0/,
    ],
    [
      "a size as a string",
      { ...valid(), nouts: ["3", 1] },
      "TypeError",
      /nouts\[0\] must be a positive integer, got string "3"/,
    ],
    [
      "a huge size",
      { ...valid(), nouts: [1e9, 1] },
      "RangeError",
      /nouts\[0\] must be at most 1048576, got 1000000000/,
    ],
    [
      "an unknown activation",
      { ...valid(), activation: "gelu" },
      "RangeError",
      /activation must be one of "relu", "tanh", "sigmoid", "linear", got string "gelu"/,
    ],
    [
      "an activation that is not a string",
      { ...valid(), activation: null },
      "TypeError",
      /activation must be a string, got null/,
    ],
    [
      "weights not an array",
      { ...valid(), weights: {} },
      "TypeError",
      /weights must be an array, got an object/,
    ],
    [
      "too few weights",
      { ...valid(), weights: [1, 2] },
      "RangeError",
      /weights must hold 13 numbers for nin 2 and nouts \[3, 1\], got 2/,
    ],
    [
      "too many weights",
      { ...valid(), weights: new Array(14).fill(0) },
      "RangeError",
      /weights must hold 13 numbers for nin 2 and nouts \[3, 1\], got 14/,
    ],
    [
      "a weight that is a string",
      { ...valid(), weights: [...valid().weights.slice(0, 12), "1"] },
      "TypeError",
      /weights\[12\] must be a number, got string "1"/,
    ],
    [
      "a null weight",
      { ...valid(), weights: [null, ...valid().weights.slice(1)] },
      "TypeError",
      /weights\[0\] must be a number, got null/,
    ],
    [
      "a NaN weight",
      { ...valid(), weights: [NaN, ...valid().weights.slice(1)] },
      "RangeError",
      /weights\[0\] must be finite, got NaN/,
    ],
    [
      "an infinite weight",
      {
        ...valid(),
        weights: [
          ...valid().weights.slice(0, 5),
          Infinity,
          ...valid().weights.slice(6),
        ],
      },
      "RangeError",
      /weights\[5\] must be finite, got Infinity/,
    ],
  ];
  for (const [what, json, name, message] of cases) {
    it(`rejects ${what}, naming the field`, () => {
      assert.throws(() => MLP.fromJSON(json), { name, message });
    });
  }

  it("rejects a __proto__ key from JSON.parse and leaves Object.prototype alone", () => {
    const text = JSON.stringify(valid()).replace(
      /^\{/,
      '{"__proto__":{"polluted":true},',
    );
    assert.throws(() => MLP.fromJSON(text), {
      name: "TypeError",
      message: 'Cannot load MLP from JSON: unexpected field "__proto__"',
    });
    assert.throws(() => MLP.fromJSON(JSON.parse(text)), {
      name: "TypeError",
      message: /unexpected field "__proto__"/,
    });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it("rejects an object whose fields come from its prototype", () => {
    const json = Object.create(valid());
    assert.throws(() => MLP.fromJSON(json), {
      name: "TypeError",
      message:
        "Cannot load MLP from JSON: expected a plain object, got an object with a custom prototype",
    });
  });

  it("accepts a null-prototype object", () => {
    const json = Object.assign(Object.create(null), valid());
    assert.deepEqual(MLP.fromJSON(json).toJSON(), valid());
  });
});
