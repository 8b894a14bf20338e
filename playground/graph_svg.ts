// Draws an expression graph as SVG, left to right as toDot() draws it: a box
// per Value (label, data, grad) and an oval per op between its inputs and
// its result. A small layered layout, enough for lecture-sized graphs, so
// the page needs no layout library.

import { topo, type Value } from "../engine/mod.ts";

/** Where each node and edge of a graph is drawn. */
export interface GraphDrawing {
  /** The SVG markup: nodes carry `data-node="i"`, i the index in `nodes`. */
  svg: string;
  /** The Values, inputs before the nodes that use them (topo order). */
  nodes: Value[];
}

const BOX_W = 116;
const BOX_H = 58;
const OP_R = 17;
const ROW = 74;
const GAP = 34;

/** Escapes text for SVG content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(
    />/g,
    "&gt;",
  ).replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** A number as the boxes show it: 4 decimals, or exponent form. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e6 || a < 1e-4)) return x.toExponential(3);
  return x.toFixed(4);
}

interface Item {
  kind: "value" | "op";
  index: number; // index of the Value in `nodes` (for an op: its result)
  rank: number;
  y: number;
  preds: Item[];
  succs: Item[];
}

/** Lays the graph under `root` out and returns its SVG. */
export function drawGraph(root: Value): GraphDrawing {
  const nodes = topo(root);
  const index = new Map<Value, number>();
  for (let i = 0; i < nodes.length; i++) index.set(nodes[i], i);

  // One item per Value and per op; edges input -> op -> result.
  const values: Item[] = [];
  const opsOf: (Item | null)[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const v: Item = {
      kind: "value",
      index: i,
      rank: 0,
      y: 0,
      preds: [],
      succs: [],
    };
    values.push(v);
    const node = nodes[i];
    if (node.op === "") {
      opsOf.push(null);
      continue;
    }
    const op: Item = {
      kind: "op",
      index: i,
      rank: 0,
      y: 0,
      preds: [],
      succs: [v],
    };
    v.preds.push(op);
    for (const input of node.inputs) {
      const from = values[index.get(input) as number];
      if (!op.preds.includes(from)) op.preds.push(from);
      if (!from.succs.includes(op)) from.succs.push(op);
    }
    opsOf.push(op);
  }
  // Ranks: values even, ops odd; longest path from the leaves, then each
  // leaf or constant moved next to its first user.
  for (let i = 0; i < nodes.length; i++) {
    const op = opsOf[i];
    if (op === null) continue;
    let r = 0;
    for (const p of op.preds) r = Math.max(r, p.rank);
    op.rank = r + 1;
    values[i].rank = r + 2;
  }
  for (const v of values) {
    if (v.preds.length > 0 || v.succs.length === 0) continue;
    let r = Infinity;
    for (const s of v.succs) r = Math.min(r, s.rank);
    v.rank = r - 1;
  }
  const items = [...values, ...opsOf.filter((o): o is Item => o !== null)];
  let maxRank = 0;
  for (const it of items) maxRank = Math.max(maxRank, it.rank);
  const columns: Item[][] = Array.from({ length: maxRank + 1 }, () => []);
  for (const it of items) columns[it.rank].push(it);

  // Vertical positions: start in topo order, then pull each node towards
  // the mean of its neighbours and push overlapping ones apart.
  for (const col of columns) {
    col.sort((a, b) => a.index - b.index);
    col.forEach((it, k) => it.y = (k - (col.length - 1) / 2) * ROW);
  }
  const mean = (list: Item[]): number | null => {
    if (list.length === 0) return null;
    let s = 0;
    for (const n of list) s += n.y;
    return s / list.length;
  };
  for (let pass = 0; pass < 24; pass++) {
    const forward = pass % 2 === 0;
    const order = forward ? columns : [...columns].reverse();
    for (const col of order) {
      const want = new Map<Item, number>();
      for (const it of col) {
        const a = mean(forward ? it.preds : it.succs);
        const b = mean(forward ? it.succs : it.preds);
        const w = a ?? b ?? it.y;
        // An op sits level with its result.
        want.set(it, it.kind === "op" ? (it.succs[0].y + w) / 2 : w);
      }
      col.sort((p, q) => (want.get(p) as number) - (want.get(q) as number));
      const gap = col.some((it) => it.kind === "value") ? ROW : 2 * OP_R + 12;
      const ys = col.map((it) => want.get(it) as number);
      for (let k = 1; k < ys.length; k++) {
        ys[k] = Math.max(ys[k], ys[k - 1] + gap);
      }
      // Shift back so the column's mean stays where the neighbours want it.
      let shift = 0;
      for (let k = 0; k < col.length; k++) {
        shift += (want.get(col[k]) as number) - ys[k];
      }
      shift /= Math.max(1, col.length);
      col.forEach((it, k) => it.y = ys[k] + shift);
    }
  }

  // Horizontal positions: value columns BOX_W wide, op columns as wide as
  // their widest op (an ellipse around its name).
  const opHalf = (it: Item): number =>
    Math.max(OP_R, 6 + 3.7 * opSymbol(nodes[it.index].op).length);
  const xs: number[] = [];
  let x = 10;
  for (let r = 0; r <= maxRank; r++) {
    let w = BOX_W;
    if (r % 2 === 1) {
      w = 2 * OP_R;
      for (const it of columns[r]) w = Math.max(w, 2 * opHalf(it));
    }
    xs.push(x + w / 2);
    x += w + GAP;
  }
  let top = Infinity, bottom = -Infinity;
  for (const it of items) {
    top = Math.min(top, it.y);
    bottom = Math.max(bottom, it.y);
  }
  const dy = -top + BOX_H / 2 + 10;
  const width = x - GAP + 10;
  const height = bottom - top + BOX_H + 20;
  const cx = (it: Item): number => xs[it.rank];
  const cy = (it: Item): number => it.y + dy;
  const halfW = (it: Item): number => it.kind === "op" ? opHalf(it) : BOX_W / 2;

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${Math.ceil(width)} ${
      Math.ceil(height)
    }" width="${Math.ceil(width)}" height="${
      Math.ceil(height)
    }" role="img" aria-label="expression graph">`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="context-stroke"/></marker></defs>`,
  ];
  const edge = (from: Item, to: Item, attrs: string): string => {
    const x1 = cx(from) + halfW(from), y1 = cy(from);
    const x2 = cx(to) - halfW(to), y2 = cy(to);
    const d = (x2 - x1) / 2;
    return `<path class="edge" ${attrs} d="M${x1.toFixed(1)},${
      y1.toFixed(1)
    } C${(x1 + d).toFixed(1)},${y1.toFixed(1)} ${(x2 - d).toFixed(1)},${
      y2.toFixed(1)
    } ${x2.toFixed(1)},${y2.toFixed(1)}" marker-end="url(#arrow)"/>`;
  };
  for (const op of items) {
    if (op.kind !== "op") continue;
    for (const p of op.preds) {
      parts.push(edge(p, op, `data-from="${p.index}" data-to="${op.index}"`));
    }
    parts.push(edge(op, op.succs[0], `data-op="${op.index}"`));
  }
  for (const op of items) {
    if (op.kind !== "op") continue;
    const name = nodes[op.index].op;
    parts.push(
      `<g class="op" data-op="${op.index}"><ellipse cx="${
        cx(op).toFixed(1)
      }" cy="${cy(op).toFixed(1)}" rx="${
        opHalf(op).toFixed(1)
      }" ry="${OP_R}"/><text x="${cx(op).toFixed(1)}" y="${
        (cy(op) + 4).toFixed(1)
      }">${escapeXml(opSymbol(name))}</text></g>`,
    );
  }
  for (const v of values) {
    const node = nodes[v.index];
    const kind = node.isLeaf ? "leaf" : node.op === "" ? "constant" : "result";
    const x0 = cx(v) - BOX_W / 2, y0 = cy(v) - BOX_H / 2;
    const label = node.label ?? (kind === "constant" ? "const" : "");
    parts.push(
      `<g class="node ${kind}" data-node="${v.index}" data-label="${
        escapeXml(node.label ?? "")
      }" data-data="${node.data}" data-grad="${node.grad}">` +
        `<rect x="${x0.toFixed(1)}" y="${
          y0.toFixed(1)
        }" width="${BOX_W}" height="${BOX_H}" rx="6"/>` +
        `<text class="label" x="${cx(v).toFixed(1)}" y="${
          (y0 + 16).toFixed(1)
        }">${escapeXml(label)}</text>` +
        `<text class="data" x="${cx(v).toFixed(1)}" y="${
          (y0 + 33).toFixed(1)
        }">data ${formatNumber(node.data)}</text>` +
        `<text class="grad" x="${cx(v).toFixed(1)}" y="${
          (y0 + 50).toFixed(1)
        }">grad ${formatNumber(node.grad)}</text></g>`,
    );
  }
  parts.push("</svg>");
  return { svg: parts.join(""), nodes };
}

function opSymbol(op: string): string {
  switch (op) {
    case "add":
      return "+";
    case "sub":
      return "−";
    case "mul":
      return "×";
    case "div":
      return "÷";
    case "pow":
      return "^";
    case "sum":
      return "Σ";
    default:
      return op;
  }
}
