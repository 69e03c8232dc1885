/**
 * The in-memory form of a data set of aligned pairs, shared by every stage.
 *
 * Shapes use N pairs, L1 = left length, L2 = right length. Token id 0 is
 * padding, 1 is "unknown" for tokenized text; ids are < vocab size.
 *
 * @module
 */

/** N aligned pairs of padded token-id sequences. */
export interface PairSet {
  /** Number of pairs, N. */
  size: number;
  /** Left sequence length, L1. */
  leftLen: number;
  /** Right sequence length, L2. */
  rightLen: number;
  /** Left token ids, row-major `[N, L1]`, 0 = padding. */
  left: Int32Array;
  /** Right token ids, row-major `[N, L2]`, 0 = padding. */
  right: Int32Array;
  /**
   * Optional 0/1 labels `[N]`, 1 = similar. Absent: every pair (i, i) is a
   * positive, as in the seed's X1/X2.
   */
  labels?: Uint8Array;
}
