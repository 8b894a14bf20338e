import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type CustomOpInput, runCustomOp } from "./custom_op.ts";

const SOFTSIGN: CustomOpInput = {
  name: "softsign",
  forward: "x / (1 + abs(x))",
  derivative: "1 / (1 + abs(x)) ** 2",
  domain: "",
};

describe("runCustomOp()", () => {
  it("passes softsign with its right derivative", () => {
    const r = runCustomOp(SOFTSIGN);
    assert.ok(r.ok);
    assert.equal(r.pass, true);
    assert.equal(r.failed, 0);
    assert.ok(r.total > 20 && r.rows.length > 0);
  });

  it("fails a derivative missing its square, worst rows first", () => {
    const r = runCustomOp({ ...SOFTSIGN, derivative: "1 / (1 + abs(x))" });
    assert.ok(r.ok);
    assert.equal(r.pass, false);
    assert.ok(r.failed > 0);
    assert.equal(r.rows[0].status, "fail");
  });

  it("uses the output y and a domain", () => {
    // log: dy/dx = 1/x on x > 0; exp: dy/dx = y.
    const log = runCustomOp({
      name: "mylog",
      forward: "log(x)",
      derivative: "1 / x",
      domain: "x > 0",
    });
    assert.ok(log.ok && log.pass);
    const exp = runCustomOp({
      name: "myexp",
      forward: "exp(x)",
      derivative: "y",
      domain: "x < 50",
    });
    assert.ok(exp.ok && exp.pass);
  });

  it("puts each mistake at its field", () => {
    const at = (input: Partial<CustomOpInput>): [string, string] => {
      const r = runCustomOp({ ...SOFTSIGN, ...input });
      assert.ok(!r.ok);
      return [r.field, r.message];
    };
    assert.deepEqual(at({ name: "soft sign" }), [
      "name",
      'Cannot use name "soft sign": expected letters, digits and _',
    ]);
    assert.equal(at({ name: "tanh" })[0], "name");
    assert.match(at({ name: "tanh" })[1], /taken by a built-in op/);
    const [field, message] = at({ forward: "x +* 2" });
    assert.equal(field, "forward");
    assert.match(message, /^Cannot read forward: /);
    assert.deepEqual(at({ forward: "sinn(x)" }), [
      "forward",
      "Cannot run forward at x = 0.5: sinn is not defined",
    ]);
    assert.deepEqual(at({ derivative: "'1'" }), [
      "derivative",
      'Cannot run derivative at x = 0.5: expected a number, got string "1"',
    ]);
    assert.deepEqual(at({ derivative: " " }), [
      "derivative",
      "derivative is empty, expected an expression",
    ]);
    assert.deepEqual(at({ domain: "x" }), [
      "domain",
      "Cannot run domain at x = 0.5: expected a boolean, got number 0.5",
    ]);
  });
});
