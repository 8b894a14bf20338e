import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { toDot, Value } from "../engine/mod.ts";

describe("toDot()", () => {
  it("draws one record per value and one oval per op, wired input -> op -> output", () => {
    const a = new Value(2, { label: "a" });
    const b = new Value(-3, { label: "b" });
    const e = a.mul(b);
    e.label = "e";
    const d = e.add(10);
    d.label = "d";
    d.backward();
    const dot = toDot(d);
    const records = dot.match(/^ {2}n\d+ \[label="\{.*\}".*\];$/gm) ?? [];
    const ovals =
      dot.match(/^ {2}n\d+_op \[label="[a-z]+", shape=ellipse\];$/gm) ?? [];
    assert.equal(records.length, 5); // a, b, e, constant 10, d
    assert.deepEqual(ovals.map((line) => line.match(/"(\w+)"/)![1]), [
      "mul",
      "add",
    ]);
    assert.match(dot, /label="\{ a \| data 2\.0000 \| grad -3\.0000 \}"/);
    assert.match(dot, /label="\{ d \| data 4\.0000 \| grad 1\.0000 \}"/);
    assert.match(
      dot,
      /label="\{ {2}\| data 10\.0000 \| grad 0\.0000 \}", style=dashed/,
    );
    // Edges: each op's inputs into its oval, the oval into its output.
    const id = (label: string): string =>
      dot.match(new RegExp(`(n\\d+) \\[label="\\{ ${label} `))![1];
    const edges = dot.match(/^ {2}\S+ -> \S+;$/gm)!.map((s) => s.trim());
    assert.ok(edges.includes(`${id("a")} -> ${id("e")}_op;`));
    assert.ok(edges.includes(`${id("b")} -> ${id("e")}_op;`));
    assert.ok(edges.includes(`${id("e")}_op -> ${id("e")};`));
    assert.ok(edges.includes(`${id("e")} -> ${id("d")}_op;`));
    assert.equal(edges.length, 6);
    assert.match(dot, /^digraph \{\n {2}graph \[rankdir=LR\];/);
    assert.match(dot, /\}\n$/);
  });

  it("escapes labels that would break the record syntax", () => {
    const x = new Value(1, { label: 'a|b{c}"<d>' });
    assert.match(toDot(x), /label="\{ a\\\|b\\\{c\\\}\\"\\<d\\> \|/);
  });

  it("takes rankdir TB and rejects anything else", () => {
    assert.match(toDot(new Value(1), { rankdir: "TB" }), /rankdir=TB/);
    assert.throws(() => toDot(new Value(1), { rankdir: "RL" as "LR" }), {
      name: "RangeError",
      message:
        'Cannot draw graph: rankdir must be "LR" or "TB", got string "RL"',
    });
  });

  it("rejects a root that is not a Value", () => {
    assert.throws(() => toDot({} as unknown as Value), {
      name: "TypeError",
      message: "Cannot draw graph: root must be a Value, got an object",
    });
  });
});
