// Internal: the error assertGradcheck throws. Published code cannot import
// node:assert, so this is a plain Error named "AssertionError", as the ones
// node:assert and @std/assert throw.

/** An Error named "AssertionError". */
export class AssertionError extends Error {
  /** Creates the error with `message`. */
  constructor(message: string) {
    super(message);
    this.name = "AssertionError";
  }
}
