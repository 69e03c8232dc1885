/**
 * Entry point of `deno task search`. See `deno task search --help`.
 *
 * @module
 */
import { runMain } from "../src/cli/main.ts";
import { runSearch } from "../src/cli/search_command.ts";

if (import.meta.main) await runMain(() => runSearch(Deno.args));
