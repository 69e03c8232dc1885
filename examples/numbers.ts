/**
 * Writes a small text-pair data set for the README's example: the left side
 * is a number in English words, the right side the same number in digits
 * ("three hundred forty two" <TAB> "342"). Deterministic.
 *
 *     deno run --allow-write examples/numbers.ts examples/numbers
 *
 * writes `examples/numbers_train.tsv` (1500 pairs) and
 * `examples/numbers_test.tsv` (300 other pairs).
 *
 * @module
 */
import { Rng } from "../src/data/rng.ts";

const ONES = [
  "zero",
  "one",
  "two",
  "three",
  "four",
  "five",
  "six",
  "seven",
  "eight",
  "nine",
  "ten",
  "eleven",
  "twelve",
  "thirteen",
  "fourteen",
  "fifteen",
  "sixteen",
  "seventeen",
  "eighteen",
  "nineteen",
]; // deno-fmt-ignore
const TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];

/**
 * A number below one million in English words.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { words } from "./numbers.ts";
 * assert.equal(words(342), "three hundred forty two");
 * assert.equal(words(12005), "twelve thousand five");
 * ```
 */
export function words(n: number): string {
  if (n < 20) return ONES[n]!;
  if (n < 100) {
    return TENS[Math.floor(n / 10)]! + (n % 10 ? ` ${ONES[n % 10]}` : "");
  }
  if (n < 1000) {
    return `${ONES[Math.floor(n / 100)]} hundred` +
      (n % 100 ? ` ${words(n % 100)}` : "");
  }
  return `${words(Math.floor(n / 1000))} thousand` +
    (n % 1000 ? ` ${words(n % 1000)}` : "");
}

if (import.meta.main) {
  const prefix = Deno.args[0] ?? "examples/numbers";
  const rng = new Rng(2026);
  const seen = new Set<number>();
  const draw = () => {
    for (;;) {
      const n = rng.int(100_000);
      if (!seen.has(n)) {
        seen.add(n);
        return n;
      }
    }
  };
  const lines = (count: number) =>
    [
      "left\tright",
      ...Array.from({ length: count }, () => {
        const n = draw();
        return `${words(n)}\t${n}`;
      }),
    ].join("\n") + "\n";
  await Deno.writeTextFile(`${prefix}_train.tsv`, lines(1500));
  await Deno.writeTextFile(`${prefix}_test.tsv`, lines(300));
  console.error(
    `wrote ${prefix}_train.tsv (1500 pairs) and ${prefix}_test.tsv (300 pairs)`,
  );
}
