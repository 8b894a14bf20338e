// Runs bench/scaling.ts as a subprocess (Deno.Command: Deno only), for its
// flags and output checks; the measurements themselves take a minute.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Run, runDeno } from "./_run_deno.ts";

const SCALING = new URL("../bench/scaling.ts", import.meta.url).pathname;

function scaling(...args: string[]): Promise<Run> {
  return runDeno(
    [
      "run",
      "--v8-flags=--expose-gc",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-sys=cpus",
      SCALING,
      ...args,
    ],
    new URL(".", import.meta.url).pathname,
  );
}

describe("deno task bench:scaling", () => {
  it("prints its help with every flag", async () => {
    const run = await scaling("--help");
    assert.equal(run.code, 0, run.stderr);
    for (const flag of ["--large", "--csv", "--json", "--shape", "--help"]) {
      assert.match(run.stdout, new RegExp(`^  ${flag} `, "m"), flag);
    }
  });

  it("refuses bad flags and an unwritable --csv at once, in one line", async () => {
    const cases: [string[], RegExp][] = [
      [
        ["--csv", "/nonexistent/x"],
        /^Cannot write --csv "\/nonexistent\/x": directory "\/nonexistent" does not exist$/,
      ],
      [
        ["--csv", "/dev/null"],
        /^Cannot write --csv "\/dev\/null": it is a character device/,
      ],
      [
        ["--bogus"],
        /^Cannot parse flags: unknown flag "--bogus", run with --help for the list$/,
      ],
      [
        ["--shape", "ring"],
        /^Cannot run the scaling report: unknown shape "ring"/,
      ],
    ];
    for (const [args, message] of cases) {
      const run = await scaling(...args);
      assert.equal(run.code, 2, args.join(" "));
      assert.equal(run.stderr.split("\n").length, 2, run.stderr);
      assert.match(run.stderr.trim(), message);
      assert.equal(run.stdout, "");
    }
  });
});
