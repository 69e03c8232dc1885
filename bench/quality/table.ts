/**
 * The quality bench's result rows and their table.
 *
 * @module
 */

/** One row of results: retrieval among the test pairs. */
export interface QualityRow {
  /** Recipe or baseline name. */
  name: string;
  /** What it is, in one line. */
  note: string;
  /** Test pairs ranked (each left ranks all of their rights). */
  testPairs: number;
  /** Retrieval figures; null when nothing could be measured. */
  recallAt1: number | null;
  recallAt10: number | null;
  mrr: number | null;
  /**
   * Wall minutes: for a model, the whole training run including its
   * per-epoch evaluations; for a baseline, fitting and scoring.
   */
  minutes: number;
  /** Where the figures come from (which weights, which evaluation). */
  source: string;
  /** Training details of a model row. */
  training?: {
    /** Training pairs (before negatives). */
    pairs: number;
    /** Epochs finished, and steps taken in all. */
    epochs: number;
    steps: number;
    /** Mean milliseconds per training step. */
    msPerStep: number;
    /** Whether the time budget (or a signal) stopped the run. */
    stoppedByBudget: boolean;
    /** The run directory. */
    dir: string;
  };
}

/**
 * The rows as an aligned text table.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { formatTable } from "./table.ts";
 * const t = formatTable([{ name: "x", note: "", testPairs: 2, recallAt1: 0.5,
 *   recallAt10: 1, mrr: 0.75, minutes: 0.1, source: "" }]);
 * assert.ok(t.split("\n")[1]!.startsWith("x "));
 * assert.ok(t.includes("0.500") && t.includes("0.750"));
 * ```
 */
export function formatTable(rows: readonly QualityRow[]): string {
  const fig = (x: number | null) => x === null ? "-" : x.toFixed(3);
  const cells = [
    ["recipe", "recall@1", "recall@10", "MRR", "minutes", "epochs", "pairs"],
    ...rows.map((r) => [
      r.name,
      fig(r.recallAt1),
      fig(r.recallAt10),
      fig(r.mrr),
      r.minutes.toFixed(1),
      r.training ? String(r.training.epochs) : "-",
      r.training ? String(r.training.pairs) : "-",
    ]),
  ];
  const widths = cells[0]!.map((_, c) =>
    Math.max(...cells.map((row) => row[c]!.length))
  );
  return cells.map((row) =>
    row.map((cell, c) =>
      c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)
    )
      .join("  ")
  ).join("\n");
}
