/**
 * `deno task gradcheck [module.ts ...]`: checks the derivatives of every
 * built-in op, or of every `OpFunction` and `Op` the given modules export,
 * and prints the table. Run with `--help` for the flags.
 *
 * Exit status: 0 when every check passes, 1 when one fails, 2 on bad usage
 * (unknown flag, missing file, a module that exports no op), with a
 * one-line message.
 *
 * Not published (see `publish.exclude` in deno.json): it uses Deno and Node
 * APIs, which the package itself does not.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import type { Op } from "../engine/mod.ts";
import {
  checkAllOps,
  checkOp,
  formatReport,
  type GradcheckOptions,
  type GradcheckReport,
} from "./mod.ts";
import { MAX_SAMPLES } from "./_options.ts";
import { isOp } from "./_local.ts";

const USAGE = `Usage: deno task gradcheck [options] [module.ts ...]

Checks the derivatives of every built-in op against central differences,
or, given modules, of every OpFunction or Op they export (from defineOp).

Options:
  --samples N   random points per op, 1 to ${MAX_SAMPLES} (default 64)
  --seed N      seed of the random points, to replay a run (default 1)
  --json        print the reports as JSON instead of a table
  -h, --help    print this help

Exit status: 0 if every check passes, 1 if any fails, 2 on bad usage.`;

/** Bad usage: printed as one line, exit status 2. */
class UsageError extends Error {}

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parse(args);
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const options: GradcheckOptions = {};
  if (values.samples !== undefined) {
    options.samples = integer("--samples", values.samples, 1, MAX_SAMPLES);
  }
  if (values.seed !== undefined) {
    options.seed = integer("--seed", values.seed, 0, 0xffffffff);
  }

  let reports: Record<string, GradcheckReport>;
  const errors: string[] = [];
  if (positionals.length === 0) {
    reports = checkAllOps(options);
  } else {
    // Import every module first, so bad usage is reported before any work.
    const found: [string, Op][] = [];
    for (const path of positionals) {
      for (const op of await opsOf(path)) found.push([path, op]);
    }
    reports = {};
    for (const [path, op] of found) {
      // One entry per op, however many share a name: "twin", then
      // "twin (ops.ts)", "twin (ops.ts) #3", ...
      let key = op.name;
      if (Object.hasOwn(reports, key)) key = `${op.name} (${path})`;
      for (let n = 3; Object.hasOwn(reports, key); n++) {
        key = `${op.name} (${path}) #${n}`;
      }
      try {
        reports[key] = checkOp(op, options);
      } catch (error) {
        errors.push(`${firstLine(error)} (module "${path}")`);
      }
    }
  }
  const ok = errors.length === 0 &&
    Object.values(reports).every((r) => r.ok);
  if (values.json) {
    console.log(JSON.stringify(
      {
        ok,
        seed: options.seed ?? 1,
        samples: options.samples ?? 64,
        reports,
        errors,
      },
      null,
      2,
    ));
  } else {
    if (Object.keys(reports).length > 0) console.log(formatReport(reports));
    for (const line of errors) console.error(line);
  }
  return ok ? 0 : 1;
}

function parse(args: string[]): {
  values: { samples?: string; seed?: string; json?: boolean; help?: boolean };
  positionals: string[];
} {
  try {
    return parseArgs({
      args,
      options: {
        samples: { type: "string" },
        seed: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    const message = firstLine(error);
    const flag = /'(-[^' ]*)/.exec(message)?.[1] ?? "";
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      throw new UsageError(`unknown flag "${flag}" (see --help)`);
    }
    if (/argument missing/.test(message)) {
      throw new UsageError(`flag "${flag}" needs a value`);
    }
    if (/does not take an argument/.test(message)) {
      throw new UsageError(`flag "${flag}" takes no value`);
    }
    if (/is ambiguous/.test(message)) {
      throw new UsageError(
        `flag "${flag}" needs a value (write ${flag}=VALUE for one that starts with "-")`,
      );
    }
    throw new UsageError(message.replace(/\.$/, ""));
  }
}

function integer(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) {
    throw new UsageError(
      `${flag} must be an integer from ${min} to ${max}, got "${text}"`,
    );
  }
  return n;
}

/**
 * The directory relative paths are resolved against: where the user typed
 * the command. `deno task` runs the CLI in the repository root and puts
 * the caller's directory in INIT_CWD (and "deno/..." in
 * npm_config_user_agent). INIT_CWD is used only under deno task and when
 * the working directory is that root, so a stale INIT_CWD left by an outer
 * script cannot move a direct `deno run`.
 */
function callerDirectory(): string {
  const cwd = Deno.cwd();
  const root = new URL("../", import.meta.url);
  const init = Deno.env.get("INIT_CWD");
  const task = Deno.env.get("npm_config_user_agent")?.startsWith("deno/");
  if (
    task && init !== undefined && init !== "" &&
    pathToFileURL(`${cwd}/`).href === root.href
  ) {
    return init;
  }
  return cwd;
}

/** Imports `path` (relative to the caller's directory) and returns its ops. */
async function opsOf(path: string): Promise<Op[]> {
  const url = new URL(path, pathToFileURL(`${callerDirectory()}/`));
  let stat: Deno.FileInfo;
  try {
    stat = await Deno.stat(url);
  } catch {
    throw new UsageError(`module "${path}" does not exist`);
  }
  if (!stat.isFile) throw new UsageError(`module "${path}" is not a file`);
  let module: Record<string, unknown>;
  try {
    module = await import(url.href);
  } catch (error) {
    throw new UsageError(`cannot import "${path}": ${firstLine(error)}`);
  }
  // An OpFunction and its .op are the same op: check it once.
  const found = new Set<Op>();
  for (const value of Object.values(module)) {
    const op = typeof value === "function"
      ? (value as unknown as { op?: unknown }).op
      : undefined;
    if (isOp(op)) {
      found.add(op);
    } else if (isOp(value)) {
      found.add(value);
    }
  }
  if (found.size === 0) {
    throw new UsageError(`module "${path}" exports no OpFunction or Op`);
  }
  return [...found];
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0];
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`Cannot run gradcheck: ${error.message}`);
    Deno.exit(2);
  }
}
