/**
 * `deno task embed` on texts: `.txt`, JSONL with `text` or `ids`, stdin; the
 * vectors are the library's.
 */
import assert from "@std/assert";
import { loadTextModel } from "../../src/use/text_model.ts";
import { tempDir } from "../_temp_file.ts";

const root = new URL("../../", import.meta.url).pathname;
const MODEL = `${root}examples/numbers_model`;

async function embed(args: string[], stdin?: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      `${root}tasks/embed.ts`,
      "--model",
      MODEL,
      ...args,
    ],
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
  };
}

function parse(stdout: string) {
  return stdout.trim().split("\n").map((l) => JSON.parse(l));
}

Deno.test("embed reads .txt, JSONL texts and ids, and stdin, one line per input", async () => {
  const dir = await tempDir();
  const m = await loadTextModel(MODEL);
  const want = m.embed("right", ["42", "seven", [5, 4]]).map((v) =>
    Array.from(v, (x) => +x.toPrecision(7))
  );
  m.dispose();
  await Deno.writeTextFile(`${dir}/c.txt`, "42\nseven\n");
  const txt = await embed(["--data", `${dir}/c.txt`, "--side", "right"]);
  assert.equal(txt.code, 0, txt.stderr);
  assert.deepEqual(parse(txt.stdout), [
    { index: 0, vector: want[0] },
    { index: 1, vector: want[1] },
  ]);
  await Deno.writeTextFile(
    `${dir}/c.jsonl`,
    '{"text": "seven", "id": "s"}\n{"ids": [5, 4]}\n',
  );
  const jsonl = await embed(["--data", `${dir}/c.jsonl`, "--side", "right"]);
  assert.equal(jsonl.code, 0, jsonl.stderr);
  assert.deepEqual(parse(jsonl.stdout), [
    { index: 0, id: "s", vector: want[1] },
    { index: 1, vector: want[2] },
  ]);
  const stdin = await embed(["--data", "-", "--side", "right"], "42\n");
  assert.equal(stdin.code, 0, stdin.stderr);
  assert.deepEqual(parse(stdin.stdout), [{ index: 0, vector: want[0] }]);
  const bad = await embed(["--data", "-"], "a\n\nb\n");
  assert.equal(bad.code, 1);
  assert.match(
    bad.stderr,
    /stdin:2: expected a text \(blank lines are allowed only at the end\)/,
  );
});
