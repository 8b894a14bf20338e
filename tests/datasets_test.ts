import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  type Dataset,
  datasetFromRows,
  GENERATORS,
  makeBlobs,
  makeCircles,
  makeDataset,
  makeMoons,
  makeSpiral,
  makeXor,
  MAX_CLASSES,
} from "../examples/datasets.ts";

const close = (a: number, b: number, tol = 1e-9): boolean =>
  Math.abs(a - b) <= tol;

function counts(data: Dataset): number[] {
  const out = new Array(data.classes).fill(0);
  for (const k of data.y) out[k]++;
  return out;
}

describe("makeMoons()", () => {
  it("makes n 2-D points, the lower moon taking the larger half", () => {
    const data = makeMoons(101);
    assert.equal(data.x.length, 101);
    assert.equal(data.y.length, 101);
    assert.ok(data.x.every((p) => p.length === 2));
    assert.deepEqual(counts(data), [50, 51]);
    assert.deepEqual([data.classes, data.labels], [2, ["0", "1"]]);
  });

  it("puts the points on the two half circles when noise is 0", () => {
    // Upper moon: the unit circle, y >= 0. Lower moon: the unit circle
    // centred at (1, 0.5), y <= 0.5 (sklearn's make_moons).
    const data = makeMoons(40, { noise: 0 });
    for (let i = 0; i < data.x.length; i++) {
      const [x, y] = data.x[i];
      if (data.y[i] === 0) {
        assert.ok(close(x * x + y * y, 1) && y >= -1e-12, `${x}, ${y}`);
      } else {
        assert.ok(close((x - 1) ** 2 + (y - 0.5) ** 2, 1) && y <= 0.5 + 1e-12);
      }
    }
  });

  it("gives the same points for the same seed and others for another", () => {
    assert.deepEqual(makeMoons(30, { seed: 7 }), makeMoons(30, { seed: 7 }));
    assert.notDeepEqual(makeMoons(30, { seed: 7 }).x, makeMoons(30).x);
  });

  it("shuffles the classes", () => {
    const { y } = makeMoons(100);
    assert.notDeepEqual(y, [...y].sort());
  });

  it("rejects too few samples and negative noise", () => {
    assert.throws(() => makeMoons(1), {
      name: "RangeError",
      message: /samples must be an integer >= 2 \(one per class\), got 1/,
    });
    assert.throws(() => makeMoons(10, { noise: -0.1 }), {
      name: "RangeError",
      message: /noise must be a finite number >= 0, got -0.1/,
    });
  });
});

describe("makeCircles()", () => {
  it("puts class 0 on the unit circle and class 1 on radius 0.5", () => {
    const data = makeCircles(30, { noise: 0 });
    assert.deepEqual(counts(data), [15, 15]);
    for (let i = 0; i < data.x.length; i++) {
      const r = Math.hypot(data.x[i][0], data.x[i][1]);
      assert.ok(close(r, data.y[i] === 0 ? 1 : 0.5), `radius ${r}`);
    }
  });
});

describe("makeSpiral()", () => {
  it("deals the points out over k arms", () => {
    const data = makeSpiral(100, { classes: 3 });
    assert.deepEqual(counts(data), [34, 33, 33]);
    assert.deepEqual(data.labels, ["0", "1", "2"]);
  });

  it("puts arm j at angle 4j + 4r when noise is 0", () => {
    // A point (r sin t, r cos t): atan2(x, y) = t modulo 2 pi, r = |p|.
    const data = makeSpiral(30, { classes: 3, noise: 0 });
    for (let i = 0; i < data.x.length; i++) {
      const [x, y] = data.x[i];
      const r = Math.hypot(x, y);
      assert.ok(r <= 1 + 1e-12);
      if (r < 1e-9) continue; // the centre has no angle
      const t = 4 * data.y[i] + 4 * r;
      const turn = (Math.atan2(x, y) - t) / (2 * Math.PI);
      assert.ok(close(turn, Math.round(turn), 1e-9), `class ${data.y[i]}`);
    }
  });

  it("rejects fewer than 2 classes or fewer samples than classes", () => {
    assert.throws(() => makeSpiral(10, { classes: 1 }), {
      name: "RangeError",
      message: /classes must be an integer >= 2, got 1/,
    });
    assert.throws(() => makeSpiral(3, { classes: 4 }), {
      name: "RangeError",
      message: /samples must be an integer >= 4 \(one per class\), got 3/,
    });
  });
});

describe("makeXor()", () => {
  it("labels 1 where the coordinates have opposite signs", () => {
    const data = makeXor(200, { noise: 0 });
    for (let i = 0; i < data.x.length; i++) {
      const [a, b] = data.x[i];
      assert.ok(Math.abs(a) <= 1 && Math.abs(b) <= 1);
      assert.equal(data.y[i], a * b < 0 ? 1 : 0);
    }
    const [zeros, ones] = counts(data);
    assert.ok(zeros > 60 && ones > 60, `${zeros} / ${ones}`);
  });
});

describe("makeBlobs()", () => {
  it("centres class j at angle 2 pi j / k + pi / 2 on the circle of radius 2", () => {
    // k = 4: angles 90, 180, 270, 360 degrees.
    const centres = [[0, 2], [-2, 0], [0, -2], [2, 0]];
    const data = makeBlobs(8, { classes: 4, noise: 0 });
    assert.deepEqual(counts(data), [2, 2, 2, 2]);
    for (let i = 0; i < data.x.length; i++) {
      const [cx, cy] = centres[data.y[i]];
      assert.ok(close(data.x[i][0], cx) && close(data.x[i][1], cy));
    }
  });

  it("spreads the points by noise around the centres", () => {
    const data = makeBlobs(3000, { classes: 3, noise: 0.5 });
    let sq = 0;
    for (let i = 0; i < data.x.length; i++) {
      const angle = 2 * Math.PI * data.y[i] / 3 + Math.PI / 2;
      sq += (data.x[i][0] - 2 * Math.cos(angle)) ** 2;
    }
    // The standard deviation of one coordinate, over 3000 draws: 0.5 +- 3%.
    assert.ok(Math.abs(Math.sqrt(sq / 3000) - 0.5) < 0.03);
  });
});

describe("makeDataset()", () => {
  it("makes every generator by name", () => {
    for (const name of GENERATORS) {
      const data = makeDataset(name, 12, { seed: 1 });
      assert.equal(data.name, name);
      assert.equal(data.x.length, 12);
      assert.ok(data.x.flat().every(Number.isFinite));
    }
  });

  it("rejects an unknown name, listing the known ones", () => {
    assert.throws(() => makeDataset("iris", 10), {
      name: "RangeError",
      message:
        /unknown generator "iris", expected one of moons, circles, spiral, xor, blobs/,
    });
  });
});

describe("datasetFromRows()", () => {
  it("reads features and labels, with a header", () => {
    const data = datasetFromRows(
      [["x1", "x2", "label"], ["1", "2.5", "b"], ["-3", "1e2", "a"]],
      "f.csv",
    );
    assert.deepEqual(data, {
      name: "f.csv",
      x: [[1, 2.5], [-3, 100]],
      y: [1, 0],
      classes: 2,
      labels: ["a", "b"],
    });
  });

  it("reads a file without a header", () => {
    const data = datasetFromRows([["0", "0", "0"], ["1", "1", "1"]], "f.csv");
    assert.deepEqual(data.x, [[0, 0], [1, 1]]);
  });

  it("orders numeric labels as numbers: -1 < 1 and 9 < 10", () => {
    const signs = datasetFromRows([["0", "1"], ["1", "-1"]], "f.csv");
    assert.deepEqual([signs.labels, signs.y], [["-1", "1"], [1, 0]]);
    const tens = datasetFromRows([["0", "10"], ["1", "9"]], "f.csv");
    assert.deepEqual([tens.labels, tens.y], [["9", "10"], [1, 0]]);
  });

  it("rejects malformed rows, naming the line and column", () => {
    const f = (rows: string[][], lines?: number[]) => () =>
      datasetFromRows(rows, "f.csv", lines);
    assert.throws(f([]), {
      name: "RangeError",
      message: /^Cannot load CSV "f.csv": the file is empty/,
    });
    assert.throws(f([["1"], ["2"]]), {
      name: "RangeError",
      message:
        /expected at least 2 columns \(features, then the label\), got 1/,
    });
    assert.throws(f([["x", "label"]]), {
      name: "RangeError",
      message: /no data rows after the header/,
    });
    assert.throws(f([["1", "2", "a"], ["1", "b"]]), {
      name: "RangeError",
      message: /line 2 has 2 columns, expected 3/,
    });
    assert.throws(
      f([["x", "y", "l"], ["1", "2", "a"], ["1", "?", "b"]], [1, 2, 5]),
      {
        name: "RangeError",
        message: /line 5, column 2 \("y"\): expected a number, got "\?"/,
      },
    );
    assert.throws(f([["1", "0x10", "a"]]), {
      name: "RangeError", // "0x10" is no number, "1" is: neither header nor data
      message: /line 1, column 2: expected a number, got "0x10"/,
    });
    assert.throws(f([["1", ""], ["2", "a"]]), {
      name: "RangeError",
      message: /line 1, column 2: the label is empty/,
    });
    assert.throws(f([["1", "a"], ["2", "a"]]), {
      name: "RangeError",
      message: /expected at least 2 classes in the last column, got 1 \("a"\)/,
    });
  });

  it("refuses a first row that is neither clearly a header nor clean data", () => {
    // Each of these first rows used to become a "header" and be dropped.
    const cases: [string, number][] = [["O.3", 1], ["NaN", 2], ["1e309", 2]];
    for (const [cell, column] of cases) {
      const first = column === 1 ? [cell, "0.5", "a"] : ["0.5", cell, "a"];
      assert.throws(
        () => datasetFromRows([first, ["1", "2", "b"], ["3", "4", "a"]], "f"),
        {
          name: "RangeError",
          message: new RegExp(
            `line 1, column ${column}: expected a number, got "${cell}"`,
          ),
        },
        cell,
      );
    }
    // A header with a name in every column is still a header.
    const named = datasetFromRows([["O.3", "x", "l"], ["1", "2", "a"], [
      "3",
      "4",
      "b",
    ]], "f");
    assert.equal(named.x.length, 2);
  });

  it("refuses a header whose column names are numbers", () => {
    assert.throws(
      () =>
        datasetFromRows(
          [["1", "2", "label"], ["0.5", "1", "0"], ["2", "3", "1"]],
          "f",
        ),
      {
        name: "RangeError",
        message:
          /line 1, column 3: the label "label" is text while every other label is a number/,
      },
    );
  });

  it("compares numeric labels as numbers: 1, 1.0 and +1 are one class", () => {
    const data = datasetFromRows(
      [["0", "1"], ["1", "1.0"], ["2", "+1"], ["3", "0"], ["4", "-0"]],
      "f",
    );
    assert.deepEqual([data.classes, data.labels, data.y], [
      2,
      ["0", "1"],
      [1, 1, 1, 0, 0],
    ]);
  });

  it("refuses more than MAX_CLASSES classes: the labels look continuous", () => {
    assert.equal(MAX_CLASSES, 100);
    const rows = Array.from({ length: 101 }, (_, i) => [`${i}`, `${i / 7}`]);
    assert.throws(() => datasetFromRows(rows, "f"), {
      name: "RangeError",
      message:
        /holds 101 different labels, more than the 100 classes allowed: the labels look continuous/,
    });
    assert.equal(datasetFromRows(rows.slice(0, 100), "f").classes, 100);
  });
});
