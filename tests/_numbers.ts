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

/** Train flags of a small, fast model for those files (add `--epochs`). */
export const SMALL_MODEL_FLAGS: readonly string[] = [
  "--left-tokenizer",
  "word",
  "--right-tokenizer",
  "char",
  "--left-len",
  "10",
  "--right-len",
  "6",
  "--vocab",
  "60",
  "--embedding-dim",
  "8",
  "--lstm-units",
  "8",
  "--dense-units",
  "16",
]; // deno-fmt-ignore
