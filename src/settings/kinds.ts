/**
 * The choices of the settings whose values are names, each list declared
 * once beside the type it spells out (the types live with the code that
 * uses them; only types are imported, so any module may read these lists).
 *
 * @module
 */
import type { DistanceKind } from "../loss/contrastive.ts";
import type { LstmKind, PoolingKind } from "../model/config.ts";
import type { LexicalLossKind } from "../lexical/config.ts";
import type { LossKind } from "../loss/choose.ts";

/** The losses, see `src/loss/`. */
export const LOSS_KINDS: readonly LossKind[] = [
  "contrastive",
  "online-contrastive",
  "infonce",
];

/** What the loss sees of the lexical channel, see `src/lexical/hybrid.ts`. */
export const LEXICAL_LOSS_KINDS: readonly LexicalLossKind[] = [
  "separate",
  "residual",
  "joint",
];

/** The distances between two branches' outputs, see `src/loss/contrastive.ts`. */
export const DISTANCE_KINDS: readonly DistanceKind[] = ["cosine", "euclidean"];

/** How a branch reduces the LSTM's outputs over time. */
export const POOLING_KINDS: readonly PoolingKind[] = ["last", "mean", "max"];

/** The LSTM implementations. */
export const LSTM_KINDS: readonly LstmKind[] = ["fused", "stock"];
