// Runs examples/curve_fit.ts as a subprocess (Deno.Command: Deno only).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Run, runDeno } from "./_run_deno.ts";

const CURVE_FIT = new URL("../examples/curve_fit.ts", import.meta.url).pathname;

let dir = "";

function curveFit(...args: string[]): Promise<Run> {
  return runDeno(
    ["run", "--allow-read", "--allow-write", CURVE_FIT, ...args],
    dir,
  );
}

before(async () => {
  dir = await Deno.makeTempDir({ prefix: "micrograd_curve_fit_test_" });
});

after(async () => {
  await Deno.remove(dir, { recursive: true });
});

/** The table row of one optimizer: updates, calls, A, k, w. */
function row(stdout: string, name: string): number[] {
  const line = stdout.split("\n").find((l) => l.startsWith(name));
  assert.ok(line, `no row for ${name} in:\n${stdout}`);
  const numbers = line.slice(line.indexOf(")") + 1).trim().split(/\s+/);
  assert.equal(numbers.length, 5, line);
  return numbers.map(Number);
}

describe("deno task curvefit", () => {
  let run: Run;

  before(async () => {
    run = await curveFit("--plot", "fit.svg");
  });

  it("exits 0 and prints the three optimizers side by side", () => {
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, "");
    assert.match(run.stdout, /optimizer +updates +closure calls +A +k +w/);
  });

  it("fits the curve that made the data with all three", () => {
    // The data is 1.5 e^(-0.3 t) sin(2 t) plus noise of 0.05
    for (const name of ["SGD", "Adam", "L-BFGS"]) {
      const [, , a, k, w] = row(run.stdout, name);
      assert.ok(Math.abs(a - 1.5) < 0.05, `${name}: A ${a}`);
      assert.ok(Math.abs(k - 0.3) < 0.02, `${name}: k ${k}`);
      assert.ok(Math.abs(w - 2) < 0.02, `${name}: w ${w}`);
    }
  });

  it("shows L-BFGS needing far fewer closure calls than Adam, and Adam than SGD", () => {
    const sgd = row(run.stdout, "SGD")[1];
    const adam = row(run.stdout, "Adam")[1];
    const lbfgs = row(run.stdout, "L-BFGS")[1];
    assert.ok(lbfgs * 4 < adam && adam * 4 < sgd, `${lbfgs} ${adam} ${sgd}`);
    // SGD and Adam make one update per call; L-BFGS's line search makes
    // several calls per update
    assert.equal(row(run.stdout, "SGD")[0], sgd - 1);
    assert.ok(row(run.stdout, "L-BFGS")[0] < lbfgs);
  });

  it("draws the fits in the terminal and writes the SVG", async () => {
    assert.match(run.stdout, /S: SGD, A: Adam, L: L-BFGS/);
    const svg = await Deno.readTextFile(`${dir}/fit.svg`);
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.equal((svg.match(/<polyline /g) ?? []).length, 6); // 3 fits, 3 losses
    assert.match(svg, /<\/svg>\n$/);
  });

  it("prints the same numbers on every run (seeded)", async () => {
    const again = await curveFit();
    assert.equal(again.code, 0, again.stderr);
    const table = (s: string): string => s.slice(0, s.indexOf("The fits"));
    assert.equal(table(again.stdout), table(run.stdout));
  });

  it("reports an optimizer that misses the target within --max-calls", async () => {
    const short = await curveFit("--max-calls", "50");
    assert.equal(short.code, 0, short.stderr);
    assert.match(short.stdout, /^SGD .* - +not in 50 \(loss [\d.e-]+\)/m);
  });

  it("rejects bad flags with one line and exit code 2", async () => {
    const cases: [string[], RegExp][] = [
      [["--max-calls", "0"], /--max-calls must be an integer from 1 to/],
      [["--seed", "x"], /--seed must be an integer from 0 to/],
      [["--bogus"], /unknown flag "--bogus"/],
      [
        ["--plot", "no/such/dir/fit.svg"],
        /the directory no\/such\/dir does not exist/,
      ],
    ];
    for (const [args, message] of cases) {
      const bad = await curveFit(...args);
      assert.equal(bad.code, 2, args.join(" "));
      assert.equal(bad.stdout, "");
      assert.match(bad.stderr, message);
      assert.equal(bad.stderr.trim().split("\n").length, 1, bad.stderr);
    }
  });
});
