import assert from "@std/assert";
import { Rng } from "../../src/data/rng.ts";
import { groupedOrder } from "../../src/pairs/hard_batches.ts";

Deno.test("groupedOrder() visits every pair once, each group a pair and its first unvisited neighbours", () => {
  const rng = new Rng(3);
  const n = 50, k = 6, group = 4;
  const near = new Int32Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let q = 0; q < k; q++) near[i * k + q] = q === k - 1 ? -1 : rng.int(n);
  }
  const order = groupedOrder(near, k, group);
  assert.deepStrictEqual([...order].sort((a, b) => a - b), [
    ...Array(n).keys(),
  ]);
  // replay: a group starts at the first unvisited pair and takes its
  // neighbours in their order while they are unvisited and the group not full
  const seen = new Set<number>();
  let at = 0, groups = 0;
  while (at < n) {
    const head = order[at++]!;
    assert.strictEqual(head, [...Array(n).keys()].find((i) => !seen.has(i)));
    seen.add(head);
    const want: number[] = [];
    for (const j of near.subarray(head * k, (head + 1) * k)) {
      if (want.length === group - 1) break;
      if (j >= 0 && !seen.has(j) && !want.includes(j)) want.push(j);
    }
    assert.deepStrictEqual([...order.subarray(at, at + want.length)], want);
    want.forEach((j) => seen.add(j));
    at += want.length;
    groups++;
  }
  assert.ok(groups < n, "some groups hold neighbours");
});

Deno.test("groupedOrder() with groups of 1 keeps the given order", () => {
  const near = Int32Array.of(1, 2, 0, 2, 0, 1);
  assert.deepStrictEqual([...groupedOrder(near, 2, 1)], [0, 1, 2]);
});

Deno.test("groupedOrder() rejects lists that are not [n, k] and empty groups", () => {
  assert.throws(
    () => groupedOrder(Int32Array.of(1, 2, 0), 2, 2),
    {
      name: "RangeError",
      message: "Expected neighbour lists of k = 2 per pair but found 3 entries",
    },
  );
  assert.throws(
    () => groupedOrder(Int32Array.of(1, 0), 1, 0),
    {
      name: "RangeError",
      message: "Expected at least 1 pair per group but found 0",
    },
  );
});
