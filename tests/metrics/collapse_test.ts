import { strictEqual, throws } from "@std/assert";
import {
  COLLAPSE_WARN_RATIO,
  collapseStatistic,
  collapseWarnLevel,
} from "../../src/metrics/collapse.ts";
import { Rng } from "../../src/data/rng.ts";

Deno.test("collapseStatistic() is about 1/sqrt(D) for random unit vectors", () => {
  const rng = new Rng(5);
  const dim = 64;
  const vectors = Float32Array.from({ length: 4000 * dim }, () => rng.normal());
  const stat = collapseStatistic(vectors, dim);
  strictEqual(
    Math.abs(stat - 1 / Math.sqrt(dim)) < 0.01 / Math.sqrt(dim),
    true,
    `found ${stat}`,
  );
});

Deno.test("collapseStatistic() is 0 when every vector points the same way", () => {
  strictEqual(collapseStatistic([2, 0, 0, 5, 0, 0, 0.1, 0, 0], 3), 0);
});

Deno.test("collapseStatistic() matches a hand-computed example", () => {
  // Unit vectors (1, 0) and (0, 1): each dimension holds {1, 0}, std 1/2.
  strictEqual(collapseStatistic([4, 0, 0, 0.5], 2), 0.5);
});

Deno.test("collapseStatistic() does not mutate its input", () => {
  const vectors = [3, 4, 1, 0];
  collapseStatistic(vectors, 2);
  strictEqual(vectors.join(), "3,4,1,0");
});

Deno.test("collapseStatistic() falls below the warning level for nearly collapsed vectors", () => {
  const rng = new Rng(9);
  const dim = 32;
  const vectors = Float32Array.from(
    { length: 500 * dim },
    (_, i) => (i % dim === 0 ? 1 : 0) + 1e-4 * rng.normal(),
  );
  strictEqual(collapseStatistic(vectors, dim) < collapseWarnLevel(dim), true);
});

Deno.test("collapseWarnLevel() is 0.1 / sqrt(D)", () => {
  strictEqual(COLLAPSE_WARN_RATIO, 0.1);
  strictEqual(collapseWarnLevel(100), 0.01);
});

Deno.test("collapseStatistic() rejects a batch of one vector", () => {
  throws(() => collapseStatistic([1, 2, 3], 3), {
    message:
      "Expected vectors to hold at least 2 vectors of dimension 3 but found length 3",
  });
});

Deno.test("collapseStatistic() rejects a length not divisible by dim", () => {
  throws(() => collapseStatistic([1, 2, 3, 4, 5], 2), {
    message:
      "Expected vectors to hold at least 2 vectors of dimension 2 but found length 5",
  });
});

Deno.test("collapseStatistic() rejects NaN", () => {
  throws(() => collapseStatistic([1, NaN, 0, 1], 2), {
    message: "Expected vector 0 to hold numbers but found NaN",
  });
});

Deno.test("collapseWarnLevel() rejects a dim below 1", () => {
  throws(() => collapseWarnLevel(0), {
    message: "Expected dim to be an integer of at least 1 but found 0",
  });
});
