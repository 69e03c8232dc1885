/**
 * Setting values by public name (`model.lstm_units`), and the config objects
 * they make: defaults and recipes from the table, a section's object
 * (`{ lstmUnits: 64, ... }`) from values and back, and validation of a
 * section's object (what `modelConfig()` and `trainConfig()` run).
 *
 * @module
 */
import {
  checkSetting,
  type RecipeName,
  type Section,
  SettingError,
  settingName,
  type SettingValue,
} from "./setting.ts";
import { SETTINGS } from "./table.ts";

/** Setting values by public name; `undefined` = unset (no default). */
export type Values = Record<string, SettingValue | undefined>;

/**
 * Every setting's value under a recipe: its default (the `seed` recipe), or
 * what the recipe sets.
 *
 * @param recipe the recipe
 * @returns values by public name
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { recipeValues } from "./values.ts";
 * assert.equal(recipeValues("seed")["model.lstm_units"], 64);
 * assert.equal(recipeValues("matcher")["model.lstm_units"], 128);
 * ```
 */
export function recipeValues(recipe: RecipeName): Values {
  const out: Values = {};
  for (const s of SETTINGS) {
    const set = s.recipes as Partial<Record<RecipeName, SettingValue>>;
    out[settingName(s)] = set?.[recipe] ?? s.default;
  }
  return out;
}

/**
 * One section's config object from values: each set value at its key.
 *
 * @param section which object
 * @param values values by public name
 * @returns e.g. `{ lstmUnits: 64, ... }` for `model`
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { recipeValues, sectionObject } from "./values.ts";
 * const model = sectionObject("model", recipeValues("seed"));
 * assert.equal(model.lstmUnits, 64);
 * ```
 */
export function sectionObject(
  section: Section,
  values: Values,
): Record<string, SettingValue> {
  const out: Record<string, SettingValue> = {};
  for (const s of SETTINGS) {
    if (s.section !== section) continue;
    const v = values[settingName(s)];
    if (v !== undefined) setPath(out, s.key, v);
  }
  return out;
}

/**
 * Values from one section's config object: the inverse of
 * {@link sectionObject} for the keys the object has.
 *
 * @param section which object
 * @param object e.g. a `ModelConfig`
 * @returns values by public name
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { sectionValues } from "./values.ts";
 * assert.equal(sectionValues("train", { batchSize: 8 })["train.batch_size"], 8);
 * ```
 */
export function sectionValues(section: Section, object: object): Values {
  const out: Values = {};
  for (const s of SETTINGS) {
    if (s.section !== section) continue;
    const v = getPath(object, s.key);
    if (v !== undefined) out[settingName(s)] = v as SettingValue;
  }
  return out;
}

/**
 * Validates a section's config object against the table: every declared
 * key's value is checked, and keys the table does not declare are errors.
 *
 * @param section which object
 * @param object the object to check
 * @param skip keys of the object that are not settings (left unchecked)
 * @throws SettingError naming the setting, the value and what was expected
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { checkSection } from "./values.ts";
 * assert.throws(() => checkSection("train", { epochs: 0 }), {
 *   message: "train.epochs: expected an integer >= 1 but found 0.",
 * });
 * ```
 */
export function checkSection(
  section: Section,
  object: object,
  skip: readonly string[] = [],
): void {
  const declared = SETTINGS.filter((s) => s.section === section);
  for (const s of declared) {
    const v = getPath(object, s.key);
    if (v !== undefined) checkSetting(s, v, settingName(s));
  }
  const keys = new Set(declared.map((s) => s.key));
  const unknown = (value: object, prefix: string): string | undefined => {
    for (const [k, v] of Object.entries(value)) {
      const path = prefix + k;
      if (keys.has(path) || (prefix === "" && skip.includes(k))) continue;
      const sub = [...keys].some((key) => key.startsWith(`${path}.`));
      if (sub && v !== null && typeof v === "object") {
        const inner = unknown(v, `${path}.`);
        if (inner !== undefined) return inner;
      } else return path;
    }
    return undefined;
  };
  const bad = unknown(object, "");
  if (bad !== undefined) {
    throw new SettingError(
      `${section}: unknown setting "${bad}"; known: ${[...keys].join(", ")}.`,
    );
  }
}

/**
 * A section's defaults as its config object (unset settings left out).
 *
 * @param section which object
 * @returns e.g. the seed's model config
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { sectionDefaults } from "./values.ts";
 * assert.equal(sectionDefaults("train").epochs, 3);
 * ```
 */
export function sectionDefaults(
  section: Section,
): Record<string, SettingValue> {
  return sectionObject(section, recipeValues("seed"));
}

function getPath(object: object, path: string): unknown {
  let at: unknown = object;
  for (const part of path.split(".")) {
    if (at === null || typeof at !== "object") return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}

function setPath(
  object: Record<string, unknown>,
  path: string,
  value: unknown,
): void {
  const parts = path.split(".");
  let at = object;
  for (const part of parts.slice(0, -1)) {
    at = (at[part] ??= {}) as Record<string, unknown>;
  }
  at[parts.at(-1)!] = value;
}
