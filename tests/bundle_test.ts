/**
 * The single-file bundle as a user on an edge box runs it: built with
 * `deno task bundle`, copied alone into an empty directory, run with an empty
 * `DENO_DIR` (no npm cache, no node_modules, so no way to fetch or read the
 * packages) and only the permissions the README lists.
 */
import assert from "@std/assert";
import { smallModelFlags, writeConfig, writeNumbersFile } from "./_numbers.ts";
import { tempDir } from "./_temp_file.ts";

const root = new URL("../", import.meta.url).pathname;
const dec = new TextDecoder();

/** Builds the bundle once per test process; resolves to its path. */
let built: Promise<string> | undefined;
function bundle(): Promise<string> {
  built ??= (async () => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["task", "bundle"],
      cwd: root,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, dec.decode(out.stderr));
    return `${root}dist/siamese.js`;
  })();
  return built;
}

/** An empty directory holding only a copy of the bundle and an empty DENO_DIR. */
async function edgeDir(): Promise<string> {
  const dir = await tempDir();
  await Deno.copyFile(await bundle(), `${dir}/siamese.js`);
  await Deno.mkdir(`${dir}/.deno`);
  return dir;
}

/** Runs `deno run <permissions> siamese.js <args>` in `dir`, environment cleared. */
async function runBundle(dir: string, permissions: string[], args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", ...permissions, "siamese.js", ...args],
    cwd: dir,
    clearEnv: true,
    env: { DENO_DIR: `${dir}/.deno`, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
  };
}

Deno.test("the bundle alone trains, evaluates and scores offline with scoped permissions", async () => {
  const dir = await edgeDir();
  await writeNumbersFile(`${dir}/train.tsv`, 0, 200);
  await writeNumbersFile(`${dir}/test.tsv`, 500, 40);
  const small = await smallModelFlags(`${dir}/small.json`);
  const read = "--allow-read=train.tsv,test.tsv,small.json,run";
  const t = await runBundle(dir, [read, "--allow-write=run"], [
    "train",
    "--data",
    "train.tsv",
    ...small.map((a) => a.replace(`${dir}/`, "")),
    "--epochs",
    "1",
    "--out",
    "run",
    "--threads",
    "1",
    "--json",
  ]); // deno-fmt-ignore
  assert.equal(t.code, 0, t.stderr);
  assert.match(t.stderr, /^backend wasm {2}simd on {2}threads 1$/m);
  // NO_COLOR, and not a terminal: no escape sequences at all
  assert.ok(!(t.stderr + t.stdout).includes("\x1b"));
  assert.equal(JSON.parse(t.stdout).epochs, 1);

  const e = await runBundle(dir, [read], [
    "eval",
    "--model",
    "run",
    "--data",
    "test.tsv",
    "--json",
    "--threads",
    "1",
  ]); // deno-fmt-ignore
  assert.equal(e.code, 0, e.stderr);
  assert.equal(JSON.parse(e.stdout).pairs, 40);

  const s = await runBundle(dir, [read], [
    "score",
    "--model",
    "run",
    "--data",
    "test.tsv",
    "--threads",
    "1",
  ]); // deno-fmt-ignore
  assert.equal(s.code, 0, s.stderr);
  assert.equal(s.stdout.trim().split("\n").length, 40);

  // Deno creates DENO_DIR/npm; nothing was installed into it.
  const npm = [];
  for await (const entry of Deno.readDir(`${dir}/.deno/npm`)) {
    npm.push(entry.name);
  }
  assert.deepEqual(npm, []);
});

Deno.test("the bundle runs the threaded backend from its embedded scripts", async () => {
  const dir = await edgeDir();
  await writeConfig(`${dir}/tiny.json`, {
    data: { pairs: 64, val_pairs: 16 },
    model: { lstm_units: 8, dense_units: 8 },
  });
  const t = await runBundle(dir, [
    "--allow-read=run,tiny.json",
    "--allow-write=run",
  ], [
    "train",
    "--config",
    "tiny.json",
    "--left-len",
    "8",
    "--right-len",
    "12",
    "--epochs",
    "1",
    "--out",
    "run",
    "--threads",
    "2",
  ]); // deno-fmt-ignore
  assert.equal(t.code, 0, t.stderr);
  assert.match(t.stderr, /^backend wasm {2}simd on {2}threads 2$/m);
});

Deno.test("train fails before training, naming --out and the path, when it may not write there", async () => {
  const dir = await edgeDir();
  const t = await runBundle(dir, ["--allow-read=run", "--allow-write=run"], [
    "train",
    "--epochs",
    "1",
    "--out",
    "elsewhere",
    "--threads",
    "1",
  ]); // deno-fmt-ignore
  assert.equal(t.code, 1);
  assert.match(
    t.stderr,
    /^error: --out elsewhere: this process may not write there\./m,
  );
  assert.doesNotMatch(t.stderr, /epoch 1/);
  await assert.rejects(
    () => Deno.stat(`${dir}/elsewhere`),
    Deno.errors.NotFound,
  );
});

Deno.test("the bundle lists its commands and rejects an unknown one", async () => {
  const dir = await edgeDir();
  const h = await runBundle(dir, [], ["--help"]);
  assert.equal(h.code, 0, h.stderr);
  assert.match(h.stdout, /^Usage: siamese <command> \[flags\]/);
  const u = await runBundle(dir, [], ["fly"]);
  assert.equal(u.code, 2);
  assert.match(
    u.stderr,
    /error: Unknown command "fly": expected one of train, eval, embed, score, search, serve, export, import\./,
  );
});
