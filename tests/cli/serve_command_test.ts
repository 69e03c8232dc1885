/**
 * `deno task serve` as a user runs it: started on a free port of the
 * loopback, asked over HTTP, stopped by SIGINT.
 */
import assert from "@std/assert";
import { tempDir } from "../_temp_file.ts";
import { startServe } from "../../bench/serve_process.ts";

const root = new URL("../../", import.meta.url).pathname;
const MODEL = `${root}examples/numbers_model`;

Deno.test("serve answers each route over HTTP, refuses bad requests, stops on SIGINT", async () => {
  const dir = await tempDir();
  await Deno.writeTextFile(`${dir}/c.txt`, "42\n342\n7\n");
  const { child, url, log } = await startServe([
    "--model",
    MODEL,
    "--corpus",
    `${dir}/c.txt`,
    "--port",
    "0",
    "--threads",
    "1",
  ]);
  try {
    const health = await (await fetch(`${url}/health`)).json();
    assert.equal(health.status, "ok");
    assert.equal(health.corpus, 3);
    const post = (path: string, body: string) =>
      fetch(`${url}${path}`, { method: "POST", body });
    const s = await post(
      "/search",
      JSON.stringify({ query: "three hundred forty two", k: 2 }),
    );
    const results = (await s.json()).results;
    assert.equal(results.length, 2);
    assert.deepEqual(results[0].index, 1);
    assert.equal(results[0].text, "342");
    const e =
      await (await post("/embed", '{"side": "right", "texts": ["7", [5]]}'))
        .json();
    assert.equal(e.vectors.length, 2);
    assert.equal(e.vectors[0].length, 64);
    const sc = await (await post("/score", '{"pairs": [["seven", "7"]]}'))
      .json();
    assert.equal(sc.scores.length, 1);
    const big = await post("/embed", "x".repeat((1 << 20) + 1));
    assert.equal(big.status, 413);
    assert.match(
      (await big.json()).error,
      /body: expected at most 1048576 bytes/,
    );
    const broken = await post("/score", '{"pairs": [');
    assert.equal(broken.status, 400);
    await broken.body?.cancel();
    const lost = await fetch(`${url}/metrics`);
    assert.equal(lost.status, 404);
    await lost.body?.cancel();
    const again = await fetch(`${url}/health`);
    assert.equal(again.status, 200);
    await again.body?.cancel();
  } finally {
    child.kill("SIGINT");
  }
  const status = await child.status;
  assert.equal(status.code, 0);
  assert.match(await log, /stopped/);
});

Deno.test("serve without network permission for its host and port exits 2 naming the flag", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-net=127.0.0.1:8787",
      `${root}tasks/serve.ts`,
      "--model",
      MODEL,
      "--port",
      "9999",
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 2);
  assert.match(
    new TextDecoder().decode(out.stderr),
    /--host 127\.0\.0\.1 --port 9999: this process may not listen there\. Run it with --allow-net=127\.0\.0\.1:9999/,
  );
});
