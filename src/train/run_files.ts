/**
 * The per-epoch record files of a run directory: `metrics.jsonl` (one JSON
 * object per epoch) and `curves.svg` (loss and validation metrics per epoch,
 * for a browser). Both are rewritten whole and atomically after each epoch.
 *
 * @module
 */
import { writeFileAtomic } from "../io/file_io.ts";
import { curvesSvg } from "./curves_svg.ts";
import type { EpochReport } from "./loop.ts";

/**
 * One epoch as a flat JSON record with snake_case keys.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { metricsRecord } from "./run_files.ts";
 * const r = metricsRecord({ epoch: 1, loss: 0.5, steps: 3, msPerStep: 10, seconds: 2 });
 * assert.deepStrictEqual(r, { epoch: 1, loss: 0.5, steps: 3, ms_per_step: 10, seconds: 2 });
 * ```
 */
export function metricsRecord(
  r: EpochReport,
): Record<string, number | boolean> {
  const out: Record<string, number | boolean> = {
    epoch: r.epoch,
    loss: r.loss,
    steps: r.steps,
    ms_per_step: r.msPerStep,
    seconds: r.seconds,
  };
  if (r.val) {
    Object.assign(out, {
      val_loss: r.val.loss,
      auc: r.val.auc,
      accuracy: r.val.accuracy,
      f1: r.val.f1,
      threshold: r.val.threshold,
      recall_at_1: r.val.recallAt1,
      recall_at_10: r.val.recallAt10,
      mrr: r.val.mrr,
      collapse: r.val.collapse,
      collapsed: r.val.collapsed,
    });
  }
  return out;
}

/**
 * Writes `metrics.jsonl` and `curves.svg` for the epochs so far.
 *
 * @param dir the run directory (must exist)
 * @param history the epochs so far
 */
export async function writeRunMetrics(
  dir: string,
  history: EpochReport[],
): Promise<void> {
  const lines = history.map((r) => JSON.stringify(metricsRecord(r))).join("\n");
  await writeFileAtomic(`${dir}/metrics.jsonl`, `${lines}\n`);
  const svg = curvesSvg(
    history.map((r) => ({
      epoch: r.epoch,
      loss: r.loss,
      ...(r.val
        ? { valLoss: r.val.loss, auc: r.val.auc, recallAt10: r.val.recallAt10 }
        : {}),
    })),
    { title: dir },
  );
  await writeFileAtomic(`${dir}/curves.svg`, svg);
}
