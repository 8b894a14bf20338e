// Internal: how bad input is described in error messages (the same words as
// the engine's messages; gradcheck uses only the engine's public API).

/** Describes a received value for an error message: `string "3"`, `NaN`, `undefined`. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return `string ${JSON.stringify(value)}`;
    case "number":
      return String(value);
    case "bigint":
      return `bigint ${value}n`;
    case "undefined":
      return "undefined";
    case "object":
      return Array.isArray(value) ? "an array" : "an object";
    default:
      return typeof value;
  }
}
