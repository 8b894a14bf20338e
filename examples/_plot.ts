// Pictures of a trained classifier: the decision boundary sampled on a grid,
// drawn as SVG (with the points and the loss curve) or as terminal text.

import { escapeControl } from "./_cli.ts";

/** A rectangle of the input plane. */
export interface Bounds {
  /** Left edge. */
  x0: number;
  /** Right edge. */
  x1: number;
  /** Bottom edge. */
  y0: number;
  /** Top edge. */
  y1: number;
}

/** The predicted class at the centre of each cell, row 0 at the top. */
export interface Grid {
  /** Cells per row. */
  cols: number;
  /** Rows of cells. */
  rows: number;
  /** `classes[row * cols + col]`. */
  classes: Uint8Array;
  /** The plane the grid covers. */
  bounds: Bounds;
}

/** The colour of each class (then repeating), a palette safe for most eyes. */
export const PALETTE: readonly string[] = [
  "#2f6db3", // blue
  "#d9482b", // red
  "#3a9a4a", // green
  "#e3a21a", // amber
  "#8a55b5", // purple
  "#1aa3a3", // teal
];

/**
 * The points' bounding box, grown by 15% (at least 0.25) on every side, then
 * widened along one axis so that width / height is `aspect` (so circles
 * stay round in a picture of that shape).
 */
export function boundsOf(
  points: readonly (readonly number[])[],
  aspect = 1,
): Bounds {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const [x, y] of points) {
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
  }
  const mx = Math.max(0.25, 0.15 * (x1 - x0));
  const my = Math.max(0.25, 0.15 * (y1 - y0));
  x0 -= mx;
  x1 += mx;
  y0 -= my;
  y1 += my;
  const width = Math.max(x1 - x0, aspect * (y1 - y0));
  const height = width / aspect;
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  return {
    x0: cx - width / 2,
    x1: cx + width / 2,
    y0: cy - height / 2,
    y1: cy + height / 2,
  };
}

/** Samples `classify` at the centre of every cell of a cols x rows grid. */
export function sampleGrid(
  bounds: Bounds,
  cols: number,
  rows: number,
  classify: (point: number[]) => number,
): Grid {
  const classes = new Uint8Array(cols * rows);
  for (let r = 0; r < rows; r++) {
    const y = bounds.y1 - (r + 0.5) * (bounds.y1 - bounds.y0) / rows;
    for (let c = 0; c < cols; c++) {
      const x = bounds.x0 + (c + 0.5) * (bounds.x1 - bounds.x0) / cols;
      classes[r * cols + c] = classify([x, y]);
    }
  }
  return { cols, rows, classes, bounds };
}

/** What the SVG shows. */
export interface SvgPlot {
  /** The heading, e.g. the model and the accuracy. */
  title: string;
  /** The decision regions, or undefined when the data is not 2-D. */
  grid: Grid | undefined;
  /** The points (2-D) with their true class. */
  x: readonly (readonly number[])[];
  /** The class of each point. */
  y: readonly number[];
  /** The loss after each step. */
  losses: readonly number[];
}

const W = 960;
const H = 520;
const PANEL = 420; // both panels are PANEL x PANEL, 60 px from the top
const TOP = 60;
const LEFT = 40;
const RIGHT = 500;

/**
 * Draws the decision regions (tinted cells), the points coloured by class
 * and, on the right, the loss curve with its axes, as one standalone SVG.
 */
export function renderSvg(plot: SvgPlot): string {
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif" font-size="13">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${
      W / 2
    }" y="30" text-anchor="middle" font-size="17" font-weight="600" fill="#222">${
      escape(plot.title)
    }</text>`,
  ];
  out.push(...regionsPanel(plot));
  out.push(...lossPanel(plot.losses));
  out.push("</svg>");
  return out.join("\n") + "\n";
}

function regionsPanel(plot: SvgPlot): string[] {
  const out: string[] = [
    `<g transform="translate(${LEFT} ${TOP})">`,
    `<text x="${
      PANEL / 2
    }" y="-8" text-anchor="middle" fill="#444">decision boundary</text>`,
  ];
  const grid = plot.grid;
  if (grid === undefined) {
    out.push(
      `<rect width="${PANEL}" height="${PANEL}" fill="#f4f4f4" stroke="#999"/>`,
      `<text x="${PANEL / 2}" y="${
        PANEL / 2
      }" text-anchor="middle" fill="#666">drawn for 2 features only</text>`,
      "</g>",
    );
    return out;
  }
  const cw = PANEL / grid.cols;
  const ch = PANEL / grid.rows;
  // One rect per run of equal cells in a row: a few hundred rects, not 10^4.
  out.push(`<g shape-rendering="crispEdges" fill-opacity="0.28">`);
  for (let r = 0; r < grid.rows; r++) {
    let start = 0;
    for (let c = 1; c <= grid.cols; c++) {
      const k = grid.classes[r * grid.cols + start];
      if (c < grid.cols && grid.classes[r * grid.cols + c] === k) continue;
      out.push(
        `<rect x="${fmt(start * cw)}" y="${fmt(r * ch)}" width="${
          fmt((c - start) * cw)
        }" height="${fmt(ch)}" fill="${color(k)}"/>`,
      );
      start = c;
    }
  }
  out.push("</g>");
  out.push(
    `<rect width="${PANEL}" height="${PANEL}" fill="none" stroke="#999"/>`,
  );
  const { x0, x1, y0, y1 } = grid.bounds;
  out.push(`<g stroke="#222" stroke-width="0.8">`);
  for (let i = 0; i < plot.x.length; i++) {
    const px = (plot.x[i][0] - x0) / (x1 - x0) * PANEL;
    const py = (y1 - plot.x[i][1]) / (y1 - y0) * PANEL;
    out.push(
      `<circle cx="${fmt(px)}" cy="${fmt(py)}" r="4" fill="${
        color(plot.y[i])
      }"/>`,
    );
  }
  out.push("</g>");
  out.push(...axisLabels(x0, x1, y0, y1), "</g>");
  return out;
}

function axisLabels(x0: number, x1: number, y0: number, y1: number): string[] {
  return [
    `<g fill="#666" font-size="11">`,
    `<text x="0" y="${PANEL + 16}">${x0.toFixed(1)}</text>`,
    `<text x="${PANEL}" y="${PANEL + 16}" text-anchor="end">${
      x1.toFixed(1)
    }</text>`,
    `<text x="-6" y="${PANEL}" text-anchor="end">${y0.toFixed(1)}</text>`,
    `<text x="-6" y="10" text-anchor="end">${y1.toFixed(1)}</text>`,
    "</g>",
  ];
}

function lossPanel(losses: readonly number[]): string[] {
  const out: string[] = [
    `<g transform="translate(${RIGHT} ${TOP})">`,
    `<text x="${
      PANEL / 2
    }" y="-8" text-anchor="middle" fill="#444">loss</text>`,
    `<rect width="${PANEL}" height="${PANEL}" fill="none" stroke="#999"/>`,
  ];
  if (losses.length === 0) {
    out.push(
      `<text x="${PANEL / 2}" y="${
        PANEL / 2
      }" text-anchor="middle" fill="#666">no training steps</text>`,
      "</g>",
    );
    return out;
  }
  let hi = 0;
  for (const loss of losses) if (Number.isFinite(loss)) hi = Math.max(hi, loss);
  hi = niceCeil(hi);
  const last = Math.max(1, losses.length - 1);
  const ticks = 5;
  out.push(`<g stroke="#e6e6e6">`);
  for (let i = 1; i < ticks; i++) {
    const y = fmt(PANEL - i * PANEL / ticks);
    out.push(`<line x1="0" y1="${y}" x2="${PANEL}" y2="${y}"/>`);
  }
  out.push("</g>", `<g fill="#666" font-size="11">`);
  for (let i = 0; i <= ticks; i++) {
    out.push(
      `<text x="-6" y="${
        fmt(PANEL - i * PANEL / ticks + 4)
      }" text-anchor="end">${label(hi * i / ticks)}</text>`,
    );
  }
  out.push(
    `<text x="0" y="${PANEL + 16}">step 1</text>`,
    `<text x="${PANEL}" y="${
      PANEL + 16
    }" text-anchor="end">step ${losses.length}</text>`,
    "</g>",
  );
  const points: string[] = [];
  for (let i = 0; i < losses.length; i++) {
    const loss = Number.isFinite(losses[i]) ? Math.min(losses[i], hi) : hi;
    const x = i / last * PANEL;
    const y = PANEL - (hi === 0 ? 0 : loss / hi * PANEL);
    points.push(`${fmt(x)},${fmt(y)}`);
  }
  out.push(
    `<polyline points="${points.join(" ")}" fill="none" stroke="${
      PALETTE[0]
    }" stroke-width="2" stroke-linejoin="round"/>`,
    "</g>",
  );
  return out;
}

/** A colour for class k. */
function color(k: number): string {
  return PALETTE[k % PALETTE.length];
}

// The smallest 1, 2 or 5 times a power of ten that is >= x (1 when x is 0).
function niceCeil(x: number): number {
  if (!(x > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

function label(x: number): string {
  return Number(x.toPrecision(3)).toString();
}

function fmt(x: number): string {
  return Number(x.toFixed(2)).toString();
}

// XML text: control characters (invalid in XML 1.0) made visible first.
function escape(text: string): string {
  return escapeControl(text).replace(/&/g, "&amp;").replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

// ---------------------------------------------------------------------------
// Terminal

const RESET = "\x1b[0m";
// Background of each class region, and foreground of its points (ANSI 256).
const BG = [24, 88, 22, 94, 54, 23];
const FG = [117, 210, 120, 221, 177, 87];
const REGION_GLYPH = [" ", ".", ":", "-", "=", "~"];
const POINT_GLYPH = ["o", "x", "+", "*", "#", "@"];

/**
 * Draws the decision regions as text, one character per cell, with the
 * points on top (a point's glyph is its true class). With `color`, regions
 * are ANSI background colours; without, they are glyphs (" ", ".", ":", ...)
 * and the text holds no control characters.
 */
export function renderTerminal(
  grid: Grid,
  x: readonly (readonly number[])[],
  y: readonly number[],
  color: boolean,
): string {
  const { cols, rows, bounds } = grid;
  const marks = new Int16Array(cols * rows).fill(-1);
  for (let i = 0; i < x.length; i++) {
    const c = Math.floor(
      (x[i][0] - bounds.x0) / (bounds.x1 - bounds.x0) * cols,
    );
    const r = Math.floor(
      (bounds.y1 - x[i][1]) / (bounds.y1 - bounds.y0) * rows,
    );
    if (c >= 0 && c < cols && r >= 0 && r < rows) marks[r * cols + c] = y[i];
  }
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    let line = color ? "" : "|";
    for (let c = 0; c < cols; c++) {
      const k = grid.classes[r * cols + c];
      const m = marks[r * cols + c];
      const glyph = m >= 0
        ? POINT_GLYPH[m % POINT_GLYPH.length]
        : color
        ? " "
        : REGION_GLYPH[k % REGION_GLYPH.length];
      line += color
        ? `\x1b[48;5;${BG[k % BG.length]}m${
          m >= 0 ? `\x1b[1;38;5;${FG[m % FG.length]}m` : ""
        }${glyph}${RESET}`
        : glyph;
    }
    lines.push(color ? line : line + "|");
  }
  if (!color) {
    const edge = "+" + "-".repeat(cols) + "+";
    lines.unshift(edge);
    lines.push(edge);
  }
  return lines.join("\n");
}

/** The legend line of the terminal picture: glyph and region per class. */
export function terminalLegend(
  labels: readonly string[],
  color: boolean,
): string {
  return labels.map((label, k) => {
    const name = escapeControl(label);
    const point = POINT_GLYPH[k % POINT_GLYPH.length];
    if (color) {
      return `\x1b[48;5;${BG[k % BG.length]}m\x1b[1;38;5;${
        FG[k % FG.length]
      }m ${point} ${RESET} class ${name}`;
    }
    const region = REGION_GLYPH[k % REGION_GLYPH.length];
    return `${point} class ${name} (region "${region}")`;
  }).join("   ");
}
