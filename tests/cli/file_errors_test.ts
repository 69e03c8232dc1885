/**
 * Bad paths and data that do not fit the model fail before any work, with
 * a message naming the flag, the path and what was expected.
 */
import assert from "@std/assert";
import {
  SMALL_MODEL_SETTINGS,
  smallModelFlags,
  writeConfig,
  writeNumbersFile,
} from "../_numbers.ts";
import { tempDir } from "../_temp_file.ts";
import { runTask as run } from "../_task.ts";

Deno.test("file flags name the flag, the path and what was expected", async () => {
  const dir = await tempDir();
  await Deno.mkdir(`${dir}/x.tsv`);
  const cases = [
    [
      "train",
      ["--data", `${dir}/missing.tsv`, "--out", `${dir}/run`],
      `--data ${dir}/missing.tsv: no such file; expected a .tsv or .jsonl pair file.`,
    ],
    [
      "train",
      ["--data", `${dir}/x.tsv`, "--out", `${dir}/run`],
      `--data ${dir}/x.tsv: is a directory; expected a .tsv or .jsonl pair file.`,
    ],
    [
      "eval",
      ["--model", `${dir}/none`, "--data", `${dir}/x.tsv`],
      `--model ${dir}/none: no such directory; expected the run directory of a trained model.`,
    ],
    [
      "eval",
      ["--model", dir, "--data", `${dir}/missing.tsv`],
      `--data ${dir}/missing.tsv: no such file; expected a .tsv or .jsonl pair file.`,
    ],
    [
      "score",
      ["--model", dir, "--data", `${dir}/x.tsv`],
      `--data ${dir}/x.tsv: is a directory; expected a .tsv or .jsonl pair file.`,
    ],
  ] as const; // deno-fmt-ignore
  for (const [task, args, message] of cases) {
    const r = await run(task, [...args]);
    assert.equal(r.code, 1, r.stderr);
    assert.ok(r.stderr.includes(`error: ${message}\n`), r.stderr);
  }
  const embed = await run("embed", [
    "--model",
    dir,
    "--data",
    `${dir}/x.tsv`,
    "--side",
    "left",
    "--out",
    `${dir}/x.tsv`,
  ]);
  assert.equal(embed.code, 1, embed.stderr);
  assert.ok(
    embed.stderr.includes(
      `error: --out ${dir}/x.tsv: is a directory; expected a file path for the vectors.\n`,
    ),
    embed.stderr,
  );
  // a failed train leaves no directory behind
  await assert.rejects(() => Deno.stat(`${dir}/run`), Deno.errors.NotFound);
});

Deno.test("eval refuses text data on a model trained on token ids, and the reverse", async () => {
  const dir = await tempDir();
  const text = await writeNumbersFile(`${dir}/text.tsv`, 0, 60);
  const textModel = `${dir}/text-model`;
  const t = await run("train", [
    ...await smallModelFlags(`${dir}/small.json`),
    "--data",
    text,
    "--epochs",
    "1",
    "--threads",
    "1",
    "--out",
    textModel,
  ]); // deno-fmt-ignore
  assert.equal(t.code, 0, t.stderr);
  const ids = `${dir}/ids.jsonl`;
  await Deno.writeTextFile(
    ids,
    '{"left": [1, 2], "right": [3, 4], "label": 1}\n',
  );
  const onText = await run("eval", ["--model", textModel, "--data", ids]);
  assert.equal(onText.code, 1);
  assert.match(
    onText.stderr,
    /ids\.jsonl:1: field "left": expected text, as the model was trained on text but found \[1,2\]/,
  );
  const idModel = `${dir}/id-model`;
  const i = await run("train", [
    "--config",
    await writeConfig(`${dir}/ids.json`, {
      data: { pairs: 96, val_pairs: 32 },
      model: SMALL_MODEL_SETTINGS.model,
    }),
    "--epochs",
    "1",
    "--threads",
    "1",
    "--out",
    idModel,
  ]); // deno-fmt-ignore
  assert.equal(i.code, 0, i.stderr);
  const onIds = await run("eval", ["--model", idModel, "--data", text]);
  assert.equal(onIds.code, 1);
  assert.match(
    onIds.stderr,
    /text\.tsv:2: field "left": expected token ids \(a JSON array in a \.jsonl file\), as the model was trained on token ids but found "/,
  );
}); // deno-fmt-ignore
