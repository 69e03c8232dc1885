/**
 * Tokenizers and the frequency-ranked vocabulary that maps tokens to ids.
 *
 * Both tokenizers first normalise text to Unicode NFC and lowercase it
 * (`toLowerCase`, locale-independent), so `Café`, `CAFÉ` and a decomposed
 * `café` share tokens.
 * - `word`: maximal runs of letters, combining marks and digits
 *   (`[\p{L}\p{M}\p{N}]+`); everything else separates words and is dropped.
 *   Marks are included so words in scripts such as Devanagari stay whole.
 * - `char`: one token per Unicode code point, spaces and punctuation included.
 * - `char3`: one token per code point, the character 3-gram centred on it:
 *   runs of white space become one space, the text is trimmed and padded
 *   with a space at each end, so `"ab c"` gives `" ab"`, `"ab "`, `"b c"`,
 *   `" c "`. Each step of the sequence then names its neighbours too, as the
 *   features of a character 3-gram TF-IDF do.
 *
 * Ids: 0 = padding ({@link PAD_ID}), 1 = unknown ({@link UNKNOWN_ID}), then the
 * kept tokens from 2 up, most frequent first, so a vocabulary of size V holds
 * at most V - 2 tokens and every id is below V.
 *
 * @module
 */
import { checkInteger } from "./_checks.ts";

/** The tokenizers, as named by `--tokenizer`. */
export type TokenizerKind = "char" | "char3" | "word";

/** Every {@link TokenizerKind}, for flag choices and checks. */
export const TOKENIZER_KINDS: readonly TokenizerKind[] = Object.freeze([
  "char",
  "char3",
  "word",
]);

/** Id of padding, written after the last token. */
export const PAD_ID = 0;
/** Id of every token not in the vocabulary. */
export const UNKNOWN_ID = 1;
/** Ids below this are reserved. */
const FIRST_TOKEN_ID = 2;
/** Marks the JSON form of a vocabulary. */
const JSON_FORMAT = "siamese-wasm/vocabulary@1";

const WORD = /[\p{L}\p{M}\p{N}]+/gu;

/**
 * Splits text into tokens as described in the module documentation.
 *
 * @param text any text
 * @param kind which tokenizer
 * @returns the tokens in order
 *
 * @example
 * ```ts
 * import { ok } from "@std/assert";
 * import { tokenize } from "./tokenizer.ts";
 * ok(tokenize("Héllo, wörld 42!", "word").join("|") === "héllo|wörld|42");
 * ok(tokenize("Ab c", "char").join("|") === "a|b| |c");
 * ok(tokenize(" Ab  c", "char3").join("|") === " ab|ab |b c| c ");
 * ```
 */
export function tokenize(text: string, kind: TokenizerKind): string[] {
  const clean = text.normalize("NFC").toLowerCase();
  switch (kind) {
    case "word":
      return clean.match(WORD) ?? [];
    case "char3": {
      const chars = [..." " + clean.replace(/\s+/g, " ").trim() + " "];
      const out: string[] = [];
      for (let i = 1; i + 1 < chars.length; i++) {
        out.push(chars[i - 1]! + chars[i]! + chars[i + 1]!);
      }
      return out;
    }
    default:
      return [...clean];
  }
}

/** The result of {@link Vocabulary.encode}. */
export interface Encoded {
  /** Ids padded with 0 at the end to the requested length. */
  ids: Int32Array;
  /** Whether tokens were cut off at the end. */
  truncated: boolean;
  /** Tokens in the whole text, before truncation. */
  tokens: number;
  /** Of those, how many were unknown (id 1). */
  unknown: number;
}

/** The JSON form of a {@link Vocabulary}, saved with a model. */
export interface VocabularyJson {
  /** Always `siamese-wasm/vocabulary@1`. */
  format: string;
  /** The tokenizer. */
  kind: TokenizerKind;
  /** The vocabulary size V, one more than the largest possible id. */
  size: number;
  /** Tokens in id order; `tokens[i]` has id `i + 2`. */
  tokens: string[];
}

/** Options for {@link Vocabulary.build}. */
export interface BuildOptions {
  /** The tokenizer. @default "word" */
  kind?: TokenizerKind;
  /** The vocabulary size V, at least 3; at most V - 2 tokens are kept. */
  size: number;
}

/** Options for {@link TokenCounter}. */
export interface TokenCounterOptions {
  /**
   * The most distinct tokens held. Past it, rare tokens are dropped as in
   * word2vec's vocabulary reduction: first those seen once, next time those
   * seen at most twice, and so on. Keep it well above the vocabulary size.
   * @default 500000
   */
  maxDistinct?: number;
}

/**
 * Counts tokens over texts, one at a time, to build a {@link Vocabulary}
 * in one pass over a stream. Memory is bounded by `maxDistinct` entries; up
 * to that bound the counts are exact, beyond it they are approximate for
 * rare tokens only.
 *
 * @example
 * ```ts
 * import { ok } from "@std/assert";
 * import { TokenCounter } from "./tokenizer.ts";
 * const counter = new TokenCounter("word");
 * counter.add("a b b");
 * ok(counter.toVocabulary(3).tokens.join() === "b");
 * ```
 */
export class TokenCounter {
  /** The tokenizer used by {@link TokenCounter.add}. */
  readonly kind: TokenizerKind;
  // Map keeps insertion order, which is the order of first appearance.
  #counts = new Map<string, number>();
  #maxDistinct: number;
  #dropAtMost = 1;

  /**
   * @param kind the tokenizer
   * @param options see {@link TokenCounterOptions}
   */
  constructor(kind: TokenizerKind, options: TokenCounterOptions = {}) {
    this.kind = kind;
    this.#maxDistinct = options.maxDistinct ?? 500_000;
    checkInteger("maxDistinct", this.#maxDistinct, 1);
  }

  /** Counts the tokens of one text. */
  add(text: string): void {
    for (const token of tokenize(text, this.kind)) {
      this.#counts.set(token, (this.#counts.get(token) ?? 0) + 1);
    }
    if (this.#counts.size > this.#maxDistinct) {
      for (const [token, count] of this.#counts) {
        if (count <= this.#dropAtMost) this.#counts.delete(token);
      }
      this.#dropAtMost++;
    }
  }

  /**
   * The vocabulary of the `size - 2` most frequent tokens; ties go to the
   * token seen first, so equal input gives an equal vocabulary.
   *
   * @param size the vocabulary size V, at least 3
   */
  toVocabulary(size: number): Vocabulary {
    checkInteger("size", size, FIRST_TOKEN_ID + 1);
    const ranked = [...this.#counts.entries()]
      .map(([token, count], first) => ({ token, count, first }))
      .sort((a, b) => b.count - a.count || a.first - b.first)
      .slice(0, size - FIRST_TOKEN_ID)
      .map((entry) => entry.token);
    return new Vocabulary(this.kind, size, ranked);
  }
}

/**
 * Maps tokens to ids for one side of the data. Immutable.
 *
 * @example
 * ```ts
 * import { ok } from "@std/assert";
 * import { Vocabulary } from "./tokenizer.ts";
 * const vocab = await Vocabulary.build(["the cat", "the dog"], { size: 4 });
 * ok(vocab.tokens.join() === "the,cat");
 * const { ids, truncated } = vocab.encode("The bird", 3);
 * ok(ids.join() === "2,1,0" && !truncated);
 * ```
 */
export class Vocabulary {
  /** The tokenizer. */
  readonly kind: TokenizerKind;
  /** The vocabulary size V: every id is below it. */
  readonly size: number;
  /** Tokens in id order; `tokens[i]` has id `i + 2`. */
  readonly tokens: readonly string[];
  #ids: Map<string, number>;

  /**
   * Prefer {@link Vocabulary.build} or {@link Vocabulary.fromJSON}.
   *
   * @param kind the tokenizer
   * @param size the vocabulary size V, at least 3
   * @param tokens distinct tokens in id order, at most V - 2; copied
   */
  constructor(kind: TokenizerKind, size: number, tokens: readonly string[]) {
    checkInteger("size", size, FIRST_TOKEN_ID + 1);
    if (tokens.length > size - FIRST_TOKEN_ID) {
      throw new RangeError(
        `Expected at most ${
          size - FIRST_TOKEN_ID
        } tokens for size ${size} but found ${tokens.length}`,
      );
    }
    this.kind = kind;
    this.size = size;
    this.tokens = Object.freeze(tokens.slice());
    this.#ids = new Map(tokens.map((t, i) => [t, i + FIRST_TOKEN_ID]));
    if (this.#ids.size !== tokens.length) {
      const repeated = tokens.find((t, i) => tokens.indexOf(t) !== i);
      throw new RangeError(
        `Expected distinct tokens but found ${
          JSON.stringify(repeated)
        } more than once`,
      );
    }
  }

  /**
   * Builds a vocabulary from texts by token frequency (ties: first seen).
   *
   * @param texts the texts, e.g. every left side of a training file
   * @param options see {@link BuildOptions}
   * @returns the vocabulary
   *
   * @example
   * ```ts
   * import { ok } from "@std/assert";
   * import { Vocabulary } from "./tokenizer.ts";
   * const vocab = await Vocabulary.build(["ab", "b"], { kind: "char", size: 10 });
   * ok(vocab.tokens.join() === "b,a");
   * ```
   */
  static async build(
    texts: Iterable<string> | AsyncIterable<string>,
    options: BuildOptions,
  ): Promise<Vocabulary> {
    checkInteger("size", options.size, FIRST_TOKEN_ID + 1);
    const counter = new TokenCounter(options.kind ?? "word");
    for await (const text of texts) counter.add(text);
    return counter.toVocabulary(options.size);
  }

  /**
   * Restores a vocabulary saved with {@link Vocabulary.toJSON}, checking it.
   *
   * @param json the parsed JSON
   * @returns the vocabulary
   *
   * @example
   * ```ts
   * import { ok } from "@std/assert";
   * import { Vocabulary } from "./tokenizer.ts";
   * const vocab = await Vocabulary.build(["x y"], { size: 5 });
   * const back = Vocabulary.fromJSON(JSON.parse(JSON.stringify(vocab)));
   * ok(back.tokens.join() === "x,y" && back.size === 5);
   * ```
   */
  static fromJSON(json: unknown): Vocabulary {
    const j = (typeof json === "object" && json !== null ? json : {}) as Record<
      string,
      unknown
    >;
    if (j.format !== JSON_FORMAT) {
      throw new TypeError(
        `Expected vocabulary format "${JSON_FORMAT}" but found ${
          JSON.stringify(j.format)
        }`,
      );
    }
    if (!TOKENIZER_KINDS.includes(j.kind as TokenizerKind)) {
      throw new TypeError(
        `Expected vocabulary kind to be one of ${
          TOKENIZER_KINDS.join(", ")
        } but found ${JSON.stringify(j.kind)}`,
      );
    }
    if (typeof j.size !== "number") {
      throw new TypeError(
        `Expected vocabulary size to be a number but found ${
          JSON.stringify(j.size)
        }`,
      );
    }
    const tokens = j.tokens;
    if (!Array.isArray(tokens) || !tokens.every((t) => typeof t === "string")) {
      throw new TypeError(
        "Expected vocabulary tokens to be an array of strings but found another value",
      );
    }
    return new Vocabulary(j.kind as TokenizerKind, j.size, tokens);
  }

  /** The JSON form, see {@link VocabularyJson}. */
  toJSON(): VocabularyJson {
    return {
      format: JSON_FORMAT,
      kind: this.kind,
      size: this.size,
      tokens: this.tokens.slice(),
    };
  }

  /**
   * Splits text with this vocabulary's tokenizer, see {@link tokenize}.
   *
   * @example
   * ```ts
   * import { ok } from "@std/assert";
   * import { Vocabulary } from "./tokenizer.ts";
   * ok(new Vocabulary("char", 4, []).tokenize("Ab").join() === "a,b");
   * ```
   */
  tokenize(text: string): string[] {
    return tokenize(text, this.kind);
  }

  /**
   * The id of a token (already tokenized), or {@link UNKNOWN_ID}.
   *
   * @example
   * ```ts
   * import { ok } from "@std/assert";
   * import { Vocabulary } from "./tokenizer.ts";
   * const vocab = new Vocabulary("word", 4, ["a", "b"]);
   * ok(vocab.idOf("b") === 3 && vocab.idOf("zzz") === 1);
   * ```
   */
  idOf(token: string): number {
    return this.#ids.get(token) ?? UNKNOWN_ID;
  }

  /**
   * Tokenizes and encodes a text to exactly `maxLen` ids: cut at `maxLen`,
   * padded with 0 at the end.
   *
   * @param text the text
   * @param maxLen the sequence length, at least 1
   * @returns the ids and what happened, see {@link Encoded}
   *
   * @example
   * ```ts
   * import { ok } from "@std/assert";
   * import { Vocabulary } from "./tokenizer.ts";
   * const vocab = new Vocabulary("char", 10, ["a", "b"]);
   * const e = vocab.encode("abca", 3);
   * ok(e.ids.join() === "2,3,1" && e.truncated && e.tokens === 4 && e.unknown === 1);
   * ```
   */
  encode(text: string, maxLen: number): Encoded {
    checkInteger("maxLen", maxLen, 1);
    const tokens = this.tokenize(text);
    const ids = new Int32Array(maxLen);
    let unknown = 0;
    tokens.forEach((token, i) => {
      const id = this.idOf(token);
      if (id === UNKNOWN_ID) unknown++;
      if (i < maxLen) ids[i] = id;
    });
    return {
      ids,
      truncated: tokens.length > maxLen,
      tokens: tokens.length,
      unknown,
    };
  }
}
