import assert from "@std/assert";
import {
  changedSettings,
  resolveSettings,
  type SettingSources,
} from "../../src/cli/train_settings.ts";
import { trainHelp } from "../../src/cli/train_help.ts";
import { TRAIN_OPTIONS } from "../../src/cli/train_command.ts";
import { SettingError } from "../../src/settings/setting.ts";

const resolve = (
  flags: Record<string, string> = {},
  more: Partial<SettingSources> = {},
) => resolveSettings({ flags, dataFile: false, valFile: false, ...more });
const withData = (flags: Record<string, string> = {}, more = {}) =>
  resolve(flags, { dataFile: true, ...more });

Deno.test("the seed recipe is the seed's setup", () => {
  const v = resolve().values;
  assert.equal(v["model.share_weights"], false);
  assert.equal(v["model.pooling"], "last");
  assert.equal(v["model.lstm_units"], 64);
  assert.equal(v["train.loss"], "contrastive");
  assert.equal(v["train.negatives"], 1);
  assert.equal(v["train.learning_rate"], 0.001);
  assert.equal(v["train.batch_size"], 32);
  assert.equal(v["model.lexical.weight"], 0);
});

Deno.test("--data selects the matcher recipe, --recipe overrides it", () => {
  assert.equal(resolve().recipe, "seed");
  const m = withData();
  assert.equal(m.recipe, "matcher");
  assert.equal(m.values["data.tokenizer"], "char");
  assert.equal(m.values["model.pooling"], "max");
  assert.equal(m.values["model.lstm_units"], 128);
  assert.equal(m.values["train.loss"], "infonce");
  assert.equal(m.values["model.lexical.weight"], 0.8);
  assert.equal(
    withData({}, { recipe: "seed" }).values["train.loss"],
    "contrastive",
  );
});

Deno.test("flags win over --config FILE, which wins over the recipe", () => {
  const config = {
    path: "cfg.json",
    json: {
      model: { pooling: "mean", lstm_units: 32 },
      train: { temperature: 0.1 },
    },
  };
  const r = withData({ "learning-rate": "0.01" }, { config });
  assert.equal(r.values["model.pooling"], "mean");
  assert.equal(r.values["model.lstm_units"], 32);
  assert.equal(r.values["train.temperature"], 0.1);
  assert.equal(r.values["train.learning_rate"], 0.01);
  assert.equal(r.given.get("model.pooling"), "model.pooling in cfg.json");
  assert.equal(r.given.get("train.learning_rate"), "--learning-rate");
  const both = withData({ "left-len": "9" }, {
    config: { path: "c.json", json: { model: { left_len: 7 } } },
  });
  assert.equal(both.values["model.left_len"], 9);
});

Deno.test("a setting the setup ignores is an error naming it and why", () => {
  const margin = { path: "c.json", json: { train: { margin: 3 } } };
  assert.throws(
    () => withData({}, { config: margin }),
    SettingError,
    "train.margin in c.json is ignored by this setup: it is used only by the contrastive losses (the loss is infonce). Remove it.",
  );
  assert.throws(
    () => withData({ negatives: "4" }),
    SettingError,
    "--negatives is ignored by this setup: --loss infonce takes its negatives from the batch. Remove it.",
  );
  assert.throws(
    () =>
      resolve({}, {
        config: { path: "c.json", json: { train: { temperature: 0.1 } } },
      }),
    SettingError,
    "train.temperature in c.json is ignored by this setup: it is used only by --loss infonce (the loss is contrastive)",
  );
  assert.throws(
    () => resolve({ tokenizer: "char" }),
    SettingError,
    "--tokenizer",
  );
  const both = { data: { left_tokenizer: "word", right_tokenizer: "char" } };
  assert.throws(
    () =>
      withData({ tokenizer: "char" }, {
        config: { path: "c.json", json: both },
      }),
    SettingError,
    "--tokenizer is ignored by this setup: both sides have their own",
  );
  // and the log line does not list it
  const line = changedSettings(
    withData({}, { config: { path: "c.json", json: both } }),
  );
  assert.ok(!line.includes("data.tokenizer="), line);
  assert.throws(
    () =>
      withData({}, {
        config: { path: "c.json", json: { data: { pairs: 10 } } },
      }),
    SettingError,
    "data.pairs in c.json",
  );
  assert.throws(
    () =>
      withData({}, {
        valFile: true,
        config: { path: "c.json", json: { data: { val_fraction: 0.2 } } },
      }),
    SettingError,
    "--val gives the validation pairs",
  );
  assert.throws(
    () =>
      resolve({}, {
        config: { path: "c.json", json: { model: { lexical: { n: 2 } } } },
      }),
    SettingError,
    "the lexical channel is off",
  );
  // the same settings are fine where they are used
  assert.equal(resolve({}, { config: margin }).values["train.margin"], 3);
  assert.equal(
    withData({ loss: "contrastive", negatives: "4" }).values["train.negatives"],
    4,
  );
  // help still shows what a command line with an ignored setting would use
  const help = resolveSettings(
    { flags: { negatives: "3" }, dataFile: true, valFile: false },
    { check: false },
  );
  assert.equal(help.values["train.negatives"], 3);
});

Deno.test("--config FILE: unknown sections and settings and bad values name the file and key", () => {
  const bad = (json: unknown, message: string) =>
    assert.throws(
      () => resolve({}, { config: { path: "c.json", json } }),
      SettingError,
      message,
    );
  bad(
    [1],
    "c.json: expected a JSON object with sections data, model, train or run",
  );
  bad({ modle: {} }, 'c.json: unknown section "modle"');
  bad({ model: { lstm_unit: 3 } }, 'c.json: unknown setting "model.lstm_unit"');
  bad(
    { model: 3 },
    'c.json: expected "model" to be an object of settings but found 3.',
  );
  bad(
    { model: { lstm_units: "64" } },
    'model.lstm_units in c.json: expected an integer but found "64".',
  );
  bad(
    { model: { lstm_units: 0 } },
    "model.lstm_units in c.json: expected an integer >= 1 but found 0.",
  );
  bad(
    { model: { share_weights: 1 } },
    "model.share_weights in c.json: expected true or false but found 1.",
  );
  bad(
    { model: { pooling: "sum" } },
    'model.pooling in c.json: expected one of last, mean, max but found "sum".',
  );
});

Deno.test("the matcher shares nothing across two different tokenizers", () => {
  const json = { data: { left_tokenizer: "word", right_tokenizer: "char" } };
  const v = withData({}, { config: { path: "c.json", json } }).values;
  assert.equal(v["data.shared_vocab"], false);
  assert.equal(v["model.share_weights"], false);
  assert.equal(v["model.lexical.weight"], 0);
  const same = withData({ tokenizer: "char" }).values;
  assert.equal(same["data.shared_vocab"], true);
  assert.equal(same["model.share_weights"], true);
});

Deno.test("the matcher's lexical channel follows the tokenizers", () => {
  assert.strictEqual(withData().values["model.lexical.n"], 3); // character 3-grams
  // a word is already a unit of meaning: word unigrams
  assert.strictEqual(
    withData({ tokenizer: "word" }).values["model.lexical.n"],
    1,
  );
  const two = { path: "c.json", json: { model: { lexical: { n: 2 } } } };
  assert.strictEqual(
    withData({ tokenizer: "word" }, { config: two }).values["model.lexical.n"],
    2,
  );
});

Deno.test("--max-minutes without --epochs trains as many epochs as fit", () => {
  assert.equal(resolve({ "max-minutes": "1" }).values["train.epochs"], 1000);
  assert.equal(
    resolve({ "max-minutes": "1", epochs: "4" }).values["train.epochs"],
    4,
  );
});

Deno.test("the lexical channel needs one vocabulary and cosine distance", () => {
  assert.throws(
    () =>
      withData({ "lexical-weight": "0.5", tokenizer: "word" }, {
        config: { path: "c.json", json: { data: { shared_vocab: false } } },
      }),
    /one vocabulary/,
  );
  assert.throws(
    () =>
      resolve({ "lexical-weight": "0.5" }, {
        config: { path: "c.json", json: { train: { distance: "euclidean" } } },
      }),
    /cosine/,
  );
});

Deno.test("the first log line names the settings that differ from the defaults", () => {
  assert.equal(changedSettings(resolve()), "all defaults");
  const line = changedSettings(withData({ epochs: "5" }));
  for (
    const part of [
      "data.tokenizer=char",
      "model.lstm_units=128",
      "model.pooling=max",
      "train.loss=infonce",
      "train.epochs=5",
      "model.lexical.weight=0.8",
    ]
  ) assert.ok(line.split(" ").includes(part), `${part} in ${line}`);
  assert.ok(line.split(" ").includes("train.hard_negatives=7"), line);
  // train.negatives: unchanged, and unused
  assert.ok(!/(^| )train\.negatives=/.test(line), line);
});

Deno.test("--help lists at most 21 flags, with the values this command line would use", () => {
  const seed = trainHelp(TRAIN_OPTIONS, resolve());
  const flags = seed.split("\n").filter((l) => /^ {2}--[a-z]/.test(l));
  assert.ok(flags.length <= 21, `${flags.length} flags`); // 20, and --force (issue 19)
  assert.match(seed, /model\.lstm_units +.*\[64\]/);
  assert.match(seed, /--loss NAME +.*\n.*\[contrastive\]/);
  assert.match(seed, /Exit codes:\n {2}0 +done/);
  assert.match(seed, /130 +interrupted/);
  const matcher = trainHelp(TRAIN_OPTIONS, withData());
  assert.match(matcher, /Recipe matcher/);
  assert.match(matcher, /--tokenizer NAME +.*\[char\]/);
  assert.match(matcher, /model\.lstm_units +.*\[128\]/);
  assert.match(matcher, /model\.pooling +.*\[max\]/);
  assert.match(matcher, /--lexical-weight N +[^\n]*\n[^\n]*\[0\.8\]/);
  assert.match(matcher, /--negatives N +[^\n]*\n[^\n]*\[1, unused\]/);
});

const init = (value: string) => ({
  config: { path: "c.json", json: { train: { init: value } } },
});

Deno.test("the matcher starts from the pretrained encoder where it fits", () => {
  assert.equal(withData().values["train.init"], "gcide");
  assert.match(changedSettings(withData()), /train\.init=gcide/);
  // the seed recipe, the built-in data and other shapes start at random
  assert.equal(resolve().values["train.init"], "none");
  assert.equal(resolve({}, { recipe: "matcher" }).values["train.init"], "none");
  assert.equal(withData({ tokenizer: "word" }).values["train.init"], "none");
  assert.equal(withData({}, { recipe: "seed" }).values["train.init"], "none");
  const units = { path: "u.json", json: { model: { lstm_units: 64 } } };
  assert.equal(withData({}, { config: units }).values["train.init"], "none");
  assert.equal(withData({}, init("none")).values["train.init"], "none");
});

Deno.test("train.init gcide where the encoder does not fit names the reason", () => {
  const units = { train: { init: "gcide" }, model: { lstm_units: 64 } };
  assert.throws(
    () => withData({}, { config: { path: "c.json", json: units } }),
    {
      name: "SettingError",
      message:
        "train.init in c.json is ignored by this setup: it was pretrained with model.lstm_units 128 and this model has 64. Remove it.",
    },
  );
  assert.throws(() => withData({ tokenizer: "char3" }, init("gcide")), {
    message:
      /train\.init in c\.json is ignored by this setup: it reads characters and the left side's tokenizer is char3/,
  });
  assert.throws(() => resolve({}, init("gcide")), {
    message: /the built-in data set has token ids, not characters/,
  });
  assert.throws(() => withData({}, init("bert")), {
    message:
      /train\.init in c\.json: expected one of none, gcide but found "bert"/,
  });
});
