// `deno task newton`: Newton's method against gradient descent on the
// Rosenbrock function, with the gradient AND the Hessian computed by the
// engine: grad(f, [x, y], { createGraph: true }) gives the gradient as
// Values, and grad of each of its entries gives a row of the Hessian.
//
//   deno task newton                     # both methods, side by side
//   deno task newton --out paths.svg     # and a picture of both paths
//   deno task newton --help              # every flag
//
// It prints the steps each method needs, the Hessian at the start and at the
// solution, and both paths drawn in the terminal. Deterministic: no random
// numbers. Bad input prints one line and exits with code 2.

import { parseArgs } from "node:util";
import { grad, Value } from "@micrograd/micrograd/engine";
import { PALETTE } from "./_plot.ts";
import { parseArgsMessage, runMain, UsageError } from "./_cli.ts";

const HELP = `Newton's method vs gradient descent on Rosenbrock, with micrograd.

Usage: deno task newton [flags]

  --lr X          learning rate of gradient descent (default: 0.001)
  --max-steps N   give up after N steps (default: 100000)
  --tol X         converged when |grad f| < X (default: 1e-6)
  --out FILE      also draw both paths as an SVG picture in FILE
  --help          show this help`;

/** Where both methods start: Rosenbrock's classic starting point. */
const START: Point = [-1.2, 1];
/** The minimum of f, where f = 0. */
const MINIMUM: Point = [1, 1];

type Point = [number, number];

/** Rosenbrock's banana: f(x, y) = (1 - x)² + 100 (y - x²)². */
function rosenbrock(x: Value, y: Value): Value {
  const a = x.neg().add(1);
  const b = y.sub(x.mul(x));
  return a.mul(a).add(b.mul(b).mul(100));
}

/** f, its gradient and its Hessian at p, all by automatic differentiation. */
interface Local {
  f: number;
  g: Point;
  h: [Point, Point];
}

function local(p: Point, hessian: boolean): Local {
  const x = new Value(p[0]);
  const y = new Value(p[1]);
  const f = rosenbrock(x, y);
  if (!hessian) {
    const [gx, gy] = grad(f, [x, y]);
    return { f: f.data, g: [gx.data, gy.data], h: [[NaN, NaN], [NaN, NaN]] };
  }
  // First derivatives as Values on the graph, then their own derivatives.
  const [gx, gy] = grad(f, [x, y], { createGraph: true });
  const [hxx, hxy] = grad(gx, [x, y]);
  const [hyx, hyy] = grad(gy, [x, y]);
  return {
    f: f.data,
    g: [gx.data, gy.data],
    h: [[hxx.data, hxy.data], [hyx.data, hyy.data]],
  };
}

const norm = (v: Point): number => Math.hypot(v[0], v[1]);

/** A run of one method: every point visited, and whether it converged. */
interface Run {
  path: Point[];
  converged: boolean;
  last: Local;
}

/** Newton's method: p ← p - H⁻¹ ∇f (a full step, no line search). */
function newton(tol: number, maxSteps: number): Run {
  let p: Point = [...START];
  const path: Point[] = [p];
  let at = local(p, true);
  while (norm(at.g) >= tol && path.length <= maxSteps) {
    const [[a, b], [c, d]] = at.h;
    const det = a * d - b * c;
    const [gx, gy] = at.g;
    // Solve H s = g for the 2x2 H.
    p = [p[0] - (d * gx - b * gy) / det, p[1] - (a * gy - c * gx) / det];
    path.push(p);
    at = local(p, true);
  }
  return { path, converged: norm(at.g) < tol, last: at };
}

/** Gradient descent: p ← p - lr ∇f. */
function descent(lr: number, tol: number, maxSteps: number): Run {
  let p: Point = [...START];
  const path: Point[] = [p];
  let at = local(p, false);
  while (norm(at.g) >= tol && path.length <= maxSteps) {
    p = [p[0] - lr * at.g[0], p[1] - lr * at.g[1]];
    path.push(p);
    at = local(p, false);
    if (!Number.isFinite(at.f)) break; // diverged: lr too large
  }
  return { path, converged: norm(at.g) < tol, last: at };
}

// --- printing ---------------------------------------------------------------

function fmt(x: number, digits = 6): string {
  const s = Number(x.toPrecision(digits)).toString();
  return s === "-0" ? "0" : s;
}

function matrix(h: [Point, Point]): string[] {
  const cells = h.map((row) => row.map((v) => fmt(v, 8)));
  const width = Math.max(...cells.flat().map((s) => s.length));
  return cells.map((row) =>
    `  [ ${row.map((s) => s.padStart(width)).join("  ")} ]`
  );
}

function steps(run: Run, maxSteps: number): string {
  const n = run.path.length - 1;
  return run.converged ? String(n) : `no convergence in ${maxSteps}`;
}

// --- pictures ---------------------------------------------------------------

interface Frame {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

function frameOf(points: readonly Point[]): Frame {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const [x, y] of points) {
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
  }
  const mx = 0.15 * (x1 - x0) + 0.2;
  const my = 0.15 * (y1 - y0) + 0.2;
  return { x0: x0 - mx, x1: x1 + mx, y0: y0 - my, y1: y1 + my };
}

/** log10(1 + f) at a plain number point, for the contour shading. */
function level(x: number, y: number): number {
  return Math.log10(1 + (1 - x) ** 2 + 100 * (y - x * x) ** 2);
}

/** The two paths over contour bands of f, as lines of text. */
function terminal(
  frame: Frame,
  newtonPath: readonly Point[],
  descentPath: readonly Point[],
  cols = 64,
  rows = 24,
): string[] {
  const grid: string[][] = [];
  for (let r = 0; r < rows; r++) {
    const row: string[] = [];
    for (let c = 0; c < cols; c++) {
      const x = frame.x0 + (c + 0.5) / cols * (frame.x1 - frame.x0);
      const y = frame.y1 - (r + 0.5) / rows * (frame.y1 - frame.y0);
      row.push(Math.floor(level(x, y) * 2) % 2 === 0 ? " " : "·");
    }
    grid.push(row);
  }
  const cell = ([x, y]: Point): [number, number] => [
    Math.floor((frame.y1 - y) / (frame.y1 - frame.y0) * rows),
    Math.floor((x - frame.x0) / (frame.x1 - frame.x0) * cols),
  ];
  const put = (p: Point, ch: string): void => {
    const [r, c] = cell(p);
    if (r >= 0 && r < rows && c >= 0 && c < cols) grid[r][c] = ch;
  };
  // Straight segments between successive points, then the points on top.
  const line = (path: readonly Point[], ch: string): void => {
    for (let i = 1; i < path.length; i++) {
      const [a, b] = [path[i - 1], path[i]];
      const n = 2 * Math.max(cols, rows);
      for (let k = 0; k <= n; k++) {
        const t = k / n;
        put([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])], ch);
      }
    }
  };
  line(descentPath, "o");
  line(newtonPath, "-");
  newtonPath.forEach((p, i) => put(p, i < 10 ? String(i) : "N"));
  put(MINIMUM, "*");
  const border = "+" + "-".repeat(cols) + "+";
  return [border, ...grid.map((row) => "|" + row.join("") + "|"), border];
}

/** The two paths over contour bands of f, as an SVG document. */
function svg(
  frame: Frame,
  newtonPath: readonly Point[],
  descentPath: readonly Point[],
): string {
  const width = 640;
  const height = Math.round(
    width * (frame.y1 - frame.y0) / (frame.x1 - frame.x0),
  );
  const px = (x: number): string =>
    ((x - frame.x0) / (frame.x1 - frame.x0) * width).toFixed(1);
  const py = (y: number): string =>
    ((frame.y1 - y) / (frame.y1 - frame.y0) * height).toFixed(1);
  const cells: string[] = [];
  const n = 48;
  const cw = width / n;
  const ch = height / n;
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      const x = frame.x0 + (c + 0.5) / n * (frame.x1 - frame.x0);
      const y = frame.y1 - (r + 0.5) / n * (frame.y1 - frame.y0);
      const light = Math.round(255 - 18 * Math.min(level(x, y), 6));
      cells.push(
        `<rect x="${(c * cw).toFixed(1)}" y="${(r * ch).toFixed(1)}" width="${
          (cw + 0.5).toFixed(1)
        }" height="${
          (ch + 0.5).toFixed(1)
        }" fill="rgb(${light},${light},255)"/>`,
      );
    }
  }
  // Gradient descent takes thousands of steps: draw every 50th point.
  const sparse = descentPath.filter((_, i) =>
    i % 50 === 0 || i === descentPath.length - 1
  );
  const polyline = (path: readonly Point[], color: string): string =>
    `<polyline fill="none" stroke="${color}" stroke-width="2" points="${
      path.map(([x, y]) => `${px(x)},${py(y)}`).join(" ")
    }"/>`;
  const dots = (path: readonly Point[], color: string, r: number): string[] =>
    path.map(([x, y]) =>
      `<circle cx="${px(x)}" cy="${py(y)}" r="${r}" fill="${color}"/>`
    );
  const [blue, red] = PALETTE;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${
      height + 40
    }" viewBox="0 0 ${width} ${
      height + 40
    }" font-family="sans-serif" font-size="14">`,
    `<title>Newton's method and gradient descent on Rosenbrock</title>`,
    ...cells,
    polyline(sparse, blue),
    ...dots(sparse, blue, 1.5),
    polyline(newtonPath, red),
    ...dots(newtonPath, red, 4),
    `<circle cx="${px(MINIMUM[0])}" cy="${
      py(MINIMUM[1])
    }" r="6" fill="none" stroke="black" stroke-width="2"/>`,
    `<rect x="0" y="${height}" width="${width}" height="40" fill="white"/>`,
    `<text x="10" y="${height + 25}" fill="${red}">Newton: ${
      newtonPath.length - 1
    } steps</text>`,
    `<text x="200" y="${height + 25}" fill="${blue}">gradient descent: ${
      descentPath.length - 1
    } steps</text>`,
    `<text x="480" y="${height + 25}">○ minimum (1, 1)</text>`,
    `</svg>`,
    "",
  ].join("\n");
}

// --- command line -----------------------------------------------------------

interface Options {
  lr: number;
  maxSteps: number;
  tol: number;
  out: string | undefined;
}

function positive(name: string, text: string): number {
  const x = text.trim() === "" ? NaN : Number(text);
  if (!Number.isFinite(x) || x <= 0) {
    throw new UsageError(
      `Cannot parse --${name}: expected a number > 0, got "${text}"`,
    );
  }
  return x;
}

function parseOptions(args: string[]): Options | "help" {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args,
      options: {
        lr: { type: "string" },
        "max-steps": { type: "string" },
        tol: { type: "string" },
        out: { type: "string" },
        help: { type: "boolean" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new UsageError(parseArgsMessage(error));
  }
  if (values.help === true) return "help";
  const stepsText = (values["max-steps"] as string | undefined) ?? "100000";
  const maxSteps = Number(stepsText);
  if (
    !/^\s*\+?\d+\s*$/.test(stepsText) || !Number.isSafeInteger(maxSteps) ||
    maxSteps < 1
  ) {
    throw new UsageError(
      `Cannot parse --max-steps: expected an integer >= 1, got "${stepsText}"`,
    );
  }
  const out = values.out as string | undefined;
  if (out === "") {
    throw new UsageError(`Cannot parse --out: expected a file name, got ""`);
  }
  return {
    lr: positive("lr", (values.lr as string | undefined) ?? "0.001"),
    maxSteps,
    tol: positive("tol", (values.tol as string | undefined) ?? "1e-6"),
    out,
  };
}

async function main(args: string[]): Promise<void> {
  const options = parseOptions(args);
  if (options === "help") {
    console.log(HELP);
    return;
  }
  const { lr, maxSteps, tol } = options;
  console.log(
    "Newton's method vs gradient descent on f(x, y) = (1 - x)² + 100 (y - x²)²",
  );
  console.log(
    `start (${START.join(", ")}), minimum (1, 1); converged when |∇f| < ${
      tol < 1e-3 ? tol.toExponential() : tol
    }`,
  );
  console.log(
    "gradient: grad(f, [x, y], { createGraph: true }); Hessian: grad of each entry",
  );
  console.log("");
  const n = newton(tol, maxSteps);
  const d = descent(lr, tol, maxSteps);

  console.log(`Hessian at the start (${START.join(", ")}):`);
  for (const line of matrix(local(START, true).h)) console.log(line);
  console.log("");

  const rows: [string, string, string][] = [
    ["", "Newton", `gradient descent (lr ${lr})`],
    ["steps to converge", steps(n, maxSteps), steps(d, maxSteps)],
    [
      "final point",
      `(${n.path.at(-1)!.map((v) => fmt(v, 10)).join(", ")})`,
      `(${d.path.at(-1)!.map((v) => fmt(v, 10)).join(", ")})`,
    ],
    ["final f", n.last.f.toExponential(2), d.last.f.toExponential(2)],
    [
      "final |∇f|",
      norm(n.last.g).toExponential(2),
      norm(d.last.g).toExponential(2),
    ],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  for (const [a, b, c] of rows) {
    console.log(`${a.padEnd(w0)}   ${b.padEnd(w1)}   ${c}`);
  }
  console.log("");

  const end = n.path.at(-1)!;
  console.log(
    `Hessian at Newton's solution (${end.map((v) => fmt(v)).join(", ")}):`,
  );
  for (const line of matrix(n.last.h)) console.log(line);
  console.log("");

  console.log("Newton's steps:");
  console.log("   k              x              y              f");
  n.path.forEach(([x, y], k) => {
    const f = local([x, y], false).f;
    console.log(
      `${String(k).padStart(4)} ${fmt(x, 10).padStart(14)} ${
        fmt(y, 10).padStart(14)
      } ${f.toExponential(3).padStart(14)}`,
    );
  });
  console.log("");

  const frame = frameOf([...n.path, ...d.path]);
  console.log(
    "Paths (0-9: Newton's points joined by -, o: gradient descent, *: minimum;",
  );
  console.log(
    `shading: bands of log10(1 + f); x from ${fmt(frame.x0, 3)} to ${
      fmt(frame.x1, 3)
    }, y from ${fmt(frame.y0, 3)} to ${fmt(frame.y1, 3)})`,
  );
  for (const line of terminal(frame, n.path, d.path)) console.log(line);

  if (options.out !== undefined) {
    try {
      await Deno.writeTextFile(options.out, svg(frame, n.path, d.path));
    } catch (error) {
      throw new UsageError(
        `Cannot write "${options.out}": ${
          (error as Error).message.split("\n")[0]
        }`,
      );
    }
    console.log(`picture: wrote ${options.out}`);
  }
}

if (import.meta.main) await runMain(main);
