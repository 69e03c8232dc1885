/** A run of a tiny model on built-in synthetic data, for tests of whole runs. */
import type { BackendInfo } from "../src/backend/setup.ts";
import { modelConfig } from "../src/model/config.ts";
import { DEFAULT_TRAIN_CONFIG } from "../src/train/config.ts";

/** The model and the `runTraining` options (without `out`) of a tiny run. */
export function tinyRun(backend: BackendInfo, epochs: number) {
  const model = modelConfig({
    vocab: 40,
    embeddingDim: 4,
    lstmUnits: 6,
    denseUnits: 8,
    leftLen: 5,
    rightLen: 12,
  });
  const base = {
    model,
    train: { ...DEFAULT_TRAIN_CONFIG, epochs, seed: 7 },
    data: { kind: "synthetic" as const, pairs: 96, valPairs: 24 },
    backend,
    log: false,
  };
  return { model, base };
}
