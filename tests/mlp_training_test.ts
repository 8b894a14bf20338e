import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MLP, mse } from "../nn/mod.ts";
import { Adam, type Optimizer, SGD } from "../optim/mod.ts";

// The dataset of Karpathy's micrograd lecture ("The spelled-out intro to
// neural networks and backpropagation").
const xs = [[2, 3, -1], [3, -1, 0.5], [0.5, 1, 1], [1, 1, -1]];
const ys = [1, -1, -1, 1];

/** Trains with `opt` for `steps` steps; returns the mse after each step. */
function train(model: MLP, opt: Optimizer, steps: number): number[] {
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const loss = mse(xs.map((x) => model.forward(x)[0]), ys);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    let sq = 0; // the mse after the step, in plain numbers
    for (let i = 0; i < xs.length; i++) {
      sq += (model.predict(xs[i])[0] - ys[i]) ** 2;
    }
    losses.push(sq / xs.length);
  }
  return losses;
}

describe("MLP(3, [4, 4, 1]) on the lecture's dataset", () => {
  it("trains to mse < 0.01 with SGD", () => {
    const model = new MLP(3, [4, 4, 1], { activation: "tanh" });
    const losses = train(model, new SGD(model.parameters(), { lr: 0.05 }), 200);
    assert.ok(losses[199] < 0.01, `mse after 200 steps: ${losses[199]}`);
    assert.ok(losses[199] < losses[0]);
  });

  it("trains to mse < 0.01 with Adam", () => {
    const model = new MLP(3, [4, 4, 1], { activation: "tanh" });
    const losses = train(
      model,
      new Adam(model.parameters(), { lr: 0.01 }),
      200,
    );
    assert.ok(losses[199] < 0.01, `mse after 200 steps: ${losses[199]}`);
  });

  it("predicts the sign of every target after training", () => {
    const model = new MLP(3, [4, 4, 1], { activation: "tanh" });
    train(model, new SGD(model.parameters(), { lr: 0.05, momentum: 0.9 }), 100);
    for (let i = 0; i < xs.length; i++) {
      assert.equal(Math.sign(model.predict(xs[i])[0]), ys[i]);
    }
  });
});
