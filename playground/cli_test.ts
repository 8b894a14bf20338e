// deno task playground and playground:build on bad flags: one line, exit 2.
import { describe, it } from "node:test";
import assert from "node:assert/strict";

const here = new URL(".", import.meta.url).pathname;

async function run(
  script: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", `${here}${script}`, ...args],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return {
    code: out.code,
    stdout: text.decode(out.stdout),
    stderr: text.decode(out.stderr),
  };
}

describe("deno task playground and playground:build", () => {
  it("reject bad flags with one line and exit code 2", async () => {
    const cases: [string, string[], RegExp][] = [
      [
        "serve.ts",
        ["--port", "http"],
        /^Cannot parse --port: expected an integer from 0 to 65535, got "http"$/,
      ],
      [
        "serve.ts",
        ["--port=70000"],
        /^Cannot parse --port: expected an integer from 0 to 65535, got "70000"$/,
      ],
      [
        "build.ts",
        ["--bogus"],
        /^Cannot parse flags: unknown flag "--bogus", run with --help for the list$/,
      ],
      [
        "build.ts",
        ["--out="],
        /^Cannot parse --out: expected a directory, got ""$/,
      ],
    ];
    for (const [script, args, message] of cases) {
      const r = await run(script, args);
      assert.equal(r.code, 2, `${script} ${args.join(" ")}: ${r.stderr}`);
      assert.equal(r.stderr.split("\n").length, 2, r.stderr);
      assert.match(r.stderr.trim(), message);
      assert.equal(r.stdout, "");
    }
  });

  it("build writes one self-contained index.html", async () => {
    const dir = await Deno.makeTempDir({ prefix: "playground_build_" });
    try {
      const r = await run("build.ts", ["--out", dir]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stdout,
        /^playground: wrote .*index\.html \(\d+\.\d KB, the whole page\)\n$/,
      );
      assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), [
        "index.html",
      ]);
      const html = await Deno.readTextFile(`${dir}/index.html`);
      // The library is inlined; nothing is loaded from elsewhere.
      assert.match(html, /<script id="app">/);
      assert.doesNotMatch(html, /<script[^>]* src=|<link[^>]* href="(?!data:)/);
      assert.equal(html.match(/<\/script>/g)?.length, 1);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});
