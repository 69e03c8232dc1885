/**
 * One entry point for every command: `deno run tasks/cli.ts <command> [flags]`
 * with the commands `train`, `eval`, `embed`, `score`, `search`, `serve`, `export` and `import`. It is what the
 * single-file bundle (`deno task bundle`, `dist/siamese.js`) runs.
 *
 * @module
 */
import { runEmbed } from "../src/cli/embed_command.ts";
import { runEval } from "../src/cli/eval_command.ts";
import { runExport } from "../src/cli/export_command.ts";
import { runImport } from "../src/cli/import_command.ts";
import { UsageError } from "../src/cli/flags.ts";
import { runMain } from "../src/cli/main.ts";
import { runScore } from "../src/cli/score_command.ts";
import { runSearch } from "../src/cli/search_command.ts";
import { runServe } from "../src/cli/serve_command.ts";
import { runTrain } from "../src/cli/train_command.ts";

/** The commands, by name. */
export const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  train: runTrain,
  eval: runEval,
  embed: runEmbed,
  score: runScore,
  search: runSearch,
  serve: runServe,
  export: runExport,
  import: runImport,
};

const USAGE = `Usage: siamese <command> [flags]

Commands:
  train   Train a siamese LSTM model (built-in data, or --data FILE)
  eval    Evaluate a trained model on a pair file
  embed   Write one branch's output vector per pair or text
  score   Print a similarity and a decision per pair
  search  Print the top k corpus lines for queries
  serve   Serve embed, score and search over HTTP
  export  Write the model as ONNX or stock TF.js layers, with its tokenizer
  import  Read weights of stock TF.js layers models back into a run

Run "siamese <command> --help" for a command's flags.
`;

/**
 * Runs the command named by `args[0]` with the remaining arguments.
 *
 * @param args e.g. `["train", "--epochs", "1"]`
 * @returns process exit code
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { runCli } from "./cli.ts";
 * await assert.rejects(() => runCli(["fly"]), {
 *   message: 'Unknown command "fly": expected one of train, eval, embed, score, search, serve, export, import.',
 * });
 * ```
 */
export function runCli(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === "--help" || name === "-h") {
    console.log(USAGE);
    return Promise.resolve(name === undefined ? 2 : 0);
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    return Promise.reject(
      new UsageError(
        `Unknown command "${name}": expected one of ${
          Object.keys(COMMANDS).join(", ")
        }.`,
      ),
    );
  }
  return command(rest);
}

if (import.meta.main) await runMain(() => runCli(Deno.args));
