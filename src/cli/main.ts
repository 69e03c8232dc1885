/**
 * Shared handling for task entry points: exit codes and error messages.
 *
 * @module
 */
import { UsageError } from "./flags.ts";
import { SettingError } from "../settings/setting.ts";

/**
 * Runs a command, prints a failure as one clear message on stderr and exits
 * with its code (2 for usage errors: a bad flag, setting or value; 1 for other
 * failures).
 *
 * @param command the command; resolves to the exit code
 */
export async function runMain(command: () => Promise<number>): Promise<never> {
  let code: number;
  try {
    code = await command();
  } catch (e) {
    const err = e as Error;
    if (err instanceof UsageError || err instanceof SettingError) {
      console.error(`error: ${err.message}`);
      code = 2;
    } else {
      console.error(`error: ${err.message ?? err}`);
      if (debugRequested()) console.error(err.stack);
      code = 1;
    }
  }
  Deno.exit(code);
}

/**
 * Whether `SIAMESE_DEBUG` asks for stack traces. Reads it only when the
 * process may (`--allow-env=SIAMESE_DEBUG`): a run without env access must
 * still print its error, not a permission error about this variable.
 */
function debugRequested(): boolean {
  const env = { name: "env", variable: "SIAMESE_DEBUG" } as const;
  if (Deno.permissions.querySync(env).state !== "granted") return false;
  return Boolean(Deno.env.get("SIAMESE_DEBUG"));
}
