/**
 * `deno task serve` in its own process, for the serve bench and the tests.
 *
 * @module
 */

const root = new URL("../", import.meta.url).pathname;

/**
 * Starts serve with `--allow-net=net`; resolves with its URL once it listens,
 * and `log`, its whole stderr once it ends.
 */
export async function startServe(args: string[], net = "127.0.0.1") {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      `--allow-net=${net}`,
      `${root}tasks/serve.ts`,
      ...args,
    ],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let log = "";
  while (true) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`serve ended before listening:\n${log}`);
    log += value;
    const m = /listening on (http:\/\/\S+)/.exec(log);
    if (m) {
      const rest = (async () => {
        while (true) {
          const r = await reader.read();
          if (r.done) return log;
          log += r.value;
        }
      })();
      return { child, url: m[1]!, log: rest };
    }
  }
}
