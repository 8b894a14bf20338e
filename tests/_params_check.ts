// Test helper: the checks every optimizer makes on its parameter list
// (optim/_check.ts), run against one constructor, so each optimizer's test
// file proves them for that optimizer.
import { it } from "node:test";
import assert from "node:assert/strict";
import { topo, Value } from "../engine/mod.ts";

/**
 * Runs `body` with Map and Set capped at `limit` entries: past it, `set` and
 * `add` throw V8's own "Map maximum size exceeded" error, as V8 does at 2^24
 * (16.8M) entries. Code that keeps one entry per parameter in a Map or a Set
 * fails under it with a few thousand parameters instead of 16.8 million.
 */
export function withCappedCollections(limit: number, body: () => void): void {
  const mapSet = Map.prototype.set;
  const setAdd = Set.prototype.add;
  Map.prototype.set = function <K, V>(
    this: Map<K, V>,
    key: K,
    value: V,
  ): Map<K, V> {
    if (this.size >= limit && !this.has(key)) {
      throw new RangeError("Map maximum size exceeded");
    }
    return mapSet.call(this, key, value) as Map<K, V>;
  };
  Set.prototype.add = function <T>(this: Set<T>, value: T): Set<T> {
    if (this.size >= limit && !this.has(value)) {
      throw new RangeError("Set maximum size exceeded");
    }
    return setAdd.call(this, value) as Set<T>;
  };
  try {
    body();
  } finally {
    Map.prototype.set = mapSet;
    Set.prototype.add = setAdd;
  }
}

/**
 * The regression tests of the parameter checks for one optimizer: `make`
 * builds it from a parameter list; `action` is how its errors start
 * ("Cannot create SGD").
 */
export function paramsCheckTests(
  action: string,
  make: (params: Value[]) => unknown,
): void {
  it("takes more parameters than a Map or Set can hold (no per-parameter collection)", () => {
    const params = Array.from({ length: 5000 }, (_, i) => new Value(i));
    withCappedCollections(1000, () => make(params));
    // and still finds a repeat at the far end
    params.push(params[4321]);
    withCappedCollections(1000, () => {
      assert.throws(() => make(params), {
        name: "RangeError",
        message: `${action}: params[5000] is the same Value as params[4321]`,
      });
    });
  });

  it("rejects op results and constants, naming the index", () => {
    const x = new Value(1);
    const y = x.mul(2);
    assert.throws(() => make([x, y]), {
      name: "TypeError",
      message:
        `${action}: params[1] must be a leaf Value (made by new Value), got the result of op "mul"`,
    });
    const labelled = x.tanh();
    labelled.label = "h";
    assert.throws(() => make([labelled]), {
      name: "TypeError",
      message:
        `${action}: params[0] must be a leaf Value (made by new Value), got the result of op "tanh" (label "h")`,
    });
    const constant = x.add(3).inputs[1];
    assert.throws(() => make([x, new Value(2), constant]), {
      name: "TypeError",
      message:
        `${action}: params[2] must be a leaf Value (made by new Value), got a constant (a number operand)`,
    });
  });

  it("accepts the same leaves again after a graph walk marked them", () => {
    const a = new Value(1);
    const b = new Value(2);
    make([a, b]);
    a.mul(b).backward(); // backward gives a and b leaf numbers
    topo(a.mul(b)); // topo marks them and takes the marks off
    make([a, b]);
    make([b, a]);
  });
}
