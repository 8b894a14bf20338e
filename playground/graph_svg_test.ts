import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Value } from "../engine/mod.ts";
import { drawGraph, escapeXml, formatNumber } from "./graph_svg.ts";

const count = (text: string, re: RegExp): number => text.match(re)?.length ?? 0;

describe("drawGraph()", () => {
  it("draws one box per Value, one oval per op and one edge per operand", () => {
    const a = new Value(2, { label: "a" });
    const b = new Value(-3, { label: "b" });
    const e = a.mul(b); // 2 edges in, 1 out
    const d = e.add(a); // a used twice: 2 in, 1 out
    const o = d.tanh(); // 1 in, 1 out
    const { svg, nodes } = drawGraph(o);
    assert.equal(nodes.length, 5);
    assert.equal(count(svg, /<g class="node /g), 5);
    assert.equal(count(svg, /<g class="op"/g), 3);
    assert.equal(count(svg, /<path class="edge"/g), 2 + 1 + 2 + 1 + 1 + 1);
    assert.match(svg, /<text class="data"[^>]*>data 2\.0000<\/text>/);
    assert.match(svg, />tanh<\/text>/);
  });

  it("marks leaves, constants and results apart", () => {
    const x = new Value(1, { label: "x" });
    const { svg } = drawGraph(x.mul(3));
    assert.equal(count(svg, /class="node leaf"/g), 1);
    assert.equal(count(svg, /class="node constant"/g), 1);
    assert.equal(count(svg, /class="node result"/g), 1);
  });

  it("escapes labels so none can break out of its text or attribute", () => {
    const evil = new Value(1, {
      label: `</text><script>alert(1)</script>" onload="alert(2)' &amp;`,
    });
    const { svg } = drawGraph(evil.neg());
    assert.doesNotMatch(svg, /<script/);
    assert.doesNotMatch(svg, /" onload="/);
    assert.match(svg, /&lt;\/text&gt;&lt;script&gt;/);
    assert.match(svg, /&amp;amp;/);
  });
});

describe("escapeXml()", () => {
  it("escapes the five XML specials", () => {
    assert.equal(
      escapeXml(`<a href="x">'&'</a>`),
      "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;",
    );
  });
});

describe("formatNumber()", () => {
  it("shows 4 decimals, exponents for tiny and huge numbers", () => {
    assert.equal(formatNumber(0.5), "0.5000");
    assert.equal(formatNumber(-1.5), "-1.5000");
    assert.equal(formatNumber(0), "0.0000");
    assert.equal(formatNumber(1.5e-7), "1.500e-7");
    assert.equal(formatNumber(2e9), "2.000e+9");
    assert.equal(formatNumber(NaN), "NaN");
  });
});
