/**
 * `deno task train --help`: the command's flags and the `--config FILE`
 * settings, each with the value the given command line would use.
 *
 * @module
 */
import {
  flagName,
  settingName,
  type SettingSpec,
} from "../settings/setting.ts";
import { SETTINGS } from "../settings/table.ts";
import { flagArg, type FlagTable, renderHelp } from "./flags.ts";
import type { ResolvedSettings } from "./train_settings.ts";

const SUMMARY =
  "Trains the two-branch (siamese) LSTM model on your pairs (--data) or the built-in synthetic set.";

const EXAMPLES = [
  "deno task train",
  "deno task train --data pairs.tsv --out runs/mine",
  "deno task train --data pairs.tsv --config settings.json --max-minutes 20",
  "deno task train --resume runs/mine --epochs 20",
];

/**
 * The help text for the resolved settings of the command line it was asked
 * with.
 *
 * @param options the command's own flags (paths, switches)
 * @param r the settings this command line resolves to
 * @returns the text, ending with a newline
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { trainHelp } from "./train_help.ts";
 * import { resolveSettings } from "./train_settings.ts";
 * const r = resolveSettings({ flags: {}, dataFile: true, valFile: false });
 * const text = trainHelp({}, r);
 * assert.match(text, /--tokenizer NAME +.*\[char\]/);
 * assert.match(text, /model\.lstm_units +.*\[128\]/);
 * ```
 */
export function trainHelp(options: FlagTable, r: ResolvedSettings): string {
  const own = Object.entries(options);
  const rows: [string, string][] = own.filter(([, spec]) =>
    spec.type !== "bool"
  )
    .map(([name, spec]) => [`  --${name}${flagArg(spec)}`, spec.help]);
  const settingRows: [string, string][] = [];
  for (const s of SETTINGS) {
    const shown = `${s.help} [${valueText(s, r)}]`;
    if (s.flag) rows.push([`  --${flagName(s)}${argOf(s)}`, shown]);
    else settingRows.push([`  ${settingName(s)}`, shown]);
  }
  for (const [name, spec] of own.filter(([, spec]) => spec.type === "bool")) {
    rows.push([`  --${name}`, spec.help]);
  }
  rows.push(["  --help", "Show this help"]);
  return renderHelp({
    command: "train",
    summary: SUMMARY,
    intro: [
      `Recipe ${r.recipe}: [values] are the ones this command line would use.`,
    ],
    sections: [
      { title: "Flags:", rows },
      {
        title:
          "Settings for --config FILE (JSON with the names of a run's config.json,\n" +
          'e.g. {"model": {"lstm_units": 128}, "train": {"temperature": 0.1}}):',
        rows: settingRows,
      },
    ],
    examples: EXAMPLES,
  });
}

function argOf(s: SettingSpec): string {
  switch (s.type) {
    case "bool":
      return "";
    case "enum":
      return " NAME";
    default:
      return " N";
  }
}

function valueText(s: SettingSpec, r: ResolvedSettings): string {
  const v = r.values[settingName(s)];
  const shown = v === undefined ? s.unsetText ?? "unset" : String(v);
  const why = s.ignoredWhen?.(r);
  return why === undefined ? shown : `${shown}, unused`;
}
