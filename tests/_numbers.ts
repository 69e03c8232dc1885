/**
 * Test helpers for end-to-end runs on the numbers example (words <TAB> digits).
 *
 * @module
 */
import { words } from "../examples/numbers.ts";

/** Writes `count` pairs starting at `from` (with a header) to `path`; returns `path`. */
export async function writeNumbersFile(
  path: string,
  from: number,
  count: number,
): Promise<string> {
  const lines = ["left\tright"];
  for (let n = from; n < from + count; n++) {
    lines.push(`${words(n * 37 % 9973)}\t${n * 37 % 9973}`);
  }
  await Deno.writeTextFile(path, lines.join("\n") + "\n");
  return path;
}

/** Settings of a small, fast model for those files, as a `--config FILE`. */
export const SMALL_MODEL_SETTINGS = {
  data: { left_tokenizer: "word", right_tokenizer: "char" },
  model: {
    left_len: 10,
    right_len: 6,
    vocab: 60,
    embedding_dim: 8,
    lstm_units: 8,
    dense_units: 16,
  },
};

/**
 * Writes {@link SMALL_MODEL_SETTINGS} to `path` and returns the train flags
 * that use it (add `--epochs`).
 */
export async function smallModelFlags(path: string): Promise<string[]> {
  await writeConfig(path, SMALL_MODEL_SETTINGS);
  return ["--config", path];
}

/** Writes a `--config FILE` for train; returns `path`. */
export async function writeConfig(
  path: string,
  settings: Record<string, Record<string, unknown>>,
): Promise<string> {
  await Deno.writeTextFile(path, JSON.stringify(settings));
  return path;
}
