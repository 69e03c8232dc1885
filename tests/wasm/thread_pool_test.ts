import assert from "@std/assert";
import { balancedRanges } from "../../src/wasm/thread_pool.ts";

/** The ranges cover [0, rows) in order, each with at least one row. */
function assertCover(ranges: [number, number][], rows: number) {
  assert.equal(ranges[0]![0], 0);
  assert.equal(ranges.at(-1)![1], rows);
  for (const [i, [a, b]] of ranges.entries()) {
    assert.ok(b > a, `range ${i} [${a}, ${b}) is empty`);
    if (i > 0) assert.equal(a, ranges[i - 1]![1]);
  }
}

const load = (work: number[], [a, b]: [number, number]) =>
  work.slice(a, b).reduce((x, y) => x + y, 0);

Deno.test("balancedRanges splits even work evenly", () => {
  assert.deepEqual(balancedRanges(Array(32).fill(7), 2), [[0, 16], [16, 32]]);
  assert.deepEqual(balancedRanges(Array(6).fill(1), 3), [[0, 2], [2, 4], [
    4,
    6,
  ]]);
});

Deno.test("balancedRanges gives rows sorted short to long to the first thread in larger number", () => {
  // the step bench's matcher rows: lengths rising over the batch
  const work = Array.from(
    { length: 32 },
    (_, b) => 1 + Math.min(256, 20 + 12 * b),
  );
  const ranges = balancedRanges(work, 2);
  assertCover(ranges, 32);
  const [first, second] = ranges.map((r) => load(work, r));
  assert.ok(ranges[0]![1] > 16, `cut at ${ranges[0]![1]}`);
  const biggest = Math.max(...work);
  assert.ok(Math.abs(first! - second!) <= biggest, `${first} vs ${second}`);
});

Deno.test("balancedRanges keeps one row per range when the work is lopsided or parts exceed rows", () => {
  assertCover(balancedRanges([1000, 1, 1, 1], 3), 4);
  assert.deepEqual(balancedRanges([1000, 1, 1, 1], 3)[0], [0, 1]);
  assert.deepEqual(balancedRanges([1, 1, 1, 1000], 3).at(-1), [3, 4]);
  assert.deepEqual(balancedRanges([5, 5], 4), [[0, 1], [1, 2]]);
  assert.deepEqual(balancedRanges([5], 2), [[0, 1]]);
});

Deno.test("balancedRanges comes within one row of the best cut on random work", () => {
  let seed = 7;
  const rand = () =>
    (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let trial = 0; trial < 50; trial++) {
    const rows = 2 + Math.floor(rand() * 40);
    const work = Array.from(
      { length: rows },
      () => 1 + Math.floor(rand() * 300),
    );
    for (const parts of [2, 3, 4]) {
      const ranges = balancedRanges(work, parts);
      assertCover(ranges, rows);
      assert.equal(ranges.length, Math.min(parts, rows));
      const total = load(work, [0, rows]);
      const worst = Math.max(...ranges.map((r) => load(work, r)));
      assert.ok(
        worst <= total / ranges.length + Math.max(...work),
        `${work} in ${parts}: ${JSON.stringify(ranges)}`,
      );
    }
  }
});
