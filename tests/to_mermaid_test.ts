import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { toDot, toMermaid, topo, Value } from "../engine/mod.ts";

/** Undoes the Mermaid entity codes. */
const decode = (text: string): string =>
  text.replace(/#(\d+);/g, (_, code) => String.fromCodePoint(Number(code)));

const HOSTILE = [
  'x"]',
  '"]\n  click n0 call alert(1)\n  n9["',
  "a\n%%{init: {'theme': 'dark'}}%%",
  "b --> c",
  "`**md**`",
  "<img src=x onerror=alert(1)>",
  "#quot; #35; &amp;",
  "tab\there\u0000nul",
  "ünïcödé 🙂",
  "((op))",
  "|pipe|",
];

describe("toMermaid()", () => {
  it("draws the lecture's graph: a box per value, a circle per op, its edges", () => {
    const a = new Value(2, { label: "a" });
    const b = new Value(-3, { label: "b" });
    const c = new Value(10, { label: "c" });
    const e = a.mul(b);
    e.label = "e";
    const d = e.add(c);
    d.label = "d";
    d.backward();
    const chart = toMermaid(d);
    const lines = chart.trimEnd().split("\n");
    assert.equal(lines[0], "flowchart LR");
    const order = topo(d);
    const id = (v: Value): string => `n${order.indexOf(v)}`;
    assert.ok(lines.includes(`  ${id(a)}["a | data 2.0000 | grad -3.0000"]`));
    assert.ok(lines.includes(`  ${id(e)}_op(("mul"))`));
    assert.ok(lines.includes(`  ${id(a)} --> ${id(e)}_op`));
    assert.ok(lines.includes(`  ${id(b)} --> ${id(e)}_op`));
    assert.ok(lines.includes(`  ${id(e)}_op --> ${id(e)}`));
    assert.ok(lines.includes(`  ${id(e)} --> ${id(d)}_op`));
    // 5 values, 2 ops with 3 lines each (node, output edge, 2 input edges).
    assert.equal(lines.length, 1 + 5 + 2 * 4);
  });

  it("dashes constants", () => {
    const x = new Value(1, { label: "x" });
    const chart = toMermaid(x.mul(3));
    assert.match(chart, /classDef constant stroke-dasharray/);
    assert.match(chart, /\n {2}class n1 constant\n/);
  });

  it("keeps every hostile label inside its node's text, and loses nothing", () => {
    for (const label of HOSTILE) {
      const x = new Value(1, { label });
      const y = x.neg();
      y.label = label;
      const lines = toMermaid(y).trimEnd().split("\n");
      // Exactly the lines of two values and one op: nothing injected.
      assert.equal(lines.length, 1 + 2 + 3, JSON.stringify(label));
      const boxes = lines.filter((line) => /^ {2}n\d+\[/.test(line));
      assert.equal(boxes.length, 2);
      for (const box of boxes) {
        const m = box.match(/^ {2}n\d+\["([A-Za-z0-9 ._#;|-]*)"\]$/);
        assert.ok(m, `box line is well formed: ${box}`);
        assert.equal(decode(m[1].split(" | ")[0]), label);
      }
      for (const line of lines.slice(1)) {
        assert.match(
          line,
          /^ {2}(n\d+(\[".*"\]|_op\(\("neg"\)\)| --> n\d+(_op)?)|n\d+_op --> n\d+)$/,
        );
      }
    }
  });

  it("rejects a root that is not a Value", () => {
    assert.throws(() => toMermaid({} as Value), {
      name: "TypeError",
      message: "Cannot draw graph: root must be a Value, got an object",
    });
  });
});

describe("toDot() with careless input", () => {
  it("rejects options that are not an object", () => {
    assert.throws(
      () => toDot(new Value(1), "x" as unknown as { rankdir: "LR" }),
      {
        name: "TypeError",
        message: 'Cannot draw graph: options must be an object, got string "x"',
      },
    );
  });

  it("writes no control character, so Graphviz accepts any label", () => {
    const x = new Value(1, { label: "a\u0000b\u001bc\u007f" });
    const dot = toDot(x.neg());
    // deno-lint-ignore no-control-regex -- looking for control characters
    assert.doesNotMatch(dot.replace(/\n/g, ""), /[\u0000-\u001f\u007f]/);
    assert.match(dot, /a\u2400b\u241bc\u2421/);
  });
});
