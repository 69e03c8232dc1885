/**
 * From a train command line to the settings a run uses: the recipe's values,
 * then `--config FILE`, then flags (each later source wins), then the rules
 * that follow from the data, then checks: a setting the user gave that the
 * setup ignores is an error naming it and why.
 *
 * @module
 */
import { lexicalSetupProblem } from "../lexical/hybrid.ts";
import type { DistanceKind } from "../settings/kinds.ts";
import {
  checkSetting,
  flagName,
  type RecipeName,
  type Section,
  SettingError,
  settingName,
  type SettingSpec,
  type SettingValue,
  type Setup,
} from "../settings/setting.ts";
import { SETTINGS, SETTINGS_BY_NAME } from "../settings/table.ts";
import { recipeValues, type Values } from "../settings/values.ts";
import { UsageError } from "./flags.ts";

/** The epoch bound with `--max-minutes` and no `--epochs`. */
const EPOCHS_UNTIL_TIME_IS_UP = 1000;

/** Where a given setting came from, for messages: `--epochs` or `train.margin in cfg.json`. */
export type Given = Map<string, string>;

/** The resolved settings of a run. */
export interface ResolvedSettings extends Setup {
  /** The recipe the values start from. */
  recipe: RecipeName;
  /** Every setting's value by public name. */
  values: Values;
  /** The settings the user gave, by public name, with where they came from. */
  given: Given;
}

/** What the command line says besides settings. */
export interface SettingSources {
  /** Setting values from flags, by flag name (`lstm-units`), as typed. */
  flags: Record<string, string | boolean>;
  /** `--config FILE`'s parsed JSON and its path. */
  config?: { path: string; json: unknown };
  /** `--recipe`. */
  recipe?: RecipeName;
  /** Whether `--data` / `--val` were given. */
  dataFile: boolean;
  valFile: boolean;
}

/**
 * Resolves the settings of a new run; see the module note for the order.
 *
 * @param sources flags, config file and recipe
 * @param options `check: false` skips the ignored-setting checks (for `--help`)
 * @returns the values, and which of them the user gave
 * @throws SettingError for a bad value, an unknown key or an ignored setting
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { resolveSettings } from "./train_settings.ts";
 * const r = resolveSettings({ flags: { "left-len": "32" }, dataFile: true, valFile: false });
 * assert.equal(r.recipe, "matcher");
 * assert.equal(r.values["model.left_len"], 32);
 * assert.equal(r.values["model.pooling"], "max");
 * assert.throws(
 *   () => resolveSettings({ flags: { negatives: "3" }, dataFile: true, valFile: false }),
 *   /--negatives is ignored by this setup: --loss infonce takes its negatives from the batch/,
 * );
 * ```
 */
export function resolveSettings(
  sources: SettingSources,
  options: { check?: boolean } = {},
): ResolvedSettings {
  const given: Given = new Map();
  const explicit: Values = {};
  if (sources.config) {
    for (const [name, value] of configFileValues(sources.config)) {
      explicit[name] = value;
      given.set(name, `${name} in ${sources.config.path}`);
    }
  }
  for (const s of SETTINGS) {
    const raw = sources.flags[flagName(s)];
    if (raw === undefined || !s.flag) continue;
    const flag = `--${flagName(s)}`;
    explicit[settingName(s)] = checkSetting(s, raw, flag, { text: true });
    given.set(settingName(s), flag);
  }
  const recipe = sources.recipe ?? (sources.dataFile ? "matcher" : "seed");
  const values = { ...recipeValues(recipe), ...explicit };
  const setup: ResolvedSettings = {
    recipe,
    values,
    given,
    dataFile: sources.dataFile,
    valFile: sources.valFile,
  };
  applyRules(setup);
  if (options.check ?? true) checkSetup(setup);
  return setup;
}

/**
 * Reads a config file's JSON: sections as in `config.json` (`data`, `model`,
 * `train`, `run`), each an object of settings by snake_case name.
 *
 * @param file its path (for messages) and parsed JSON
 * @returns checked values by public name
 * @throws SettingError naming the file and key for unknown or bad entries
 */
export function configFileValues(
  file: { path: string; json: unknown },
): Map<string, SettingValue> {
  const out = new Map<string, SettingValue>();
  const { path, json } = file;
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new SettingError(
      `${path}: expected a JSON object with sections data, model, train or run, e.g. {"model": {"lstm_units": 128}}.`,
    );
  }
  const sections: Section[] = ["data", "model", "train", "run"];
  for (const [section, body] of Object.entries(json)) {
    if (!sections.includes(section as Section)) {
      throw new SettingError(
        `${path}: unknown section "${section}"; expected ${
          sections.join(", ")
        } (as in a run's config.json).`,
      );
    }
    for (const [name, value] of flatten(section, body, path)) {
      const spec = SETTINGS_BY_NAME.get(name);
      if (spec === undefined) {
        throw new SettingError(
          `${path}: unknown setting "${name}"; see deno task train --help for the settings.`,
        );
      }
      out.set(name, checkSetting(spec, value, `${name} in ${path}`));
    }
  }
  return out;
}

function flatten(
  prefix: string,
  body: unknown,
  path: string,
): [string, unknown][] {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new SettingError(
      `${path}: expected "${prefix}" to be an object of settings but found ${
        JSON.stringify(body)
      }.`,
    );
  }
  return Object.entries(body).flatMap(([k, v]) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? flatten(`${prefix}.${k}`, v, path)
      : [[`${prefix}.${k}`, v] as [string, unknown]]
  );
}

/** What follows from the data and the time budget, unless given. */
function applyRules(r: ResolvedSettings): void {
  const v = r.values;
  const set = (name: string, value: SettingValue) => {
    if (!r.given.has(name)) v[name] = value;
  };
  const left = v["data.left_tokenizer"] ?? v["data.tokenizer"];
  const right = v["data.right_tokenizer"] ?? v["data.tokenizer"];
  if (r.dataFile && left !== right) {
    // one encoder over two vocabularies would mix unrelated ids, and the
    // lexical channel would compare them
    set("data.shared_vocab", false);
    set("model.share_weights", false);
    set("model.lexical.weight", 0);
  }
  if (
    (v["model.lexical.weight"] as number) > 0 && r.dataFile && left !== "char"
  ) {
    // a word or char3 token already is what a character 3-gram is for chars
    set("model.lexical.n", 1);
  }
  if (v["run.max_minutes"] !== undefined) {
    set("train.epochs", EPOCHS_UNTIL_TIME_IS_UP); // the time budget is the bound
  }
  if (SETTINGS_BY_NAME.get("train.init")!.ignoredWhen!(r) !== undefined) {
    // the recipe's pretrained start does not fit this model: start at random
    set("train.init", "none");
  }
}

/** Given settings that the setup ignores, and combinations that cannot work. */
function checkSetup(r: ResolvedSettings): void {
  for (const [name, where] of r.given) {
    const spec = SETTINGS_BY_NAME.get(name) as SettingSpec;
    const why = spec.ignoredWhen?.(r);
    if (why !== undefined) {
      throw new SettingError(
        `${where} is ignored by this setup: ${why}. Remove it.`,
      );
    }
  }
  const weight = r.values["model.lexical.weight"] as number;
  const problem = lexicalSetupProblem(weight, {
    // the built-in data set has one id space
    sharedVocab: !r.dataFile || Boolean(r.values["data.shared_vocab"]),
    distance: r.values["train.distance"] as DistanceKind,
  });
  if (problem !== undefined) throw new UsageError(problem);
}

/**
 * The resolved settings that differ from the defaults, for the first log
 * line: `model.lstm_units=128 train.loss=infonce`.
 *
 * @param r resolved settings
 * @returns `name=value` pairs, space-separated, or `all defaults`
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { changedSettings, resolveSettings } from "./train_settings.ts";
 * const seed = resolveSettings({ flags: {}, dataFile: false, valFile: false });
 * assert.equal(changedSettings(seed), "all defaults");
 * const more = resolveSettings({ flags: { epochs: "5" }, dataFile: false, valFile: false });
 * assert.equal(changedSettings(more), "train.epochs=5");
 * ```
 */
export function changedSettings(r: ResolvedSettings): string {
  const defaults = recipeValues("seed");
  const out: string[] = [];
  for (const [name, value] of Object.entries(r.values)) {
    if (value === undefined || value === defaults[name]) continue;
    if (SETTINGS_BY_NAME.get(name)?.ignoredWhen?.(r) !== undefined) continue;
    out.push(`${name}=${value}`);
  }
  return out.length > 0 ? out.join(" ") : "all defaults";
}
