/**
 * The service ranks and scores as the commands do: for a held-out pair file,
 * recall@1 and recall@10 through `/search` (each left a query, the file's
 * rights the corpus) equal `eval`'s, and `/score` prints `score`'s numbers;
 * for a model without and one with a lexical channel.
 */
import assert from "@std/assert";
import { smallModelFlags, writeConfig, writeNumbersFile } from "../_numbers.ts";
import { tempDir } from "../_temp_file.ts";
import { startServe } from "../../bench/serve_process.ts";
import { runTask } from "../_task.ts";

async function run(task: string, args: string[]) {
  const r = await runTask(task, args);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

async function checkConsistent(dir: string, trainFlags: string[]) {
  const train = await writeNumbersFile(`${dir}/train.tsv`, 0, 200);
  const test = await writeNumbersFile(`${dir}/test.tsv`, 700, 60);
  const model = `${dir}/run`;
  await run("train", [
    "--data",
    train,
    ...trainFlags,
    "--epochs",
    "2",
    "--out",
    model,
  ]);
  const metrics = JSON.parse(
    await run("eval", ["--model", model, "--data", test, "--json"]),
  );
  const scoreLines = (await run("score", ["--model", model, "--data", test]))
    .trim().split("\n");

  const rows = (await Deno.readTextFile(test)).trim().split("\n").slice(1)
    .map((l) => l.split("\t") as [string, string]);
  await Deno.writeTextFile(
    `${dir}/rights.txt`,
    rows.map((r) => r[1]).join("\n") + "\n",
  );
  const { child, url } = await startServe([
    "--model",
    model,
    "--corpus",
    `${dir}/rights.txt`,
    "--port",
    "0",
  ]);
  try {
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${url}${path}`, {
        method: "POST",
        body: JSON.stringify(body),
      });
      assert.equal(res.status, 200);
      return await res.json();
    };
    // eight requests at a time, as clients would send them
    const ranks: number[] = [];
    for (let start = 0; start < rows.length; start += 8) {
      const answers = await Promise.all(
        rows.slice(start, start + 8).map((r) =>
          post("/search", { query: r[0], k: 10 })
        ),
      );
      answers.forEach((a, j) => {
        const rank = a.results.findIndex((h: { index: number }) =>
          h.index === start + j
        );
        ranks.push(rank < 0 ? Infinity : rank + 1);
      });
    }
    const n = rows.length;
    assert.equal(metrics.pairs, n);
    const at = (k: number) => ranks.filter((r) => r <= k).length;
    assert.equal(at(10), Math.round(metrics.recall_at_10 * n));
    assert.equal(at(1), Math.round(metrics.recall_at_1 * n));
    assert.ok(at(10) > at(1), "the ranks below the first are compared too");

    const { scores } = await post("/score", { pairs: rows });
    assert.deepEqual(
      scores.map((s: number) => s.toFixed(6)),
      scoreLines.map((l) => l.split("\t")[0]),
    );
    const health = await (await fetch(`${url}/health`)).json();
    assert.ok(
      health.batches.search.passes < health.batches.search.requests,
      JSON.stringify(health.batches.search),
    );
  } finally {
    child.kill("SIGINT");
    await child.status;
  }
}

Deno.test("/search recall and /score equal eval and score (separate encoders, no lexical channel)", async () => {
  const dir = await tempDir();
  await checkConsistent(dir, await smallModelFlags(`${dir}/small.json`));
});

Deno.test("/search recall and /score equal eval and score (with a lexical channel)", async () => {
  const dir = await tempDir();
  const config = await writeConfig(`${dir}/small.json`, {
    model: {
      embedding_dim: 8,
      lstm_units: 8,
      dense_units: 16,
      lexical: { len: 60 },
    },
  });
  await checkConsistent(dir, [
    "--config",
    config,
    "--right-len",
    "12",
    "--lexical-weight",
    "0.6",
  ]);
});
