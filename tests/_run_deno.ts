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
 * INIT_CWD is not passed on unless `env` sets it.
 */
export async function runDeno(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<Run> {
  // Not inherited: INIT_CWD, which `deno task test` sets for this process
  // (the repository), would make the child resolve relative paths there
  // instead of in `cwd`, as a user's shell would not.
  const inherited = Deno.env.toObject();
  delete inherited.INIT_CWD;
  const output = await new Deno.Command(Deno.execPath(), {
    args: args[0] === "run" ? ["run", "--quiet", ...args.slice(1)] : args,
    cwd,
    clearEnv: true,
    env: { ...inherited, NO_COLOR: "1", ...env },
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
