/**
 * Entry point of `deno task score`. See `deno task score --help`.
 *
 * @module
 */
import { runMain } from "../src/cli/main.ts";
import { runScore } from "../src/cli/score_command.ts";

if (import.meta.main) await runMain(() => runScore(Deno.args));
