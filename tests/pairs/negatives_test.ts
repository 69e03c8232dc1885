import assert from "@std/assert";
import type { PairSet } from "../../src/data/types.ts";
import { sampleEpochPairs } from "../../src/pairs/negatives.ts";
import { Rng } from "../../src/data/rng.ts";

function set(n: number, labels?: number[]): PairSet {
  return {
    size: n,
    leftLen: 2,
    rightLen: 1,
    left: Int32Array.from({ length: 2 * n }, (_, k) => 2 + k),
    right: Int32Array.from({ length: n }, (_, k) => 100 + k),
    ...(labels ? { labels: Uint8Array.from(labels) } : {}),
  };
}

Deno.test("sampleEpochPairs() never labels a positive pair as negative", () => {
  const data = set(50);
  const p = sampleEpochPairs(data, { rng: new Rng(3), negatives: 3 });
  for (let k = 0; k < p.labels.length; k++) {
    assert.equal(p.labels[k], p.left[k] === p.right[k] ? 1 : 0);
  }
});

Deno.test("sampleEpochPairs() keeps the negative ratio", () => {
  const p = sampleEpochPairs(set(40), { rng: new Rng(1), negatives: 3 });
  const pos = p.labels.filter((l) => l === 1).length;
  assert.equal(pos, 40);
  assert.equal(p.labels.length - pos, 120);
});

Deno.test("sampleEpochPairs() gives the same pairs for the same seed and new pairs each epoch", () => {
  const a = sampleEpochPairs(set(30), { rng: new Rng(9) });
  const b = sampleEpochPairs(set(30), { rng: new Rng(9) });
  assert.deepEqual(a, b);
  const rng = new Rng(9);
  const e1 = sampleEpochPairs(set(30), { rng });
  const e2 = sampleEpochPairs(set(30), { rng });
  assert.notDeepEqual(e1.right, e2.right);
});

Deno.test("sampleEpochPairs() does not mutate its input", () => {
  const data = set(10);
  const copy = structuredClone(data);
  sampleEpochPairs(data, { rng: new Rng(2) });
  assert.deepEqual(data, copy);
});

Deno.test("sampleEpochPairs() rejects duplicated content as a negative", () => {
  // rows 0 and 1 have identical right sides, so (0, 1) is a positive by content
  const data = set(3);
  data.right[1] = data.right[0]!;
  const p = sampleEpochPairs(data, { rng: new Rng(5), negatives: 1 });
  for (let k = 0; k < p.labels.length; k++) {
    if (p.labels[k] === 0) {
      assert.notEqual(data.right[p.right[k]!], data.right[p.left[k]!]);
    }
  }
});

Deno.test("sampleEpochPairs() uses explicit labels as given and adds negatives only on request", () => {
  const data = set(6, [1, 0, 1, 0, 1, 1]);
  const asGiven = sampleEpochPairs(data, { rng: new Rng(1), shuffle: false });
  assert.deepEqual([...asGiven.labels], [1, 0, 1, 0, 1, 1]);
  assert.deepEqual([...asGiven.right], [0, 1, 2, 3, 4, 5]);
  const more = sampleEpochPairs(data, {
    rng: new Rng(1),
    withLabels: true,
    negatives: 2,
  });
  assert.equal(more.labels.length, 6 + 4 * 2);
});

Deno.test("sampleEpochPairs() explains when no negative can be drawn", () => {
  const data = set(2);
  data.right[1] = data.right[0]!;
  data.left.set([data.left[0]!, data.left[1]!], 2);
  assert.throws(() => sampleEpochPairs(data, { rng: new Rng(1) }), {
    message:
      "Could not draw a negative for pair 0 in 100 tries: almost every right side " +
      "matches its left. Add distinct pairs or use labelled data.",
  });
});

Deno.test("Rng state round-trips and shuffle keeps every item", () => {
  const r = new Rng(42);
  r.next();
  const s = Rng.fromState(r.state);
  assert.equal(r.next(), s.next());
  assert.deepEqual(new Rng(1).shuffle([1, 2, 3, 4, 5]).sort(), [1, 2, 3, 4, 5]);
  assert.throws(() => new Rng(1.5), {
    message: "Expected seed to be an integer but found 1.5",
  });
});
