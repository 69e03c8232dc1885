/**
 * `deno task search` end to end: the library's ranking, the index file
 * written once, reused, and refused for another model or corpus.
 */
import assert from "@std/assert";
import { loadTextModel } from "../../src/use/text_model.ts";
import { tempDir } from "../_temp_file.ts";

const root = new URL("../../", import.meta.url).pathname;
const MODEL = `${root}examples/numbers_model`;

async function search(args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      `${root}tasks/search.ts`,
      ...args,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
  };
}

const CORPUS = ["42", "342", "7", "forty", "17", "900", "342"];

Deno.test("search prints the library's top k, from the corpus or a saved index", async () => {
  const dir = await tempDir();
  await Deno.writeTextFile(`${dir}/c.txt`, CORPUS.join("\n") + "\n");
  await Deno.writeTextFile(`${dir}/q.txt`, "three hundred forty two\nseven\n");
  const m = await loadTextModel(MODEL);
  await m.index(CORPUS);
  const want = m.searchMany(["three hundred forty two", "seven"], 3);
  m.dispose();
  const one = await search([
    "--model",
    MODEL,
    "--corpus",
    `${dir}/c.txt`,
    "--query",
    "three hundred forty two",
    "--k",
    "3",
  ]);
  assert.equal(one.code, 0, one.stderr);
  assert.equal(
    one.stdout,
    want[0]!.map((r) => `${r.index}\t${r.score.toFixed(6)}\t${r.text}\n`).join(
      "",
    ),
  );
  const args = [
    "--model",
    MODEL,
    "--queries",
    `${dir}/q.txt`,
    "--k",
    "3",
    "--json",
  ];
  const built = await search([
    ...args,
    "--corpus",
    `${dir}/c.txt`,
    "--index",
    `${dir}/c.index`,
  ]);
  assert.equal(built.code, 0, built.stderr);
  assert.match(built.stderr, /index written to/);
  const lines = built.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(
    lines.map((l) => l.results.map((r: { index: number }) => r.index)),
    want.map((w) => w.map((r) => r.index)),
  );
  assert.equal(lines[1].query, 1);
  const reused = await search([...args, "--index", `${dir}/c.index`]);
  assert.equal(reused.code, 0, reused.stderr);
  assert.match(reused.stderr, /corpus 7 texts from/);
  assert.equal(reused.stdout, built.stdout);
});

Deno.test("search refuses an index of another model or corpus, and bad flags", async () => {
  const dir = await tempDir();
  await Deno.writeTextFile(`${dir}/c.txt`, CORPUS.join("\n") + "\n");
  await Deno.writeTextFile(`${dir}/d.txt`, "1\n2\n");
  const q = ["--query", "seven"];
  const index = ["--index", `${dir}/c.index`];
  const first = await search([
    "--model",
    MODEL,
    "--corpus",
    `${dir}/c.txt`,
    ...index,
    ...q,
  ]);
  assert.equal(first.code, 0, first.stderr);
  const other = `${dir}/other`;
  await Deno.mkdir(other);
  for (const sub of ["left", "right"]) {
    await Deno.mkdir(`${other}/${sub}`);
    for (const f of ["model.json", "weights.bin"]) {
      await Deno.copyFile(`${MODEL}/${sub}/${f}`, `${other}/${sub}/${f}`);
    }
  }
  const config = JSON.parse(await Deno.readTextFile(`${MODEL}/config.json`));
  await Deno.writeTextFile(
    `${other}/config.json`,
    JSON.stringify({ ...config, threshold: 0.5 }),
  );
  const wrongModel = await search(["--model", other, ...index, ...q]);
  assert.equal(wrongModel.code, 1);
  assert.match(
    wrongModel.stderr,
    /--index .*c\.index was built by another model/,
  );
  const wrongCorpus = await search([
    "--model",
    MODEL,
    "--corpus",
    `${dir}/d.txt`,
    ...index,
    ...q,
  ]);
  assert.equal(wrongCorpus.code, 1);
  assert.match(
    wrongCorpus.stderr,
    /was built from another corpus than --corpus .*d\.txt/,
  );
  const none = await search(["--model", MODEL, ...q]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /--corpus FILE or --index FILE is required/);
  const both = await search(["--model", MODEL, ...index]);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /Exactly one of --query TEXT and --queries FILE/);
  const k0 = await search(["--model", MODEL, ...index, ...q, "--k", "0"]);
  assert.equal(k0.code, 2);
  assert.match(k0.stderr, /--k/);
});

Deno.test("search names the flag and the path of a corpus or queries file it cannot use", async () => {
  const dir = await tempDir();
  await Deno.writeTextFile(`${dir}/c.txt`, CORPUS.join("\n") + "\n");
  await Deno.mkdir(`${dir}/q.txt`);
  const cases: [string[], string][] = [
    [
      ["--corpus", `${dir}/missing.txt`, "--query", "x"],
      `--corpus ${dir}/missing.txt: no such file; expected a .txt file (one text per line) or a .jsonl file.`,
    ],
    [
      ["--corpus", `${dir}/c.txt`, "--queries", `${dir}/q.txt`],
      `--queries ${dir}/q.txt: is a directory; expected a .txt file (one text per line) or a .jsonl file.`,
    ],
    [
      ["--corpus", `${dir}/c.txt`, "--queries", `${dir}/q.csv`],
      `--queries ${dir}/q.csv: expected a .txt file (one text per line) or a .jsonl file, or - for stdin.`,
    ],
  ];
  for (const [args, message] of cases) {
    const r = await search(["--model", MODEL, ...args]);
    assert.equal(r.code, 1, r.stderr);
    assert.ok(r.stderr.includes(`error: ${message}`), r.stderr);
  }
});
