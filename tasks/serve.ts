/**
 * Entry point of `deno task serve`. See `deno task serve --help`.
 *
 * @module
 */
import { runMain } from "../src/cli/main.ts";
import { runServe } from "../src/cli/serve_command.ts";

if (import.meta.main) await runMain(() => runServe(Deno.args));
