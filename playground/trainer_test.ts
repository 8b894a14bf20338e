import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { makeMoons } from "../examples/datasets.ts";
import { boundsOf, classOf, lossProblem, Trainer } from "./trainer.ts";

const moons = (): { x: number[][]; y: number[]; classes: number } =>
  makeMoons(100);
const MODEL = {
  hidden: [16, 16],
  activation: "relu" as const,
  loss: "hinge" as const,
  seed: 1337,
};
const STEP = { optimizer: "adam" as const, lr: 0.05, batchSize: 0 };

describe("Trainer", () => {
  it("fits two moons to 95% or more within 100 full-batch Adam steps", () => {
    const t = new Trainer(moons(), MODEL, STEP);
    const first = t.accuracy();
    let loss = Infinity;
    while (t.accuracy() < 0.95 && t.steps < 100) loss = t.step();
    assert.ok(t.accuracy() >= 0.95, `accuracy ${t.accuracy()}`);
    assert.ok(first < 0.95);
    assert.ok(Number.isFinite(loss));
  });

  it("replays a compiled tape on full batches, bit for bit as building the graph", () => {
    for (const loss of ["hinge", "mse"] as const) {
      const replayed = new Trainer(moons(), { ...MODEL, loss }, STEP);
      const built = new Trainer(moons(), { ...MODEL, loss }, STEP);
      built.useCompile = false;
      assert.equal(replayed.compiled, true);
      assert.equal(built.compiled, false);
      const a: number[] = [], b: number[] = [];
      for (let i = 0; i < 15; i++) {
        a.push(replayed.step());
        b.push(built.step());
      }
      // A new point changes the graph: the tape is recorded again.
      replayed.addPoint(0.5, 0.25, 1);
      built.addPoint(0.5, 0.25, 1);
      for (let i = 0; i < 5; i++) {
        a.push(replayed.step());
        b.push(built.step());
      }
      assert.deepEqual(a, b, loss);
      assert.deepEqual(
        replayed.model.parameters().map((p) => p.data),
        built.model.parameters().map((p) => p.data),
      );
    }
  });

  it("builds the graph each step for random batches and bce or ce", () => {
    assert.equal(
      new Trainer(moons(), MODEL, { ...STEP, batchSize: 10 }).compiled,
      false,
    );
    assert.equal(
      new Trainer(moons(), { ...MODEL, loss: "bce" }, STEP).compiled,
      false,
    );
    assert.equal(
      new Trainer(moons(), { ...MODEL, loss: "ce" }, STEP).compiled,
      false,
    );
    const t = new Trainer(moons(), MODEL, { ...STEP, batchSize: 10 });
    t.setStepConfig({ ...STEP, batchSize: 0 });
    assert.equal(t.compiled, true);
  });

  it("trains with cross-entropy on 3 classes and every optimizer", () => {
    const data = {
      x: [[0, 0], [0, 0.1], [3, 3], [3, 3.1], [-3, 3], [-3, 3.1]],
      y: [0, 0, 1, 1, 2, 2],
      classes: 3,
    };
    for (const optimizer of ["sgd", "adam", "adamw"] as const) {
      const t = new Trainer(data, { ...MODEL, hidden: [8], loss: "ce" }, {
        optimizer,
        lr: 0.1,
        batchSize: 4,
      });
      const before = t.step();
      for (let i = 0; i < 150; i++) t.step();
      assert.ok(t.step() < before, optimizer);
    }
  });

  it("changes optimizer and learning rate while training", () => {
    const t = new Trainer(moons(), MODEL, STEP);
    t.step();
    t.setStepConfig({ optimizer: "sgd", lr: 0.5, batchSize: 10 });
    assert.ok(Number.isFinite(t.step()));
    assert.equal(t.steps, 2);
  });

  it("adds points and rejects a class out of range", () => {
    const t = new Trainer(moons(), MODEL, STEP);
    t.addPoint(0.5, 0.5, 1);
    assert.equal(t.points.x.length, 101);
    assert.deepEqual(t.points.x[100], [0.5, 0.5]);
    assert.throws(() => t.addPoint(0, 0, 2), {
      name: "RangeError",
      message: "Cannot add point: class must be 0 to 1, got 2",
    });
  });

  it("refuses a 2-class loss on 3 classes", () => {
    const data = { x: [[0, 0], [1, 1], [2, 2]], y: [0, 1, 2], classes: 3 };
    assert.throws(() => new Trainer(data, MODEL, STEP), {
      name: "RangeError",
      message:
        "Cannot train: hinge needs 2 classes, the data has 3: choose cross-entropy",
    });
  });

  it("encodes each grid cell as class + confidence", () => {
    const t = new Trainer(moons(), MODEL, STEP);
    const grid = t.grid({ xmin: -1, xmax: 1, ymin: -1, ymax: 1 }, 4);
    assert.equal(grid.length, 16);
    for (const cell of grid) {
      const k = Math.floor(cell);
      assert.ok(k === 0 || k === 1);
      assert.ok(cell - k >= 0 && cell - k < 1);
    }
    // The top-left cell's centre is (-0.75, 0.75).
    assert.equal(Math.floor(grid[0]), classOf(t.model.predict([-0.75, 0.75])));
  });
});

describe("boundsOf()", () => {
  it("is the square around the points with a 0.5 margin", () => {
    // Centre (1, 0.5); half side max(2, 1) / 2 + 0.5 = 1.5.
    assert.deepEqual(boundsOf([[0, 0], [2, 1]]), {
      xmin: -0.5,
      xmax: 2.5,
      ymin: -1,
      ymax: 2,
    });
  });
});

describe("classOf() and lossProblem()", () => {
  it("reads one score by its sign, several by argmax", () => {
    assert.deepEqual([classOf([0.1]), classOf([-0.1]), classOf([0])], [
      1,
      0,
      0,
    ]);
    assert.equal(classOf([0.1, 3, -2]), 1);
  });

  it("accepts cross-entropy anywhere and the others on 2 classes", () => {
    assert.equal(lossProblem("ce", 3), "");
    assert.equal(lossProblem("mse", 2), "");
    assert.equal(
      lossProblem("bce", 3),
      "bce needs 2 classes, the data has 3: choose cross-entropy",
    );
  });
});
