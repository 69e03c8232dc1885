/**
 * Writing a trained model to a run directory, atomically piece by piece:
 *
 *     <out>/config.json          model and training config, backend, history
 *     <out>/left/model.json      left branch, TF.js layers format
 *     <out>/left/weights.bin
 *     <out>/right/...            right branch (absent when weights are shared)
 *
 * Each branch directory is written under a temporary name and renamed, and
 * `config.json` is written last, so a crash never leaves a half-written model
 * that looks complete.
 *
 * @module
 */
import type { BackendInfo } from "../backend/setup.ts";
import { fileSaver, writeJsonAtomic } from "../io/file_io.ts";
import type { ModelConfig } from "../model/config.ts";
import type { Siamese } from "../model/siamese.ts";
import type { TrainConfig } from "./config.ts";
import type { EpochReport } from "./loop.ts";

/** The format tag written into `config.json`. */
export const RUN_FORMAT = "siamese-wasm/run@1";

/** What `config.json` holds besides the format tag. */
export interface RunMeta {
  model: ModelConfig;
  train: TrainConfig;
  backend: BackendInfo;
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
  await model.left.save(fileSaver(`${dir}/left`));
  if (!meta.model.shareWeights) {
    await model.right.save(fileSaver(`${dir}/right`));
  }
  if (model.lexical !== undefined) {
    // before config.json, which marks the run complete
    await writeJsonAtomic(`${dir}/lexical.json`, model.lexical.toJSON(), {
      space: 0,
    });
  }
  const { extra, history, ...rest } = meta;
  await writeJsonAtomic(`${dir}/config.json`, {
    format: RUN_FORMAT,
    savedAt: new Date().toISOString(),
    ...rest,
    ...extra,
    history,
  });
}
