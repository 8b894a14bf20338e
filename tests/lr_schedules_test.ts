import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Value } from "../engine/mod.ts";
import {
  cosineLR,
  type CosineLROptions,
  linearLR,
  type LinearLROptions,
  SGD,
  stepLR,
  type StepLROptions,
} from "../optim/mod.ts";
import ref from "./reference/optim_torch.json" with { type: "json" };

function schedule(kind: string, options: unknown): (step: number) => number {
  return kind === "step"
    ? stepLR(options as StepLROptions)
    : kind === "cosine"
    ? cosineLR(options as CosineLROptions)
    : linearLR(options as LinearLROptions);
}

describe("stepLR(), cosineLR(), linearLR()", () => {
  it("give the rates of torch's StepLR, CosineAnnealingLR and LinearLR, step by step", () => {
    for (const c of ref.schedules.cases) {
      const lr = schedule(c.kind, c.options);
      const base = (c.options as { lr: number }).lr;
      for (let step = 0; step < c.rates.length; step++) {
        const d = Math.abs(lr(step) - c.rates[step]);
        // torch updates the rate by a product each step; the closed form
        // differs from it by rounding only
        assert.ok(
          d <= 1e-13 * base,
          `${c.kind} ${JSON.stringify(c.options)} step ${step}: ${
            lr(step)
          }, torch ${c.rates[step]}`,
        );
      }
    }
  });

  it("drive an optimizer: SGD takes the rate of its step number", () => {
    const p = new Value(0);
    const opt = new SGD([p], {
      lr: stepLR({ lr: 1, stepSize: 2, gamma: 0.5 }),
    });
    const moves: number[] = [];
    for (let i = 0; i < 5; i++) {
      const before = p.data;
      p.grad = -1;
      opt.step();
      moves.push(p.data - before);
    }
    assert.deepEqual(moves, [1, 1, 0.5, 0.5, 0.25]);
  });
});

describe("stepLR()", () => {
  it("is lr * gamma^floor(step / stepSize), gamma 0.1 by default", () => {
    const lr = stepLR({ lr: 3, stepSize: 4 });
    assert.deepEqual([0, 3, 4, 7, 8].map(lr), [
      3,
      3,
      3 * 0.1,
      3 * 0.1,
      3 * 0.1 ** 2,
    ]);
  });

  it("rejects bad options, naming them", () => {
    assert.throws(() => stepLR({ lr: 1, stepSize: 0 }), {
      name: "RangeError",
      message: "Cannot create stepLR: stepSize must be an integer >= 1, got 0",
    });
    assert.throws(() => stepLR({ lr: 1, stepSize: 1.5 }), {
      name: "RangeError",
      message: /stepSize must be an integer >= 1, got 1.5/,
    });
    assert.throws(() => stepLR({ lr: 1 } as StepLROptions), {
      name: "TypeError",
      message: "Cannot create stepLR: stepSize must be a number, got undefined",
    });
    assert.throws(() => stepLR({ lr: 1, stepSize: 1, gamma: 0 }), {
      name: "RangeError",
      message: "Cannot create stepLR: gamma must be > 0, got 0",
    });
    assert.throws(() => stepLR({ lr: 1, stepSize: 1, gamma: Infinity }), {
      name: "RangeError",
      message: /gamma must be in \[0, Infinity\), got Infinity/,
    });
    assert.throws(() => stepLR({ lr: -1, stepSize: 1 }), {
      name: "RangeError",
      message: "Cannot create stepLR: lr must be a finite number > 0, got -1",
    });
    assert.throws(
      () => stepLR({ lr: 1, step_size: 2 } as unknown as StepLROptions),
      {
        name: "TypeError",
        message:
          'Cannot create stepLR: unknown option "step_size", expected one of lr, stepSize, gamma',
      },
    );
    assert.throws(() => stepLR(null as unknown as StepLROptions), {
      name: "TypeError",
      message:
        "Cannot create stepLR: options must be an object with lr, got null",
    });
  });
});

describe("cosineLR()", () => {
  it("falls from lr to minLr along half a cosine, then rises again as torch's", () => {
    const lr = cosineLR({ lr: 1, steps: 4, minLr: 0.2 });
    const expected = [1, 0.2 + 0.8 * (1 + Math.SQRT1_2) / 2, 0.6];
    for (let k = 0; k < 3; k++) {
      assert.ok(Math.abs(lr(k) - expected[k]) < 1e-15);
    }
    assert.ok(Math.abs(lr(4) - 0.2) < 1e-15);
    assert.ok(Math.abs(lr(6) - 0.6) < 1e-15);
    assert.ok(Math.abs(lr(8) - 1) < 1e-15);
  });

  it("rejects bad options, naming them", () => {
    assert.throws(() => cosineLR({ lr: 0.1, steps: 0 }), {
      name: "RangeError",
      message: "Cannot create cosineLR: steps must be an integer >= 1, got 0",
    });
    assert.throws(() => cosineLR({ lr: 0.1, steps: 10, minLr: 0.2 }), {
      name: "RangeError",
      message:
        "Cannot create cosineLR: minLr must be in [0, lr], got 0.2 with lr 0.1",
    });
    assert.throws(() => cosineLR({ lr: 0.1, steps: 10, minLr: -1 }), {
      name: "RangeError",
      message: /minLr must be in \[0, Infinity\), got -1/,
    });
    assert.throws(
      () => cosineLR({ lr: 0.1, T_max: 10 } as unknown as CosineLROptions),
      { name: "TypeError", message: /unknown option "T_max"/ },
    );
  });
});

describe("linearLR()", () => {
  it("ramps the factor from 1/3 to 1 by default, as torch's LinearLR", () => {
    const lr = linearLR({ lr: 3, steps: 2 });
    assert.ok(Math.abs(lr(0) - 1) < 1e-15);
    assert.ok(Math.abs(lr(1) - 2) < 1e-15);
    assert.equal(lr(2), 3);
    assert.equal(lr(50), 3);
  });

  it("is train's decay to a tenth with startFactor 1, endFactor 0.1", () => {
    const steps = 100;
    const lr = linearLR({ lr: 0.05, steps, startFactor: 1, endFactor: 0.1 });
    for (let k = 0; k <= steps; k++) {
      const old = 0.05 * (1 - 0.9 * k / steps);
      assert.ok(Math.abs(lr(k) - old) < 1e-16, `step ${k}`);
    }
  });

  it("rejects bad options, naming them", () => {
    assert.throws(() => linearLR({ lr: 1, steps: 5, startFactor: 0 }), {
      name: "RangeError",
      message: "Cannot create linearLR: startFactor must be in (0, 1], got 0",
    });
    assert.throws(() => linearLR({ lr: 1, steps: 5, startFactor: 2 }), {
      name: "RangeError",
      message: "Cannot create linearLR: startFactor must be in (0, 1], got 2",
    });
    assert.throws(() => linearLR({ lr: 1, steps: 5, endFactor: 1.5 }), {
      name: "RangeError",
      message: "Cannot create linearLR: endFactor must be in [0, 1], got 1.5",
    });
    assert.throws(
      () => linearLR({ lr: 1, steps: 5, endFactor: "1" as unknown as number }),
      {
        name: "TypeError",
        message:
          'Cannot create linearLR: endFactor must be a number, got string "1"',
      },
    );
  });
});

describe("a schedule called with a bad step", () => {
  it("throws, naming the schedule", () => {
    const schedules: [string, (step: number) => number][] = [
      ["stepLR", stepLR({ lr: 1, stepSize: 1 })],
      ["cosineLR", cosineLR({ lr: 1, steps: 1 })],
      ["linearLR", linearLR({ lr: 1, steps: 1 })],
    ];
    for (const [name, lr] of schedules) {
      for (const step of [-1, 0.5, NaN, Infinity]) {
        assert.throws(() => lr(step), {
          name: "RangeError",
          message:
            `Cannot compute the ${name} rate: step must be an integer >= 0, got ${step}`,
        });
      }
      assert.throws(() => lr("1" as unknown as number), {
        name: "TypeError",
        message:
          `Cannot compute the ${name} rate: step must be a number, got string "1"`,
      });
    }
  });
});
