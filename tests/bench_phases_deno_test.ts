// Runs bench/phases.ts as a subprocess (Deno.Command: Deno only): its flags,
// and one 10-second measurement, whose report is checked for its shape and
// its counts (no timing is asserted).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Run, runDeno } from "./_run_deno.ts";

const PHASES = new URL("../bench/phases.ts", import.meta.url).pathname;

function phases(v8Flags: string[], ...args: string[]): Promise<Run> {
  return runDeno(
    ["run", ...v8Flags, PHASES, ...args],
    new URL(".", import.meta.url).pathname,
  );
}

describe("deno task bench:phases", () => {
  it("prints its help with every flag", async () => {
    const run = await phases(["--v8-flags=--expose-gc"], "--help");
    assert.equal(run.code, 0, run.stderr);
    for (const flag of ["--seconds", "--help"]) {
      assert.match(run.stdout, new RegExp(`^  ${flag} `, "m"), flag);
    }
  });

  it("refuses bad flags and a missing gc in one line", async () => {
    const cases: [string[], string[], RegExp][] = [
      [
        ["--v8-flags=--expose-gc"],
        ["--seconds", "5"],
        /^Cannot run the phases probe: --seconds must be a whole number of at least 10, got "5"$/,
      ],
      [
        ["--v8-flags=--expose-gc"],
        ["--seconds", "1e3"],
        /^Cannot run the phases probe: --seconds must be a whole number of at least 10, got "1e3"$/,
      ],
      [
        ["--v8-flags=--expose-gc"],
        ["--bogus"],
        /^Cannot parse flags: unknown flag "--bogus", run with --help for the list$/,
      ],
      [
        [],
        [],
        /^Cannot run the phases probe: globalThis.gc is missing, run it with --v8-flags=--expose-gc/,
      ],
    ];
    for (const [v8Flags, args, message] of cases) {
      const run = await phases(v8Flags, ...args);
      assert.equal(run.code, 2, args.join(" "));
      assert.equal(run.stderr.split("\n").length, 2, run.stderr);
      assert.match(run.stderr.trim(), message);
      assert.equal(run.stdout, "");
    }
  });

  it("reports every probe per window, and cross-tabulates every round", async () => {
    const run = await phases(["--v8-flags=--expose-gc"], "--seconds", "10");
    assert.equal(run.code, 0, run.stderr);
    const rows = run.stdout.split("\n").filter((line) => line.startsWith("| "));
    assert.equal(
      rows[0],
      "| window | rounds | engine ns/node | engine, 1,003 nodes | floor ns/node | random reads, ns | L1 reads, ns | engine slow | random reads slow | L1 reads slow |",
    );
    // The rounds from 5 s on: in 10 seconds, one window.
    const windows = rows.filter((line) => /^\| \d+-\d+ s \|/.test(line));
    assert.ok(windows.length >= 1, run.stdout);
    let rounds = 0;
    for (const line of windows) {
      const cells = line.split("|").slice(2, -1).map((cell) => Number(cell));
      assert.equal(cells.length, 9, line);
      for (const time of cells.slice(1, 6)) {
        assert.ok(Number.isFinite(time) && time > 0, line);
      }
      for (const slow of cells.slice(6)) {
        assert.ok(
          Number.isInteger(slow) && slow >= 0 && slow <= cells[0],
          line,
        );
      }
      rounds += cells[0];
    }
    const table = rows.slice(-2).map((line) =>
      line.split("|").slice(2, -1).map((cell) => Number(cell))
    );
    assert.match(rows.at(-2) ?? "", /^\| engine fast \|/);
    assert.match(rows.at(-1) ?? "", /^\| engine slow \|/);
    assert.equal(table.flat().reduce((p, q) => p + q, 0), rounds);
    assert.match(run.stdout, /^Slow: the engine above [\d.]+ ns a node/m);
  });
});
