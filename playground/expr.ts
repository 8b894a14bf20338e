// A small parser for the graph panel's expressions, so the page never
// evaluates typed text as JavaScript. One statement a line (or `;`):
//
//   x1 = 2                 a number: a leaf Value labelled x1
//   n = x1*w1 + x2*w2 + b  an expression: its node is labelled n
//   o = tanh(n)            the last statement is the root
//
// Expressions: + - * / ^ (or **), unary minus, parentheses, numbers, names
// defined above, and the engine's ops as functions: tanh exp log sqrt
// sigmoid relu abs sin cos neg, pow(a, b). A number on the left of an
// operator works as in micrograd's __radd__, __rmul__, __rsub__,
// __rtruediv__: 2*x is x*2, 2 - x is -x + 2, 2 / x is x^-1 * 2.

import { Value } from "../engine/mod.ts";

/** What parseProgram returns: the root and every named Value. */
export interface Program {
  root: Value;
  names: Map<string, Value>;
}

/** A parse or evaluation error, with the line and column it points at. */
export class ExpressionError extends Error {
  override name = "ExpressionError";
  constructor(message: string) {
    super(message);
  }
}

const UNARY = [
  "tanh",
  "exp",
  "log",
  "sqrt",
  "sigmoid",
  "relu",
  "abs",
  "sin",
  "cos",
  "neg",
] as const;
type UnaryName = typeof UNARY[number];

/** The functions an expression may call, for the page's help text. */
export const FUNCTIONS: readonly string[] = [...UNARY, "pow"];

/** The most nodes the panel draws. */
export const MAX_NODES = 300;

type Token =
  | { kind: "num"; value: number; text: string; pos: number }
  | { kind: "name"; text: string; pos: number }
  | { kind: "op"; text: string; pos: number }
  | { kind: "end"; text: string; pos: number };

type Operand = Value | number;

/**
 * Parses and evaluates a program, building the graph with the engine.
 *
 * @throws {ExpressionError} naming the line and column of the first problem.
 */
export function parseProgram(source: string): Program {
  const names = new Map<string, Value>();
  let root: Value | null = null;
  const lines = source.split("\n");
  for (let l = 0; l < lines.length; l++) {
    const parts = splitStatements(lines[l]);
    for (const [text, offset] of parts) {
      if (text.trim() === "" || text.trim().startsWith("#")) continue;
      const where = (pos: number): string =>
        `line ${l + 1}, column ${offset + pos + 1}`;
      root = statement(text, names, where);
    }
  }
  if (root === null) {
    throw new ExpressionError(
      "Cannot draw the graph: the expression is empty, expected e.g. o = tanh(x*w + b)",
    );
  }
  return { root, names };
}

// Splits a line at `;` outside comments; returns [text, column offset].
function splitStatements(line: string): [string, number][] {
  const hash = line.indexOf("#");
  const code = hash < 0 ? line : line.slice(0, hash);
  const out: [string, number][] = [];
  let start = 0;
  for (let i = 0; i <= code.length; i++) {
    if (i === code.length || code[i] === ";") {
      out.push([code.slice(start, i), start]);
      start = i + 1;
    }
  }
  return out;
}

function tokenize(text: string, where: (pos: number) => string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === " " || ch === "\t" || ch === "\r") {
      i++;
      continue;
    }
    const num = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(text.slice(i));
    if (num !== null) {
      tokens.push({ kind: "num", value: Number(num[0]), text: num[0], pos: i });
      i += num[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z_0-9]*/.exec(text.slice(i));
    if (name !== null) {
      tokens.push({ kind: "name", text: name[0], pos: i });
      i += name[0].length;
      continue;
    }
    if (text.startsWith("**", i)) {
      tokens.push({ kind: "op", text: "^", pos: i });
      i += 2;
      continue;
    }
    if ("+-*/^(),=".includes(ch)) {
      tokens.push({ kind: "op", text: ch, pos: i });
      i++;
      continue;
    }
    throw new ExpressionError(
      `Cannot parse ${where(i)}: unexpected character "${ch}"`,
    );
  }
  tokens.push({ kind: "end", text: "end of statement", pos: text.length });
  return tokens;
}

function statement(
  text: string,
  names: Map<string, Value>,
  where: (pos: number) => string,
): Value {
  const tokens = tokenize(text, where);
  let p = 0;
  const peek = (): Token => tokens[p];
  const next = (): Token => tokens[p++];
  const shown = (t: Token): string =>
    t.kind === "end" ? "the end of the statement" : `"${t.text}"`;
  const expect = (op: string): void => {
    const t = next();
    if (t.kind !== "op" || t.text !== op) {
      throw new ExpressionError(
        `Cannot parse ${where(t.pos)}: expected "${op}", got ${shown(t)}`,
      );
    }
  };
  const isOp = (op: string): boolean => {
    const t = peek();
    return t.kind === "op" && t.text === op;
  };
  // Runs an engine op; its errors point at the operator's position.
  const guard = (pos: number, f: () => Operand): Operand => {
    try {
      return f();
    } catch (error) {
      throw new ExpressionError(
        `Cannot evaluate ${where(pos)}: ${(error as Error).message}`,
      );
    }
  };

  const binary = (op: string, a: Operand, b: Operand, pos: number): Operand =>
    guard(pos, () => {
      if (typeof a === "number" && typeof b === "number") {
        // Two numbers fold to a number, as in plain arithmetic.
        switch (op) {
          case "+":
            return a + b;
          case "-":
            return a - b;
          case "*":
            return a * b;
          case "/":
            return a / b;
          default:
            return a ** b;
        }
      }
      if (typeof a === "number") {
        const v = b as Value;
        switch (op) {
          case "+":
            return v.add(a);
          case "*":
            return v.mul(a);
          case "-":
            return v.neg().add(a);
          case "/":
            return v.pow(-1).mul(a);
          default:
            throw new Error(
              `a number raised to an expression is not an op here; write exp(x * log(${a}))`,
            );
        }
      }
      switch (op) {
        case "+":
          return a.add(b);
        case "-":
          return a.sub(b);
        case "*":
          return a.mul(b);
        case "/":
          return a.div(b);
        default:
          return a.pow(b);
      }
    });

  const primary = (): Operand => {
    const t = next();
    if (t.kind === "num") return t.value;
    if (t.kind === "op" && t.text === "(") {
      const v = expr();
      expect(")");
      return v;
    }
    if (t.kind === "name") {
      if (isOp("(")) {
        next();
        const args: Operand[] = [expr()];
        while (isOp(",")) {
          next();
          args.push(expr());
        }
        expect(")");
        return call(t, args);
      }
      const v = names.get(t.text);
      if (v === undefined) {
        const hint = FUNCTIONS.includes(t.text)
          ? `; ${t.text} is a function, write ${t.text}(...)`
          : "; define it on a line above, e.g. " + t.text + " = 1";
        throw new ExpressionError(
          `Cannot parse ${where(t.pos)}: unknown name "${t.text}"${hint}`,
        );
      }
      return v;
    }
    throw new ExpressionError(
      `Cannot parse ${where(t.pos)}: expected a number, a name or "(", got ${
        shown(t)
      }`,
    );
  };

  const call = (t: Token, args: Operand[]): Operand => {
    const name = t.text;
    if (name === "pow") {
      if (args.length !== 2) {
        throw new ExpressionError(
          `Cannot parse ${
            where(t.pos)
          }: pow takes 2 arguments, got ${args.length}`,
        );
      }
      return binary("^", args[0], args[1], t.pos);
    }
    if (!(UNARY as readonly string[]).includes(name)) {
      throw new ExpressionError(
        `Cannot parse ${
          where(t.pos)
        }: unknown function "${name}", expected one of ${FUNCTIONS.join(", ")}`,
      );
    }
    if (args.length !== 1) {
      throw new ExpressionError(
        `Cannot parse ${
          where(t.pos)
        }: ${name} takes 1 argument, got ${args.length}`,
      );
    }
    const x = args[0];
    if (typeof x === "number") {
      throw new ExpressionError(
        `Cannot parse ${
          where(t.pos)
        }: ${name} of a number is not drawn; give the number a name (x = ${x}) and write ${name}(x)`,
      );
    }
    return guard(t.pos, () => x[name as UnaryName]());
  };

  const power = (): Operand => {
    const base = primary();
    if (isOp("^")) {
      const t = next();
      return binary("^", base, unary(), t.pos);
    }
    return base;
  };
  const unary = (): Operand => {
    if (isOp("-")) {
      const t = next();
      const x = unary();
      return typeof x === "number" ? -x : guard(t.pos, () => x.neg());
    }
    if (isOp("+")) {
      next();
      return unary();
    }
    return power();
  };
  const term = (): Operand => {
    let v = unary();
    while (isOp("*") || isOp("/")) {
      const t = next();
      v = binary(t.text, v, unary(), t.pos);
    }
    return v;
  };
  const expr = (): Operand => {
    let v = term();
    while (isOp("+") || isOp("-")) {
      const t = next();
      v = binary(t.text, v, term(), t.pos);
    }
    return v;
  };

  let target: Token | null = null;
  if (
    tokens[0].kind === "name" && tokens[1].kind === "op" &&
    tokens[1].text === "="
  ) {
    target = tokens[0];
    if (FUNCTIONS.includes(target.text)) {
      throw new ExpressionError(
        `Cannot parse ${
          where(target.pos)
        }: "${target.text}" is a function name, choose another name`,
      );
    }
    p = 2;
  }
  const value = expr();
  const end = peek();
  if (end.kind !== "end") {
    throw new ExpressionError(
      `Cannot parse ${
        where(end.pos)
      }: expected an operator or the end of the statement, got ${shown(end)}`,
    );
  }
  let node: Value;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      throw new ExpressionError(
        `Cannot evaluate ${
          where(0)
        }: the number is ${value}, expected a finite number`,
      );
    }
    node = new Value(value, target === null ? {} : { label: target.text });
  } else {
    node = value;
    if (target !== null && node.op !== "") node.label = target.text;
  }
  if (target !== null) names.set(target.text, node);
  return node;
}
