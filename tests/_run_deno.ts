// Test helper (Deno only): runs a Deno command as a subprocess and returns
// its exit code and output, for the tests of the CLIs (*_deno_test.ts).

/** What a subprocess did. */
export interface Run {
  /** Exit code. */
  code: number;
  /** Everything it printed on stdout. */
  stdout: string;
  /** Everything it printed on stderr. */
  stderr: string;
}

/**
 * Runs `deno <args>` in `cwd`, with `env` added to the environment (and
 * NO_COLOR always set, so the output has no colour codes). `deno run` gets
 * `--quiet`, as the tasks in deno.json do, so what Deno prints of its own
 * (the "Download ..." lines of a cold npm cache) never mixes with the
 * program's output: the tests see the same output whatever the cache holds.
 */
export async function runDeno(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<Run> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: args[0] === "run" ? ["run", "--quiet", ...args.slice(1)] : args,
    cwd,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return {
    code: output.code,
    stdout: text.decode(output.stdout),
    stderr: text.decode(output.stderr),
  };
}
