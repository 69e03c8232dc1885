/**
 * Entry point of `deno task train`. See `deno task train --help`.
 *
 * @module
 */
import { runMain } from "../src/cli/main.ts";
import { runTrain } from "../src/cli/train_command.ts";

if (import.meta.main) await runMain(() => runTrain(Deno.args));
