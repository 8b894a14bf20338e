// What the example programs share: the user error class, node:util
// parseArgs errors reworded, control characters made visible, and the wrapper
// that turns a user error into one line on stderr and exit code 2.

/** A user error: printed as one line, exit code 2, no stack trace. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** node:util parseArgs' error, reworded as one line that says what to do. */
export function parseArgsMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  const flag = /'(-[^' ]*)/.exec(message)?.[1] ?? "";
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    return `Cannot parse flags: unknown flag "${flag}", run with --help for the list`;
  }
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
    const arg = /'([^']*)'/.exec(message)?.[1] ?? "";
    return `Cannot parse flags: unexpected argument "${arg}", every option is a --flag (see --help)`;
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    if (/does not take an argument/.test(message)) {
      return `Cannot parse flags: ${flag} takes no value`;
    }
    if (/ambiguous/.test(message)) {
      return `Cannot parse flags: ${flag} needs a value and the next argument starts with "-", write ${flag}=VALUE`;
    }
    return `Cannot parse flags: ${flag} expects a value, e.g. ${flag}=VALUE`;
  }
  return `Cannot parse flags: ${message.split("\n")[0]}`;
}

/**
 * Makes control characters visible: C0 and C1 controls, DEL, and the Unicode
 * line separators and bidirectional overrides become `\xNN` or `\u{NNNN}`,
 * so text from a file (a CSV label, a path) cannot move the cursor, change
 * colours or reorder what the terminal shows. Other text is unchanged.
 */
export function escapeControl(text: string): string {
  return text.replace(
    // deno-lint-ignore no-control-regex
    /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (ch) => {
      const code = ch.charCodeAt(0);
      return code <= 0xff
        ? `\\x${code.toString(16).padStart(2, "0")}`
        : `\\u{${code.toString(16)}}`;
    },
  );
}

/**
 * Runs `main`; a UsageError becomes its message on one line of stderr and
 * exit code 2. Any other error is a bug: it keeps its stack trace.
 */
export async function runMain(
  main: (args: string[]) => Promise<void>,
): Promise<void> {
  try {
    await main(Deno.args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(escapeControl(error.message.replace(/\s*\n\s*/g, " ")));
    Deno.exit(2);
  }
}
