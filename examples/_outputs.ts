// Files in and out of the example programs (train, lecture, bench:scaling):
// one place for the rules that keep a user's files safe.
//
// - Paths are the user's: a relative path is resolved against the directory
//   the command was typed in (INIT_CWD, which `deno task` sets), not the
//   repository root where `deno task` runs the program.
// - Inputs are regular files of a stated maximum size, read with a cap: never
//   a device (/dev/zero), a FIFO (blocks forever) or a directory.
// - Outputs are checked before the work starts: the directory exists and
//   takes a new file, the target is a regular file or absent, and no output
//   is an input or another output. Each output gets its temporary file then,
//   created exclusively (never through a symlink) under a random name.
// - An output replaces the old file only once it is complete (write the
//   temporary file, then rename it over the target).

import { escapeControl, UsageError } from "./_cli.ts";

/** The directory relative paths are resolved against. */
export function callerDirectory(): string {
  const init = Deno.env.get("INIT_CWD");
  return init !== undefined && init !== "" ? init : Deno.cwd();
}

/**
 * Resolves a path the user typed: absolute paths as they are, relative ones
 * against {@linkcode callerDirectory}.
 */
export function userPath(path: string): string {
  if (path.startsWith("/")) return path;
  const base = callerDirectory();
  return `${base.endsWith("/") ? base : base + "/"}${path}`;
}

/** `"name"`, quoted, with control characters made visible. */
export function quote(text: string): string {
  return `"${escapeControl(text)}"`;
}

function kindOf(info: Deno.FileInfo): string {
  if (info.isDirectory) return "a directory";
  if (info.isFile) return "a regular file";
  if (info.isSymlink) return "a symbolic link";
  if (info.isFifo) return "a FIFO";
  if (info.isCharDevice) return "a character device";
  if (info.isBlockDevice) return "a block device";
  if (info.isSocket) return "a socket";
  return "not a regular file";
}

function osMessage(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "no such file";
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (error instanceof Deno.errors.IsADirectory) return "it is a directory";
  const message = error instanceof Error ? error.message : String(error);
  // "Read-only file system (os error 30): open '/x'" -> the first part.
  return message.split(/[:\n]/)[0].replace(/ \(os error \d+\)$/, "")
    .toLowerCase();
}

function mib(bytes: number): string {
  return `${bytes / (1 << 20)} MiB`;
}

/**
 * Reads an input file as text: it must be a regular file of at most
 * `maxBytes` bytes. `flag` names it in the error messages ("--dataset").
 *
 * @throws {UsageError} Naming the flag, the path and what is wrong; a
 *   missing file says `no such file` and adds `missingHint`.
 */
export async function readInput(
  flag: string,
  path: string,
  maxBytes: number,
  missingHint: string,
): Promise<string> {
  const fail = (state: string): never => {
    throw new UsageError(`Cannot load ${flag} ${quote(path)}: ${state}`);
  };
  const full = userPath(path);
  let info: Deno.FileInfo | undefined;
  try {
    // stat before open: opening a FIFO would block until a writer comes.
    info = await Deno.stat(full);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      fail(`no such file, ${missingHint}`);
    }
    fail(osMessage(error));
  }
  if (!info!.isFile) fail(`it is ${kindOf(info!)}, expected a regular file`);
  const tooBig = (): never =>
    fail(`the file is larger than ${mib(maxBytes)}, the most this reads`);
  if (info!.size > maxBytes) tooBig();
  let file: Deno.FsFile | undefined;
  try {
    file = await Deno.open(full, { read: true });
    // The file may have changed since the stat: read at most maxBytes + 1.
    const buffer = new Uint8Array(Math.min(maxBytes, info!.size) + 1);
    let length = 0;
    while (true) {
      if (length === buffer.length) {
        if (length > maxBytes) tooBig();
        break;
      }
      const n = await file.read(buffer.subarray(length));
      if (n === null) break;
      length += n;
    }
    if (length > maxBytes) tooBig();
    return new TextDecoder().decode(buffer.subarray(0, length));
  } catch (error) {
    if (error instanceof UsageError) throw error;
    return fail(osMessage(error));
  } finally {
    file?.close();
  }
}

/** An output file, checked and holding its temporary file until written. */
export interface Output {
  /** The flag that named it, e.g. "--save". */
  readonly flag: string;
  /** The path as the user typed it. */
  readonly path: string;
  /** The path resolved against the caller's directory. */
  readonly full: string;
  /** The temporary file next to it, created exclusively. */
  readonly temp: string;
  /** The temporary file, open for writing until the output is written. */
  file: Deno.FsFile | undefined;
}

function directoryOf(full: string): string {
  const slash = full.lastIndexOf("/");
  return slash <= 0 ? "/" : full.slice(0, slash);
}

function randomSuffix(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// Where a path points: the device and inode of an existing file, else the
// real path of its directory plus its name (a file that does not exist yet).
async function identity(full: string): Promise<string | undefined> {
  try {
    const info = await Deno.stat(full);
    return `inode ${info.dev}:${info.ino}`;
  } catch {
    try {
      const dir = await Deno.realPath(directoryOf(full));
      return `path ${dir}/${full.slice(full.lastIndexOf("/") + 1)}`;
    } catch {
      return undefined;
    }
  }
}

/**
 * Checks every output before any work: each directory exists and takes a
 * new file (its temporary file is created there now, exclusively, with a
 * random name), each target is absent or a regular file, and no two outputs,
 * and no output and input, are the same file. On failure nothing is left
 * behind. `allowSame` lists [output flag, input flag] pairs that may name
 * one file (train's --save over its --load).
 *
 * @throws {UsageError} Naming the flag, the path and the problem.
 */
export async function prepareOutputs(
  outputs: readonly { flag: string; path: string }[],
  inputs: readonly { flag: string; path: string }[] = [],
  allowSame: readonly [string, string][] = [],
): Promise<Output[]> {
  const prepared: Output[] = [];
  try {
    const seen: { flag: string; path: string; id: string }[] = [];
    for (const input of inputs) {
      const id = await identity(userPath(input.path));
      if (id !== undefined) seen.push({ ...input, id });
    }
    for (const { flag, path } of outputs) {
      const fail = (state: string): never => {
        throw new UsageError(`Cannot write ${flag} ${quote(path)}: ${state}`);
      };
      if (path === "") fail("expected a file path, got an empty one");
      const full = userPath(path);
      if (full.endsWith("/")) {
        fail("it names a directory, expected a file path");
      }
      let target: Deno.FileInfo | undefined;
      try {
        target = await Deno.stat(full);
      } catch {
        // a new file, or a directory that does not exist: see below
      }
      if (target !== undefined && !target.isFile) {
        fail(`it is ${kindOf(target)}, expected a regular file or a new path`);
      }
      const dir = directoryOf(full);
      let dirInfo: Deno.FileInfo | undefined;
      try {
        dirInfo = await Deno.stat(dir);
      } catch (error) {
        // Deno refuses /dev, /proc and /sys to programs without --allow-all.
        if ((error as Error).name === "NotCapable") {
          fail(
            `${
              quote(dir)
            } is a system directory that Deno does not let this program write in, expected a path elsewhere`,
          );
        }
      }
      if (dirInfo === undefined) fail(`directory ${quote(dir)} does not exist`);
      if (!dirInfo!.isDirectory) fail(`${quote(dir)} is not a directory`);
      const id = await identity(full);
      for (const other of seen) {
        if (id === undefined || other.id !== id) continue;
        if (allowSame.some(([o, i]) => o === flag && i === other.flag)) {
          continue;
        }
        fail(
          `it is the same file as ${other.flag} ${
            quote(other.path)
          }, expected a different path`,
        );
      }
      if (id !== undefined) seen.push({ flag, path, id });
      const temp = `${full}.${randomSuffix()}.tmp`;
      let file: Deno.FsFile | undefined;
      try {
        file = await Deno.open(temp, { write: true, createNew: true });
      } catch (error) {
        fail(`cannot create a file in ${quote(dir)}: ${osMessage(error)}`);
      }
      prepared.push({ flag, path, full, temp, file });
    }
    return prepared;
  } catch (error) {
    await discardOutputs(prepared);
    throw error;
  }
}

/** Removes the temporary files of outputs not written. */
export async function discardOutputs(
  outputs: readonly Output[],
): Promise<void> {
  for (const output of outputs) {
    if (output.file === undefined) continue; // written
    output.file.close();
    output.file = undefined;
    try {
      await Deno.remove(output.temp);
    } catch {
      // already renamed over its target, or removed
    }
  }
}

/**
 * Writes an output: the text goes to its temporary file, which is then
 * renamed over the target, so the old file is replaced only by a complete
 * new one.
 *
 * @throws {UsageError} Naming the flag, the path and the OS error; the
 *   temporary file is removed.
 */
export async function commitOutput(
  output: Output,
  text: string,
): Promise<void> {
  const file = output.file;
  if (file === undefined) {
    throw new TypeError(`Cannot write ${output.flag}: it was written already`);
  }
  try {
    // The handle opened (exclusively) by prepareOutputs: no path lookup, so
    // nothing swapped in under the temporary name is followed.
    const bytes = new TextEncoder().encode(text);
    let written = 0;
    while (written < bytes.length) {
      written += await file.write(bytes.subarray(written));
    }
    output.file = undefined;
    file.close();
    await Deno.rename(output.temp, output.full);
  } catch (error) {
    output.file = undefined;
    try {
      file.close();
    } catch {
      // closed already
    }
    try {
      await Deno.remove(output.temp);
    } catch {
      // never renamed: nothing to do
    }
    throw new UsageError(
      `Cannot write ${output.flag} ${quote(output.path)}: ${osMessage(error)}`,
    );
  }
}

/** Checks and writes one output file at once (see prepareOutputs). */
export async function writeOutput(
  flag: string,
  path: string,
  text: string,
): Promise<void> {
  const [output] = await prepareOutputs([{ flag, path }]);
  await commitOutput(output, text);
}

/**
 * Checks, before any work, that an output directory can be used: it is a
 * directory or absent (then it is created, with its parents), and a file
 * can be created in it.
 *
 * @throws {UsageError} Naming the flag, the path and the problem.
 */
export async function prepareDirectory(
  flag: string,
  path: string,
): Promise<void> {
  const fail = (state: string): never => {
    throw new UsageError(`Cannot write ${flag} ${quote(path)}: ${state}`);
  };
  if (path === "") fail("expected a directory, got an empty path");
  const full = userPath(path);
  let info: Deno.FileInfo | undefined;
  try {
    info = await Deno.stat(full);
  } catch (error) {
    if ((error as Error).name === "NotCapable") {
      fail(
        "it is a system directory that Deno does not let this program write in, expected a path elsewhere",
      );
    }
  }
  if (info !== undefined && !info.isDirectory) {
    fail(`it is ${kindOf(info)}, expected a directory`);
  }
  if (info === undefined) {
    try {
      await Deno.mkdir(full, { recursive: true });
    } catch (error) {
      fail(`cannot create the directory: ${osMessage(error)}`);
    }
  }
  // Can a file be made there? The probe is created exclusively and removed.
  const outputs = await prepareOutputs([{
    flag,
    path: `${full}/.probe`,
  }]);
  await discardOutputs(outputs);
}
