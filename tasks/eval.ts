/**
 * Entry point of `deno task eval`. See `deno task eval --help`.
 *
 * @module
 */
import { runMain } from "../src/cli/main.ts";
import { runEval } from "../src/cli/eval_command.ts";

if (import.meta.main) await runMain(() => runEval(Deno.args));
