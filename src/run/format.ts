/**
 * The run directory's format: writing a trained model into it and loading
 * it back.
 *
 *     <run>/config.json          format tag, model and training config, data
 *                                spec, vocabularies, threshold, backend, history
 *     <run>/left/model.json      left branch, TF.js layers format
 *     <run>/left/weights.bin
 *     <run>/right/...            right branch (absent when weights are shared)
 *     <run>/lexical.json         the lexical index (with a lexical channel)
 *     <run>/metrics.jsonl, curves.svg, checkpoint/   see ./metrics.ts, ./checkpoint.ts
 *
 * JSON files of a run use snake_case keys (`lstm_units`, `saved_at`,
 * `recall_at_10`), as do `metrics.jsonl` and the commands' `--json` output;
 * the code uses camelCase. `toSnakeKeys` and `toCamelKeys` of
 * `src/io/json_keys.ts` convert between them, deeply, in one place. Runs saved before (format
 * `siamese-wasm/run@1`, camelCase keys) still load.
 *
 * Each branch directory is written under a temporary name and renamed, and
 * `config.json` is written last, so a crash never leaves a half-written model
 * that looks complete. A new model is first written whole into a staging
 * directory `.model.tmp-*` (a failed write, e.g. a full disk, leaves the
 * previous model intact), then moved in by renames, the old `config.json`
 * removed first: a crash during the renames never leaves the old config over
 * new branches (the run's checkpoint, older than the new model, then says how
 * to continue: resuming redoes the epoch and saves its model again).
 *
 * @module
 */
import * as tfl from "../deps/tfjs_layers.ts";
import type { BackendInfo } from "../backend/setup.ts";
import type { DataSpec } from "../data/dataset.ts";
import type { TokenizerKind, VocabularyJson } from "../data/tokenizer.ts";
import {
  fileLoader,
  fileSaver,
  replaceDir,
  sibling,
  writeJsonAtomic,
} from "../io/file_io.ts";
import { toCamelKeys, toSnakeKeys } from "../io/json_keys.ts";
import { LexicalIndex } from "../lexical/ngram_tfidf.ts";
import { type ModelConfig, modelConfig } from "../model/config.ts";
import type { Siamese } from "../model/siamese.ts";
import { traceEmbeddings } from "../model/token_table.ts";
import { type TrainConfig, trainConfig } from "../train/config.ts";
import { checkpointPlace, describePlace } from "./run_dir.ts";
import type { EpochReport } from "../train/loop.ts";

/** The format tag written into `config.json`: snake_case keys. */
export const RUN_FORMAT = "siamese-wasm/run@2";

/** The format tags {@link loadModel} reads: run@1 had camelCase keys. */
export const RUN_FORMATS_READ: readonly string[] = [
  RUN_FORMAT,
  "siamese-wasm/run@1",
];

/**
 * Saved model and training configs as today's, checked: runs saved before
 * the lexical channel was one sub-config (run@1) kept its settings loose
 * (`lexicalWeight`, `lexicalN`, `lexicalLen`, and `lexicalLoss` in the
 * training config); fields a run predates get their defaults. The inputs
 * are not changed.
 *
 * @param saved the saved configs, camelCase keys
 * @returns the checked configs
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { savedConfigs } from "./format.ts";
 * const saved = { model: { lstmUnits: 8, lexicalWeight: 0.5 }, train: { lexicalLoss: "joint" } };
 * const { model, train } = savedConfigs(saved);
 * assert.deepStrictEqual(model.lexical, { weight: 0.5, n: 3, len: 0, loss: "joint" });
 * assert.equal("lexicalLoss" in train, false);
 * assert.equal(saved.train.lexicalLoss, "joint");
 * ```
 */
export function savedConfigs(
  saved: { model: object; train: object },
): { model: ModelConfig; train: TrainConfig } {
  const {
    lexicalWeight: weight,
    lexicalN: n,
    lexicalLen: len,
    lexical,
    ...model
  } = saved.model as Record<string, unknown>;
  const { lexicalLoss: loss, ...train } = saved.train as Record<
    string,
    unknown
  >;
  const loose = Object.fromEntries(
    Object.entries({ weight, n, len, loss }).filter(([, v]) => v !== undefined),
  );
  return {
    model: modelConfig({
      ...model,
      lexical: { ...loose, ...(lexical as object | undefined) },
    }),
    train: trainConfig(train),
  };
}

/** What `config.json` holds besides the format tag. */
export interface RunMeta {
  /** The model's configuration. */
  model: ModelConfig;
  /** How it was trained. */
  train: TrainConfig;
  /** The runtime it was trained on. */
  backend: BackendInfo;
  /** One report per epoch so far. */
  history: EpochReport[];
  /** Anything else worth keeping (data description, vocabularies...). */
  extra?: Record<string, unknown>;
}

/**
 * Saves both branches and `config.json` into `dir` (created if needed).
 *
 * @param dir the run directory
 * @param model the trained branches
 * @param meta configs and history
 */
export async function saveRun(
  dir: string,
  model: Siamese,
  meta: RunMeta,
): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  // 1. everything new is written aside first: a failed write (a full disk)
  // leaves the previous model whole
  const staging = sibling(`${dir}/model`, "tmp");
  const parts = ["left"];
  try {
    await Deno.mkdir(staging);
    await model.left.save(fileSaver(`${staging}/left`));
    if (!meta.model.shareWeights) {
      await model.right.save(fileSaver(`${staging}/right`));
      parts.push("right");
    }
    if (model.lexical !== undefined) {
      await writeJsonAtomic(`${staging}/lexical.json`, model.lexical.toJSON(), {
        space: 0,
      });
    }
    const { extra, history, ...rest } = meta;
    await writeJsonAtomic(
      `${staging}/config.json`,
      toSnakeKeys({
        format: RUN_FORMAT,
        savedAt: new Date().toISOString(),
        ...rest,
        ...extra,
        history,
      }),
    );
  } catch (e) {
    await Deno.remove(staging, { recursive: true }).catch(() => {});
    throw e;
  }
  // 2. then moved in by renames; the old config.json goes first, so it never
  // describes new branches, and the new one comes last, marking the model whole
  await Deno.remove(`${dir}/config.json`).catch((e) => {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  });
  for (const part of parts) {
    await replaceDir(`${staging}/${part}`, `${dir}/${part}`);
  }
  if (model.lexical !== undefined) {
    await Deno.rename(`${staging}/lexical.json`, `${dir}/lexical.json`);
  }
  await Deno.rename(`${staging}/config.json`, `${dir}/config.json`);
  await Deno.remove(staging, { recursive: true });
}

/** The input size of a branch's embedding table, if it has one. */
function vocabOf(branch: tfl.LayersModel): number | undefined {
  for (const layer of branch.layers) {
    const dim = layer.getConfig().inputDim;
    if (typeof dim === "number") return dim;
  }
  return undefined;
}

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
 * Reads `<dir>/config.json` (either key style) and loads both branches.
 *
 * @param dir a run directory
 * @returns the branches and their configuration
 */
export async function loadModel(dir: string): Promise<LoadedModel> {
  const run = await readSavedRun(dir);
  // traced: the FusedLSTM projects the vocabulary, as in the trained model
  const left = traceEmbeddings(
    await tfl.loadLayersModel(fileLoader(`${dir}/left`)),
  );
  const right = run.model.shareWeights
    ? left
    : traceEmbeddings(await tfl.loadLayersModel(fileLoader(`${dir}/right`)));
  const path = `${dir}/config.json`;
  for (const [side, branch] of [["left", left], ["right", right]] as const) {
    const found = vocabOf(branch);
    if (found !== undefined && found !== run.model.vocab) {
      throw new Error(
        `${dir}/${
          run.model.shareWeights ? "left" : side
        }/model.json embeds ${found} token ids but ${path} says model.vocab ${run.model.vocab}: ` +
          "the directory mixes files of two runs. Copy the whole run directory, or train again.",
      );
    }
  }
  const siamese: Siamese = { config: run.model, left, right };
  if (run.model.lexical.weight > 0) {
    const file = `${dir}/lexical.json`;
    let json: unknown;
    try {
      json = JSON.parse(await Deno.readTextFile(file));
    } catch (e) {
      throw new Error(
        `${path} has model.lexical.weight ${run.model.lexical.weight}, so ${file} must hold ` +
          `its lexical index, but reading it failed: ${
            (e as Error).message
          }. ` +
          "Copy the whole run directory, or train again.",
      );
    }
    siamese.lexical = LexicalIndex.fromJSON(json, file);
  }
  return { siamese, ...run };
}

/**
 * Reads `<dir>/config.json` (either key style): the configs a model was
 * trained with, checked, with defaults for fields older runs predate.
 *
 * @param dir a run directory
 * @returns what the run's `config.json` says
 * @throws Error naming the directory: no model (saying so when it holds only
 *   a checkpoint), a directory in place of the file, or another format
 */
export async function readSavedRun(dir: string): Promise<SavedRun> {
  const path = `${dir}/config.json`;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      const place = await checkpointPlace(dir);
      throw new Error(
        place !== undefined
          ? `${dir} holds only a checkpoint (saved ${
            describePlace(place)
          }), not a finished model yet: continue it with --resume ${dir}.`
          : `Expected a trained model at ${dir} (file ${path}) but found none. ` +
            "Pass the --out directory of a finished `deno task train`.",
      );
    }
    if (e instanceof Deno.errors.IsADirectory) {
      throw new Error(
        `Expected ${path} to be the file of a trained model but it is a directory.`,
      );
    }
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(
      `Expected ${path} to hold JSON but it does not parse (${
        (e as Error).message
      }): the file is damaged. Train again, or copy it from a backup.`,
    );
  }
  const run = toCamelKeys(json) as SavedRun & { format?: string };
  if (!RUN_FORMATS_READ.includes(run.format ?? "")) {
    throw new Error(
      `Expected format "${RUN_FORMAT}" in ${path} but found "${run.format}": ` +
        "the run was written by another version of siamese-wasm. Use that version, or train again.",
    );
  }
  const { model, train } = savedConfigs(run);
  return {
    model,
    train,
    data: run.data,
    vocabularies: run.vocabularies ?? {},
    threshold: run.threshold ?? null,
  };
}

/**
 * The tokenizers a model's text sides were trained with (word by default).
 *
 * @param data the run's data spec
 * @returns the tokenizer of each side
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { tokenizersOf } from "./format.ts";
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
