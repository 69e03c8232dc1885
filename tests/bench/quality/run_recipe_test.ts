import assert from "@std/assert";
import { setupBackend } from "../../../src/backend/setup.ts";
import {
  evaluateCheckpoint,
  runRecipe,
} from "../../../bench/quality/run_recipe.ts";
import { tempDir, tempFile } from "../../_temp_file.ts";

const TINY = {
  name: "tiny",
  note: "a tiny model for tests",
  model: {
    embeddingDim: 4,
    lstmUnits: 4,
    denseUnits: 8,
    leftLen: 6,
    rightLen: 12,
  },
  train: { batchSize: 4 },
};

async function pairFiles() {
  const words = ["lisp", "ada", "perl", "tcp", "unix", "bash", "rust", "go"];
  const tsv = (ws: string[]) =>
    "left\tright\n" + ws.map((w) => `${w}\tthe ${w} entry\n`).join("");
  return {
    train: await tempFile("train.tsv", tsv(words)),
    test: await tempFile("test.tsv", tsv(words.slice(0, 4))),
  };
}

Deno.test("runRecipe() trains within the budget and reports the best epoch on the test file", async () => {
  const backend = await setupBackend({ log: false });
  const files = await pairFiles();
  const out = `${await tempDir()}/run`;
  const row = await runRecipe(TINY, {
    ...files,
    trainPairs: 8,
    out,
    minutes: 5,
    epochs: 2,
    backend,
    log: false,
  });
  assert.equal(row.name, "tiny");
  assert.equal(row.testPairs, 4);
  assert.equal(row.training?.epochs, 2);
  assert.equal(row.training?.steps, 8); // 8 positives + 8 negatives, batch 4, 2 epochs
  assert.equal(row.training?.stoppedByBudget, false);
  assert.ok(row.source.includes("best test recall@10"), row.source);
  for (const x of [row.recallAt1, row.recallAt10, row.mrr]) {
    assert.ok(x !== null && x >= 0 && x <= 1, String(x));
  }
  // the checkpoint holds the last epoch's weights: evaluating them reproduces
  // that epoch's figures when it was the best one
  const report = await evaluateCheckpoint(out);
  assert.equal(report.pairs, 4);
  assert.ok(report.recallAt10 >= 0 && report.recallAt10 <= 1);
});

Deno.test("runRecipe() stopped before any step measures nothing", async () => {
  const backend = await setupBackend({ log: false });
  const files = await pairFiles();
  const row = await runRecipe(TINY, {
    ...files,
    trainPairs: 8,
    out: `${await tempDir()}/run`,
    minutes: 5,
    signal: AbortSignal.abort(),
    backend,
    log: false,
  });
  assert.equal(row.recallAt10, null);
  assert.equal(row.training?.steps, 0);
  assert.equal(row.training?.stoppedByBudget, true);
  assert.equal(row.source, "nothing measured: no training step finished");
});
