/**
 * Entry point of `deno task import`. See `deno task import --help`.
 *
 * @module
 */
import { runMain } from "../src/cli/main.ts";
import { runImport } from "../src/cli/import_command.ts";

if (import.meta.main) await runMain(() => runImport(Deno.args));
