// `deno task curvefit`: why L-BFGS exists. Fits a damped sine with three
// parameters, y = A e^(-k t) sin(w t), to 60 noisy points with SGD, Adam and
// L-BFGS (strong Wolfe line search), and prints side by side how many
// parameter updates and closure calls (forward + backward passes) each needs
// to come within 0.01% of the least-squares minimum. Then draws the three
// fits as they stand after the same number of closure calls.
//
//   deno task curvefit                     # table and a terminal chart
//   deno task curvefit --plot fit.svg      # also an SVG: fits and loss curves
//   deno task curvefit --seed 7 --max-calls 5000
//
// Everything is seeded: the same flags print the same numbers.

import { parseArgs } from "node:util";
import { mean, Value } from "@micrograd/micrograd/engine";
import { Adam, LBFGS, SGD } from "@micrograd/micrograd/optim";
import { Random } from "../nn/_random.ts";
import { parseArgsMessage, runMain, UsageError } from "./_cli.ts";

const HELP =
  `Fit y = A e^(-k t) sin(w t) with SGD, Adam and L-BFGS, and compare.

Usage: deno task curvefit [flags]

  --seed N        seed of the noise in the data (default: 1)
  --max-calls N   closure calls each optimizer may make; L-BFGS finishes
                  the step it is in (default: 20000)
  --plot FILE     also write an SVG: the data with the three fits after the
                  same number of closure calls, and loss against calls
  --help          print this help`;

/** The curve that made the data, and where every fit starts. */
const TRUE = [1.5, 0.3, 2] as const;
const START = [1, 0.1, 1.7] as const;
const POINTS = 60;
const T_END = 8;
const NOISE = 0.05;
/** "Reached" means a loss within this fraction of the least-squares minimum. */
const GAP = 1e-4;

interface Options {
  seed: number;
  maxCalls: number;
  plot: string | undefined;
}

function parseOptions(args: string[]): Options | "help" {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        seed: { type: "string" },
        "max-calls": { type: "string" },
        plot: { type: "string" },
        help: { type: "boolean" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(parseArgsMessage(error));
  }
  if (values.help) return "help";
  const integer = (
    flag: string,
    text: string | undefined,
    low: number,
    high: number,
    fallback: number,
  ): number => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (text.trim() === "" || !Number.isInteger(n) || n < low || n > high) {
      throw new UsageError(
        `Cannot parse flags: --${flag} must be an integer from ${low} to ${high}, got "${text}"`,
      );
    }
    return n;
  };
  const plot = values.plot;
  if (plot !== undefined && plot.trim() === "") {
    throw new UsageError("Cannot parse flags: --plot needs a file name");
  }
  return {
    seed: integer("seed", values.seed, 0, 2 ** 32 - 1, 1),
    maxCalls: integer("max-calls", values["max-calls"], 1, 1_000_000, 20000),
    plot,
  };
}

/** The curve at t for parameters p = [A, k, w], as numbers. */
function curve(p: readonly number[], t: number): number {
  return p[0] * Math.exp(-p[1] * t) * Math.sin(p[2] * t);
}

/** The data: POINTS points of the true curve on [0, T_END], plus noise. */
function makeData(seed: number): { ts: number[]; ys: number[] } {
  const rng = new Random(seed);
  const ts = Array.from({ length: POINTS }, (_, i) => T_END * i / (POINTS - 1));
  const ys = ts.map((t) => curve(TRUE, t) + NOISE * rng.normal());
  return { ts, ys };
}

/** The mean squared error of the curve with parameters p, as a graph. */
function lossOf(p: readonly Value[], ts: number[], ys: number[]): Value {
  return mean(ts.map((t, i) => {
    const e = p[0].mul(p[1].mul(-t).exp()).mul(p[2].mul(t).sin()).sub(ys[i]);
    return e.mul(e);
  }));
}

/** What one optimizer did. */
interface Run {
  name: string;
  /** The loss at each closure call. */
  losses: number[];
  /** The closure call (1-based) whose loss first met the target, or 0. */
  calls: number;
  /** Parameter updates made before that call (for L-BFGS: iterations). */
  updates: number;
  /** The parameters at that call, or at the last call. */
  final: number[];
  /** The parameters at call `budget` (or the last, if it stopped earlier). */
  atBudget: number[];
}

/**
 * Runs one optimizer from START until a closure call's loss is <= target or
 * `maxCalls` calls are made. `step` makes one optimizer step given the
 * closure; `updates` says how many updates have been made so far.
 */
function race(
  name: string,
  data: { ts: number[]; ys: number[] },
  target: number,
  maxCalls: number,
  budget: number,
  make: (p: Value[]) => {
    zeroGrad(): void;
    run(closure: () => Value): void;
    updates(): number;
  },
): Run {
  const p = START.map((v) => new Value(v));
  const opt = make(p);
  const run: Run = {
    name,
    losses: [],
    calls: 0,
    updates: 0,
    final: [],
    atBudget: [],
  };
  const closure = (): Value => {
    opt.zeroGrad();
    const loss = lossOf(p, data.ts, data.ys);
    loss.backward();
    run.losses.push(loss.data);
    const now = p.map((v) => v.data);
    if (run.losses.length <= budget) run.atBudget = now;
    const n = run.losses.length;
    if (run.calls === 0 && loss.data <= target && n <= maxCalls) {
      run.calls = n;
      run.updates = opt.updates();
      run.final = now;
    }
    return loss;
  };
  while (run.calls === 0 && run.losses.length < maxCalls) opt.run(closure);
  if (run.calls === 0) run.final = p.map((v) => v.data);
  return run;
}

/** The least-squares minimum, by a long, tight L-BFGS run. */
function bestFit(data: { ts: number[]; ys: number[] }): number {
  const p = START.map((v) => new Value(v));
  const opt = new LBFGS(p, {
    lineSearchFn: "strong_wolfe",
    maxIter: 1000,
    toleranceGrad: 1e-14,
    toleranceChange: 1e-16,
  });
  const closure = (): Value => {
    opt.zeroGrad();
    const loss = lossOf(p, data.ts, data.ys);
    loss.backward();
    return loss;
  };
  opt.step(closure);
  return lossOf(p, data.ts, data.ys).data;
}

function runAll(options: Options): {
  data: { ts: number[]; ys: number[] };
  best: number;
  target: number;
  runs: Run[];
} {
  const data = makeData(options.seed);
  const best = bestFit(data);
  const target = best * (1 + GAP);
  const max = options.maxCalls;
  const lbfgs = race("L-BFGS", data, target, max, Infinity, (p) => {
    const opt = new LBFGS(p, { lineSearchFn: "strong_wolfe" });
    return {
      zeroGrad: () => opt.zeroGrad(),
      run: (closure) => {
        opt.step(closure);
      },
      updates: () => opt.iterations,
    };
  });
  // The picture compares the fits after as many calls as L-BFGS needed.
  const budget = lbfgs.calls || lbfgs.losses.length;
  lbfgs.atBudget = lbfgs.final;
  const firstOrder = (name: string, make: (p: Value[]) => SGD | Adam): Run =>
    race(name, data, target, max, budget, (p) => {
      const opt = make(p);
      return {
        zeroGrad: () => opt.zeroGrad(),
        run: (closure) => {
          closure();
          opt.step();
        },
        updates: () => opt.steps,
      };
    });
  const sgd = firstOrder("SGD", (p) => new SGD(p, { lr: 0.1 }));
  const adam = firstOrder("Adam", (p) => new Adam(p, { lr: 0.05 }));
  return { data, best, target, runs: [sgd, adam, lbfgs] };
}

const fmt = (x: number): string => x.toFixed(4);

function table(runs: Run[], maxCalls: number): string {
  const rows = [
    ["optimizer", "updates", "closure calls", "A", "k", "w"],
    ...runs.map((r) => [
      `${r.name}${
        r.name === "SGD"
          ? " (lr 0.1)"
          : r.name === "Adam"
          ? " (lr 0.05)"
          : " (strong Wolfe)"
      }`,
      r.calls ? String(r.updates) : "-",
      r.calls
        ? String(r.calls)
        : `not in ${maxCalls} (loss ${r.losses.at(-1)?.toPrecision(6)})`,
      ...r.final.map(fmt),
    ]),
  ];
  const widths = rows[0].map((_, c) =>
    Math.max(...rows.map((row) => row[c].length))
  );
  return rows.map((row) =>
    row.map((cell, c) =>
      c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])
    )
      .join("   ")
  ).join("\n");
}

const GLYPHS = ["S", "A", "L"];

/**
 * A character chart: the data as "·", and each fit's curve as its letter
 * (S, A, L), over t in [0, T_END].
 */
function terminalChart(
  data: { ts: number[]; ys: number[] },
  fits: number[][],
  cols = 64,
  rows = 15,
): string {
  let lo = Math.min(...data.ys);
  let hi = Math.max(...data.ys);
  const pad = 0.05 * (hi - lo);
  lo -= pad;
  hi += pad;
  const grid = Array.from({ length: rows }, () => Array(cols).fill(" "));
  const put = (col: number, y: number, glyph: string): void => {
    const row = Math.round((hi - y) / (hi - lo) * (rows - 1));
    if (row >= 0 && row < rows) grid[row][col] = glyph;
  };
  for (let i = 0; i < data.ts.length; i++) {
    put(Math.round(data.ts[i] / T_END * (cols - 1)), data.ys[i], "·");
  }
  fits.forEach((p, s) => {
    for (let c = 0; c < cols; c++) {
      put(c, curve(p, c / (cols - 1) * T_END), GLYPHS[s]);
    }
  });
  const label = (row: number): string => {
    if (row === 0) return hi.toFixed(2);
    if (row === rows - 1) return lo.toFixed(2);
    return "";
  };
  return grid.map((line, r) => `${label(r).padStart(6)} |${line.join("")}`)
    .concat(`${"".padStart(6)} +${"-".repeat(cols)}`)
    .concat(
      `${"".padStart(7)}t = 0${"".padStart(cols - 10)}t = ${T_END}`,
    ).join("\n");
}

const COLORS = ["#d9482b", "#e3a21a", "#2f6db3"]; // SGD, Adam, L-BFGS

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(
    />/g,
    "&gt;",
  );
}

/**
 * The SVG: on the left the data and the three fits after `budget` closure
 * calls; on the right log10(loss - best) against log10(closure calls).
 */
function renderSvg(
  data: { ts: number[]; ys: number[] },
  runs: Run[],
  best: number,
  budget: number,
): string {
  const W = 960;
  const H = 440;
  const panel = { w: 400, h: 320, top: 70 };
  const lefts = [60, 530];
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif" font-size="13">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${W / 2}" y="28" text-anchor="middle" font-size="16">${
      escapeXml(
        `Fitting y = A e^(-k t) sin(w t) to ${POINTS} noisy points`,
      )
    }</text>`,
  ];
  const frame = (x0: number, title: string): void => {
    out.push(
      `<rect x="${x0}" y="${panel.top}" width="${panel.w}" height="${panel.h}" fill="none" stroke="#888"/>`,
      `<text x="${x0 + panel.w / 2}" y="${
        panel.top - 10
      }" text-anchor="middle">${escapeXml(title)}</text>`,
    );
  };
  const polyline = (
    points: [number, number][],
    color: string,
    width = 2,
  ): void => {
    out.push(
      `<polyline fill="none" stroke="${color}" stroke-width="${width}" points="${
        points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" ")
      }"/>`,
    );
  };

  // Left: the data and the fits after `budget` calls.
  {
    const x0 = lefts[0];
    frame(x0, `the fits after ${budget} closure calls each`);
    let lo = Math.min(...data.ys);
    let hi = Math.max(...data.ys);
    const pad = 0.08 * (hi - lo);
    lo -= pad;
    hi += pad;
    const sx = (t: number): number => x0 + t / T_END * panel.w;
    const sy = (y: number): number =>
      panel.top + (hi - y) / (hi - lo) * panel.h;
    for (let i = 0; i < data.ts.length; i++) {
      out.push(
        `<circle cx="${sx(data.ts[i]).toFixed(1)}" cy="${
          sy(data.ys[i]).toFixed(1)
        }" r="3" fill="#555"/>`,
      );
    }
    runs.forEach((r, s) => {
      const points: [number, number][] = [];
      for (let c = 0; c <= 200; c++) {
        const t = c / 200 * T_END;
        const y = curve(r.atBudget, t);
        points.push([sx(t), sy(Math.max(lo, Math.min(hi, y)))]);
      }
      polyline(points, COLORS[s]);
    });
    out.push(
      `<text x="${x0}" y="${panel.top + panel.h + 20}">t = 0</text>`,
      `<text x="${x0 + panel.w}" y="${
        panel.top + panel.h + 20
      }" text-anchor="end">t = ${T_END}</text>`,
    );
  }

  // Right: log10(loss - best) against log10(calls).
  {
    const x0 = lefts[1];
    frame(x0, "loss above the minimum, against closure calls (log-log)");
    const gaps = runs.map((r) =>
      r.losses.map((l) => Math.max(l - best, 1e-12))
    );
    const maxCalls = Math.max(...runs.map((r) => r.losses.length));
    const lx1 = Math.log10(maxCalls);
    let ly0 = Infinity;
    let ly1 = -Infinity;
    for (const g of gaps) {
      for (const v of g) {
        ly0 = Math.min(ly0, Math.log10(v));
        ly1 = Math.max(ly1, Math.log10(v));
      }
    }
    ly0 = Math.floor(ly0);
    ly1 = Math.ceil(ly1);
    const sx = (calls: number): number =>
      x0 + Math.log10(calls) / Math.max(1, lx1) * panel.w;
    const sy = (v: number): number =>
      panel.top + (ly1 - Math.log10(v)) / (ly1 - ly0) * panel.h;
    // Gridlines at each power of ten of the gap.
    for (let e = ly0; e <= ly1; e++) {
      const y = sy(10 ** e);
      out.push(
        `<line x1="${x0}" x2="${x0 + panel.w}" y1="${y.toFixed(1)}" y2="${
          y.toFixed(1)
        }" stroke="#eee"/>`,
        `<text x="${x0 - 6}" y="${
          (y + 4).toFixed(1)
        }" text-anchor="end" font-size="11">1e${e}</text>`,
      );
    }
    gaps.forEach((g, s) => {
      // at most ~400 points per curve, evenly in log(calls)
      const points: [number, number][] = [];
      let last = -1;
      for (let i = 0; i < g.length; i++) {
        const x = sx(i + 1);
        if (x - last < 1 && i !== g.length - 1) continue;
        last = x;
        points.push([x, sy(g[i])]);
      }
      polyline(points, COLORS[s], 1.5);
    });
    out.push(
      `<text x="${x0}" y="${panel.top + panel.h + 20}">1 call</text>`,
      `<text x="${x0 + panel.w}" y="${
        panel.top + panel.h + 20
      }" text-anchor="end">${maxCalls} calls</text>`,
    );
  }

  // Legend.
  runs.forEach((r, s) => {
    const x = 60 + s * 300;
    const y = H - 14;
    out.push(
      `<line x1="${x}" x2="${x + 24}" y1="${y - 4}" y2="${y - 4}" stroke="${
        COLORS[s]
      }" stroke-width="3"/>`,
      `<text x="${x + 30}" y="${y}">${
        escapeXml(
          `${r.name}: ${
            r.calls ? `${r.calls} calls` : "did not reach"
          } to the target`,
        )
      }</text>`,
    );
  });
  out.push("</svg>");
  return out.join("\n") + "\n";
}

async function main(args: string[]): Promise<void> {
  const options = parseOptions(args);
  if (options === "help") {
    console.log(HELP);
    return;
  }
  if (options.plot !== undefined) {
    // Find a bad output path before the work, not after.
    const slash = options.plot.lastIndexOf("/");
    const dir = slash < 0 ? "." : options.plot.slice(0, slash) || "/";
    let isDir = false;
    try {
      isDir = (await Deno.stat(dir)).isDirectory;
    } catch {
      isDir = false;
    }
    if (!isDir) {
      throw new UsageError(
        `Cannot write --plot ${options.plot}: the directory ${dir} does not exist`,
      );
    }
  }
  const { data, best, target, runs } = runAll(options);
  const budget = runs[2].calls || runs[2].losses.length;
  console.log(
    `y = A e^(-k t) sin(w t), ${POINTS} points on [0, ${T_END}], noise ${NOISE} (seed ${options.seed})`,
  );
  console.log(
    `true A k w = ${TRUE.join(" ")}, start ${
      START.join(" ")
    }; least-squares loss ${best.toPrecision(6)}, target ${
      target.toPrecision(6)
    } (within ${GAP * 100}%)`,
  );
  console.log();
  console.log(table(runs, options.maxCalls));
  console.log();
  console.log(
    `The fits after ${budget} closure calls each (S: SGD, A: Adam, L: L-BFGS, ·: data):`,
  );
  console.log(terminalChart(data, runs.map((r) => r.atBudget)));
  if (options.plot !== undefined) {
    try {
      await Deno.writeTextFile(
        options.plot,
        renderSvg(data, runs, best, budget),
      );
    } catch (error) {
      throw new UsageError(
        `Cannot write --plot ${options.plot}: ${
          error instanceof Error ? error.message : String(error)
        }`,
      );
    }
    console.log(`\nwrote ${options.plot}`);
  }
}

if (import.meta.main) await runMain(main);
