/**
 * `deno task train` as a user runs it: settings from flags and `--config
 * FILE`, `--help`, ignored settings, and `--resume`, each in its own process.
 */
import assert from "@std/assert";
import { writeConfig, writeNumbersFile } from "../_numbers.ts";
import { tempDir } from "../_temp_file.ts";

const root = new URL("../../", import.meta.url).pathname;

async function train(args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      `${root}tasks/train.ts`,
      ...args,
    ],
    stdout: "piped",
    stderr: "piped",
    cwd: root,
  }).output(); // deno-fmt-ignore
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
  };
}

/** A built-in data set small enough for a run of a second. */
const TINY = {
  data: { pairs: 96, val_pairs: 32 },
  model: { lstm_units: 4, dense_units: 8, embedding_dim: 4 },
};

/** Trains {@link TINY} for one epoch on one thread into `out`. */
async function trainTiny(dir: string, out: string, extra: string[] = []) {
  const config = await writeConfig(`${dir}/tiny.json`, TINY);
  return await train([
    "--config",
    config,
    "--left-len",
    "6",
    "--right-len",
    "9",
    "--epochs",
    "1",
    "--threads",
    "1",
    "--out",
    out,
    ...extra,
  ]); // deno-fmt-ignore
}

Deno.test("train --help shows the values the given flags would use", async () => {
  const seed = await train(["--help"]);
  assert.equal(seed.code, 0, seed.stderr);
  assert.match(seed.stdout, /Recipe seed/);
  assert.match(seed.stdout, /model\.lstm_units +.*\[64\]/);
  const matcher = await train(["--data", "x.tsv", "--help"]);
  assert.equal(matcher.code, 0, matcher.stderr);
  assert.match(matcher.stdout, /Recipe matcher/);
  assert.match(matcher.stdout, /--tokenizer NAME +.*\[char\]/);
  assert.match(matcher.stdout, /model\.lstm_units +.*\[128\]/);
  assert.match(matcher.stdout, /--loss NAME +[^\n]*\n[^\n]*\[infonce\]/);
  const flags = matcher.stdout.split("\n").filter((l) => /^ {2}--/.test(l));
  assert.ok(flags.length <= 21, `${flags.length} flags`); // 20, and --force (issue 19)
  assert.match(matcher.stdout, /Exit codes:/);
});

Deno.test("a setting the setup ignores exits 2 naming it, before anything is written", async () => {
  const dir = await tempDir();
  const data = await writeNumbersFile(`${dir}/train.tsv`, 0, 40);
  const cases = [
    [
      ["--negatives", "4"],
      /^error: --negatives is ignored by this setup: --loss infonce takes its negatives from the batch\. Remove it\.$/m,
    ],
    [
      [
        "--config",
        await writeConfig(`${dir}/m.json`, { train: { margin: 3 } }),
      ],
      /^error: train\.margin in .*m\.json is ignored by this setup: it is used only by the contrastive losses/m,
    ],
    [
      ["--config", await writeConfig(`${dir}/u.json`, { model: { units: 3 } })],
      /^error: .*u\.json: unknown setting "model\.units"/m,
    ],
    [["--lstm-units", "8"], /^error: Unknown flag --lstm-units/m],
  ] as const; // deno-fmt-ignore
  for (const [extra, message] of cases) {
    const t = await train(["--data", data, ...extra, "--out", `${dir}/run`]);
    assert.equal(t.code, 2, t.stderr);
    assert.match(t.stderr, message);
    await assert.rejects(() => Deno.stat(`${dir}/run`), Deno.errors.NotFound);
  }
});

Deno.test("the first log line names the settings that differ from the defaults", async () => {
  const dir = await tempDir();
  const t = await trainTiny(dir, `${dir}/run`);
  assert.equal(t.code, 0, t.stderr);
  assert.equal(
    t.stderr.split("\n")[0],
    "recipe seed  data.pairs=96 data.val_pairs=32 model.embedding_dim=4 model.lstm_units=4 " +
      "model.dense_units=8 model.left_len=6 model.right_len=9 train.epochs=1 run.threads=1",
  );
});

Deno.test("--resume continues with the run's own settings and refuses new ones", async () => {
  const dir = await tempDir();
  const out = `${dir}/run`;
  const first = await trainTiny(dir, out, ["--json"]);
  assert.equal(first.code, 0, first.stderr);
  const refused = await train(["--resume", out, "--left-len", "7"]);
  assert.equal(refused.code, 2);
  assert.match(
    refused.stderr,
    /--resume reuses the run's stored settings, so --left-len cannot be given with it/,
  );
  const more = await train([
    "--resume",
    out,
    "--epochs",
    "2",
    "--threads",
    "1",
    "--json",
  ]);
  assert.equal(more.code, 0, more.stderr);
  const report = JSON.parse(more.stdout);
  assert.equal(report.epochs, 2);
  const saved = JSON.parse(await Deno.readTextFile(`${out}/config.json`));
  assert.equal(saved.history.length, 2);
}); // deno-fmt-ignore

Deno.test("train --data starts the matcher from the pretrained encoder and says so", async () => {
  const dir = await tempDir();
  const data = await writeNumbersFile(`${dir}/train.tsv`, 0, 48);
  const run = (out: string, extra: string[]) =>
    train([
      "--data", data, "--epochs", "1", "--threads", "1", "--json",
      "--out", `${dir}/${out}`, ...extra,
    ]); // deno-fmt-ignore
  const pre = await run("pre", []);
  assert.equal(pre.code, 0, pre.stderr);
  assert.match(pre.stderr.split("\n")[0]!, /train\.init=gcide/);
  assert.match(
    pre.stderr,
    /^start: the pretrained gcide encoder \(GCIDE's definitions \(\d+ pairs, dict-gcide [^)]+\), epoch \d+ of \d+\) for the shared branch; it knows (\d+) of the \1 tokens of the data$/m,
  );
  const none = await writeConfig(`${dir}/none.json`, { train: { init: "none" } });
  const scratch = await run("scratch", ["--config", none]);
  assert.equal(scratch.code, 0, scratch.stderr);
  assert.doesNotMatch(scratch.stderr, /^start:/m);
  // same seed, same batches: only the starting weights differ
  const loss = (t: { stdout: string }) => JSON.parse(t.stdout).best.loss;
  assert.notEqual(loss(pre), loss(scratch));
  const saved = JSON.parse(await Deno.readTextFile(`${dir}/pre/config.json`));
  assert.equal(saved.train.init, "gcide");
});

Deno.test("train --data of token ids starts at random and says why", async () => {
  const dir = await tempDir();
  const rows = Array.from(
    { length: 40 },
    (_, i) =>
      JSON.stringify({ left: [2 + i % 9, 3], right: [2 + i % 9, 3, 4] }),
  );
  await Deno.writeTextFile(`${dir}/ids.jsonl`, rows.join("\n") + "\n");
  const config = await writeConfig(`${dir}/c.json`, {
    data: { shared_vocab: false },
  });
  const t = await train([
    "--data",
    `${dir}/ids.jsonl`,
    "--config",
    config,
    "--lexical-weight",
    "0",
    "--epochs",
    "1",
    "--threads",
    "1",
    "--out",
    `${dir}/run`,
  ]); // deno-fmt-ignore
  assert.equal(t.code, 0, t.stderr);
  assert.match(
    t.stderr,
    /^start: random weights, not the pretrained gcide encoder \(train\.init\): it reads characters and the left side of the data holds token ids$/m,
  );
});

Deno.test("of the epochs with the best validation recall@10, the one with the best MRR is kept", async () => {
  // the README's numbers example: 150 validation pairs saturate recall@10
  // at 1 within a few epochs while MRR goes on rising
  const dir = await tempDir();
  const data = await writeNumbersFile(`${dir}/numbers.tsv`, 0, 1500);
  const config = await writeConfig(`${dir}/numbers.json`, {
    data: { left_tokenizer: "word", right_tokenizer: "char" },
    model: { vocab: 100, embedding_dim: 16, lstm_units: 32, dense_units: 64 },
  });
  const out = `${dir}/run`;
  const r = await train([
    "--data",
    data,
    "--config",
    config,
    "--left-len",
    "12",
    "--right-len",
    "8",
    "--epochs",
    "6",
    "--threads",
    "1",
    "--out",
    out,
  ]); // deno-fmt-ignore
  assert.equal(r.code, 0, r.stderr);
  const saved = JSON.parse(await Deno.readTextFile(`${out}/config.json`));
  const epochs = (saved.history as {
    epoch: number;
    val: { recall_at_10: number; mrr: number };
  }[]).map((h) => ({ epoch: h.epoch, ...h.val }));
  const top = Math.max(...epochs.map((e) => e.recall_at_10));
  const tied = epochs.filter((e) => e.recall_at_10 === top);
  assert.ok(tied.length > 1, JSON.stringify(epochs));
  const want = tied.reduce((a, b) => (b.mrr > a.mrr ? b : a));
  assert.equal(saved.best.epoch, want.epoch);
});
