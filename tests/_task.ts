/**
 * Runs a command of `tasks/` in its own `deno` process, as a user would, with
 * read and write access (plus any `allow` flags), from the repository root.
 */

/** The repository root, with a trailing slash. */
export const ROOT: string = new URL("../", import.meta.url).pathname;

/** The command for `tasks/<task>.ts args`, piping stdout and stderr. */
export function taskCommand(
  task: string,
  args: string[],
  allow: string[] = [],
): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      ...allow,
      `${ROOT}tasks/${task}.ts`,
      ...args,
    ],
    stdout: "piped",
    stderr: "piped",
    cwd: ROOT,
  });
}

/** What a finished command printed, and its exit code. */
export interface TaskResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `tasks/<task>.ts args` to the end. */
export async function runTask(
  task: string,
  args: string[],
  allow: string[] = [],
): Promise<TaskResult> {
  const out = await taskCommand(task, args, allow).output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
  };
}
