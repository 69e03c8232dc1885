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
import { type ModelConfig, modelConfig } from "./config.ts";
import { LexicalIndex } from "../lexical/ngram_tfidf.ts";
import { traceEmbeddings } from "./token_table.ts";
import type { Siamese } from "./siamese.ts";

/** The parts of a run's `config.json` that using a model needs. */
export interface SavedRun {
  /** The model's configuration (defaults filled in for older runs). */
  model: ModelConfig;
  /** How it was trained. */
  train: TrainConfig;
  /** Where its training data came from and how text was tokenized. */
  data: DataSpec;
  /** The vocabularies of text sides. */
  vocabularies: { left?: VocabularyJson; right?: VocabularyJson };
  /** Similarity threshold chosen on the validation data; null if none. */
  threshold: number | null;
}

/** A loaded model with what it was trained with. */
export interface LoadedModel extends SavedRun {
  /** Both branches, and the lexical index when the model has one. */
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
  // runs saved before a config field existed get its default
  run.model = modelConfig(run.model);
  // traced: the FusedLSTM projects the vocabulary, as in the trained model
  const left = traceEmbeddings(
    await tfl.loadLayersModel(fileLoader(`${dir}/left`)),
  );
  const right = run.model.shareWeights
    ? left
    : traceEmbeddings(await tfl.loadLayersModel(fileLoader(`${dir}/right`)));
  const siamese: Siamese = { config: run.model, left, right };
  if (run.model.lexicalWeight > 0) {
    const file = `${dir}/lexical.json`;
    let json: unknown;
    try {
      json = JSON.parse(await Deno.readTextFile(file));
    } catch (e) {
      throw new Error(
        `${path} has lexicalWeight ${run.model.lexicalWeight}, so ${file} must hold ` +
          `its lexical index, but reading it failed: ${
            (e as Error).message
          }. ` +
          "Copy the whole run directory, or train again.",
      );
    }
    siamese.lexical = LexicalIndex.fromJSON(json, file);
  }
  return {
    siamese,
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
