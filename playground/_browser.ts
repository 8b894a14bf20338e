// Helpers for the playground's browser tests: find and launch Debian's
// chromium through playwright-core, start the dev server and a plain static
// server, and read a URL off a child process's first line.

import { type Browser, chromium } from "playwright-core";

const root = new URL("..", import.meta.url).pathname;

/** Where the tests write their screenshots. */
export const OUT_DIR: string = new URL("test_out/", import.meta.url).pathname;

const CANDIDATES = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/lib/chromium/chromium",
];

/**
 * Launches headless Chromium: $CHROMIUM if set, else Debian's. Never skips:
 * without a browser it throws, saying how to install one.
 */
export async function launchChromium(): Promise<Browser> {
  const fromEnv = Deno.env.get("CHROMIUM");
  const paths = fromEnv ? [fromEnv] : CANDIDATES;
  let executablePath: string | undefined;
  for (const path of paths) {
    try {
      if ((await Deno.stat(path)).isFile) {
        executablePath = path;
        break;
      }
    } catch {
      // not there
    }
  }
  if (executablePath === undefined) {
    throw new Error(
      `Cannot run the playground's browser tests: no Chromium at ${
        paths.join(", ")
      }. Install it (apt-get install chromium; .ci/run does this) or set CHROMIUM to its path`,
    );
  }
  return await chromium.launch({ executablePath, headless: true });
}

/** A child process that printed a URL on its first stdout line. */
export interface Served {
  url: string;
  stop(): Promise<void>;
}

/** Starts `deno <args>` in the repository and waits for the URL it prints. */
export async function serve(args: string[]): Promise<Served> {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: root,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  let url: string | undefined;
  const deadline = Date.now() + 60_000;
  while (url === undefined && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
    url = /(http:\/\/[^\s]+)/.exec(text)?.[1];
  }
  if (url === undefined) {
    child.kill("SIGTERM");
    const err = await new Response(child.stderr).text();
    throw new Error(
      `Cannot start "deno ${
        args.join(" ")
      }": it printed no URL; stdout: ${text.trim()}; stderr: ${err.trim()}`,
    );
  }
  // Keep draining so the child never blocks on a full pipe.
  (async () => {
    try {
      while (!(await reader.read()).done) { /* discard */ }
    } catch { /* closed */ }
  })();
  const stderr = child.stderr.pipeTo(new WritableStream());
  return {
    url,
    stop: async () => {
      child.kill("SIGTERM");
      await child.status;
      await stderr.catch(() => {});
    },
  };
}

/** Runs `deno <args>` in the repository; throws with its stderr on failure. */
export async function deno(args: string[]): Promise<string> {
  const { success, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: root,
    env: { NO_COLOR: "1" },
  }).output();
  const out = new TextDecoder().decode(stdout);
  if (!success) {
    throw new Error(
      `"deno ${args.join(" ")}" failed: ${new TextDecoder().decode(stderr)}`,
    );
  }
  return out;
}
