// Internal: numbers in tables and diagnosis lines.

/** `0.444444`, `1.2e-7`, `NaN`: `digits` significant digits, no trailing zeros. */
export function number(x: number, digits: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "-Infinity";
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e6) return String(Number(x.toPrecision(digits)));
  const [mantissa, exponent] = x.toExponential(digits - 1).split("e");
  return `${String(Number(mantissa))}e${exponent.replace("+", "")}`;
}
