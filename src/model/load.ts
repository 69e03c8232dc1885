/**
 * Loading a model saved by `deno task train` (see `src/train/save.ts`).
 *
 * @module
 */
import * as tfl from "@tensorflow/tfjs-layers";
import type { DataSpec } from "../data/dataset.ts";
import type { TokenizerKind, VocabularyJson } from "../data/tokenizer.ts";
import { fileLoader } from "../io/file_io.ts";
import type { TrainConfig } from "../train/config.ts";
import { RUN_FORMAT } from "../train/save.ts";
import type { ModelConfig } from "./config.ts";
import { traceEmbeddings } from "./token_table.ts";
import type { Siamese } from "./siamese.ts";

/** The parts of a run's `config.json` that using a model needs. */
export interface SavedRun {
  model: ModelConfig;
  train: TrainConfig;
  data: DataSpec;
  vocabularies: { left?: VocabularyJson; right?: VocabularyJson };
  /** Similarity threshold chosen on the validation data; null if none. */
  threshold: number | null;
}

/** A loaded model with what it was trained with. */
export interface LoadedModel extends SavedRun {
  siamese: Siamese;
}

/**
 * Reads `<dir>/config.json` and loads both branches.
 *
 * @param dir a run directory
 * @returns the branches and their configuration
 */
export async function loadModel(dir: string): Promise<LoadedModel> {
  const path = `${dir}/config.json`;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(
        `Expected a trained model at ${dir} (file ${path}) but found none. ` +
          "Pass the --out directory of a finished `deno task train`.",
      );
    }
    throw e;
  }
  const run = JSON.parse(text) as SavedRun & { format?: string };
  if (run.format !== RUN_FORMAT) {
    throw new Error(
      `Expected format "${RUN_FORMAT}" in ${path} but found "${run.format}"`,
    );
  }
  // traced: the FusedLSTM projects the vocabulary, as in the trained model
  const left = traceEmbeddings(
    await tfl.loadLayersModel(fileLoader(`${dir}/left`)),
  );
  const right = run.model.shareWeights
    ? left
    : traceEmbeddings(await tfl.loadLayersModel(fileLoader(`${dir}/right`)));
  return {
    siamese: { config: run.model, left, right },
    model: run.model,
    train: run.train,
    data: run.data,
    vocabularies: run.vocabularies ?? {},
    threshold: run.threshold ?? null,
  };
}

/**
 * The tokenizers a model's text sides were trained with (word by default).
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { tokenizersOf } from "./load.ts";
 * const t = tokenizersOf({ kind: "synthetic", pairs: 2, valPairs: 2 });
 * assert.deepStrictEqual(t, { left: "word", right: "word" });
 * ```
 */
export function tokenizersOf(
  data: DataSpec,
): { left: TokenizerKind; right: TokenizerKind } {
  return data.kind === "file"
    ? { left: data.leftTokenizer, right: data.rightTokenizer }
    : { left: "word", right: "word" };
}
