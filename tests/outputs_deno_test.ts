// examples/_outputs.ts: the file rules shared by the example programs
// (Deno APIs: Deno only).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  discardOutputs,
  prepareOutputs,
  userPath,
  writeOutput,
} from "../examples/_outputs.ts";

let dir = "";

before(async () => {
  dir = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "micrograd_outputs_test_" }),
  );
});

after(async () => {
  await Deno.remove(dir, { recursive: true });
});

describe("writeOutput()", () => {
  it("does not follow a symlink planted at a guessable temporary name", async () => {
    // The old temporary name was FILE.<pid>.tmp: a symlink there sent the
    // write to any file the attacker chose.
    const file = `${dir}/model.json`;
    await Deno.writeTextFile(`${dir}/victim`, "victim");
    await Deno.symlink(`${dir}/victim`, `${file}.${Deno.pid}.tmp`);
    await writeOutput("--save", file, "new");
    assert.equal(await Deno.readTextFile(`${dir}/victim`), "victim");
    assert.equal(await Deno.readTextFile(file), "new");
    assert.ok((await Deno.lstat(file)).isFile);
  });

  it("replaces the file whole and leaves no temporary file", async () => {
    const file = `${dir}/log.csv`;
    await Deno.writeTextFile(file, "old");
    await writeOutput("--csv", file, "a,b\n1,2\n");
    assert.equal(await Deno.readTextFile(file), "a,b\n1,2\n");
    const names: string[] = [];
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
    assert.deepEqual(names.filter((n) => n.startsWith("log.csv")), [
      "log.csv",
    ]);
  });
});

describe("prepareOutputs()", () => {
  it("creates each temporary file at once, under a random name", async () => {
    const file = `${dir}/out.svg`;
    const [a] = await prepareOutputs([{ flag: "--plot", path: file }]);
    const [b] = await prepareOutputs([{ flag: "--plot", path: file }]);
    try {
      assert.match(a.temp, /^.*\/out\.svg\.[0-9a-f]{16}\.tmp$/);
      assert.notEqual(a.temp, b.temp);
      assert.ok((await Deno.lstat(a.temp)).isFile);
    } finally {
      await discardOutputs([a, b]);
    }
    await assert.rejects(Deno.lstat(a.temp), Deno.errors.NotFound);
  });

  it("refuses a second output or an input naming the same file, via any path", async () => {
    await Deno.writeTextFile(`${dir}/data.csv`, "1,2,a\n");
    await Deno.symlink(`${dir}/data.csv`, `${dir}/alias.csv`);
    await assert.rejects(
      prepareOutputs([{ flag: "--csv", path: `${dir}/alias.csv` }], [{
        flag: "--dataset",
        path: `${dir}/data.csv`,
      }]),
      /Cannot write --csv ".*alias.csv": it is the same file as --dataset/,
    );
    await assert.rejects(
      prepareOutputs([
        { flag: "--csv", path: `${dir}/new.out` },
        { flag: "--plot", path: `${dir}/../${dir.split("/").pop()}/new.out` },
      ]),
      /Cannot write --plot ".*new.out": it is the same file as --csv/,
    );
    // Nothing is left behind by a refused set of outputs.
    for await (const entry of Deno.readDir(dir)) {
      assert.doesNotMatch(entry.name, /\.[0-9a-f]{16}\.tmp$/);
    }
  });
});

describe("userPath()", () => {
  it("resolves a relative path against INIT_CWD, as deno task sets it", () => {
    const saved = Deno.env.get("INIT_CWD");
    try {
      Deno.env.set("INIT_CWD", "/home/me/work");
      assert.equal(userPath("data.csv"), "/home/me/work/data.csv");
      assert.equal(userPath("/abs/x.json"), "/abs/x.json");
    } finally {
      if (saved === undefined) Deno.env.delete("INIT_CWD");
      else Deno.env.set("INIT_CWD", saved);
    }
  });
});
