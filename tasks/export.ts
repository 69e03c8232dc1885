/**
 * Entry point of `deno task export`. See `deno task export --help`.
 *
 * @module
 */
import { runMain } from "../src/cli/main.ts";
import { runExport } from "../src/cli/export_command.ts";

if (import.meta.main) await runMain(() => runExport(Deno.args));
