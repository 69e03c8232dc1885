/**
 * What the commands that use a trained model share: their `--threads`,
 * `--model` and `--data` flags, and reading a data file the way the model
 * expects it (its lengths, vocabulary size, tokenizers and vocabularies).
 *
 * @module
 */
import { dataShapes } from "../model/config.ts";
import { defaultThreads } from "../backend/setup.ts";
import { startBackend } from "./backend.ts";
import { MAX_THREADS } from "../backend/threaded_wasm.ts";
import { checkInput } from "../io/input_file.ts";
import {
  type LoadedPairs,
  loadPairs,
  type LoadPairsOptions,
  openPairBlocks,
  type PairBlocks,
} from "../data/load_pairs.ts";
import { Vocabulary } from "../data/tokenizer.ts";
import { type LoadedModel, loadModel, tokenizersOf } from "../run/format.ts";
import {
  type FlagTable,
  type FlagValues,
  threadsFlag,
  UsageError,
} from "./flags.ts";

/** `--threads` and `--model DIR`: the flags of every command that loads a model. */
export const MODEL_FLAGS: FlagTable = {
  "threads": threadsFlag(defaultThreads(), MAX_THREADS),
  "model": {
    type: "string",
    placeholder: "DIR",
    help: "Run directory of a trained model",
  },
};

/**
 * The `--threads`, `--model` and `--data` flags.
 *
 * @param dataHelp what the data file is for, e.g. "Pairs to score"
 */
export function modelDataFlags(dataHelp: string): FlagTable {
  return {
    ...MODEL_FLAGS,
    "data": {
      type: "string",
      placeholder: "FILE",
      help: `${dataHelp}, .tsv or .jsonl`,
    },
  };
}

/**
 * A required flag's value, or a usage error naming it.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { requireFlag } from "./model_data.ts";
 * assert.equal(requireFlag("x", "data", "FILE"), "x");
 * assert.throws(() => requireFlag(undefined, "data", "FILE"), { message: "--data FILE is required." });
 * ```
 */
export function requireFlag(
  value: unknown,
  name: string,
  placeholder: string,
): string {
  if (typeof value !== "string") {
    throw new UsageError(`--${name} ${placeholder} is required.`);
  }
  return value;
}

/**
 * The `--model DIR` flag, checked: it must name a readable directory.
 *
 * @param f the parsed flags
 * @returns the directory
 * @throws UsageError when `--model` is missing; an Error naming `--model`, the
 *   path and what was expected when it is not a readable directory
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { modelDirFlag } from "./model_data.ts";
 * await assert.rejects(() => modelDirFlag({ model: "/no/such/run" }), {
 *   message: "--model /no/such/run: no such directory; expected the run directory of a trained model.",
 * });
 * ```
 */
export async function modelDirFlag(f: FlagValues): Promise<string> {
  const dir = requireFlag(f.model, "model", "DIR");
  await checkInput(dir, "--model", {
    kind: "directory",
    what: "the run directory of a trained model",
  });
  return dir;
}

/**
 * Starts the backend, loads `--model` and reads `--data` for it.
 *
 * @param f parsed flags of a {@link modelDataFlags} table
 * @returns the model and the pairs
 */
export async function openModelAndData(
  f: FlagValues,
): Promise<{ model: LoadedModel; data: LoadedPairs; path: string }> {
  const { model, path } = await openModel(f);
  return { model, data: await loadPairsFor(path, model), path };
}

/**
 * {@link openModelAndData}, with `--data` opened to be read in blocks.
 *
 * @param f parsed flags of a {@link modelDataFlags} table
 * @param blockSize pairs per block
 * @returns the model and the pair blocks
 */
export async function openModelAndBlocks(
  f: FlagValues,
  blockSize: number,
): Promise<{ model: LoadedModel; data: PairBlocks; path: string }> {
  const { model, path } = await openModel(f);
  return { model, data: await pairBlocksFor(path, model, blockSize), path };
}

/** Checks `--model` and `--data`, starts the backend and loads the model. */
async function openModel(
  f: FlagValues,
): Promise<{ model: LoadedModel; path: string }> {
  const dir = await modelDirFlag(f);
  const path = requireFlag(f.data, "data", "FILE");
  await checkInput(path, "--data", {
    kind: "file",
    what: "a .tsv or .jsonl pair file",
  });
  await startBackend(f.threads as number);
  return { model: await loadModel(dir), path };
}

/**
 * Loads `path` for use with `model`.
 *
 * @param path a .tsv or .jsonl pair file
 * @param model a loaded model
 */
export function loadPairsFor(
  path: string,
  model: LoadedModel,
): Promise<LoadedPairs> {
  return loadPairs(path, loadOptionsFor(model));
}

/**
 * Opens `path` for use with `model`, to be read in blocks of `blockSize`
 * pairs (see {@link openPairBlocks}).
 *
 * @param path a .tsv or .jsonl pair file
 * @param model a loaded model
 * @param blockSize pairs per block
 */
export function pairBlocksFor(
  path: string,
  model: LoadedModel,
  blockSize: number,
): Promise<PairBlocks> {
  return openPairBlocks(path, loadOptionsFor(model), blockSize);
}

/** The loading options a model's data needs: its lengths and vocabularies. */
function loadOptionsFor(model: LoadedModel): LoadPairsOptions {
  const v = model.vocabularies;
  const vocabularies = {
    ...(v.left ? { left: Vocabulary.fromJSON(v.left) } : {}),
    ...(v.right ? { right: Vocabulary.fromJSON(v.right) } : {}),
  };
  return {
    ...dataShapes(model.model),
    tokenizer: tokenizersOf(model.data),
    vocabularies,
    // the sides the model was trained on: text has a vocabulary
    sides: {
      left: v.left ? "text" : "ids",
      right: v.right ? "text" : "ids",
    },
  };
}
