/**
 * siamese-wasm: train two-branch (siamese) LSTM encoders with contrastive
 * loss and random negative pairing, on TensorFlow.js's WebAssembly SIMD
 * backend, under Deno.
 *
 * The data flows one way: data -> pairs -> model -> loss -> train loop ->
 * metrics -> files.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import {
 *   buildSiamese, makeSyntheticPairs, modelConfig, setupBackend, train,
 *   DEFAULT_TRAIN_CONFIG,
 * } from "./mod.ts";
 * await setupBackend({ log: false });
 * const model = buildSiamese(modelConfig({ vocab: 50, embeddingDim: 4, lstmUnits: 4,
 *   denseUnits: 8, leftLen: 5, rightLen: 9 }), 1);
 * const data = makeSyntheticPairs(16, { vocab: 50, leftLen: 5, rightLen: 9 });
 * const { state } = await train(model, {
 *   config: { ...DEFAULT_TRAIN_CONFIG, epochs: 1 }, train: data, log: false,
 * });
 * assert.ok(state.epoch === 1);
 * ```
 *
 * @module
 */
export type {
  Layer,
  LayersModel,
  Optimizer,
  Scalar,
  Tensor1D,
  Tensor2D,
} from "./src/backend/tf_types.ts";
export {
  type BackendInfo,
  describeBackend,
  setupBackend,
  type SetupOptions,
} from "./src/backend/setup.ts";
export type { PairSet } from "./src/data/types.ts";
export type { DataSpec } from "./src/data/dataset.ts";
export type { TokenizerKind, VocabularyJson } from "./src/data/tokenizer.ts";
export {
  makeSyntheticPairs,
  type SyntheticOptions,
} from "./src/data/synthetic.ts";
export { Rng } from "./src/data/rng.ts";
export {
  type EpochPairs,
  sampleEpochPairs,
  type SampleOptions,
} from "./src/pairs/negatives.ts";
export {
  DEFAULT_MODEL_CONFIG,
  type LstmKind,
  type ModelConfig,
  modelConfig,
  type ModelConfigInput,
  type PoolingKind,
} from "./src/model/config.ts";
export {
  buildSiamese,
  encode,
  type LstmFactory,
  registerLstm,
  type Siamese,
} from "./src/model/siamese.ts";
export {
  contrastiveLoss,
  cosineSimilarity,
  distance,
  type DistanceKind,
  similarity,
} from "./src/loss/contrastive.ts";
export {
  type LossKind,
  type LossOptions,
  lossOptionsOf,
} from "./src/loss/choose.ts";
export {
  DEFAULT_TRAIN_CONFIG,
  type TrainConfig,
  trainConfig,
} from "./src/train/config.ts";
export type { LexicalConfig, LexicalLossKind } from "./src/lexical/config.ts";
export {
  DISTANCE_KINDS,
  INIT_KINDS,
  type InitKind,
  LEXICAL_LOSS_KINDS,
  LOSS_KINDS,
  LSTM_KINDS,
  POOLING_KINDS,
} from "./src/settings/kinds.ts";
export {
  type EpochReport,
  train,
  type TrainOptions,
  type TrainResult,
  type TrainState,
} from "./src/train/loop.ts";
export { trainStep } from "./src/train/step.ts";
export type { Batch } from "./src/pairs/batches.ts";
export {
  type EvalReport,
  evaluate,
  type EvaluateOptions,
} from "./src/infer/evaluate.ts";
export { type ScoreOptions, scorePairs } from "./src/infer/score.ts";
export {
  LexicalIndex,
  type LexicalJson,
  type NgramVector,
  VectorScratch,
} from "./src/lexical/ngram_tfidf.ts";
export { lexicalVectors } from "./src/lexical/hybrid.ts";
export { mixPair, mixScore, mixSimilarities } from "./src/lexical/mix.ts";
export {
  sparseDot,
  sparseDotMatrix,
  SparsePostings,
  type SparseVector,
} from "./src/lexical/sparse.ts";
export {
  type LoadedModel,
  loadModel,
  RUN_FORMAT,
  type SavedRun,
} from "./src/run/format.ts";
export { toCamelKeys, toSnakeKeys } from "./src/io/json_keys.ts";
export {
  loadTextModel,
  type SearchResult,
  TextModel,
  type TextModelOptions,
} from "./src/use/text_model.ts";
export type { Side, TextInput } from "./src/use/inputs.ts";
export {
  type CorpusEntry,
  type CorpusIndex,
  readIndex,
  writeIndex,
} from "./src/use/corpus_index.ts";
export {
  type BranchWeights,
  ExportError,
  type LstmWeights,
  readBranch,
} from "./src/export/branch_weights.ts";
export { branchToOnnx } from "./src/export/onnx_branch.ts";
export { onnxFiles, writeExport } from "./src/export/export_run.ts";
export { kerasFiles, stockBranch } from "./src/export/keras.ts";
export { importRun } from "./src/export/import_run.ts";
