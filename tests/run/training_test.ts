import assert from "@std/assert";
import { setupBackend } from "../../src/backend/setup.ts";
import { modelConfig } from "../../src/model/config.ts";
import { readCheckpointMeta } from "../../src/run/checkpoint.ts";
import { resumeRun, runTraining } from "../../src/run/training.ts";
import { loadModel } from "../../src/run/format.ts";
import { tempDir } from "../_temp_file.ts";
import { tinyRun } from "../_tiny_run.ts";

const backend = await setupBackend({ log: false });

const { model, base } = tinyRun(backend, 2);

Deno.test("training 2 epochs straight and 1 + resume 1 give the same losses", async () => {
  const straight = await runTraining({ ...base, out: await tempDir() });
  const dir = await tempDir();
  await runTraining({ ...base, out: dir, train: { ...base.train, epochs: 1 } });
  const resumed = await resumeRun(dir, { backend, log: false, epochs: 2 });
  assert.deepEqual(
    resumed.state.history.map((h) => h.loss),
    straight.state.history.map((h) => h.loss),
  );
  assert.deepEqual(
    resumed.state.history.map((h) => h.val!.auc),
    straight.state.history.map((h) => h.val!.auc),
  );
  assert.equal(resumed.state.step, straight.state.step);
});

/** A signal that reports "aborted" from its (checks + 1)th check on: the loop checks it before each step. */
function abortAfter(checks: number): AbortSignal {
  let seen = 0;
  return {
    get aborted() {
      return ++seen > checks;
    },
  } as AbortSignal;
}

Deno.test("an interrupted run resumes mid-epoch to the same losses", async () => {
  const straight = await runTraining({ ...base, out: await tempDir() });
  const dir = await tempDir();
  // epoch 1 has 6 steps, so this stops in the middle of epoch 2
  const first = await runTraining({ ...base, out: dir, signal: abortAfter(8) });
  assert.equal(first.interrupted, true);
  assert.equal(first.state.epoch, 1);
  assert.equal(first.state.epochStep, 2);
  const meta = await readCheckpointMeta(dir);
  assert.equal(meta.state.step, first.state.step);
  const resumed = await resumeRun(dir, { backend, log: false });
  assert.deepEqual(
    resumed.state.history.map((h) => h.loss),
    straight.state.history.map((h) => h.loss),
  );
});

Deno.test("a run writes the model, metrics.jsonl, curves.svg and a checkpoint", async () => {
  const dir = await tempDir();
  const result = await runTraining({ ...base, out: dir });
  const names = new Set<string>();
  for await (const e of Deno.readDir(dir)) names.add(e.name);
  for (
    const n of [
      "config.json",
      "left",
      "right",
      "metrics.jsonl",
      "curves.svg",
      "checkpoint",
    ]
  ) {
    assert.ok(names.has(n), `missing ${n}`);
  }
  const lines = (await Deno.readTextFile(`${dir}/metrics.jsonl`)).trim().split(
    "\n",
  );
  assert.equal(lines.length, 2);
  const rec = JSON.parse(lines[1]!);
  for (
    const k of [
      "loss",
      "val_loss",
      "auc",
      "recall_at_1",
      "recall_at_10",
      "collapse",
      "seconds",
    ]
  ) {
    assert.equal(typeof rec[k], "number", k);
  }
  const svg = await Deno.readTextFile(`${dir}/curves.svg`);
  assert.match(svg, /^<svg[\s\S]*<\/svg>\s*$/);
  // the best epoch, whose model config.json holds, is marked in both panels
  const config = JSON.parse(await Deno.readTextFile(`${dir}/config.json`));
  assert.strictEqual(config.best.epoch, result.best!.epoch);
  const marks = svg.match(
    new RegExp(`<line [^>]*data-best="${result.best!.epoch}"`, "g"),
  );
  assert.strictEqual(marks?.length, 2);
  for await (const e of Deno.readDir(dir)) {
    assert.ok(!e.name.startsWith("."), `temporary file left behind: ${e.name}`);
  }
});

Deno.test("resume explains a directory without a checkpoint", async () => {
  const dir = await tempDir();
  await assert.rejects(() => resumeRun(dir, { backend, log: false }), {
    message:
      `Cannot resume: expected a checkpoint at ${dir}/checkpoint/state.json but found none. ` +
      "Pass the run directory of an earlier `deno task train`.",
  });
});

Deno.test("early stopping ends the run and keeps the best model", async () => {
  const dir = await tempDir();
  const result = await runTraining({
    ...base,
    out: dir,
    train: { ...base.train, epochs: 30, learningRate: 1e-6 },
    earlyStop: 1,
  });
  assert.equal(result.stoppedEarly, true);
  assert.ok(result.state.epoch < 30);
  const config = JSON.parse(await Deno.readTextFile(`${dir}/config.json`));
  assert.equal(config.best.epoch, result.best!.epoch);
});

Deno.test("--max-minutes cuts training short after the current step and keeps a model", async () => {
  const dir = await tempDir();
  const result = await runTraining({ ...base, out: dir, maxMinutes: 1e-9 });
  assert.equal(result.state.history.length, 1);
  assert.equal(result.state.history[0]!.steps, 1);
  assert.equal(result.stoppedEarly, true);
  const config = JSON.parse(await Deno.readTextFile(`${dir}/config.json`));
  assert.equal(config.best.epoch, 1);
});

for (const loss of ["infonce", "online-contrastive"] as const) {
  Deno.test(`--loss ${loss} learns to separate held-out pairs`, async () => {
    const result = await runTraining({
      ...base,
      model: modelConfig({
        vocab: 60,
        leftLen: 6,
        rightLen: 16,
        embeddingDim: 8,
        lstmUnits: 12,
        denseUnits: 16,
      }),
      train: {
        ...base.train,
        loss,
        epochs: 6,
        learningRate: 0.003,
        temperature: 0.1,
        seed: 3,
      },
      data: { kind: "synthetic", pairs: 300, valPairs: 60 },
      out: await tempDir(),
    });
    const val = result.bestReport!.val!;
    assert.ok(val.auc > 0.8, `auc ${val.auc}`);
    assert.ok(!val.collapsed, `collapse ${val.collapse}`);
  });
}

Deno.test("a run with a lexical channel resumes to the same losses and saves lexical.json", async () => {
  const lexical = {
    ...base,
    model: {
      ...model,
      lexical: {
        ...model.lexical,
        weight: 0.5,
        len: 16,
        loss: "joint" as const,
      },
    },
    train: { ...base.train, loss: "infonce" as const },
  };
  const dir = await resumesAsStraight(lexical, {
    ...base,
    train: lexical.train,
  });
  const saved = JSON.parse(await Deno.readTextFile(`${dir}/lexical.json`));
  assert.strictEqual(saved.documents, 2 * 96);
  const loaded = await loadModel(dir);
  assert.strictEqual(loaded.siamese.lexical?.size, saved.grams.length);
  loaded.siamese.left.dispose();
  loaded.siamese.right.dispose();
  // a run copied without its lexical index says what is missing
  await Deno.remove(`${dir}/lexical.json`);
  await assert.rejects(
    () => loadModel(dir),
    /config\.json has model\.lexical\.weight 0\.5, so .*lexical\.json must hold its lexical index/,
  );
});

Deno.test("a run with dropout resumes to the same losses, which differ from the run without", async () => {
  const pooled = { ...model, pooling: "max" as const };
  await resumesAsStraight(
    { ...base, model: { ...pooled, dropout: 0.5 } },
    { ...base, model: pooled },
  );
});

/**
 * Trains `run` for 2 epochs straight, and for 1 then resumed for 1, and
 * checks that both give the same losses and validation figures, which
 * differ from those of `plain`; returns the resumed run's directory.
 */
async function resumesAsStraight(
  run: typeof base,
  plain: typeof base,
): Promise<string> {
  const straight = await runTraining({ ...run, out: await tempDir() });
  const other = await runTraining({ ...plain, out: await tempDir() });
  const figures = (r: typeof straight) =>
    r.state.history.map((h) => [h.loss, h.val!.recallAt10, h.val!.auc]);
  assert.notDeepStrictEqual(figures(straight), figures(other));
  const dir = await tempDir();
  await runTraining({ ...run, out: dir, train: { ...run.train, epochs: 1 } });
  const resumed = await resumeRun(dir, { backend, log: false, epochs: 2 });
  assert.deepStrictEqual(figures(resumed), figures(straight));
  return dir;
}

Deno.test("a run stopped before its first step saves nothing, so a replaced run stays as it was", async () => {
  const dir = await tempDir();
  const controller = new AbortController();
  controller.abort();
  let commits = 0;
  const result = await runTraining({
    ...base,
    out: `${dir}/run`,
    signal: controller.signal,
    replacing: {
      staging: `${dir}/staging`,
      commit: () => {
        commits++;
        return Promise.resolve();
      },
    },
  });
  assert.equal(result.interrupted, true);
  assert.equal(commits, 0);
  assert.deepStrictEqual([...Deno.readDirSync(`${dir}/staging`)], []);
}); // deno-fmt-ignore

Deno.test("a run with hard negatives resumes mid-epoch in the order it mined, to the same losses", async () => {
  const hard = {
    ...base,
    model: {
      ...model,
      lexical: { ...model.lexical, weight: 0.5, len: 16 },
    },
    train: {
      ...base.train,
      loss: "infonce" as const,
      hardNegatives: 3,
      epochs: 3,
    },
  };
  const straight = await runTraining({ ...hard, out: await tempDir() });
  const random = await runTraining({
    ...hard,
    train: { ...hard.train, hardNegatives: 0 },
    out: await tempDir(),
  });
  const losses = (r: typeof straight) => r.state.history.map((h) => h.loss);
  assert.notDeepStrictEqual(losses(straight), losses(random));
  // 96 positives make 3 steps an epoch: stop before epoch 2's second step
  const dir = await tempDir();
  const first = await runTraining({ ...hard, out: dir, signal: abortAfter(4) });
  assert.deepStrictEqual([first.state.epoch, first.state.epochStep], [1, 1]);
  const meta = await readCheckpointMeta(dir);
  assert.deepStrictEqual(
    [...meta.state.order!].sort((a, b) => a - b),
    [...Array(96).keys()],
  );
  const resumed = await resumeRun(dir, { backend, log: false });
  assert.deepStrictEqual(losses(resumed), losses(straight));
  assert.strictEqual(resumed.state.order, undefined);
});
