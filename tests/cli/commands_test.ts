/**
 * The commands end to end, as a user runs them: each in its own process.
 */
import assert from "@std/assert";
import { smallModelFlags, writeConfig, writeNumbersFile } from "../_numbers.ts";
import { tempDir } from "../_temp_file.ts";
import { runTask } from "../_task.ts";

const run = (task: string, args: string[]) =>
  runTask(task, args, ["--allow-env"]);

Deno.test("train -> eval -> embed -> score on a TSV of text pairs", async () => {
  const dir = await tempDir();
  const trainFile = await writeNumbersFile(`${dir}/train.tsv`, 0, 200);
  const testFile = await writeNumbersFile(`${dir}/test.tsv`, 500, 40);
  const model = `${dir}/run`;
  const t = await run("train", [
    "--data",
    trainFile,
    ...(await smallModelFlags(`${dir}/small.json`)),
    "--epochs",
    "2",
    "--out",
    model,
    "--json",
  ]);
  assert.equal(t.code, 0, t.stderr);
  assert.match(t.stderr, /^backend wasm {2}simd on {2}threads \d+$/m);
  assert.match(t.stderr, /epoch 2\/2 {2}loss/);
  const report = JSON.parse(t.stdout);
  assert.equal(report.epochs, 2);

  const e = await run("eval", ["--model", model, "--data", testFile, "--json"]);
  assert.equal(e.code, 0, e.stderr);
  const metrics = JSON.parse(e.stdout);
  assert.deepEqual(Object.keys(metrics).sort(), [
    "accuracy",
    "auc",
    "f1",
    "mrr",
    "pairs",
    "recall_at_1",
    "recall_at_10",
    "threshold",
  ]); // deno-fmt-ignore
  assert.equal(metrics.pairs, 40);
  for (const k of ["auc", "accuracy", "recall_at_10"]) {
    assert.ok(metrics[k] >= 0 && metrics[k] <= 1);
  }

  const m = await run("embed", [
    "--model",
    model,
    "--data",
    testFile,
    "--side",
    "right",
  ]);
  assert.equal(m.code, 0, m.stderr);
  const vectors = m.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(vectors.length, 40);
  assert.equal(vectors[0].vector.length, 16);
  assert.equal(vectors[39].index, 39);

  const s = await run("score", ["--model", model, "--data", testFile]);
  assert.equal(s.code, 0, s.stderr);
  const rows = s.stdout.trim().split("\n");
  assert.equal(rows.length, 40);
  assert.match(rows[0]!, /^-?\d\.\d{6}\t[01]$/);
});

Deno.test("--max-minutes without --epochs trains until the time is up", async () => {
  const dir = await tempDir();
  const trainFile = await writeNumbersFile(`${dir}/train.tsv`, 0, 64);
  const t = await run("train", [
    "--data",
    trainFile,
    ...(await smallModelFlags(`${dir}/small.json`)),
    "--max-minutes",
    "0.1",
    "--out",
    `${dir}/run`,
    "--json",
  ]);
  assert.strictEqual(t.code, 0, t.stderr);
  const report = JSON.parse(t.stdout);
  // the default is 3 epochs; 6 s fit many more epochs of 64 pairs
  assert.ok(report.epochs > 3, `epochs ${report.epochs}`);
  assert.match(t.stderr, /time limit reached in epoch \d+/);
});

Deno.test("bad input stops train before training and leaves the output untouched", async () => {
  const dir = await tempDir();
  const bad = `${dir}/bad.tsv`;
  await Deno.writeTextFile(bad, "left\tright\tlabel\none\t1\t1\ntwo\t2\tyes\n");
  const out = `${dir}/run`;
  await Deno.mkdir(out);
  await Deno.writeTextFile(`${out}/keep.txt`, "mine");
  const t = await run("train", ["--data", bad, "--out", out]);
  assert.equal(t.code, 1);
  assert.match(
    t.stderr,
    /error: .*bad\.tsv:3: field "label": expected 0 or 1 but found "yes"/,
  );
  assert.doesNotMatch(t.stderr, /epoch 1/);
  const names = [];
  for await (const e of Deno.readDir(out)) names.push(e.name);
  assert.deepEqual(names, ["keep.txt"]);
});

Deno.test("unknown flags and bad values exit 2 with a message naming them", async () => {
  const a = await run("train", ["--epoch", "3"]);
  assert.equal(a.code, 2);
  assert.match(a.stderr, /error: Unknown flag --epoch: see --help/);
  const b = await run("eval", ["--model"]);
  assert.equal(b.code, 2);
  assert.match(b.stderr, /Flag --model expects a value but none was given\./);
  const c = await run("embed", [
    "--model",
    "x",
    "--data",
    "y",
    "--side",
    "middle",
  ]);
  assert.equal(c.code, 2);
  assert.match(
    c.stderr,
    /--side: expected one of left, right but found "middle"\./,
  );
});

Deno.test("every command answers --help with its flags and an example", async () => {
  for (const task of ["train", "eval", "embed", "score"]) {
    const h = await run(task, ["--help"]);
    assert.equal(h.code, 0);
    assert.match(h.stdout, new RegExp(`^Usage: deno task ${task} \\[flags\\]`));
    assert.match(h.stdout, /Examples:\n {2}deno task/);
  }
});

/** Pairs sharing words: a left of 2 words, a right holding them among 4 others. */
async function writeWordPairs(path: string, from: number, count: number) {
  const words = Array.from(
    { length: 40 },
    (_, k) => `w${(k * 7919 % 997).toString(36)}x${k}`,
  );
  let seed = from + 1;
  const pick = () =>
    words[(seed = (seed * 48271) % 2147483647) % words.length]!;
  const lines = ["left\tright"];
  for (let i = 0; i < count; i++) {
    const left = [pick(), pick()];
    lines.push(
      `${left.join(" ")}\t${
        [pick(), left[1], pick(), left[0], pick()].join(" ")
      }`,
    );
  }
  await Deno.writeTextFile(path, lines.join("\n") + "\n");
  return path;
}

Deno.test("a lexical channel is trained, saved, loaded and used by eval, embed and score alike", async () => {
  const dir = await tempDir();
  const trainFile = await writeWordPairs(`${dir}/train.tsv`, 0, 160);
  const testFile = await writeWordPairs(`${dir}/test.tsv`, 5000, 30);
  const model = `${dir}/run`;
  const settings = await writeConfig(`${dir}/small.json`, {
    model: {
      embedding_dim: 8,
      lstm_units: 8,
      dense_units: 16,
      lexical: { len: 60 },
    },
    // λ fixed: the matcher recipe would otherwise choose it on validation
    train: { tune_lexical: false },
  });
  const flags = [
    "--config",
    settings,
    "--right-len",
    "12",
    "--lexical-weight",
    "0.6",
  ]; // deno-fmt-ignore
  const t = await run("train", [
    "--data", trainFile, "--val", testFile, ...flags, "--epochs", "2", "--out", model, "--json",
  ]); // deno-fmt-ignore
  assert.equal(t.code, 0, t.stderr);
  assert.match(
    t.stderr,
    /lexical channel: weight 0\.6, 3-grams of token ids, \d+ n-grams in 320 training rows/,
  );
  const config = JSON.parse(await Deno.readTextFile(`${model}/config.json`));
  assert.equal(config.model.lexical.weight, 0.6);
  const lexical = JSON.parse(await Deno.readTextFile(`${model}/lexical.json`));
  assert.ok(lexical.grams.length > 100);
  const best = JSON.parse(t.stdout).best;

  // the loaded model scores the validation file as training did
  const e = await run("eval", ["--model", model, "--data", testFile, "--json"]);
  assert.equal(e.code, 0, e.stderr);
  const metrics = JSON.parse(e.stdout);
  assert.strictEqual(metrics.recall_at_10, best.recall_at_10);
  assert.strictEqual(metrics.auc, best.auc);

  // score = (1 - λ) cos(embed vectors) + λ (lexical vectors' dot product)
  const side = async (s: string) => {
    const m = await run("embed", [
      "--model",
      model,
      "--data",
      testFile,
      "--side",
      s,
    ]);
    assert.equal(m.code, 0, m.stderr);
    return m.stdout.trim().split("\n").map((l) => JSON.parse(l));
  };
  const [lefts, rights] = [await side("left"), await side("right")];
  assert.equal(lefts[0].lexical.weight, 0.6);
  const s = await run("score", ["--model", model, "--data", testFile]);
  assert.equal(s.code, 0, s.stderr);
  const scores = s.stdout.trim().split("\n").map((l) =>
    Number(l.split("\t")[0])
  );
  const dot = (a: number[], b: number[]) =>
    a.reduce((t, x, k) => t + x * b[k]!, 0);
  let lexicalSum = 0;
  scores.forEach((score, i) => {
    const a = lefts[i].vector;
    const b = rights[i].vector;
    const cos = dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));
    const la = lefts[i].lexical;
    const lb = rights[i].lexical;
    let lex = 0;
    la.ids.forEach((id: number, k: number) => {
      const j = lb.ids.indexOf(id);
      if (j >= 0) lex += la.values[k] * lb.values[j];
    });
    lexicalSum += lex;
    assert.ok(
      Math.abs(score - (0.4 * cos + 0.6 * lex)) < 1e-5,
      `pair ${i}: ${score} vs ${0.4 * cos + 0.6 * lex}`,
    );
  });
  assert.ok(lexicalSum / scores.length > 0.2, "matching pairs share n-grams");
});

Deno.test("a lexical channel without one vocabulary or with euclidean distance exits 2 before training", async () => {
  const dir = await tempDir();
  const trainFile = await writeWordPairs(`${dir}/train.tsv`, 0, 40);
  for (
    const [extra, message] of [
      [
        [
          "--config",
          await writeConfig(`${dir}/split.json`, {
            data: { left_tokenizer: "word" },
          }),
        ],
        /need one vocabulary: add data.shared_vocab/,
      ],
      [
        [
          "--config",
          await writeConfig(`${dir}/euclid.json`, {
            train: { distance: "euclidean" },
          }),
        ],
        /needs train.distance cosine \(found euclidean\)/,
      ],
      [
        [],
        /--lexical-weight: expected a number below 1 but found 1\./,
      ],
    ] as const
  ) {
    const weight = extra.length === 0 ? "1" : "0.5";
    const t = await run("train", [
      "--data",
      trainFile,
      "--lexical-weight",
      weight,
      ...extra,
      "--out",
      `${dir}/run`,
    ]); // deno-fmt-ignore
    assert.equal(t.code, 2, t.stderr);
    assert.match(t.stderr, message);
    await assert.rejects(() => Deno.stat(`${dir}/run`), Deno.errors.NotFound);
  }
});
