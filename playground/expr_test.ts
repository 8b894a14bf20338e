import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ExpressionError, parseProgram } from "./expr.ts";

const NEURON = `x1 = 2
x2 = 0
w1 = -3
w2 = 1
b = 6.8813735870195432
x1w1 = x1*w1
x2w2 = x2*w2
x1w1x2w2 = x1w1 + x2w2
n = x1w1x2w2 + b
o = tanh(n)`;

const fails = (source: string, message: RegExp): void => {
  assert.throws(() => parseProgram(source), (error: unknown) => {
    assert.ok(error instanceof ExpressionError);
    assert.match(error.message, message);
    return true;
  });
};

describe("parseProgram()", () => {
  it("builds the lecture's neuron with its labels and gradients", () => {
    const { root, names } = parseProgram(NEURON);
    const n = 2 * -3 + 0 * 1 + 6.8813735870195432;
    assert.equal(root.label, "o");
    assert.equal(root.op, "tanh");
    assert.ok(Math.abs(root.data - Math.SQRT1_2) < 1e-15);
    root.backward();
    const dn = 1 - Math.tanh(n) ** 2; // 0.5
    const want: Record<string, number> = {
      x1: -3 * dn,
      w1: 2 * dn,
      x2: 1 * dn,
      w2: 0,
      b: dn,
      n: dn,
    };
    for (const [label, grad] of Object.entries(want)) {
      const v = names.get(label);
      assert.equal(v?.label, label);
      assert.ok(Math.abs((v?.grad ?? NaN) - grad) < 1e-12, label);
    }
    assert.equal(names.get("x1")?.isLeaf, true);
  });

  it("follows the usual precedence: -x^2, right-associative ^, * before +", () => {
    // x = 3: -x^2 + 2*x = -9 + 6 = -3; 2^3^2 = 2^9 = 512.
    assert.equal(parseProgram("x = 3\ny = -x^2 + 2*x").root.data, -3);
    assert.equal(parseProgram("x = 2\ny = x^3^2").root.data, 512);
    assert.equal(parseProgram("x = 2\ny = x ** 3").root.data, 8);
    assert.equal(parseProgram("x = 7\ny = (x - 1) / 2 / 3").root.data, 1);
    assert.equal(parseProgram("x = 1; y = x + 1; z = y * y").root.data, 4);
  });

  it("treats a number on the left as micrograd's __rsub__ and __rtruediv__ do", () => {
    // d(2 - x)/dx = -1; d(2 / x)/dx = -2 / x^2 = -0.5 at x = 2.
    const a = parseProgram("x = 2\ny = 2 - x");
    a.root.backward();
    assert.equal(a.root.data, 0);
    assert.equal(a.names.get("x")?.grad, -1);
    const b = parseProgram("x = 2\ny = 2 / x");
    b.root.backward();
    assert.equal(b.root.data, 1);
    assert.equal(b.names.get("x")?.grad, -0.5);
  });

  it("calls the engine's ops by name, pow with two arguments", () => {
    const { root } = parseProgram(
      "x = 0\ny = sigmoid(x) + relu(x) + pow(x + 3, 2)",
    );
    assert.equal(root.data, 0.5 + 0 + 9);
  });

  it("skips blank lines and # comments", () => {
    assert.equal(
      parseProgram("# a\n\nx = 4  # four\ny = sqrt(x)").root.data,
      2,
    );
  });

  it("names the line and column of a syntax error", () => {
    fails(
      "x = 2\ny = x * (3 +",
      /^Cannot parse line 2, column 13: expected a number, a name or "\("/,
    );
    fails(
      "x = 2\ny = (x + 1",
      /^Cannot parse line 2, column 11: expected "\)", got the end/,
    );
    fails(
      "x = 1 $ 2",
      /^Cannot parse line 1, column 7: unexpected character "\$"/,
    );
    fails(
      "x = 1 2",
      /line 1, column 7: expected an operator or the end of the statement, got "2"/,
    );
  });

  it("rejects unknown names and misused functions with a hint", () => {
    fails(
      "y = z * 2",
      /unknown name "z"; define it on a line above, e.g. z = 1/,
    );
    fails(
      "x = 1; y = tanh",
      /unknown name "tanh"; tanh is a function, write tanh\(...\)/,
    );
    fails(
      "x = 1; y = foo(x)",
      /unknown function "foo", expected one of tanh, exp/,
    );
    fails("x = 1; y = tanh(x, x)", /tanh takes 1 argument, got 2/);
    fails("x = 1; y = pow(x)", /pow takes 2 arguments, got 1/);
    fails(
      "y = tanh(2)",
      /tanh of a number is not drawn; give the number a name/,
    );
    fails("exp = 2", /"exp" is a function name, choose another name/);
    fails(
      "x = 1; y = 2^x",
      /a number raised to an expression is not an op here/,
    );
  });

  it("rejects an empty program and a non-finite number", () => {
    fails("", /expression is empty/);
    fails("# nothing\n", /expression is empty/);
    fails("x = 1/0", /the number is Infinity, expected a finite number/);
  });
});
