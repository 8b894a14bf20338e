// `deno task playground [--port N]`: builds the page (as playground:build
// does) and serves it on localhost, printing its URL. --port 0 picks a free
// port.

import { parseArgs } from "node:util";
import { parseArgsMessage, runMain, UsageError } from "../examples/_cli.ts";
import { buildPage } from "./build.ts";

const HELP = `Serve the playground on localhost.

Usage: deno task playground [--port N]

  --port N   the port (default: 8000; 0 picks a free one)
  --help     print this help`;

async function main(args: string[]): Promise<void> {
  let values;
  try {
    values = parseArgs({
      args,
      options: { port: { type: "string" }, help: { type: "boolean" } },
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
  const text = values.port ?? "8000";
  const port = Number(text);
  if (!/^\d+$/.test(text.trim()) || port > 65535) {
    throw new UsageError(
      `Cannot parse --port: expected an integer from 0 to 65535, got "${text}"`,
    );
  }
  const html = await buildPage();
  const body = new TextEncoder().encode(html);
  let server;
  try {
    server = Deno.serve({
      port,
      hostname: "127.0.0.1",
      onListen: ({ port }) => {
        console.log(`playground: http://localhost:${port}/`);
      },
    }, (request) => {
      const path = new URL(request.url).pathname;
      if (path === "/" || path === "/index.html") {
        return new Response(body, {
          headers: { "content-type": "text/html; charset=utf-8" },
        });
      }
      return new Response("Not found: the playground is at /\n", {
        status: 404,
        headers: { "content-type": "text/plain; charset=utf-8" },
      });
    });
  } catch (error) {
    throw new UsageError(
      `Cannot serve on port ${port}: ${
        (error as Error).message.split("\n")[0]
      }`,
    );
  }
  await server.finished;
}

if (import.meta.main) await runMain(main);
