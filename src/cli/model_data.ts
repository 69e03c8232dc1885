/**
 * Reading a data file the way a saved model expects it: its lengths, its
 * vocabulary size, its tokenizers and vocabularies.
 *
 * @module
 */
import { type LoadedPairs, loadPairs } from "../data/load_pairs.ts";
import { Vocabulary } from "../data/tokenizer.ts";
import { type LoadedModel, tokenizersOf } from "../model/load.ts";

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
  const v = model.vocabularies;
  const vocabularies = {
    ...(v.left ? { left: Vocabulary.fromJSON(v.left) } : {}),
    ...(v.right ? { right: Vocabulary.fromJSON(v.right) } : {}),
  };
  return loadPairs(path, {
    leftLen: model.model.leftLen,
    rightLen: model.model.rightLen,
    vocab: model.model.vocab,
    tokenizer: tokenizersOf(model.data),
    vocabularies,
  });
}
