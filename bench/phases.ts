// Does the machine have a slow phase right now? On this project's VM, the
// object engine's chain backward runs at about 11-14 or about 18-24 ns a
// node, in phases of seconds to minutes that can span several processes.
// This script times, round after round in one process, loops side by side:
//
// - the engine's backward() on a 50,000-step chain (rebuilt every third
//   round, then a forced collection: phases showed up with that churn), and
//   on a 500-step one (1,003 nodes, about 100 KB: it stays in the L2 cache
//   from one sweep to the next);
// - the floor's backward on the large chain (bench/floor.ts);
// - two probes that touch no node: random reads within a 1 MiB
//   Float64Array (the caches beyond L2), and independent reads of a 16 KiB
//   one (how many loads a cycle the core does, from L1: _l1_reads.ts).
//
// and prints, per 10-second window, each loop's median and how many rounds
// ran slow (30% above the run's own 10th percentile for the engine and the
// L1 reads, 40% for the random reads), then the cross-tabulation of the
// engine's slow rounds with the L1 reads'. The thresholds come from the
// run's own fastest rounds, so a run spent entirely in a slow phase shows no
// slow rounds: compare its medians with a quiet run.
//
//   deno task bench:phases                 120 seconds
//   deno task bench:phases --seconds 400   longer
import { parseArgs } from "node:util";
import { Value } from "../engine/mod.ts";
import { Random } from "../nn/_random.ts";
import { chainFloor } from "./floor.ts";
import { L1_READS, l1Reads } from "./_l1_reads.ts";
import { escapeControl, parseArgsMessage } from "../examples/_cli.ts";

const HELP = `Times the engine's chain backward (100,003 and 1,003 nodes), the
floor's, and two probes that touch no node (random reads within 1 MiB, reads
from L1) side by side for a while, and prints per 10-second window how often
each ran slow.

Usage: deno task bench:phases [flags]

  --seconds N    how long to run (default 120, at least 10)
  --help         print this help

Bad flags print one line and exit with code 2.`;

function usageError(message: string): never {
  console.error(escapeControl(message));
  Deno.exit(2);
}

function parseFlags(): { seconds: number; help: boolean } {
  let values: { seconds?: string; help: boolean };
  try {
    values = parseArgs({
      args: Deno.args,
      options: {
        seconds: { type: "string" },
        help: { type: "boolean", default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    return usageError(parseArgsMessage(error));
  }
  const text = values.seconds ?? "120";
  const seconds = Number(text);
  if (!/^\d+$/.test(text) || seconds < 10) {
    usageError(
      `Cannot run the phases probe: --seconds must be a whole number of at least 10, got "${text}"`,
    );
  }
  return { seconds, help: values.help };
}

const flags = parseFlags();
if (flags.help) {
  console.log(HELP);
  Deno.exit(0);
}
const collect = (globalThis as { gc?: () => void }).gc;
if (typeof collect !== "function") {
  usageError(
    "Cannot run the phases probe: globalThis.gc is missing, run it with --v8-flags=--expose-gc (deno task bench:phases)",
  );
}
const forceGc: () => void = collect;

const STEPS = 50_000;
const NODES = 2 * STEPS + 3;
const SMALL_STEPS = 500;
const SMALL_NODES = 2 * SMALL_STEPS + 3;
const X0 = 0.5;
const A = 1 - 1e-7; // below 1, so that gradients never turn subnormal
const B = 0.1;

function chain(steps: number): Value {
  let y = new Value(X0);
  const a = new Value(A);
  const b = new Value(B);
  for (let i = 0; i < steps; i++) y = y.mul(a).add(b);
  return y;
}

// Random reads: 65,536 reads at random 64-byte lines of 1 MiB, a fixed order.
const PROBE_LINES = 16_384;
const probeData = new Float64Array(PROBE_LINES * 8).fill(1);
const probeOrder = new Int32Array(1 << 16);
const random = new Random(1);
for (let i = 0; i < probeOrder.length; i++) {
  probeOrder[i] = random.int(PROBE_LINES) * 8;
}

function probe(): number {
  let s = 0;
  for (let i = 0; i < probeOrder.length; i++) s += probeData[probeOrder[i]];
  return s;
}

/** Milliseconds that `run` takes, `times` calls in a row. */
function time(run: () => unknown, times: number): number {
  const t0 = performance.now();
  for (let j = 0; j < times; j++) run();
  return performance.now() - t0;
}

function median(xs: number[]): number {
  const s = xs.slice().sort((p, q) => p - q);
  return s[s.length >> 1];
}

function quantile(xs: number[], q: number): number {
  const s = xs.slice().sort((p, q) => p - q);
  return s[Math.floor(q * (s.length - 1))];
}

interface Round {
  second: number;
  engineNs: number;
  smallNs: number;
  floorNs: number;
  probeNs: number;
  l1Ns: number;
}

// The rounds run at the top level, not in a main() under examples/_cli.ts's
// runMain() as the examples do: with this loop moved into a function, the
// probe read at 6.8-11.4 ns in eleven processes of eleven, against 1.2-2.6
// (not understood), so the flags' errors keep their own usageError() here.
const floor = chainFloor(STEPS, X0, A, B);
let root = chain(STEPS);
let small = chain(SMALL_STEPS);
const rounds: Round[] = [];
let sink = 0;
const start = performance.now();
for (let r = 0; performance.now() - start < flags.seconds * 1000; r++) {
  if (r % 3 === 2) {
    root = chain(STEPS);
    small = chain(SMALL_STEPS);
    forceGc();
  }
  const graph = root;
  const smallGraph = small;
  const engineMs = time(() => graph.backward(), 10);
  const smallMs = time(() => smallGraph.backward(), 100);
  const floorMs = time(() => floor.tape.backward(floor.root), 10);
  const probeMs = time(() => sink += probe(), 4);
  const l1Ms = time(() => sink += l1Reads(), 4);
  rounds.push({
    second: (performance.now() - start) / 1000,
    engineNs: engineMs * 1e6 / (10 * NODES),
    smallNs: smallMs * 1e6 / (100 * SMALL_NODES),
    floorNs: floorMs * 1e6 / (10 * NODES),
    probeNs: probeMs * 1e6 / (4 * probeOrder.length),
    l1Ns: l1Ms * 1e6 / (4 * L1_READS),
  });
}
if (sink === 0) console.log("(the probes read only zeros)");

// The first rounds run before the JIT has settled, and the last may end
// after the time asked for: both left out.
const settled = rounds.filter((round) =>
  round.second >= 5 && round.second < flags.seconds
);
const engineSlow = 1.3 * quantile(settled.map((x) => x.engineNs), 0.1);
const probeSlow = 1.4 * quantile(settled.map((x) => x.probeNs), 0.1);
const l1Slow = 1.3 * quantile(settled.map((x) => x.l1Ns), 0.1);

const lines = [
  "| window | rounds | engine ns/node | engine, 1,003 nodes | floor ns/node | random reads, ns | L1 reads, ns | engine slow | random reads slow | L1 reads slow |",
  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
];
for (let from = 0; from < flags.seconds; from += 10) {
  const w = settled.filter((x) => x.second >= from && x.second < from + 10);
  if (w.length === 0) continue;
  const at = (pick: (x: Round) => number, digits: number): string =>
    median(w.map(pick)).toFixed(digits);
  lines.push(
    `| ${from}-${from + 10} s | ${w.length} | ${at((x) => x.engineNs, 1)} | ${
      at((x) => x.smallNs, 1)
    } | ${at((x) => x.floorNs, 1)} | ${at((x) => x.probeNs, 2)} | ${
      at((x) => x.l1Ns, 3)
    } | ${w.filter((x) => x.engineNs > engineSlow).length} | ${
      w.filter((x) => x.probeNs > probeSlow).length
    } | ${w.filter((x) => x.l1Ns > l1Slow).length} |`,
  );
}
const count = (engine: boolean, l1: boolean): number =>
  settled.filter((x) =>
    (x.engineNs > engineSlow) === engine && (x.l1Ns > l1Slow) === l1
  ).length;
lines.push(
  "",
  `Slow: the engine above ${
    engineSlow.toFixed(1)
  } ns a node, random reads above ${probeSlow.toFixed(2)} ns, L1 reads above ${
    l1Slow.toFixed(3)
  } ns (from 5 s on).`,
  "",
  "| rounds | L1 reads fast | L1 reads slow |",
  "| --- | ---: | ---: |",
  `| engine fast | ${count(false, false)} | ${count(false, true)} |`,
  `| engine slow | ${count(true, false)} | ${count(true, true)} |`,
);
console.log(lines.join("\n"));
