/**
 * Makes the quality bench's data from an installed dictd dictionary: term ->
 * definition pairs, split at random (seeded) into a training and a test file.
 *
 *     deno run -A bench/quality/make_data.ts --dict foldoc --out bench/.data/foldoc
 *
 * writes `<out>_train.tsv`, `<out>_test.tsv` (TSV with the header
 * `left<TAB>right`, left = term, right = definition; rows in the shuffled
 * order, so any prefix is a random sample) and `<out>_info.json` (counts and
 * length statistics). The files stay out of git (`bench/.data/` is ignored).
 *
 * @module
 */
import { parseFlags, UsageError } from "../../src/cli/flags.ts";
import { Rng } from "../../src/data/rng.ts";
import { type DictPair, type DictPairsResult, readDictd } from "./dictd.ts";
import {
  type DebianProvenance,
  readDebianDescriptions,
} from "./debian_desc.ts";

/**
 * Where `--dict debian` reads apt's index files by default (copies of
 * `/var/lib/apt/lists/*_bookworm_main_i18n_Translation-en.lz4` and
 * `*_bookworm_main_binary-amd64_Packages.lz4`, see docs/quality.md).
 */
export const DEBIAN_FILES = Object.freeze({
  translations: "bench/.data/apt/bookworm_main_Translation-en.lz4",
  packages: "bench/.data/apt/bookworm_main_binary-amd64_Packages.lz4",
});

/** Length statistics of texts, in Unicode code points (the char tokens). */
export interface LengthStats {
  mean: number;
  p50: number;
  p90: number;
  max: number;
}

/**
 * Mean, median, 90th percentile (nearest rank) and maximum of lengths.
 *
 * @param lengths at least one length
 * @returns the statistics
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { lengthStats } from "./make_data.ts";
 * assert.deepEqual(lengthStats([1, 2, 3, 4, 10]), { mean: 4, p50: 3, p90: 10, max: 10 });
 * ```
 */
export function lengthStats(lengths: readonly number[]): LengthStats {
  if (lengths.length === 0) {
    throw new RangeError("Expected at least one length but found none");
  }
  const sorted = lengths.slice().sort((a, b) => a - b);
  const rank = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return {
    mean: sorted.reduce((s, x) => s + x, 0) / sorted.length,
    p50: rank(0.5),
    p90: rank(0.9),
    max: sorted[sorted.length - 1]!,
  };
}

/**
 * Splits pairs at random into training and test pairs; both keep the
 * shuffled order. The input is not mutated.
 *
 * @param pairs the pairs
 * @param options `test`: how many test pairs; `seed` for the shuffle
 * @returns `{ train, test }`
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { splitPairs } from "./make_data.ts";
 * const { train, test } = splitPairs([1, 2, 3, 4, 5], { test: 2, seed: 1 });
 * assert.equal(test.length, 2);
 * assert.deepEqual([...train, ...test].sort(), [1, 2, 3, 4, 5]);
 * ```
 */
export function splitPairs<T>(
  pairs: readonly T[],
  options: { test: number; seed: number },
): { train: T[]; test: T[] } {
  const { test } = options;
  if (!Number.isInteger(test) || test < 2 || test > pairs.length - 2) {
    throw new RangeError(
      `Expected test to be an integer from 2 to ${
        pairs.length - 2
      } (the pairs less 2 for training) but found ${test}`,
    );
  }
  const shuffled = new Rng(options.seed).shuffle(pairs);
  return { train: shuffled.slice(test), test: shuffled.slice(0, test) };
}

/**
 * One pair as a TSV line (with the newline); tabs, carriage returns and
 * newlines in the text become spaces.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { tsvLine } from "./make_data.ts";
 * assert.equal(tsvLine({ term: "a\tb", definition: "c\nd" }), "a b\tc d\n");
 * ```
 */
export function tsvLine(pair: DictPair): string {
  const clean = (s: string) => s.replace(/[\t\r\n]/g, " ").trim();
  return `${clean(pair.term)}\t${clean(pair.definition)}\n`;
}

/** Options for {@link makeData}. */
export interface MakeDataOptions {
  /** Dictionary name, e.g. `foldoc` or `vera`. */
  dict: string;
  /** Output prefix: writes `<out>_train.tsv`, `<out>_test.tsv`, `<out>_info.json`. */
  out: string;
  /** Held-out test pairs. @default 2000 */
  test?: number;
  /** Seed of the split. @default 1 */
  seed?: number;
  /** Where the dictd files are. @default "/usr/share/dictd" */
  dir?: string;
  /** apt's files for `dict: "debian"`. @default DEBIAN_FILES */
  debian?: { translations: string; packages: string };
}

/** What {@link makeData} wrote, as stored in `<out>_info.json`. */
export interface DataInfo {
  dict: string;
  seed: number;
  train: string;
  test: string;
  /** Index lines and what was skipped (see `DictPairsResult`). */
  indexLines: number;
  meta: number;
  duplicateTerms: number;
  duplicateDefinitions: number;
  empty: number;
  /** Pairs kept, and in each file. */
  pairs: number;
  trainPairs: number;
  testPairs: number;
  /** Code points per side over all kept pairs. */
  left: LengthStats;
  right: LengthStats;
  /** The source files and their SHA-256 (`debian` only). */
  provenance?: DebianProvenance;
}

/**
 * Reads a dictionary, splits it and writes the files.
 *
 * @param options see {@link MakeDataOptions}
 * @returns the counts and statistics written to `<out>_info.json`
 */
export async function makeData(options: MakeDataOptions): Promise<DataInfo> {
  const seed = options.seed ?? 1;
  const read: DictPairsResult & { provenance?: DebianProvenance } =
    options.dict === "debian"
      ? await readDebianDescriptions(options.debian ?? DEBIAN_FILES)
      : await readDictd(
        options.dict,
        options.dir === undefined ? {} : { dir: options.dir },
      );
  const { train, test } = splitPairs(read.pairs, {
    test: options.test ?? 2000,
    seed,
  });
  const paths = {
    train: `${options.out}_train.tsv`,
    test: `${options.out}_test.tsv`,
  };
  const dir = options.out.slice(0, options.out.lastIndexOf("/") + 1);
  if (dir !== "") await Deno.mkdir(dir, { recursive: true });
  for (
    const [path, rows] of [[paths.train, train], [paths.test, test]] as const
  ) {
    const tmp = `${path}.tmp`;
    await Deno.writeTextFile(tmp, "left\tright\n" + rows.map(tsvLine).join(""));
    await Deno.rename(tmp, path);
  }
  const codePoints = (s: string) => [...s].length;
  const { pairs: _pairs, ...counts } = read;
  const info: DataInfo = {
    dict: options.dict,
    seed,
    ...paths,
    ...counts,
    pairs: read.pairs.length,
    trainPairs: train.length,
    testPairs: test.length,
    left: lengthStats(read.pairs.map((p) => codePoints(p.term))),
    right: lengthStats(read.pairs.map((p) => codePoints(p.definition))),
  };
  await Deno.writeTextFile(
    `${options.out}_info.json`,
    JSON.stringify(info, null, 2) + "\n",
  );
  return info;
}

/**
 * A readable summary of {@link DataInfo}.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { describeData } from "./make_data.ts";
 * const s = { mean: 1, p50: 1, p90: 1, max: 1 };
 * const text = describeData({ dict: "d", seed: 1, train: "t", test: "u", indexLines: 4,
 *   meta: 0, duplicateTerms: 0, duplicateDefinitions: 0, empty: 0, pairs: 4,
 *   trainPairs: 2, testPairs: 2, left: s, right: s });
 * assert.ok(text.includes("train 2 pairs -> t"));
 * ```
 */
export function describeData(info: DataInfo): string {
  const stats = (s: LengthStats) =>
    `mean ${s.mean.toFixed(1)}  p50 ${s.p50}  p90 ${s.p90}  max ${s.max}`;
  return [
    `${info.dict}: ${info.indexLines} index lines -> ${info.pairs} pairs ` +
    `(skipped: ${info.meta} meta, ${info.duplicateTerms} repeated terms, ` +
    `${info.duplicateDefinitions} aliases of a kept definition, ${info.empty} empty)`,
    `train ${info.trainPairs} pairs -> ${info.train}`,
    `test  ${info.testPairs} pairs -> ${info.test}  (split seed ${info.seed})`,
    `chars left  (term)       ${stats(info.left)}`,
    `chars right (definition) ${stats(info.right)}`,
  ].join("\n");
}

if (import.meta.main) {
  try {
    const flags = parseFlags(Deno.args, {
      dict: {
        type: "string",
        default: "foldoc",
        help:
          "dictd dictionary (foldoc, vera), or debian (package descriptions)",
      },
      out: {
        type: "string",
        help: "output prefix (default bench/.data/<dict>)",
      },
      test: { type: "int", default: 2000, min: 2, help: "held-out test pairs" },
      seed: { type: "int", default: 1, help: "seed of the split" },
      dir: { type: "string", default: "/usr/share/dictd", help: "dictd files" },
    });
    const dict = flags.dict as string;
    const info = await makeData({
      dict,
      out: (flags.out as string | undefined) ?? `bench/.data/${dict}`,
      test: flags.test as number,
      seed: flags.seed as number,
      dir: flags.dir as string,
    });
    console.log(describeData(info));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(e.message);
    Deno.exit(2);
  }
}
