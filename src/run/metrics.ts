/**
 * The per-epoch record files of a run directory: `metrics.jsonl` (one JSON
 * object per epoch) and `curves.svg` (loss and validation metrics per epoch,
 * for a browser). Both are rewritten whole and atomically after each epoch.
 *
 * @module
 */
import { writeFileAtomic } from "../io/file_io.ts";
import type { EpochReport } from "../train/loop.ts";
import { curvesSvg } from "./curves_svg.ts";
import { toSnakeKeys } from "../io/json_keys.ts";

/**
 * One epoch as a flat JSON record with snake_case keys (those of
 * `config.json`, by {@link toSnakeKeys}).
 *
 * @param r the epoch's report
 * @returns the record
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { metricsRecord } from "./metrics.ts";
 * const r = metricsRecord({ epoch: 1, loss: 0.5, steps: 3, msPerStep: 10, seconds: 2 });
 * assert.deepStrictEqual(r, { epoch: 1, loss: 0.5, steps: 3, ms_per_step: 10, seconds: 2 });
 * ```
 */
export function metricsRecord(
  r: EpochReport,
): Record<string, number | boolean> {
  const { val, ...epoch } = r;
  const flat = val === undefined ? epoch : {
    ...epoch,
    valLoss: val.loss,
    auc: val.auc,
    accuracy: val.accuracy,
    f1: val.f1,
    threshold: val.threshold,
    recallAt1: val.recallAt1,
    recallAt10: val.recallAt10,
    mrr: val.mrr,
    collapse: val.collapse,
    collapsed: val.collapsed,
  };
  return toSnakeKeys(flat) as Record<string, number | boolean>;
}

/** Options for {@link writeRunMetrics}. */
export interface RunMetricsOptions {
  /** The epoch whose model the run keeps, marked on the curves. */
  bestEpoch?: number;
}

/**
 * Writes `metrics.jsonl` and `curves.svg` for the epochs so far.
 *
 * @param dir the run directory (must exist)
 * @param history the epochs so far
 * @param options see {@link RunMetricsOptions}
 */
export async function writeRunMetrics(
  dir: string,
  history: EpochReport[],
  options: RunMetricsOptions = {},
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
    {
      title: dir,
      ...(options.bestEpoch !== undefined
        ? { bestEpoch: options.bestEpoch }
        : {}),
    },
  );
  await writeFileAtomic(`${dir}/curves.svg`, svg);
}
