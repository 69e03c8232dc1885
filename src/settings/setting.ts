/**
 * What a setting is: its kind of value, default, range and help, and the
 * names derived from where it lives. Each setting is declared once, in
 * `table.ts`; everything else (flags, `--help`, recipes, validation,
 * `config.json`, `--config FILE`, the first log line) derives from it.
 *
 * A setting lives at a path in one section's config object: `lstmUnits` of
 * the model config. From that path come its public name, written the same in
 * `config.json` and in `--config FILE` (`model.lstm_units`), and, for the
 * settings on the command line, its flag (`--lstm-units`: the path without
 * its section, dashed).
 *
 * @module
 */
import { snakeCase } from "../io/json_keys.ts";

/** The config object a setting belongs to. */
export type Section = "data" | "model" | "train" | "run";

/** The named recipes: sets of setting values chosen together. */
export const RECIPE_NAMES = ["seed", "matcher"] as const;

/** One of {@link RECIPE_NAMES}: `seed` is the defaults. */
export type RecipeName = typeof RECIPE_NAMES[number];

/** A setting's value. */
export type SettingValue = number | string | boolean;

/** Why a setting is ignored by a setup, or `undefined` if it is used. */
export type IgnoredWhen = (setup: Setup) => string | undefined;

/**
 * Everything a setting's relevance depends on: every setting's value by
 * name, and whether pair files were given.
 */
export interface Setup {
  /** Resolved values by public name (`train.loss`). */
  values: Readonly<Record<string, SettingValue | undefined>>;
  /** Whether `--data` was given (else the built-in data set is used). */
  dataFile: boolean;
  /** Whether `--val` was given. */
  valFile: boolean;
}

interface Common {
  /** The config object it belongs to. */
  section: Section;
  /** Field path in that object, camelCase, dots for sub-configs. */
  key: string;
  /** One line of help: what it does, its unit or rule of thumb. */
  help: string;
  /** On the command line (listed by `--help`); else `--config FILE` only. */
  flag?: boolean;
  /** Why a given value is ignored (an error when the user gave it). */
  ignoredWhen?: IgnoredWhen;
  /** What `--help` shows when there is no default. */
  unsetText?: string;
}

/** A setting's declaration. The seed recipe is the defaults. */
export type SettingSpec =
  & Common
  & (
    | {
      type: "int";
      default?: number;
      min?: number;
      max?: number;
      recipes?: Partial<Record<RecipeName, number>>;
    }
    | {
      type: "float";
      default?: number;
      min?: number;
      /** `min` itself is not allowed. */
      exclusiveMin?: boolean;
      /** Values must be below this. */
      below?: number;
      recipes?: Partial<Record<RecipeName, number>>;
    }
    | {
      type: "enum";
      choices: readonly string[];
      default?: string;
      recipes?: Partial<Record<RecipeName, string>>;
    }
    | {
      type: "bool";
      default: boolean;
      recipes?: Partial<Record<RecipeName, boolean>>;
    }
  );

/**
 * A setting's public name: its section and snake_case path, as in
 * `config.json` and `--config FILE`.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { settingName } from "./setting.ts";
 * assert.equal(settingName({ section: "model", key: "lstmUnits" }), "model.lstm_units");
 * ```
 */
export function settingName(s: Pick<SettingSpec, "section" | "key">): string {
  return `${s.section}.${snakeCase(s.key)}`;
}

/**
 * A setting's command-line flag, without dashes: its path without the
 * section, dashed.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { flagName } from "./setting.ts";
 * assert.equal(flagName({ section: "train", key: "batchSize" }), "batch-size");
 * ```
 */
export function flagName(s: Pick<SettingSpec, "section" | "key">): string {
  return snakeCase(s.key).replaceAll(/[._]/g, "-");
}

/**
 * Checks a value against a setting's declaration and returns it; the error
 * names the setting the way the user wrote it (`where`).
 *
 * @param s the declaration
 * @param value the value, from a flag (a string) or JSON
 * @param where how the user named it, e.g. `--lstm-units` or `model.lstm_units in cfg.json`
 * @param options `text: true` for a flag's value, where numbers come as text
 * @returns the checked value, as a number, string or boolean
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { checkSetting } from "./setting.ts";
 * const units = { section: "model", key: "lstmUnits", type: "int", min: 1, help: "" } as const;
 * assert.equal(checkSetting(units, "64", "--lstm-units", { text: true }), 64);
 * assert.throws(() => checkSetting(units, 0, "model.lstm_units"),
 *   { message: "model.lstm_units: expected an integer >= 1 but found 0." });
 * ```
 */
export function checkSetting(
  s: SettingSpec,
  value: unknown,
  where: string,
  options: { text?: boolean } = {},
): SettingValue {
  const fromText = options.text === true && typeof value === "string";
  const shown = typeof value === "string"
    ? `"${value}"`
    : JSON.stringify(value) ?? String(value);
  switch (s.type) {
    case "int":
    case "float": {
      const n = fromText && value.trim() !== "" ? Number(value) : value;
      const integer = s.type === "int";
      if (
        typeof n !== "number" || !Number.isFinite(n) ||
        (integer && !Number.isInteger(n))
      ) {
        throw new SettingError(
          `${where}: expected ${
            integer ? "an integer" : "a number"
          } but found ${shown}.`,
        );
      }
      const what = integer ? "an integer" : "a number";
      if (s.min !== undefined) {
        const low = s.type === "float" && s.exclusiveMin
          ? n <= s.min
          : n < s.min;
        if (low) {
          const op = s.type === "float" && s.exclusiveMin ? ">" : ">=";
          throw new SettingError(
            `${where}: expected ${what} ${op} ${s.min} but found ${n}.`,
          );
        }
      }
      if (s.type === "int" && s.max !== undefined && n > s.max) {
        throw new SettingError(
          `${where}: expected ${what} <= ${s.max} but found ${n}.`,
        );
      }
      if (s.type === "float" && s.below !== undefined && n >= s.below) {
        throw new SettingError(
          `${where}: expected ${what} below ${s.below} but found ${n}.`,
        );
      }
      return n;
    }
    case "enum":
      if (typeof value !== "string" || !s.choices.includes(value)) {
        throw new SettingError(
          `${where}: expected one of ${
            s.choices.join(", ")
          } but found ${shown}.`,
        );
      }
      return value;
    case "bool":
      if (typeof value !== "boolean") {
        throw new SettingError(
          `${where}: expected true or false but found ${shown}.`,
        );
      }
      return value;
  }
}

/** A setting given a wrong value, an unknown setting, or an ignored one. */
export class SettingError extends RangeError {
  /** @param message names the setting, the value and what was expected */
  constructor(message: string) {
    super(message);
    this.name = "SettingError";
  }
}
