/**
 * A small, strict command-line parser on top of `node:util` `parseArgs`
 * (mapped as `@std/cli/parse-args` in deno.json; switch to `@std/cli` there
 * when JSR is reachable). One table describes each flag: its type, default,
 * bounds and help text, so parsing, checking and `--help` agree.
 *
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";
import { checkSetting, SettingError } from "../settings/setting.ts";

/** One flag's description. */
export type FlagSpec =
  | { type: "int"; default?: number; min?: number; max?: number; help: string }
  | {
    type: "float";
    default?: number;
    min?: number;
    exclusiveMin?: boolean;
    help: string;
  }
  | { type: "string"; default?: string; help: string; placeholder?: string }
  | { type: "enum"; choices: readonly string[]; default?: string; help: string }
  | { type: "bool"; help: string };

/** A command's flags, by long name without dashes (e.g. `batch-size`). */
export type FlagTable = Record<string, FlagSpec>;

/** A usage error; the message names the flag, the value and what was expected. */
export class UsageError extends Error {
  /** @param message what was wrong */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Parsed values: numbers for int/float, strings, booleans; absent if no default. */
export type FlagValues = Record<string, string | number | boolean | undefined>;

/**
 * Parses `args` against `table`. Unknown flags, positional arguments,
 * missing values and values out of range are {@link UsageError}s.
 *
 * @param args e.g. `Deno.args`
 * @param table the command's flags
 * @returns values by flag name, defaults filled in; `help` is true when asked
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { parseFlags } from "./flags.ts";
 * const v = parseFlags(["--epochs", "3"], { epochs: { type: "int", default: 5, min: 1, help: "passes" } });
 * assert.ok(v.epochs === 3);
 * ```
 */
export function parseFlags(args: string[], table: FlagTable): FlagValues {
  const options: Record<string, { type: "string" | "boolean" }> = {
    help: { type: "boolean" },
  };
  for (const [name, spec] of Object.entries(table)) {
    options[name] = { type: spec.type === "bool" ? "boolean" : "string" };
  }
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options,
      strict: true,
      allowPositionals: false,
    });
  } catch (e) {
    throw new UsageError(explainParseError(e as Error));
  }
  const raw = parsed.values as Record<string, string | boolean | undefined>;
  const out: FlagValues = { help: raw.help === true };
  for (const [name, spec] of Object.entries(table)) {
    const v = raw[name];
    if (spec.type === "bool") {
      out[name] = v === true;
      continue;
    }
    if (v === undefined) {
      out[name] = spec.default;
      continue;
    }
    out[name] = checkValue(name, spec, v as string);
  }
  return out;
}

function explainParseError(e: Error): string {
  const m = /Unknown option '([^']+)'/.exec(e.message);
  if (m) {
    return `Unknown flag ${m[1]}: see --help for the flags this command takes.`;
  }
  const p = /Unexpected argument '([^']+)'/.exec(e.message);
  if (p) {
    return `Unexpected argument "${
      p[1]
    }": this command takes only --flags (see --help).`;
  }
  const v = /Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/.exec(
    e.message,
  );
  if (v) return `Flag ${v[1]} expects a value but none was given.`;
  const b = /Option '(--[\w-]+)' does not take an argument/.exec(e.message);
  if (b) return `Flag ${b[1]} takes no value (it is a switch).`;
  return e.message;
}

function checkValue(name: string, spec: FlagSpec, v: string): string | number {
  const flag = `--${name}`;
  if (spec.type === "string") {
    if (v === "") {
      throw new UsageError(`${flag}: expected a value but found "".`);
    }
    return v;
  }
  if (spec.type === "bool") return v;
  try {
    return checkSetting(
      { ...spec, section: "run", key: name },
      v,
      flag,
      { text: true },
    ) as string | number;
  } catch (e) {
    if (e instanceof SettingError) throw new UsageError(e.message);
    throw e;
  }
}

/** Every command's exit codes, as `--help` lists them. */
export const EXIT_CODES: readonly (readonly [number, string])[] = [
  [0, "done"],
  [1, "failed: e.g. a file could not be read or written, or has a bad line"],
  [2, "usage error: a flag, setting or value is wrong; nothing was written"],
  [130, "interrupted by Ctrl-C (train: a checkpoint was written)"],
];

/**
 * The `--help` text: usage line, every flag with its default, examples.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { helpText } from "./flags.ts";
 * const t = helpText("train", "Trains.", { epochs: { type: "int", default: 5, help: "passes" } }, ["deno task train"]);
 * assert.ok(t.includes("--epochs N") && t.includes("(default 5)"));
 * ```
 */
export function helpText(
  command: string,
  summary: string,
  table: FlagTable,
  examples: string[],
): string {
  const rows = Object.entries(table).map(([name, spec]) => {
    const def = "default" in spec && spec.default !== undefined
      ? ` (default ${spec.default})`
      : "";
    return [`  --${name}${flagArg(spec)}`, `${spec.help}${def}`] as const;
  });
  return renderHelp({
    command,
    summary,
    sections: [{
      title: "Flags:",
      rows: [...rows, ["  --help", "Show this help"]],
    }],
    examples,
  });
}

/** What {@link renderHelp} lays out. */
export interface HelpPage {
  /** The command's name, e.g. `train`. */
  command: string;
  /** One or two sentences on what it does. */
  summary: string;
  /** Lines after the summary. */
  intro?: readonly string[];
  /** Titled tables of `[left column, text]` rows, one column width for all. */
  sections: readonly {
    title: string;
    rows: readonly (readonly [string, string])[];
  }[];
  /** Example command lines. */
  examples: readonly string[];
}

/** Columns of the help text. */
const HELP_WIDTH = 100;

/**
 * A command's help: usage, summary, tables with wrapped text, exit codes,
 * examples.
 *
 * @param page what to lay out
 * @returns the text, ending with a newline
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { renderHelp } from "./flags.ts";
 * const t = renderHelp({ command: "x", summary: "Does x.", examples: [],
 *   sections: [{ title: "Flags:", rows: [["  --a", "one"], ["  --bb N", "two"]] }] });
 * assert.match(t, /\n {2}--a {7}one\n {2}--bb N {4}two\n/);
 * ```
 */
export function renderHelp(page: HelpPage): string {
  const lefts = page.sections.flatMap((s) => s.rows.map(([l]) => l.length));
  const width = Math.max(...lefts, 10) + 2;
  const table = (rows: readonly (readonly [string, string])[]) =>
    rows.flatMap(([l, text]) =>
      wrap(text, HELP_WIDTH - width).map((line, i) =>
        (i === 0 ? l : "").padEnd(width) + line
      )
    );
  return [
    `Usage: deno task ${page.command} [flags]`,
    `   or: deno run siamese.js ${page.command} [flags]   (the single-file bundle)`,
    "",
    page.summary,
    "",
    ...(page.intro ? [...page.intro, ""] : []),
    ...page.sections.flatMap((s) => [s.title, ...table(s.rows), ""]),
    "Exit codes:",
    ...EXIT_CODES.map(([code, meaning]) =>
      `  ${String(code).padEnd(4)}${meaning}`
    ),
    "",
    "Examples:",
    ...page.examples.map((e) => `  ${e}`),
    "",
  ].join("\n");
}

/**
 * What follows a flag in help: ` N`, ` FILE`, ` a|b`, or nothing for a
 * switch.
 *
 * @param spec the flag
 * @returns the argument's placeholder
 */
export function flagArg(spec: FlagSpec): string {
  switch (spec.type) {
    case "bool":
      return "";
    case "enum":
      return ` ${spec.choices.join("|")}`;
    case "string":
      return ` ${spec.placeholder ?? "VALUE"}`;
    default:
      return " N";
  }
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  return [...lines, line];
}

/**
 * The `--threads` flag every command takes: threads of the wasm backend.
 *
 * @param defaultThreads the default shown in `--help`
 * @param max the most threads the backend can use
 */
export function threadsFlag(defaultThreads: number, max: number): FlagSpec {
  return {
    type: "int",
    default: defaultThreads,
    min: 1,
    max,
    help:
      `Threads of the wasm backend, 1 to ${max}; the default is the cores available`,
  };
}
