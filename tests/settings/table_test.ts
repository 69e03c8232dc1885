import assert from "@std/assert";
import {
  checkSetting,
  flagName,
  settingName,
} from "../../src/settings/setting.ts";
import { SETTINGS } from "../../src/settings/table.ts";
import {
  checkSection,
  recipeValues,
  sectionObject,
  sectionValues,
} from "../../src/settings/values.ts";
import { DEFAULT_MODEL_CONFIG, modelConfig } from "../../src/model/config.ts";
import { DEFAULT_TRAIN_CONFIG, trainConfig } from "../../src/train/config.ts";

Deno.test("every setting has a unique name and flag, and help", () => {
  const names = SETTINGS.map(settingName);
  assert.equal(new Set(names).size, names.length);
  const flags = SETTINGS.map(flagName);
  assert.equal(new Set(flags).size, flags.length);
  for (const s of SETTINGS) assert.ok(s.help.length > 10, settingName(s));
});

Deno.test("every default and every recipe value passes its own setting's checks", () => {
  for (const recipe of ["seed", "matcher"] as const) {
    const values = recipeValues(recipe);
    for (const s of SETTINGS) {
      const v = values[settingName(s)];
      if (v !== undefined) checkSetting(s, v, settingName(s));
    }
  }
});

Deno.test("the model and train configs' defaults are the table's, key for key", () => {
  assert.deepStrictEqual(
    { ...DEFAULT_MODEL_CONFIG },
    sectionObject("model", recipeValues("seed")),
  );
  assert.deepStrictEqual(
    { ...DEFAULT_TRAIN_CONFIG },
    sectionObject("train", recipeValues("seed")),
  );
  // and every field of the configs is a declared setting
  assert.deepStrictEqual(
    sectionObject("model", sectionValues("model", DEFAULT_MODEL_CONFIG)),
    { ...DEFAULT_MODEL_CONFIG },
  );
});

Deno.test("modelConfig() and trainConfig() validate with the table's ranges and names", () => {
  assert.throws(
    () => modelConfig({ lstmUnits: 0 }),
    {
      name: "SettingError",
      message: /model\.lstm_units: expected an integer >= 1 but found 0\./,
    },
  );
  assert.throws(
    () => modelConfig({ vocab: 2 }),
    {
      name: "SettingError",
      message: /model\.vocab: expected an integer >= 3 but found 2\./,
    },
  );
  assert.throws(
    () => trainConfig({ learningRate: 0 }),
    {
      name: "SettingError",
      message: /train\.learning_rate: expected a number > 0 but found 0\./,
    },
  );
  assert.throws(
    () => trainConfig({ margin: Number.NaN }),
    {
      name: "SettingError",
      message: /train\.margin: expected a number but found null\./,
    },
  );
  assert.throws(
    () => modelConfig({ units: 3 } as never),
    { name: "SettingError", message: /model: unknown setting "units"/ },
  );
  assert.throws(
    () => modelConfig({ lexical: { wieght: 0.5 } } as never),
    {
      name: "SettingError",
      message: /model: unknown setting "lexical\.wieght"/,
    },
  );
  assert.equal(modelConfig({ pooling: "max" }).pooling, "max");
  // the lexical channel is one sub-config, set field by field
  const m = modelConfig({ lexical: { weight: 0.5 } });
  assert.deepStrictEqual(m.lexical, {
    weight: 0.5,
    n: 3,
    len: 0,
    loss: "separate",
  });
});

Deno.test("checkSection() skips the keys it is told are not settings", () => {
  checkSection("model", { ...DEFAULT_MODEL_CONFIG, note: "x" }, ["note"]);
  assert.throws(() => checkSection("model", { note: "x" }), RangeError, "note");
});
