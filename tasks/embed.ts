/**
 * Entry point of `deno task embed`. See `deno task embed --help`.
 *
 * @module
 */
import { runMain } from "../src/cli/main.ts";
import { runEmbed } from "../src/cli/embed_command.ts";

if (import.meta.main) await runMain(() => runEmbed(Deno.args));
