// Runs examples/newton.ts as a subprocess (Deno.Command: Deno only).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Run, runDeno } from "./_run_deno.ts";

const NEWTON = new URL("../examples/newton.ts", import.meta.url).pathname;

let dir = "";

function newton(...args: string[]): Promise<Run> {
  return runDeno(["run", "--allow-write", NEWTON, ...args], dir);
}

/** The two numbers of a "label   a   b" row of the side-by-side table. */
function row(stdout: string, label: string): string[] {
  const line = stdout.split("\n").find((l) => l.startsWith(label));
  assert.ok(line !== undefined, `no "${label}" row in:\n${stdout}`);
  return line.slice(label.length).trim().split(/\s{3,}/);
}

/** The 2x2 matrix printed after `heading`. */
function matrixAfter(stdout: string, heading: string): number[][] {
  const lines = stdout.split("\n");
  const i = lines.findIndex((l) => l.startsWith(heading));
  assert.ok(i >= 0, `no "${heading}" in:\n${stdout}`);
  return lines.slice(i + 1, i + 3).map((l) =>
    l.replace(/[[\]]/g, "").trim().split(/\s+/).map(Number)
  );
}

before(async () => {
  dir = await Deno.makeTempDir({ prefix: "micrograd_newton_test_" });
});

after(async () => {
  await Deno.remove(dir, { recursive: true });
});

describe("deno task newton", () => {
  let run: Run;

  before(async () => {
    run = await newton("--out", "paths.svg");
  });

  it("exits 0 and prints nothing on stderr", () => {
    assert.equal(run.stderr, "");
    assert.equal(run.code, 0);
  });

  it("prints the Hessian at the start and at the solution (closed forms)", () => {
    // f = (1 - x)² + 100 (y - x²)²: H = [[2 - 400 y + 1200 x², -400 x],
    // [-400 x, 200]]; at (-1.2, 1): [[1330, 480], [480, 200]]; at (1, 1):
    // [[802, -400], [-400, 200]].
    const start = matrixAfter(run.stdout, "Hessian at the start (-1.2, 1):");
    const end = matrixAfter(run.stdout, "Hessian at Newton's solution (1, 1):");
    const close = (m: number[][], e: number[][]): void =>
      m.flat().forEach((v, i) =>
        assert.ok(Math.abs(v - e.flat()[i]) < 1e-6, `${m} vs ${e}`)
      );
    close(start, [[1330, 480], [480, 200]]);
    close(end, [[802, -400], [-400, 200]]);
  });

  it("has Newton converge in a few steps and gradient descent in thousands", () => {
    const [newtonSteps, descentSteps] = row(run.stdout, "steps to converge")
      .map(Number);
    assert.ok(newtonSteps >= 2 && newtonSteps <= 10, `Newton: ${newtonSteps}`);
    assert.ok(descentSteps > 1000, `descent: ${descentSteps}`);
    // Both end at the minimum (1, 1).
    for (const point of row(run.stdout, "final point")) {
      const [x, y] = point.replace(/[()]/g, "").split(", ").map(Number);
      assert.ok(Math.abs(x - 1) < 1e-5 && Math.abs(y - 1) < 1e-5, point);
    }
  });

  it("draws both paths in the terminal and in the SVG file", async () => {
    const lines = run.stdout.split("\n");
    const picture = lines.filter((l) => l.startsWith("|"));
    assert.ok(picture.length >= 10);
    const text = picture.join("\n");
    for (const mark of ["0", "1", "2", "o", "*"]) {
      assert.ok(text.includes(mark), `no "${mark}" in the picture`);
    }
    assert.match(run.stdout, /picture: wrote paths\.svg/);
    const svg = await Deno.readTextFile(`${dir}/paths.svg`);
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, /<\/svg>\n$/);
    assert.equal(svg.match(/<polyline /g)?.length, 2);
  });

  it("is deterministic", async () => {
    const again = await newton();
    assert.equal(again.code, 0);
    // The same text, less the last line about the SVG file.
    assert.equal(
      again.stdout,
      run.stdout.replace("picture: wrote paths.svg\n", ""),
    );
  });

  it("rejects bad flags with one line and exit code 2", async () => {
    for (
      const [args, message] of [
        [["--lr=-1"], 'Cannot parse --lr: expected a number > 0, got "-1"'],
        [
          ["--max-steps", "2.5"],
          'Cannot parse --max-steps: expected an integer >= 1, got "2.5"',
        ],
        [["--bogus"], 'Cannot parse flags: unknown flag "--bogus"'],
      ] as const
    ) {
      const bad = await newton(...args);
      assert.equal(bad.code, 2, args.join(" "));
      assert.equal(bad.stderr.trim().split("\n").length, 1, bad.stderr);
      assert.ok(bad.stderr.startsWith(message), bad.stderr);
    }
  });

  it("says so when a method does not converge within --max-steps", async () => {
    const short = await newton("--max-steps", "100");
    assert.equal(short.code, 0);
    const [newtonSteps, descent] = row(short.stdout, "steps to converge");
    assert.ok(Number(newtonSteps) <= 10);
    assert.equal(descent, "no convergence in 100");
  });
});
