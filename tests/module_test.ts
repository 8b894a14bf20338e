import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Value } from "../engine/mod.ts";
import { Layer, MLP, Module, Neuron } from "../nn/mod.ts";

describe("Module.zeroGrad()", () => {
  it("sets every parameter's grad to 0 after backward accumulated into them", () => {
    for (const m of [new Neuron(2), new Layer(2, 3), new MLP(2, [3, 1])]) {
      const ps = m.parameters();
      for (const p of ps) p.grad = 1.5;
      m.zeroGrad();
      assert.ok(ps.every((p) => p.grad === 0));
    }
  });

  it("works for a subclass that only implements parameters()", () => {
    class Pair extends Module {
      a: Value = new Value(1);
      b: Value = new Value(2);
      parameters(): Value[] {
        return [this.a, this.b];
      }
    }
    const m = new Pair();
    m.a.mul(m.b).backward();
    assert.deepEqual([m.a.grad, m.b.grad], [2, 1]);
    m.zeroGrad();
    assert.deepEqual([m.a.grad, m.b.grad], [0, 0]);
  });
});
