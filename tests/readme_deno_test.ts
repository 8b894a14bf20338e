// The README against the code it describes (Deno only: it runs the CLIs).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runDeno } from "./_run_deno.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const README = await Deno.readTextFile(`${ROOT}README.md`);

describe("README.md", () => {
  it("names only module files that exist in its deno task gradcheck lines", async () => {
    const files = [...README.matchAll(/^deno task gradcheck (\S+\.ts)/gm)]
      .map((m) => m[1]);
    assert.ok(files.length > 0);
    for (const file of files) {
      assert.ok((await Deno.stat(`${ROOT}${file}`)).isFile, file);
    }
  });

  it("has no numbered list made by deno fmt out of a sentence", () => {
    // "... it exits\n\n1. The table ..." was one sentence, broken by fmt.
    assert.doesNotMatch(README, /^1\. The table/m);
  });

  it("shows deno task train --help as it is", async () => {
    const run = await runDeno(
      [
        "run",
        "--allow-read",
        "--allow-env",
        `${ROOT}examples/train.ts`,
        "--help",
      ],
      ROOT,
    );
    const help = run.stdout.slice(run.stdout.indexOf("Data\n")).trimEnd();
    assert.ok(README.includes("```text\n" + help + "\n```"), help);
  });

  it("says what the progress lines and the final line measure", () => {
    const text = README.replace(/\s+/g, " ");
    assert.match(
      text,
      /progress lines show the loss and accuracy of the step's batch/,
    );
    assert.match(
      text,
      /final `accuracy` line is the trained model on all the data/,
    );
  });

  it("documents using the package from outside the repository", () => {
    assert.match(README, /"links": \["\.\.\/micrograd"\]/);
    assert.match(README, /"#micrograd\/\*": "\.\/micrograd\/\*\/mod\.ts"/);
  });
});

describe("deno.json tasks", () => {
  it("each have a description, and run deno quietly", async () => {
    const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
    for (const [name, task] of Object.entries(config.tasks)) {
      const { description, command } = task as Record<string, string>;
      assert.equal(typeof description, "string", name);
      assert.ok(description.length > 10, name);
      if (command.startsWith("deno run ")) {
        assert.match(command, /^deno run --quiet /, name);
      }
    }
  });
});
