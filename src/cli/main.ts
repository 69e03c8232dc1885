/**
 * Shared handling for task entry points: exit codes and error messages.
 *
 * @module
 */
import { UsageError } from "./flags.ts";

/**
 * Runs a command, prints a failure as one clear message on stderr and exits
 * with its code (2 for usage errors, 1 for other failures).
 *
 * @param command the command; resolves to the exit code
 */
export async function runMain(command: () => Promise<number>): Promise<never> {
  let code: number;
  try {
    code = await command();
  } catch (e) {
    const err = e as Error;
    if (err instanceof UsageError) {
      console.error(`error: ${err.message}`);
      code = 2;
    } else {
      console.error(`error: ${err.message ?? err}`);
      if (Deno.env.get("SIAMESE_DEBUG")) console.error(err.stack);
      code = 1;
    }
  }
  Deno.exit(code);
}
