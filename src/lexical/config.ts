/**
 * The lexical channel's settings: one sub-config of the model config
 * (`ModelConfig.lexical`, `model.lexical.*` in `config.json`). Defaults,
 * ranges and help are declared in `src/settings/table.ts`; the formula that
 * uses them is in `./mix.ts`.
 *
 * @module
 */

export type { LexicalLossKind } from "../settings/kinds.ts";
import type { LexicalLossKind } from "../settings/kinds.ts";

/** The lexical channel: TF-IDF over token-id n-grams mixed into the score. */
export interface LexicalConfig {
  /**
   * Weight λ: a pair scores `(1 - λ) · cos(model) + λ · cos(TF-IDF)`
   * wherever the model scores. 0 = off. Needs one vocabulary for both sides
   * and cosine distance. @default 0
   */
  weight: number;
  /** Tokens per n-gram. @default 3 */
  n: number;
  /**
   * Tokens per side the channel reads; data are loaded at this length when
   * it is longer than a side's length, and the LSTMs still read only their
   * side's length. 0 = the sides' lengths. @default 0
   */
  len: number;
  /** What the loss sees of the channel. @default "separate" */
  loss: LexicalLossKind;
}
