import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { sum, topo, Value } from "../engine/mod.ts";

describe("topo()", () => {
  it("puts every input before the nodes that use it, root last", () => {
    const a = new Value(1);
    const b = new Value(2);
    const c = a.mul(b);
    const d = c.add(a).tanh();
    const e = sum([d, c, b]);
    const order = topo(e);
    assert.equal(order.at(-1), e);
    const position = new Map(order.map((v, i) => [v, i]));
    for (const node of order) {
      for (const input of node.inputs) {
        assert.ok(position.get(input)! < position.get(node)!);
      }
    }
  });

  it("lists each node once however many paths reach it", () => {
    const a = new Value(1);
    let y = a;
    for (let i = 0; i < 10; i++) y = y.add(y); // 2^10 paths from y to a
    const order = topo(y);
    assert.equal(order.length, 11);
    assert.equal(new Set(order).size, 11);
  });

  it("includes constants and visits inputs in order", () => {
    const a = new Value(1, { label: "a" });
    const b = new Value(2, { label: "b" });
    const y = a.sub(b).mul(3);
    const labels = topo(y).map((v) => v.label ?? (v.op || `const ${v.data}`));
    assert.deepEqual(labels, ["a", "b", "sub", "const 3", "mul"]);
  });

  it("gives the same order on every call (marks do not leak between walks)", () => {
    const a = new Value(1);
    const y = a.mul(a).add(a.exp());
    assert.deepEqual(topo(y), topo(y));
    assert.deepEqual(topo(y.inputs[0]), [a, y.inputs[0]]);
  });

  it("walks a chain of a million nodes without recursion", () => {
    let y = new Value(0);
    for (let i = 0; i < 1_000_000; i++) y = y.neg();
    assert.equal(topo(y).length, 1_000_001);
  });

  it("rejects a root that is not a Value", () => {
    assert.throws(() => topo(42 as unknown as Value), {
      name: "TypeError",
      message: "Cannot sort graph: root must be a Value, got 42",
    });
  });
});
