// The scaling report: how forward (graph build) and backward cost per node
// grow with the graph, against the hand-written floor (bench/floor.ts)
// measured in the same process, on the same inputs, interleaved run by run.
//
//   deno task bench:scaling                 markdown on stdout (~1-2 minutes)
//   deno task bench:scaling --large         also N = 1e7
//   deno task bench:scaling --csv out.csv   also write the rows as CSV
//   deno task bench:scaling --help          every flag
//   deno task bench:scaling --json          JSON on stdout instead of markdown
//   deno task bench:scaling --shape chain   only some shapes (repeatable;
//                                           "moons" for the training step)
//
// A "node" is one Value of the graph: topo(root).length, leaves and constants
// included. The floor's tape records exactly the same nodes (checked below).
// Times are medians of repeated runs; each run of a small graph builds a
// batch of graphs so that it lasts long enough for the clock. Bytes per node
// are the heap (plus external, for typed arrays) growth after a forced GC
// while the graphs are alive. The slope is the least-squares slope of
// log(backward time) against log(nodes), over N = 1e3 .. 1e6.
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { stringify } from "csv-stringify/sync";
import { compile, type Tape as EngineTape, topo } from "../engine/mod.ts";
import { type Shape, type ShapeInput, SHAPES } from "./_shapes.ts";
import { type FloorGraph, Tape } from "./floor.ts";
import { l1ReadNs } from "./_l1_reads.ts";
import {
  EngineMoons,
  FloorMoons,
  FloorReplayMoons,
  makeMoons,
  ReplayMoons,
  WARM_UP_STEPS,
} from "./_moons.ts";
import {
  escapeControl,
  parseArgsMessage,
  UsageError,
} from "../examples/_cli.ts";
import {
  commitOutput,
  type Output,
  prepareOutputs,
} from "../examples/_outputs.ts";

interface Row {
  shape: string;
  nodes: number;
  runs: number;
  fwdNs: number;
  floorFwdNs: number;
  bwdNs: number;
  floorBwdNs: number;
  bytes: number;
  floorBytes: number;
}

const HELP = `The scaling report: forward and backward cost per node as the
graph grows, against the hand-written floor, as a markdown table.

Usage: deno task bench:scaling [flags]

  --large        also N = 1e7
  --csv FILE     also write the rows as CSV (checked before the run, replaced
                 only once complete; a relative path is taken from the
                 directory the command is run in)
  --json         JSON on stdout instead of markdown
  --shape NAME   only some shapes: chain, sum, tree or moons (repeatable)
  --help         print this help

Bad flags print one line and exit with code 2.`;

interface Flags {
  large: boolean;
  csv?: string;
  json: boolean;
  shape?: string[];
  help: boolean;
}

function parseFlags(): Flags {
  try {
    return parseArgs({
      args: Deno.args,
      options: {
        large: { type: "boolean", default: false },
        csv: { type: "string" },
        json: { type: "boolean", default: false },
        shape: { type: "string", multiple: true },
        help: { type: "boolean", default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    return usageError(parseArgsMessage(error));
  }
}

function usageError(message: string): never {
  console.error(escapeControl(message));
  Deno.exit(2);
}

const flags = parseFlags();
if (flags.help) {
  console.log(HELP);
  Deno.exit(0);
}
for (const name of flags.shape ?? []) {
  if (name !== "moons" && !SHAPES.some((s) => s.name === name)) {
    usageError(
      `Cannot run the scaling report: unknown shape "${name}", expected chain, sum, tree or moons`,
    );
  }
}
// The CSV output is checked (and its temporary file made) before the run.
let csvOutput: Output | undefined;
if (flags.csv !== undefined) {
  try {
    [csvOutput] = await prepareOutputs([{ flag: "--csv", path: flags.csv }]);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    usageError(error.message);
  }
}

const collect = (globalThis as { gc?: () => void }).gc;
if (typeof collect !== "function") {
  throw new TypeError(
    "Cannot run the scaling report: globalThis.gc is missing, run it with --v8-flags=--expose-gc (deno task bench:scaling)",
  );
}
const forceGc: () => void = collect;

const SIZES = [1e3, 1e4, 1e5, 1e6];
const sizes = flags.large ? [...SIZES, 1e7] : SIZES;
const wanted = flags.shape ?? [...SHAPES.map((s) => s.name), "moons"];
const shapes = SHAPES.filter((s) => wanted.includes(s.name));

// Each (shape, N) cell spends about this long in timed runs, within bounds.
const CELL_BUDGET_MS = 2500;
const MIN_RUNS = 5;
const MAX_RUNS = 40;
// Runs of small graphs build this many nodes' worth of graphs at once.
const BATCH_NODES = 1e5;

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function slope(xs: number[], ys: number[]): number {
  const lx = xs.map(Math.log);
  const ly = ys.map(Math.log);
  const mx = lx.reduce((a, b) => a + b, 0) / lx.length;
  const my = ly.reduce((a, b) => a + b, 0) / ly.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < lx.length; i++) {
    num += (lx[i] - mx) * (ly[i] - my);
    den += (lx[i] - mx) ** 2;
  }
  return num / den;
}

function memory(): number {
  forceGc();
  forceGc();
  const m = Deno.memoryUsage();
  return m.heapUsed + m.external;
}

function progress(text: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(text));
}

/**
 * The end of a progress line: the seconds since `t`, and the L1 reads'
 * time just after (_l1_reads.ts), which tells a slow phase of the machine
 * (about 0.16 ns a read on this project's VM, 0.22 or more in a slow one).
 */
function done(t: number): string {
  const seconds = (performance.now() - t) / 1000;
  return ` ${seconds.toFixed(1)} s, L1 reads ${l1ReadNs().toFixed(3)} ns\n`;
}

/** Times building `batch` graphs, then backward on each: [fwd ms, bwd ms]. */
function runEngine(shape: Shape, input: ShapeInput, batch: number): number[] {
  const roots = new Array(batch);
  forceGc();
  const t0 = performance.now();
  for (let j = 0; j < batch; j++) roots[j] = shape.engine(input);
  const t1 = performance.now();
  for (let j = 0; j < batch; j++) roots[j].backward();
  const t2 = performance.now();
  return [t1 - t0, t2 - t1];
}

/** The same for the floor, recording on `tapes` (one per graph, reused). */
function runFloor(shape: Shape, input: ShapeInput, tapes: Tape[]): number[] {
  const batch = tapes.length;
  const graphs: FloorGraph[] = new Array(batch);
  forceGc();
  const t0 = performance.now();
  for (let j = 0; j < batch; j++) graphs[j] = shape.floor(input, tapes[j]);
  const t1 = performance.now();
  for (let j = 0; j < batch; j++) graphs[j].tape.backward(graphs[j].root);
  const t2 = performance.now();
  return [t1 - t0, t2 - t1];
}

/**
 * Bytes per node of `batch` live graphs, each built and then run through
 * backward by `build` (so gradients have been written, as in training).
 */
function bytesPerNode(
  build: () => unknown,
  batch: number,
  nodes: number,
): number {
  const keep: unknown[] = new Array(batch);
  const before = memory();
  for (let j = 0; j < batch; j++) keep[j] = build();
  const after = memory();
  keep.length = 0; // the graphs stay alive until here
  return (after - before) / (batch * nodes);
}

function measure(shape: Shape, size: number): Row {
  const input = shape.input(size);
  const nodes = input.nodes;
  // The node count both sides are divided by: checked, not assumed.
  const probe = shape.engine(input);
  const counted = topo(probe).length;
  const floorGraph = shape.floor(input);
  if (counted !== nodes || floorGraph.tape.size !== nodes) {
    throw new RangeError(
      `Cannot measure ${shape.name}: expected ${nodes} nodes, engine has ${counted}, floor has ${floorGraph.tape.size}`,
    );
  }
  const batch = Math.max(1, Math.floor(BATCH_NODES / nodes));
  const tapes: Tape[] = [];
  for (let j = 0; j < batch; j++) tapes.push(new Tape());
  // Warm up (the JIT, and the estimate of how long one run takes). Three
  // runs at every size: after one, the floor's backward on 1e6 nodes took
  // 7.5-7.7 ns a node against 5.3 after three (two chain runs each); in a
  // plain loop, --trace-opt shows it compiled on the stack (OSR) and thrown
  // out again during its first 1e6-node passes.
  const warm = 3;
  let estimate = 0;
  for (let r = 0; r < warm; r++) {
    const e = runEngine(shape, input, batch);
    const f = runFloor(shape, input, tapes);
    estimate = e[0] + e[1] + f[0] + f[1];
  }
  const runs = Math.min(
    MAX_RUNS,
    Math.max(MIN_RUNS, Math.ceil(CELL_BUDGET_MS / estimate)),
  );
  const fwd: number[] = [];
  const bwd: number[] = [];
  const floorFwd: number[] = [];
  const floorBwd: number[] = [];
  for (let r = 0; r < runs; r++) {
    const e = runEngine(shape, input, batch);
    fwd.push(e[0]);
    bwd.push(e[1]);
    const f = runFloor(shape, input, tapes);
    floorFwd.push(f[0]);
    floorBwd.push(f[1]);
  }
  const perNode = 1e6 / (batch * nodes); // ms per run -> ns per node
  return {
    shape: shape.name,
    nodes,
    runs,
    fwdNs: median(fwd) * perNode,
    floorFwdNs: median(floorFwd) * perNode,
    bwdNs: median(bwd) * perNode,
    floorBwdNs: median(floorBwd) * perNode,
    bytes: bytesPerNode(
      () => {
        const root = shape.engine(input);
        root.backward();
        return root;
      },
      batch,
      nodes,
    ),
    floorBytes: bytesPerNode(
      () => {
        const graph = shape.floor(input);
        graph.tape.backward(graph.root);
        return graph;
      },
      batch,
      nodes,
    ),
  };
}

function fmt(x: number, digits = 1): string {
  return x.toFixed(digits);
}

function machine(): Record<string, string | number> {
  let cpu = "unknown";
  try {
    cpu = cpus()[0]?.model ?? cpu;
  } catch {
    // No --allow-sys=cpus: leave it unknown.
  }
  return {
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    cpu,
    cores: navigator.hardwareConcurrency,
    os: Deno.build.os,
    arch: Deno.build.arch,
  };
}

// ---------------------------------------------------------------------------

const rows: Row[] = [];
for (const shape of shapes) {
  for (const size of sizes) {
    progress(`${shape.name} 1e${Math.round(Math.log10(size))} ...`);
    const t = performance.now();
    const row = measure(shape, size);
    rows.push(row);
    progress(done(t));
  }
}

// ---------------------------------------------------------------------------
// Compiled replay: compile(root) and compile(root, { codegen: true }) against
// the floor replaying its own tape (forward() then backward()), same graphs.

interface ReplayRow {
  shape: string;
  nodes: number;
  engine: "tape" | "codegen";
  /** Whether generated code ran (codegen falls back past its size cap). */
  generated: boolean;
  compileNs: number;
  fwdNs: number;
  floorFwdNs: number;
  bwdNs: number;
  floorBwdNs: number;
  bytes: number;
}

/** Median ms of `fn` over runs of `reps` calls, alternating with `other`. */
function alternate(
  fns: (() => void)[],
  reps: number,
  runs: number,
): number[][] {
  const times: number[][] = fns.map(() => []);
  for (let r = 0; r < runs; r++) {
    for (let f = 0; f < fns.length; f++) {
      const t = performance.now();
      for (let k = 0; k < reps; k++) fns[f]();
      times[f].push((performance.now() - t) / reps);
    }
  }
  return times;
}

function measureReplay(shape: Shape, size: number): ReplayRow[] {
  const input = shape.input(size);
  const nodes = input.nodes;
  const root = shape.engine(input);
  const floor = shape.floor(input);
  const out: ReplayRow[] = [];
  for (const codegen of [false, true]) {
    const t0 = performance.now();
    const tape: EngineTape = compile(root, { codegen });
    const compileNs = (performance.now() - t0) * 1e6 / nodes;
    const reps = Math.max(1, Math.floor(BATCH_NODES / nodes));
    const runs = nodes >= 1e6 ? MIN_RUNS : 15;
    // Warm up: generated code needs a few hundred calls to be optimized.
    const warm = Math.max(3, Math.min(1000, Math.floor(2e7 / nodes)));
    for (let k = 0; k < warm; k++) {
      tape.forward();
      tape.backward();
      floor.tape.forward();
      floor.tape.backward(floor.root);
    }
    const [fwd, bwd, floorFwd, floorBwd] = alternate(
      [
        () => tape.forward(),
        () => tape.backward(),
        () => floor.tape.forward(),
        () => floor.tape.backward(floor.root),
      ],
      reps,
      runs,
    );
    const perNode = 1e6 / nodes;
    out.push({
      shape: shape.name,
      nodes,
      engine: codegen ? "codegen" : "tape",
      generated: tape.codegen,
      compileNs,
      fwdNs: median(fwd) * perNode,
      floorFwdNs: median(floorFwd) * perNode,
      bwdNs: median(bwd) * perNode,
      floorBwdNs: median(floorBwd) * perNode,
      bytes: bytesPerNode(() => compile(root, { codegen }), 3, nodes),
    });
  }
  return out;
}

const replays: ReplayRow[] = [];
for (const shape of shapes) {
  for (const size of sizes) {
    progress(`${shape.name} 1e${Math.round(Math.log10(size))} replay ...`);
    const t = performance.now();
    replays.push(...measureReplay(shape, size));
    progress(done(t));
  }
}

interface MoonsRow {
  nodes: number;
  runs: number;
  stepMs: number;
  floorStepMs: number;
  /** Means of CONSECUTIVE_STEPS consecutive steps, collections included. */
  engineMeanMs: number;
  floorMeanMs: number;
  /** compile(loss) replayed each step, and with codegen. */
  tapeStepMs: number;
  codegenStepMs: number;
  /** The floor replaying its own recorded tape. */
  floorReplayStepMs: number;
  /** The same, alternating with the codegen rows. */
  floorReplayAgainStepMs: number;
}

const CONSECUTIVE_STEPS = 500;

/**
 * The mean time of `steps` consecutive calls of each function in `fns`, one
 * function after the other, in ms.
 */
function consecutiveMeans(fns: (() => void)[], steps: number): number[] {
  return fns.map((fn) => {
    const t = performance.now();
    for (let k = 0; k < steps; k++) fn();
    return (performance.now() - t) / steps;
  });
}

/** The training step, engine and floor alternating from the same weights. */
function measureMoons(): MoonsRow {
  const data = makeMoons(100);
  const engine = new EngineMoons(data);
  const floor = new FloorMoons(data, engine.params);
  const loss = engine.forward();
  const nodes = topo(loss).length;
  const check = floor.step().nodes;
  if (check !== nodes) {
    throw new RangeError(
      `Cannot measure moons: engine graph has ${nodes} nodes, floor has ${check}`,
    );
  }
  engine.update(loss);
  for (let r = 0; r < WARM_UP_STEPS; r++) {
    engine.step();
    floor.step();
  }
  const tape = new ReplayMoons(new EngineMoons(data), false);
  const floorReplay = new FloorReplayMoons(data, engine.params);
  for (let r = 0; r < 100; r++) {
    tape.step();
    floorReplay.step();
  }
  const runs = 200;
  const [engineMs, floorMs, tapeMs, floorReplayMs] = alternate(
    [
      () => engine.step(),
      () => floor.step(),
      () => tape.step(),
      () => floorReplay.step(),
    ],
    1,
    runs,
  );
  // Means of consecutive steps, as `deno bench` reports them: they include
  // the young generation's collections, which a median of single steps
  // leaves out. The floor makes no garbage.
  const [engineMeanMs, floorMeanMs] = consecutiveMeans(
    [() => engine.step(), () => floor.step()],
    CONSECUTIVE_STEPS,
  );
  // Generated code last, so that its compile and warm-up (up to 1000 steps)
  // do not land in the other rows' timings.
  const codegen = new ReplayMoons(new EngineMoons(data), true);
  for (let r = 0; r < 1000; r++) codegen.step();
  const [codegenMs, floorReplayAgainMs] = alternate(
    [() => codegen.step(), () => floorReplay.step()],
    1,
    runs,
  );
  return {
    nodes,
    runs,
    stepMs: median(engineMs),
    floorStepMs: median(floorMs),
    engineMeanMs,
    floorMeanMs,
    tapeStepMs: median(tapeMs),
    floorReplayStepMs: median(floorReplayMs),
    codegenStepMs: median(codegenMs),
    floorReplayAgainStepMs: median(floorReplayAgainMs),
  };
}

let moons: MoonsRow | null = null;
if (wanted.includes("moons")) {
  progress("moons step ...");
  const t = performance.now();
  moons = measureMoons();
  progress(done(t));
}

interface SlopeRow {
  shape: string;
  slope: number;
  floorSlope: number;
}
const slopes: SlopeRow[] = [];
for (const shape of shapes) {
  const r = rows.filter((x) => x.shape === shape.name && x.nodes <= 2e6);
  if (r.length < 2) continue;
  const n = r.map((x) => x.nodes);
  slopes.push({
    shape: shape.name,
    slope: slope(n, r.map((x) => x.bwdNs * x.nodes)),
    floorSlope: slope(n, r.map((x) => x.floorBwdNs * x.nodes)),
  });
}

const info = machine();

if (flags.csv !== undefined) {
  const header = [
    "shape",
    "nodes",
    "runs",
    "fwd_ns_per_node",
    "floor_fwd_ns_per_node",
    "fwd_ratio",
    "bwd_ns_per_node",
    "floor_bwd_ns_per_node",
    "bwd_ratio",
    "bytes_per_node",
    "floor_bytes_per_node",
    "bytes_ratio",
  ];
  const body = rows.map((r) => [
    r.shape,
    r.nodes,
    r.runs,
    r.fwdNs,
    r.floorFwdNs,
    r.fwdNs / r.floorFwdNs,
    r.bwdNs,
    r.floorBwdNs,
    r.bwdNs / r.floorBwdNs,
    r.bytes,
    r.floorBytes,
    r.bytes / r.floorBytes,
  ]);
  try {
    await commitOutput(csvOutput as Output, stringify([header, ...body]));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    usageError(error.message);
  }
  progress(`wrote ${escapeControl(flags.csv)}\n`);
}

if (flags.json) {
  console.log(
    JSON.stringify({ machine: info, rows, replays, slopes, moons }, null, 2),
  );
} else {
  const lines: string[] = [];
  if (rows.length > 0) {
    lines.push(
      "| shape | nodes | fwd ns/node | floor | fwd ratio | bwd ns/node | floor | bwd ratio | bytes/node | floor | bytes ratio |",
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    );
    for (const r of rows) {
      lines.push(
        `| ${r.shape} | ${r.nodes} | ${fmt(r.fwdNs)} | ${fmt(r.floorFwdNs)} | ${
          fmt(r.fwdNs / r.floorFwdNs, 2)
        }x | ${fmt(r.bwdNs)} | ${fmt(r.floorBwdNs)} | ${
          fmt(r.bwdNs / r.floorBwdNs, 2)
        }x | ${fmt(r.bytes, 0)} | ${fmt(r.floorBytes, 0)} | ${
          fmt(r.bytes / r.floorBytes, 2)
        }x |`,
      );
    }
  }
  if (replays.length > 0) {
    lines.push(
      "",
      "| shape | nodes | replay | compile ns/node | fwd ns/node | floor replay | fwd ratio | bwd ns/node | floor replay | bwd ratio | tape bytes/node |",
      "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    );
    for (const r of replays) {
      const name = r.engine === "codegen" && !r.generated
        ? "codegen (fell back to tape)"
        : r.engine;
      lines.push(
        `| ${r.shape} | ${r.nodes} | ${name} | ${fmt(r.compileNs)} | ${
          fmt(r.fwdNs)
        } | ${fmt(r.floorFwdNs)} | ${fmt(r.fwdNs / r.floorFwdNs, 2)}x | ${
          fmt(r.bwdNs)
        } | ${fmt(r.floorBwdNs)} | ${fmt(r.bwdNs / r.floorBwdNs, 2)}x | ${
          fmt(r.bytes, 0)
        } |`,
      );
    }
  }
  if (slopes.length > 0) {
    lines.push(
      "",
      "| shape | backward slope, 1e3..1e6 (log-log) | floor slope |",
      "| --- | ---: | ---: |",
    );
    for (const s of slopes) {
      lines.push(
        `| ${s.shape} | ${fmt(s.slope, 3)} | ${fmt(s.floorSlope, 3)} |`,
      );
    }
  }
  if (moons !== null) {
    lines.push(
      "",
      "| moons training step, MLP(2,[16,16,1]), 100 points, hinge + L2, backward, SGD | nodes | ms/step | floor ms/step | ratio |",
      "| --- | ---: | ---: | ---: | ---: |",
      `| engine (nn.MLP, hingeLoss, optim.SGD) vs floor | ${moons.nodes} | ${
        fmt(moons.stepMs, 3)
      } | ${fmt(moons.floorStepMs, 3)} | ${
        fmt(moons.stepMs / moons.floorStepMs, 2)
      }x |`,
      `| the same, mean of ${CONSECUTIVE_STEPS} consecutive steps (collections included) | ${moons.nodes} | ${
        fmt(moons.engineMeanMs, 3)
      } | ${fmt(moons.floorMeanMs, 3)} | ${
        fmt(moons.engineMeanMs / moons.floorMeanMs, 2)
      }x |`,
      `| compile(loss) replayed vs the floor's tape replayed | ${moons.nodes} | ${
        fmt(moons.tapeStepMs, 3)
      } | ${fmt(moons.floorReplayStepMs, 3)} | ${
        fmt(moons.tapeStepMs / moons.floorReplayStepMs, 2)
      }x |`,
      `| compile(loss, { codegen: true }) replayed vs the floor's tape replayed | ${moons.nodes} | ${
        fmt(moons.codegenStepMs, 3)
      } | ${fmt(moons.floorReplayAgainStepMs, 3)} | ${
        fmt(moons.codegenStepMs / moons.floorReplayAgainStepMs, 2)
      }x |`,
    );
  }
  lines.push(
    "",
    `Machine: ${info.cpu}, ${info.cores} cores, ${info.os}/${info.arch}, Deno ${info.deno} (V8 ${info.v8}).`,
    "Times are medians of repeated runs, except the moons row marked as a mean; ratios are engine / floor, measured in the same process.",
  );
  console.log(lines.join("\n"));
}
