/// <reference lib="dom" />
// The page: reads the controls, draws what the training worker posts, runs
// the graph panel's step-through and hands typed ops to a checking worker.
// Every input is checked here first; a bad one gets a message next to its
// field and changes nothing that is running.

import { backwardSteps, type Value } from "../engine/mod.ts";
import type { Activation } from "../nn/mod.ts";
import {
  DEFAULT_NOISE,
  GENERATORS,
  makeDataset,
} from "../examples/datasets.ts";
import {
  type Bounds,
  boundsOf,
  type LossName,
  lossProblem,
  type ModelConfig,
  type OptimizerName,
  type Points,
  type StepConfig,
} from "./trainer.ts";
import type { FromWorker, ToWorker } from "./worker.ts";
import type { CustomOpInput, CustomOpResult } from "./custom_op.ts";
import { ExpressionError, MAX_NODES, parseProgram } from "./expr.ts";
import { drawGraph, escapeXml, formatNumber } from "./graph_svg.ts";

// Okabe-Ito colours, safe for the common colour-vision deficiencies; each
// class also has its own marker shape.
const CLASS_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9"];
const CLASS_RGB = CLASS_COLORS.map((hex) => [
  parseInt(hex.slice(1, 3), 16),
  parseInt(hex.slice(3, 5), 16),
  parseInt(hex.slice(5, 7), 16),
]);
const SHAPES = ["circle", "square", "triangle", "diamond", "cross"];

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`The page has no element #${id}`);
  return el as T;
};

/** Shows or clears the message next to a field. */
function setError(field: string, message: string): void {
  const box = $(`err-${field}`);
  box.textContent = message;
  box.hidden = message === "";
  const input = document.getElementById(field);
  if (input !== null) {
    input.setAttribute("aria-invalid", message === "" ? "false" : "true");
  }
}

function value(id: string): string {
  return ($(id) as HTMLInputElement | HTMLSelectElement).value;
}

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

function parseNumberField(
  text: string,
  what: string,
  check: (x: number) => boolean,
  expected: string,
  integer: boolean,
): Parsed<number> {
  const t = text.trim();
  const pattern = integer
    ? /^[+]?\d+$/
    : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
  const x = Number(t);
  if (t === "" || !pattern.test(t) || !Number.isFinite(x) || !check(x)) {
    return {
      ok: false,
      message: `${what}: expected ${expected}, got "${text}"`,
    };
  }
  return { ok: true, value: x };
}

function parseHidden(text: string): Parsed<number[]> {
  const t = text.trim();
  if (t === "") return { ok: true, value: [] };
  const parts = t.split(",").map((s) => s.trim());
  const sizes: number[] = [];
  for (const p of parts) {
    if (!/^\d+$/.test(p) || Number(p) < 1 || Number(p) > 64) {
      return {
        ok: false,
        message:
          `Hidden sizes: expected whole numbers from 1 to 64, separated by commas, got "${p}"`,
      };
    }
    sizes.push(Number(p));
  }
  if (sizes.length > 4) {
    return { ok: false, message: "Hidden sizes: at most 4 layers" };
  }
  return { ok: true, value: sizes };
}

// ---------------------------------------------------------------------------
// Training panel

interface DataConfig {
  dataset: string;
  samples: number;
  noise: number;
}

interface Settings {
  data: DataConfig;
  model: ModelConfig;
  step: StepConfig;
}

const TRAIN_FIELDS = [
  "dataset",
  "samples",
  "noise",
  "hidden",
  "activation",
  "loss",
  "optimizer",
  "lr",
  "batch",
] as const;

/** Reads every training field; fields in error are reported and skipped. */
function readSettings(last: Settings): { settings: Settings; bad: boolean } {
  let bad = false;
  const take = <T>(field: string, parsed: Parsed<T>, fallback: T): T => {
    if (parsed.ok) {
      setError(field, "");
      return parsed.value;
    }
    setError(field, parsed.message);
    bad = true;
    return fallback;
  };
  const dataset = value("dataset");
  const data: DataConfig = {
    dataset: GENERATORS.includes(dataset) ? dataset : last.data.dataset,
    samples: take(
      "samples",
      parseNumberField(
        value("samples"),
        "Points",
        (x) => x >= 6 && x <= 1000,
        "a whole number from 6 to 1000",
        true,
      ),
      last.data.samples,
    ),
    noise: take(
      "noise",
      parseNumberField(
        value("noise"),
        "Noise",
        (x) => x >= 0 && x <= 2,
        "a number from 0 to 2",
        false,
      ),
      last.data.noise,
    ),
  };
  const model: ModelConfig = {
    hidden: take("hidden", parseHidden(value("hidden")), last.model.hidden),
    activation: value("activation") as Activation,
    loss: value("loss") as LossName,
    seed: last.model.seed,
  };
  const classes = data.dataset === "spiral" || data.dataset === "blobs" ? 3 : 2;
  const problem = lossProblem(model.loss, classes);
  if (problem !== "") {
    setError("loss", `Loss: ${problem}`);
    bad = true;
    model.loss = last.model.loss;
  } else {
    setError("loss", "");
  }
  const step: StepConfig = {
    optimizer: value("optimizer") as OptimizerName,
    lr: take(
      "lr",
      parseNumberField(
        value("lr"),
        "Learning rate",
        (x) => x > 0 && x <= 10,
        "a number above 0 and at most 10",
        false,
      ),
      last.step.lr,
    ),
    batchSize: take(
      "batch",
      value("batch").trim().toLowerCase() === "all"
        ? { ok: true, value: 0 }
        : parseNumberField(
          value("batch"),
          "Batch size",
          (x) => x >= 1,
          'a whole number of points (1 or more) or "all"',
          true,
        ),
      last.step.batchSize,
    ),
  };
  return { settings: { data, model, step }, bad };
}

function makePoints(data: DataConfig): Points {
  const d = makeDataset(data.dataset, data.samples, { noise: data.noise });
  return { x: d.x, y: d.y, classes: d.classes };
}

function setupTraining(): void {
  const canvas = $<HTMLCanvasElement>("boundary");
  const lossCanvas = $<HTMLCanvasElement>("loss-chart");
  const accCanvas = $<HTMLCanvasElement>("acc-chart");
  const status = $("train-status");
  const time95 = $("time95");
  const rate = $("redraw-rate");
  const engine = $("engine");
  const playButton = $<HTMLButtonElement>("play");
  const workerError = $("err-train");

  let settings: Settings = {
    data: { dataset: "moons", samples: 100, noise: DEFAULT_NOISE.moons },
    model: { hidden: [16, 16], activation: "relu", loss: "hinge", seed: 1337 },
    step: { optimizer: "adam", lr: 0.05, batchSize: 0 },
  };
  let points = makePoints(settings.data);
  let bounds: Bounds = boundsOf(points.x);
  let playing = false;
  let generation = 0;
  let losses: number[] = [];
  let accuracies: number[] = [];
  let grid: Float32Array | null = null;
  let gridSize = 0;
  let dirty = true;
  const drawTimes: number[] = [];

  const worker = startWorker();
  const send = (msg: ToWorker): void => worker.postMessage(msg);

  worker.onmessage = (event: MessageEvent<FromWorker>): void => {
    const msg = event.data;
    if (msg.type === "error") {
      workerError.textContent = msg.message;
      workerError.hidden = false;
      setPlaying(false);
      return;
    }
    if (msg.type !== "state" || msg.generation !== generation) return;
    for (const l of msg.losses) losses.push(l);
    for (const a of msg.accuracies) accuracies.push(a);
    grid = msg.grid;
    gridSize = msg.gridSize;
    const acc = accuracies.length > 0 ? accuracies[accuracies.length - 1] : NaN;
    const loss = losses.length > 0 ? losses[losses.length - 1] : NaN;
    status.textContent = `step ${msg.steps}   loss ${
      Number.isNaN(loss) ? "–" : loss.toFixed(4)
    }   accuracy ${Number.isNaN(acc) ? "–" : (100 * acc).toFixed(1) + "%"}`;
    engine.textContent = msg.compiled
      ? "engine: compile(loss) once, then a typed-array replay per step"
      : "engine: the graph is built and walked each step (a random batch or a data-dependent loss)";
    status.dataset.steps = String(msg.steps);
    status.dataset.accuracy = String(acc);
    if (msg.secondsTo95 >= 0 && time95.dataset.seconds === undefined) {
      // On the page's clock: from Play to this message, pauses excluded.
      const seconds = (playedMs +
        (playing ? performance.now() - playedSince : 0)) / 1000;
      time95.dataset.seconds = String(seconds);
      time95.dataset.workerSeconds = String(msg.secondsTo95);
      time95.textContent = `95% accuracy at step ${msg.stepsTo95}: ${
        seconds.toFixed(2)
      } s after Play (${msg.secondsTo95.toFixed(2)} s in the worker)`;
    }
    dirty = true;
  };

  // Time spent playing since the last reset, for the time to 95%.
  let playedMs = 0;
  let playedSince = 0;
  const setPlaying = (on: boolean): void => {
    if (on && !playing) playedSince = performance.now();
    if (!on && playing) playedMs += performance.now() - playedSince;
    playing = on;
    playButton.textContent = on ? "Pause" : "Play";
    playButton.setAttribute("aria-pressed", String(on));
    canvas.dataset.playing = String(on);
  };

  const reset = (): void => {
    generation++;
    losses = [];
    accuracies = [];
    grid = null;
    delete time95.dataset.seconds;
    time95.textContent = "";
    playedMs = 0;
    playedSince = performance.now();
    workerError.hidden = true;
    dirty = true;
    send({
      type: "reset",
      points,
      model: settings.model,
      step: settings.step,
      bounds,
    });
    if (playing) send({ type: "play" });
  };

  const onChange = (field: string): void => {
    if (field === "dataset") {
      // Each generator has its own natural noise (spiral's is on the angle).
      const noise = DEFAULT_NOISE[value("dataset")];
      if (noise !== undefined) {
        ($("noise") as HTMLInputElement).value = String(noise);
      }
    }
    const { settings: next } = readSettings(settings);
    const before = settings;
    settings = next;
    const dataChanged =
      JSON.stringify(next.data) !== JSON.stringify(before.data);
    if (field === "dataset" && dataChanged) {
      // A 3-class dataset needs cross-entropy: switch and say so.
      const classes =
        next.data.dataset === "spiral" || next.data.dataset === "blobs" ? 3 : 2;
      if (classes !== 2 && next.model.loss !== "ce") {
        ($("loss") as HTMLSelectElement).value = "ce";
        settings.model = { ...next.model, loss: "ce" };
        setError("loss", "");
        $("note-loss").textContent =
          `switched to cross-entropy: ${next.data.dataset} has 3 classes`;
      } else if (classes === 2 && next.model.loss === "ce") {
        ($("loss") as HTMLSelectElement).value = "hinge";
        settings.model = { ...next.model, loss: "hinge" };
        $("note-loss").textContent =
          `switched to hinge: ${next.data.dataset} has 2 classes`;
      } else {
        $("note-loss").textContent = "";
      }
    }
    if (dataChanged) {
      points = makePoints(settings.data);
      bounds = boundsOf(points.x);
      updateClassPicker(points.classes);
      reset();
    } else if (
      JSON.stringify(settings.model) !== JSON.stringify(before.model)
    ) {
      reset();
    } else if (JSON.stringify(settings.step) !== JSON.stringify(before.step)) {
      send({ type: "config", step: settings.step });
    }
  };
  for (const field of TRAIN_FIELDS) {
    const el = $(field);
    el.addEventListener("change", () => onChange(field));
    if (el instanceof HTMLInputElement) {
      el.addEventListener("input", () => onChange(field));
    }
  }

  playButton.addEventListener("click", () => {
    setPlaying(!playing);
    send({ type: playing ? "play" : "pause" });
  });
  $("step").addEventListener("click", () => {
    setPlaying(false);
    send({ type: "pause" });
    send({ type: "step" });
  });
  $("reset").addEventListener("click", () => {
    settings.model = { ...settings.model, seed: settings.model.seed + 1 };
    reset();
  });

  // Clicking the plane adds a point of the chosen class.
  const classPicker = $<HTMLSelectElement>("add-class");
  const updateClassPicker = (classes: number): void => {
    classPicker.innerHTML = "";
    for (let k = 0; k < classes; k++) {
      const option = document.createElement("option");
      option.value = String(k);
      option.textContent = `class ${k} (${SHAPES[k]})`;
      classPicker.append(option);
    }
  };
  updateClassPicker(points.classes);
  canvas.addEventListener("click", (event) => {
    const rect = canvas.getBoundingClientRect();
    const fx = (event.clientX - rect.left) / rect.width;
    const fy = (event.clientY - rect.top) / rect.height;
    const x = bounds.xmin + fx * (bounds.xmax - bounds.xmin);
    const y = bounds.ymax - fy * (bounds.ymax - bounds.ymin);
    const label = Number(classPicker.value);
    points = { ...points, x: [...points.x, [x, y]], y: [...points.y, label] };
    send({ type: "addPoint", x, y, label });
    dirty = true;
  });

  // Drawing: only when a new state came in, at most once per frame.
  const frame = (now: number): void => {
    if (dirty) {
      dirty = false;
      drawBoundary(canvas, grid, gridSize, points, bounds);
      drawChart(lossCanvas, losses, "loss", null);
      drawChart(accCanvas, accuracies, "accuracy", 0.95);
      canvas.dataset.draws = String(Number(canvas.dataset.draws ?? "0") + 1);
      canvas.dataset.points = String(points.x.length);
      drawTimes.push(now);
    }
    while (drawTimes.length > 0 && drawTimes[0] < now - 1000) drawTimes.shift();
    const shown = playing ? `${drawTimes.length} redraws/s` : "paused";
    if (rate.textContent !== shown) rate.textContent = shown;
    rate.dataset.rate = String(drawTimes.length);
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);

  setPlaying(false);
  reset();
}

/** The training worker: this same script, started from the page's copy. */
function startWorker(): Worker {
  const source = document.getElementById("app")?.textContent ?? "";
  if (source.trim() !== "") {
    const url = URL.createObjectURL(
      new Blob([source], { type: "text/javascript" }),
    );
    return new Worker(url);
  }
  // Served as a separate file (no inline copy): load it by URL.
  const script = document.querySelector<HTMLScriptElement>("script[src]");
  return new Worker(script?.src ?? "app.js");
}

function drawBoundary(
  canvas: HTMLCanvasElement,
  grid: Float32Array | null,
  n: number,
  points: Points,
  b: Bounds,
): void {
  const size = fitCanvas(canvas);
  const ctx = canvas.getContext("2d") as CanvasRenderingContext2D;
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, size.w, size.h);
  if (grid !== null && n > 0) {
    const image = new ImageData(n, n);
    for (let i = 0; i < n * n; i++) {
      const cell = grid[i];
      const k = Math.floor(cell);
      const c = cell - k;
      const rgb = CLASS_RGB[k % CLASS_RGB.length];
      const t = 0.15 + 0.45 * c; // how much of the class colour shows
      image.data[4 * i] = 255 + (rgb[0] - 255) * t;
      image.data[4 * i + 1] = 255 + (rgb[1] - 255) * t;
      image.data[4 * i + 2] = 255 + (rgb[2] - 255) * t;
      image.data[4 * i + 3] = 255;
    }
    const small = new OffscreenCanvas(n, n);
    (small.getContext("2d") as OffscreenCanvasRenderingContext2D).putImageData(
      image,
      0,
      0,
    );
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(small, 0, 0, size.w, size.h);
  }
  const px = (x: number): number => (x - b.xmin) / (b.xmax - b.xmin) * size.w;
  const py = (y: number): number => (b.ymax - y) / (b.ymax - b.ymin) * size.h;
  const r = 4.5 * size.scale;
  ctx.lineWidth = 1.2 * size.scale;
  for (let i = 0; i < points.x.length; i++) {
    const k = points.y[i];
    marker(
      ctx,
      SHAPES[k % SHAPES.length],
      px(points.x[i][0]),
      py(points.x[i][1]),
      r,
    );
    ctx.fillStyle = CLASS_COLORS[k % CLASS_COLORS.length];
    ctx.strokeStyle = "#000000";
    ctx.fill();
    ctx.stroke();
  }
}

function marker(
  ctx: CanvasRenderingContext2D,
  shape: string,
  x: number,
  y: number,
  r: number,
): void {
  ctx.beginPath();
  switch (shape) {
    case "square":
      ctx.rect(x - r * 0.85, y - r * 0.85, 1.7 * r, 1.7 * r);
      break;
    case "triangle":
      ctx.moveTo(x, y - 1.15 * r);
      ctx.lineTo(x + r, y + 0.75 * r);
      ctx.lineTo(x - r, y + 0.75 * r);
      ctx.closePath();
      break;
    case "diamond":
      ctx.moveTo(x, y - 1.2 * r);
      ctx.lineTo(x + r, y);
      ctx.lineTo(x, y + 1.2 * r);
      ctx.lineTo(x - r, y);
      ctx.closePath();
      break;
    default:
      ctx.arc(x, y, r, 0, 2 * Math.PI);
  }
}

/** Sizes the canvas's pixels to its CSS box times the device pixel ratio. */
function fitCanvas(
  canvas: HTMLCanvasElement,
): { w: number; h: number; scale: number } {
  const scale = Math.min(2, globalThis.devicePixelRatio || 1);
  const w = Math.max(1, Math.round(canvas.clientWidth * scale));
  const h = Math.max(1, Math.round(canvas.clientHeight * scale));
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  return { w, h, scale };
}

function drawChart(
  canvas: HTMLCanvasElement,
  ys: readonly number[],
  title: string,
  target: number | null,
): void {
  const { w, h, scale } = fitCanvas(canvas);
  const ctx = canvas.getContext("2d") as CanvasRenderingContext2D;
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, w, h);
  const pad = { l: 44 * scale, r: 8 * scale, t: 18 * scale, b: 16 * scale };
  ctx.font = `${11 * scale}px system-ui, sans-serif`;
  ctx.fillStyle = "#222222";
  ctx.fillText(title, pad.l, 12 * scale);
  let lo = target === null ? Infinity : 0;
  let hi = target === null ? -Infinity : 1;
  if (target === null) {
    for (const y of ys) {
      if (!Number.isFinite(y)) continue;
      lo = Math.min(lo, y);
      hi = Math.max(hi, y);
    }
    if (!Number.isFinite(lo)) {
      lo = 0;
      hi = 1;
    }
    lo = Math.min(0, lo);
    if (hi - lo < 1e-9) hi = lo + 1;
  }
  const X = (i: number): number =>
    pad.l + (ys.length <= 1 ? 0 : i / (ys.length - 1)) * (w - pad.l - pad.r);
  const Y = (y: number): number =>
    pad.t + (1 - (y - lo) / (hi - lo)) * (h - pad.t - pad.b);
  ctx.strokeStyle = "#bbbbbb";
  ctx.lineWidth = 1 * scale;
  ctx.beginPath();
  ctx.moveTo(pad.l, pad.t);
  ctx.lineTo(pad.l, h - pad.b);
  ctx.lineTo(w - pad.r, h - pad.b);
  ctx.stroke();
  ctx.fillStyle = "#444444";
  ctx.textAlign = "right";
  ctx.fillText(label(hi), pad.l - 4 * scale, pad.t + 4 * scale);
  ctx.fillText(label(lo), pad.l - 4 * scale, h - pad.b);
  ctx.textAlign = "left";
  ctx.fillText(`${ys.length} steps`, w - pad.r - 60 * scale, h - 3 * scale);
  if (target !== null) {
    ctx.strokeStyle = "#D55E00";
    ctx.setLineDash([4 * scale, 4 * scale]);
    ctx.beginPath();
    ctx.moveTo(pad.l, Y(target));
    ctx.lineTo(w - pad.r, Y(target));
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = "#D55E00";
    ctx.fillText("95%", w - pad.r - 28 * scale, Y(target) + 12 * scale);
  }
  if (ys.length === 0) return;
  ctx.strokeStyle = "#0072B2";
  ctx.lineWidth = 1.6 * scale;
  ctx.beginPath();
  // At most one point per pixel column.
  const stride = Math.max(1, Math.floor(ys.length / (w - pad.l - pad.r)));
  let first = true;
  for (let i = 0; i < ys.length; i += stride) {
    if (!Number.isFinite(ys[i])) continue;
    if (first) ctx.moveTo(X(i), Y(ys[i]));
    else ctx.lineTo(X(i), Y(ys[i]));
    first = false;
  }
  ctx.stroke();
}

function label(x: number): string {
  return Math.abs(x) >= 100 ? x.toExponential(1) : x.toFixed(2);
}

// ---------------------------------------------------------------------------
// Graph panel

function setupGraph(): void {
  const input = $<HTMLTextAreaElement>("expr");
  const holder = $("graph-svg");
  const status = $("graph-status");
  const verdict = $("graph-check");
  let drawing: { nodes: Value[]; svg: SVGSVGElement } | null = null;
  let steps: Generator<Value> | null = null;
  let stepCount = 0;
  let touched = new Set<number>();

  const build = (): boolean => {
    steps = null;
    stepCount = 0;
    touched = new Set();
    verdict.textContent = "";
    delete verdict.dataset.match;
    let root: Value;
    try {
      root = parseProgram(input.value).root;
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      setError("expr", error.message);
      return false;
    }
    const d = drawGraph(root);
    if (d.nodes.length > MAX_NODES) {
      setError(
        "expr",
        `Cannot draw the graph: it has ${d.nodes.length} nodes, the panel draws up to ${MAX_NODES}`,
      );
      return false;
    }
    const bad = d.nodes.find((n) => !Number.isFinite(n.data));
    setError(
      "expr",
      bad === undefined
        ? ""
        : `Note: ${
          bad.label ?? `a ${bad.op} node`
        } is ${bad.data}; its gradients will not be finite`,
    );
    holder.innerHTML = d.svg;
    drawing = {
      nodes: d.nodes,
      svg: holder.querySelector("svg") as SVGSVGElement,
    };
    status.textContent =
      `${d.nodes.length} nodes. Press "Step backward" to fill in the gradients one op at a time.`;
    return true;
  };

  const refresh = (active: number | null): void => {
    if (drawing === null) return;
    const { nodes, svg } = drawing;
    for (const el of svg.querySelectorAll(".active, .receiving")) {
      el.classList.remove("active", "receiving");
    }
    for (let i = 0; i < nodes.length; i++) {
      const g = svg.querySelector(`g.node[data-node="${i}"]`) as SVGGElement;
      g.dataset.grad = String(nodes[i].grad);
      g.classList.toggle("filled", touched.has(i));
      (g.querySelector("text.grad") as SVGTextElement).textContent =
        touched.has(i) ? `grad ${formatNumber(nodes[i].grad)}` : "grad ·";
    }
    if (active === null) return;
    const box = svg.querySelector(`g.node[data-node="${active}"]`);
    box?.classList.add("active");
    // On a narrow screen the graph scrolls sideways: bring the node in view.
    if (box !== null) {
      const view = holder.getBoundingClientRect();
      const r = box.getBoundingClientRect();
      if (r.left < view.left || r.right > view.right) {
        holder.scrollLeft += (r.left + r.right) / 2 -
          (view.left + view.right) / 2;
      }
    }
    svg.querySelector(`g.op[data-op="${active}"]`)?.classList.add("active");
    for (
      const el of svg.querySelectorAll(
        `path[data-to="${active}"], path[data-op="${active}"]`,
      )
    ) {
      el.classList.add("active");
    }
    for (const input of nodes[active].inputs) {
      if (input.op === "" && !input.isLeaf) continue; // a constant: no grad
      const k = nodes.indexOf(input);
      svg.querySelector(`g.node[data-node="${k}"]`)?.classList.add("receiving");
    }
  };

  // After the last step: the same numbers as backward() on a fresh copy?
  const compare = (): void => {
    if (drawing === null) return;
    const copy = parseProgram(input.value).root;
    copy.backward();
    const { nodes } = drawing;
    const fresh = drawGraph(copy).nodes;
    let worst = 0;
    let same = fresh.length === nodes.length;
    for (let i = 0; same && i < nodes.length; i++) {
      if (!Object.is(fresh[i].grad, nodes[i].grad)) {
        same = false;
        worst = Math.max(worst, Math.abs(fresh[i].grad - nodes[i].grad));
      }
    }
    verdict.dataset.match = String(same);
    verdict.textContent = same
      ? "Every grad equals what backward() gives, bit for bit."
      : `Differs from backward() (largest difference ${worst})`;
  };

  const stepOnce = (): boolean => {
    if (drawing === null || steps === null) return false;
    const { nodes } = drawing;
    const next = steps.next();
    if (next.done) {
      steps = null;
      refresh(null);
      status.textContent = `Done: ${stepCount} ops sent their gradients back.`;
      compare();
      return false;
    }
    stepCount++;
    const node = next.value;
    const i = nodes.indexOf(node);
    touched.add(i);
    for (const x of node.inputs) {
      if (x.op !== "" || x.isLeaf) touched.add(nodes.indexOf(x));
    }
    refresh(i);
    const names = node.inputs.map((x) => x.label ?? formatNumber(x.data)).join(
      ", ",
    );
    status.textContent = `Step ${stepCount}: ${
      node.label ?? `the ${node.op} node`
    } (${node.op}, grad ${
      formatNumber(node.grad)
    }) sent its gradient to ${names}.`;
    return true;
  };

  const start = (): boolean => {
    if (!build() || drawing === null) return false;
    const root = drawing.nodes[drawing.nodes.length - 1];
    steps = backwardSteps(root);
    touched.add(drawing.nodes.length - 1);
    return true;
  };

  $("graph-step").addEventListener("click", () => {
    if (steps === null && !start()) return;
    stepOnce();
  });
  $("graph-backward").addEventListener("click", () => {
    if (steps === null && !start()) return;
    while (stepOnce());
  });
  $("graph-reset").addEventListener("click", () => {
    if (build()) refresh(null);
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (build()) refresh(null);
    }, 250);
  });
  if (build()) refresh(null);
}

// ---------------------------------------------------------------------------
// Custom-op panel

const CHECK_TIMEOUT_MS = 10_000;

function setupCustomOp(): void {
  const button = $<HTMLButtonElement>("op-run");
  const verdict = $("op-verdict");
  const table = $("op-table");
  let worker: Worker | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const fields = [
    "op-name",
    "op-forward",
    "op-derivative",
    "op-domain",
  ] as const;
  const run = (): void => {
    for (const f of fields) setError(f, "");
    setError("op-run", "");
    const input: CustomOpInput = {
      name: value("op-name"),
      forward: value("op-forward"),
      derivative: value("op-derivative"),
      domain: value("op-domain"),
    };
    worker?.terminate();
    worker = startWorker();
    verdict.textContent = "checking…";
    verdict.className = "verdict";
    table.innerHTML = "";
    button.disabled = true;
    const done = (): void => {
      clearTimeout(timer);
      button.disabled = false;
      worker?.terminate();
      worker = null;
    };
    timer = setTimeout(() => {
      done();
      verdict.textContent = "";
      setError(
        "op-run",
        `checkOp did not finish in ${
          CHECK_TIMEOUT_MS / 1000
        } s (an endless loop in the typed code?), so it was stopped`,
      );
    }, CHECK_TIMEOUT_MS);
    worker.onmessage = (event: MessageEvent<FromWorker>): void => {
      done();
      const msg = event.data;
      if (msg.type === "error") {
        verdict.textContent = "";
        setError("op-run", msg.message);
        return;
      }
      if (msg.type !== "checked") return;
      show(msg.result);
    };
    worker.onerror = (event: ErrorEvent): void => {
      done();
      verdict.textContent = "";
      setError("op-run", `The check failed: ${event.message}`);
    };
    worker.postMessage({ type: "check", input } satisfies ToWorker);
  };

  const show = (result: CustomOpResult): void => {
    if (!result.ok) {
      verdict.textContent = "";
      const field = result.field === "run" ? "op-run" : `op-${result.field}`;
      setError(field, result.message);
      return;
    }
    verdict.textContent = result.pass
      ? `PASS: all ${result.total} checks of "${result.name}" agree with central differences`
      : `FAIL: ${result.failed} of ${result.total} checks of "${result.name}" disagree with central differences`;
    verdict.className = `verdict ${result.pass ? "pass" : "fail"}`;
    verdict.dataset.verdict = result.pass ? "PASS" : "FAIL";
    const rows = result.rows.map((r) =>
      `<tr class="${r.status === "pass" ? "" : "bad"}"><td>${
        escapeXml(r.kind)
      }</td><td>${fmt(r.point)}</td><td>${fmt(r.analytic)}</td><td>${
        fmt(r.numeric)
      }</td><td>${fmt(r.absError)}</td><td>${fmt(r.tolerance)}</td><td>${
        escapeXml(r.status)
      }</td></tr>`
    );
    table.innerHTML =
      `<table><caption>The ${result.rows.length} worst of ${result.total} checks</caption><thead><tr><th>kind</th><th>x</th><th>analytic</th><th>numeric</th><th>|error|</th><th>tolerance</th><th>status</th></tr></thead><tbody>${
        rows.join("")
      }</tbody></table>`;
  };

  button.addEventListener("click", run);
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-3 || a >= 1e5)
    ? x.toExponential(2)
    : x.toPrecision(5);
}

/** Starts the page: each panel on its own, so one failing leaves the rest. */
export function startPage(): void {
  for (const setup of [setupTraining, setupGraph, setupCustomOp]) {
    try {
      setup();
    } catch (error) {
      console.error(error);
    }
  }
}
