import assert from "@std/assert";
import { formatTable, type QualityRow } from "../../../bench/quality/table.ts";

Deno.test("formatTable() aligns columns and shows missing figures as -", () => {
  const rows: QualityRow[] = [
    {
      name: "tfidf-char3",
      note: "",
      testPairs: 2000,
      recallAt1: 0.4215,
      recallAt10: 0.687,
      mrr: 0.51867,
      minutes: 0.06,
      source: "",
    },
    {
      name: "seed",
      note: "",
      testPairs: 0,
      recallAt1: null,
      recallAt10: null,
      mrr: null,
      minutes: 12.04,
      source: "",
      training: {
        pairs: 1500,
        epochs: 0,
        steps: 0,
        msPerStep: 0,
        stoppedByBudget: true,
        dir: "x",
      },
    },
  ];
  assert.equal(
    formatTable(rows),
    [
      "recipe       recall@1  recall@10    MRR  minutes  epochs  pairs",
      "tfidf-char3     0.421      0.687  0.519      0.1       -      -",
      "seed                -          -      -     12.0       0   1500",
    ].join("\n"),
  );
});
