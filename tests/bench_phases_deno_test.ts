// Runs bench/phases.ts as a subprocess (Deno.Command: Deno only), for its
// flags; a measurement takes at least 10 seconds and asserts no timing.
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
});
