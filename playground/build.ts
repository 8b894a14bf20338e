// `deno task playground:build [--out DIR]`: writes the playground as one
// static file, DIR/index.html (default playground/dist/), for any static
// host or for opening from disk. The page's script is the library's own
// .ts sources bundled by `deno bundle` (esbuild inside), inlined into the
// HTML: no network, no other file.

import { parseArgs } from "node:util";
import { parseArgsMessage, runMain, UsageError } from "../examples/_cli.ts";

const HELP = `Write the playground as static files.

Usage: deno task playground:build [--out DIR]

  --out DIR   where to write index.html (default: playground/dist)
  --help      print this help`;

const here = new URL(".", import.meta.url);

/**
 * Bundles playground/app.ts (minified, one IIFE) and returns index.html
 * with the bundle inlined in `<script id="app">`.
 */
export async function buildPage(): Promise<string> {
  const temp = await Deno.makeTempDir({ prefix: "playground-" });
  try {
    const out = `${temp}/app.js`;
    const { success, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "bundle",
        "--quiet",
        "--platform",
        "browser",
        "--format",
        "iife",
        "--minify",
        "--output",
        out,
        new URL("app.ts", here).pathname,
      ],
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    if (!success) {
      throw new UsageError(
        `Cannot bundle playground/app.ts: ${
          new TextDecoder().decode(stderr).trim().split("\n").slice(-3).join(
            " ",
          )
        }`,
      );
    }
    let js = await Deno.readTextFile(out);
    // Inside <script>, "</script" would end the element: escape it (the
    // same text in any JS string, regex or comment).
    js = js.replace(/<\/(script)/gi, "<\\/$1");
    if (/<!--/.test(js)) {
      throw new UsageError(
        'Cannot inline the bundle: it contains "<!--", which a <script> element cannot hold',
      );
    }
    const html = await Deno.readTextFile(new URL("index.html", here));
    const marker = "<!-- APP -->";
    if (!html.includes(marker)) {
      throw new UsageError(`Cannot build: index.html has no ${marker} line`);
    }
    return html.replace(marker, () => `<script id="app">${js}</script>`);
  } finally {
    await Deno.remove(temp, { recursive: true });
  }
}

async function main(args: string[]): Promise<void> {
  let values;
  try {
    values = parseArgs({
      args,
      options: { out: { type: "string" }, help: { type: "boolean" } },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new UsageError(parseArgsMessage(error));
  }
  if (values.help === true) {
    console.log(HELP);
    return;
  }
  const dir = values.out ?? new URL("dist", here).pathname;
  if (dir === "") {
    throw new UsageError(`Cannot parse --out: expected a directory, got ""`);
  }
  const html = await buildPage();
  const file = `${dir.replace(/\/+$/, "")}/index.html`;
  try {
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(file, html);
  } catch (error) {
    throw new UsageError(
      `Cannot write "${file}": ${(error as Error).message.split("\n")[0]}`,
    );
  }
  const kb = new TextEncoder().encode(html).length / 1024;
  console.log(
    `playground: wrote ${file} (${kb.toFixed(1)} KB, the whole page)`,
  );
}

if (import.meta.main) await runMain(main);
