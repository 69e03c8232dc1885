/**
 * A program in another directory, with no deno.json and no flags beyond
 * --allow-read, imports mod.ts by its absolute path and embeds text: the
 * same vectors as in this process.
 */
import assert from "@std/assert";
import { loadTextModel } from "../../src/use/text_model.ts";

const root = new URL("../../", import.meta.url).pathname;
const MODEL = `${root}examples/numbers_model`;

Deno.test("a program outside the checkout imports mod.ts by path and embeds text", async () => {
  const dir = await Deno.makeTempDir({ prefix: "siamese-outside-" });
  try {
    await Deno.writeTextFile(
      `${dir}/main.ts`,
      `import { loadTextModel } from "${root}mod.ts";\n` +
        `const m = await loadTextModel(${JSON.stringify(MODEL)});\n` +
        `const v = m.embed("left", ["three hundred forty two"]);\n` +
        `console.log(JSON.stringify(v.map((x) => Array.from(x))));\n` +
        `m.dispose();\n`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", "main.ts"],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, err);
    const theirs = JSON.parse(new TextDecoder().decode(out.stdout));
    const m = await loadTextModel(MODEL);
    const ours = m.embed("left", ["three hundred forty two"]).map((x) =>
      Array.from(x)
    );
    m.dispose();
    assert.equal(theirs[0].length, 64);
    assert.deepEqual(theirs, ours);
    const entries = [];
    for await (const e of Deno.readDir(dir)) entries.push(e.name);
    assert.deepEqual(entries, ["main.ts"]); // no deno.json, no lock file made
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
