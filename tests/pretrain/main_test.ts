import assert from "@std/assert";
import { PRETRAIN_SETTINGS, trainArgs } from "../../pretrain/main.ts";
import { runTrain } from "../../src/cli/train_command.ts";
import { tempDir } from "../_temp_file.ts";

Deno.test("the pretraining run's arguments are ones the train command takes, with no dropout, no hard negatives and no pretrained start", async () => {
  const dir = await tempDir();
  const settings = `${dir}/settings.json`;
  await Deno.writeTextFile(settings, JSON.stringify(PRETRAIN_SETTINGS));
  const printed: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => void printed.push(a.join(" "));
  let code: number;
  try {
    code = await runTrain([
      ...trainArgs(`${dir}/gcide.tsv`, settings, 6, 1),
      "--help",
    ]);
  } finally {
    console.log = log;
  }
  assert.equal(code, 0);
  const help = printed.join("\n");
  assert.match(help, /Recipe matcher/);
  assert.match(help, /model\.dropout[^[]*\[0\]/);
  assert.match(help, /train\.init[^[]*\[none\]/);
  assert.match(help, /train\.hard_negatives[^[]*\[0\]/);
  assert.match(help, /--lexical-weight N[^[]*\[0\]/);
});
