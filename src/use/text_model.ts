/**
 * A trained model ready to use from a program: texts in, vectors, scores
 * and search results out, with the run's saved tokenizers, lengths and
 * lexical channel applied exactly as `eval` applies them (the same
 * `embedRows`, `scorePairs`, similarity matrix and lexical mix).
 *
 * @module
 */
import { setupBackend } from "../backend/setup.ts";
import { lexicalOf } from "../lexical/hybrid.ts";
import { lexicalNeedsCosine } from "../lexical/mix.ts";
import type { LexicalIndex, NgramVector } from "../lexical/ngram_tfidf.ts";
import type { PairSet } from "../data/types.ts";
import { embedRows } from "../infer/embed.ts";
import { scorePairs } from "../infer/score.ts";
import { type LoadedModel, loadModel } from "../run/format.ts";
import {
  encodeInputs,
  type Side,
  type SideEncoding,
  sideEncodings,
  type TextInput,
} from "./inputs.ts";
import type { CorpusEntry, CorpusIndex } from "./corpus_index.ts";
import { jsonFingerprint, modelFingerprint } from "./fingerprint.ts";
import { CorpusMatrix, topK } from "./top_k.ts";

/** Inputs encoded and embedded at a time (a multiple of 64, the batch). */
const EMBED_BLOCK = 1024;

/** One search result. */
export interface SearchResult {
  /** 0-based position of the entry in the corpus (its line in a file). */
  index: number;
  /** The hybrid score, as `eval` ranks: larger = more alike. */
  score: number;
  /** The entry's text (or token ids). */
  text: TextInput;
  /** The entry's own id, when it has one. */
  id?: string | number;
}

/** Options for {@link loadTextModel}. */
export interface TextModelOptions {
  /**
   * Threads of the wasm backend, when this call starts it (the first
   * `setupBackend` fixes them for the process). @default the cores, at most 4
   */
  threads?: number;
}

/**
 * Loads a run directory (the `--out` of `deno task train`) for use.
 *
 * @param dir the run directory
 * @param options see {@link TextModelOptions}
 * @returns the model; call {@link TextModel.dispose} when done
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { loadTextModel } from "./text_model.ts";
 * const m = await loadTextModel("examples/numbers_model");
 * const [v] = m.embed("left", ["forty two"]);
 * assert.equal(v!.length, m.dim);
 * await m.index(["7", "42", "342"]);
 * assert.equal(m.search("three hundred forty two", 1)[0]!.text, "342");
 * m.dispose();
 * ```
 */
export async function loadTextModel(
  dir: string,
  options: TextModelOptions = {},
): Promise<TextModel> {
  await setupBackend({
    log: false,
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
  });
  const run = await loadModel(dir);
  return new TextModel(run, await modelFingerprint(dir));
}

/**
 * A loaded model; see {@link loadTextModel}.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { loadTextModel } from "./text_model.ts";
 * const m = await loadTextModel("examples/numbers_model");
 * const [s] = m.score([["forty two", "42"]]);
 * assert.ok(s! >= m.threshold!); // similar at the stored threshold
 * await m.index([{ text: "7" }, { text: "342", id: "x" }]);
 * const [hits] = m.searchMany(["three hundred forty two"], 1);
 * assert.deepStrictEqual(hits!.map((r) => r.id), ["x"]);
 * m.dispose();
 * ```
 */
export class TextModel {
  /** The loaded run: branches, configs, vocabularies, threshold. */
  readonly run: LoadedModel;
  /** SHA-256 of the run's model files; saved indexes carry it. */
  readonly fingerprint: string;
  /** Output width D. */
  readonly dim: number;
  #encodings: Record<Side, SideEncoding>;
  #lexical: LexicalIndex | undefined;
  #corpus: { index: CorpusIndex; matrix: CorpusMatrix } | undefined;

  /**
   * Prefer {@link loadTextModel}.
   *
   * @param run a loaded run
   * @param fingerprint its {@link modelFingerprint}
   */
  constructor(run: LoadedModel, fingerprint: string) {
    this.run = run;
    this.fingerprint = fingerprint;
    this.#encodings = sideEncodings(run);
    this.#lexical = lexicalOf(run.siamese);
    if (this.#lexical !== undefined && run.train.distance !== "cosine") {
      throw lexicalNeedsCosine();
    }
    const shape = run.siamese.left.outputs[0]!.shape;
    this.dim = shape[shape.length - 1] as number;
  }

  /** The similarity threshold stored with the model (null if none). */
  get threshold(): number | null {
    return this.run.threshold;
  }

  /** The indexed corpus, if any. */
  get corpus(): CorpusIndex | undefined {
    return this.#corpus?.index;
  }

  /**
   * One branch's output for each input.
   *
   * @param side `left` (queries) or `right` (corpus)
   * @param inputs texts or token-id arrays
   * @returns one vector of length {@link TextModel.dim} per input
   */
  embed(side: Side, inputs: readonly TextInput[]): Float32Array[] {
    const vectors = this.#embed(side, inputs, "texts");
    return inputs.map((_, i) =>
      vectors.subarray(i * this.dim, (i + 1) * this.dim)
    );
  }

  /**
   * The hybrid score of each pair (left, right), as `deno task score`
   * prints it.
   *
   * @param pairs `[left, right]` inputs
   * @returns one score per pair, larger = more alike
   */
  score(pairs: readonly (readonly [TextInput, TextInput])[]): number[] {
    if (pairs.length === 0) return [];
    const { left, right } = this.#encodings;
    const set: PairSet = {
      size: pairs.length,
      leftLen: left.len,
      rightLen: right.len,
      left: encodeInputs(pairs.map((p) => p[0]), left, "pairs[].left"),
      right: encodeInputs(pairs.map((p) => p[1]), right, "pairs[].right"),
    };
    return scorePairs(this.run.siamese, set, {
      distance: this.run.train.distance,
    });
  }

  /**
   * Embeds a corpus with the right branch and makes it the one
   * {@link TextModel.search} ranks.
   *
   * @param corpus texts, token-id arrays or {@link CorpusEntry}s
   * @returns the index (save it with `writeIndex`)
   */
  async index(
    corpus: readonly (TextInput | CorpusEntry)[],
  ): Promise<CorpusIndex> {
    const entries: CorpusEntry[] = corpus.map((c) =>
      typeof c === "string" || Array.isArray(c)
        ? { text: c as TextInput }
        : c as CorpusEntry
    );
    const index: CorpusIndex = {
      entries,
      vectors: this.#embed("right", entries.map((e) => e.text), "corpus"),
      dim: this.dim,
      model: this.fingerprint,
      corpus: await jsonFingerprint(entries),
    };
    this.useIndex(index);
    return index;
  }

  /**
   * Makes a saved index the one {@link TextModel.search} ranks.
   *
   * @param index an index, e.g. from `readIndex`
   * @param name the index's file, for the error
   * @throws Error when another model built it
   */
  useIndex(index: CorpusIndex, name = "the index"): void {
    if (index.model !== this.fingerprint) {
      throw new Error(
        `${name} was built by another model (fingerprint ${
          index.model.slice(0, 12)
        }…, this model's is ${this.fingerprint.slice(0, 12)}…): ` +
          "build it again with this model (delete the file and pass --corpus with --index).",
      );
    }
    // the lexical vectors a block at a time: never the corpus's padded ids
    // or every row's vector at once, only their inverted index
    const index_ = this.#lexical;
    const lexical = index_ === undefined
      ? undefined
      : (start: number, end: number): NgramVector[] =>
        index_.vectors(
          encodeInputs(
            index.entries.slice(start, end).map((e) => e.text),
            this.#encodings.right,
            "corpus",
            start,
          ),
          this.#encodings.right.len,
        );
    this.#corpus?.matrix.dispose();
    const rows = { vectors: index.vectors, ...(lexical ? { lexical } : {}) };
    this.#corpus = {
      index,
      matrix: new CorpusMatrix(rows, this.dim, {
        distance: this.run.train.distance,
      }),
    };
  }

  /**
   * The `k` best corpus entries for a query, best first (equal scores in
   * corpus order), scored as `eval` ranks: the left branch on the query,
   * the right on the corpus, mixed with the lexical cosine.
   *
   * @param query a text or token ids
   * @param k results, at least 1 @default 10
   * @returns at most `k` results
   */
  search(query: TextInput, k = 10): SearchResult[] {
    return this.searchMany([query], k)[0]!;
  }

  /**
   * {@link TextModel.search} for several queries at once: one forward pass
   * and one scan of the corpus.
   *
   * @param queries texts or token ids
   * @param k results per query, at least 1 @default 10
   * @returns per query, at most `k` results
   */
  searchMany(queries: readonly TextInput[], k = 10): SearchResult[][] {
    const corpus = this.#corpus;
    if (corpus === undefined) {
      throw new Error("No corpus to search: call index(corpus) or useIndex.");
    }
    const ids = encodeInputs(queries, this.#encodings.left, "queries");
    const vectors = this.#embedIds("left", ids, queries.length);
    const lexical = this.#lexical?.vectors(ids, this.#encodings.left.len);
    const hits = topK(
      { vectors, ...(lexical ? { lexical } : {}) },
      corpus.matrix,
      k,
      this.run.model.lexical.weight,
    );
    const entries = corpus.index.entries;
    return hits.map((list) =>
      list.map(({ index, score }) => {
        const e = entries[index]!;
        return {
          index,
          score,
          text: e.text,
          ...(e.id !== undefined ? { id: e.id } : {}),
        };
      })
    );
  }

  /** Frees the branches' weights. The model cannot be used afterwards. */
  dispose(): void {
    const { left, right } = this.run.siamese;
    left.dispose();
    if (right !== left) right.dispose();
    this.#corpus?.matrix.dispose();
    this.#corpus = undefined;
  }

  /**
   * The outputs of `inputs`, encoded and embedded a block of
   * {@link EMBED_BLOCK} rows at a time: a corpus's padded ids are never
   * held whole (the outputs are the same: the block is a multiple of
   * `embedRows`' batch of 64).
   */
  #embed(side: Side, inputs: readonly TextInput[], field: string) {
    const n = inputs.length;
    const vectors = new Float32Array(n * this.dim);
    for (let start = 0; start < n; start += EMBED_BLOCK) {
      const end = Math.min(n, start + EMBED_BLOCK);
      const ids = encodeInputs(
        inputs.slice(start, end),
        this.#encodings[side],
        field,
        start,
      );
      vectors.set(this.#embedIds(side, ids, end - start), start * this.dim);
    }
    return vectors;
  }

  #embedIds(side: Side, ids: Int32Array, n: number): Float32Array {
    if (n === 0) return new Float32Array(0);
    const s = this.run.siamese;
    return embedRows(side === "left" ? s.left : s.right, ids, {
      len: this.#encodings[side].len,
      width: side === "left" ? this.run.model.leftLen : this.run.model.rightLen,
      n,
    }).vectors;
  }
}
