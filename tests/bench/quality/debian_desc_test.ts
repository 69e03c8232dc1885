import assert from "@std/assert";
import {
  descriptionPairs,
  parseStanzas,
  readDebianDescriptions,
} from "../../../bench/quality/debian_desc.ts";
import { makeData } from "../../../bench/quality/make_data.ts";
import { readTextPairs } from "../../../bench/quality/text_pairs.ts";
import { tempDir } from "../../_temp_file.ts";

const TRANSLATIONS = [
  "Package: alpha\nDescription-md5: 1\nDescription-en: Alpha tool\n Alpha does a.\n .\n And more.\n",
  "Package: alpha-doc\nDescription-md5: 2\nDescription-en: Alpha tool (docs)\n Alpha does a.\n",
  "Package: beta\nDescription-md5: 3\nDescription-en: Beta library\n Beta does b.\n",
  "Package: gamma\nDescription-md5: 4\nDescription-en: transitional package\n Gone.\n",
  "Package: delta\nDescription-md5: 5\nDescription-en: Beta Library\n Something else.\n",
  "Package: eps\nDescription-md5: 6\nDescription-en: Eps\n Beta does b.\n",
  "Package: zeta\nDescription-md5: 7\nDescription-en: Zeta\n",
  "Package: libeta1\nDescription-md5: 8\nDescription-en: Eta runtime\n Eta runs.\n",
  "Package: eta-bin\nDescription-md5: 9\nDescription-en: Eta tools\n Eta tools run.\n",
].join("\n");
const PACKAGES =
  "Package: alpha-doc\nSource: alpha\n\nPackage: libeta1\nSource: eta (1.0-1)\n\n" +
  "Package: eta-bin\nSource: eta\n";

Deno.test("descriptionPairs() keeps one description per source and counts what it skips", () => {
  const r = descriptionPairs(
    parseStanzas(TRANSLATIONS),
    parseStanzas(PACKAGES),
  );
  assert.deepEqual(r.pairs, [
    { term: "Alpha tool", definition: "Alpha does a. And more." },
    { term: "Beta library", definition: "Beta does b." },
    // eta has no binary named eta: the first by name, eta-bin
    { term: "Eta tools", definition: "Eta tools run." },
  ]);
  assert.equal(r.indexLines, 9);
  assert.equal(r.meta, 1); // gamma, transitional
  assert.equal(r.duplicateTerms, 1); // delta: "Beta Library"
  assert.equal(r.duplicateDefinitions, 1); // eps: beta's text
  assert.equal(r.empty, 1); // zeta
});

Deno.test("parseStanzas() names the line that is neither a field nor a continuation", () => {
  assert.throws(() => parseStanzas("Package: a\nno colon here\n"), {
    message: 'Expected "Field: value" at line 2 but found "no colon here"',
  });
  assert.throws(() => parseStanzas(" lone continuation\n"), {
    message:
      'Expected a field before the continuation at line 1 but found none: " lone continuation"',
  });
});

Deno.test("makeData() splits Debian descriptions deterministically and records the sources' hashes", async () => {
  const dir = await tempDir();
  const translations = `${dir}/Translation-en`;
  const packages = `${dir}/Packages`;
  const many = Array.from(
    { length: 12 },
    (_, k) =>
      `Package: p${k}\nDescription-en: Synopsis ${k}\n Long text ${k}.\n`,
  ).join("\n");
  await Deno.writeTextFile(translations, many);
  await Deno.writeTextFile(packages, "");
  const read = await readDebianDescriptions({ translations, packages });
  assert.equal(read.pairs.length, 12);
  assert.match(read.provenance.translations.sha256, /^[0-9a-f]{64}$/);
  const options = {
    dict: "debian",
    out: `${dir}/d`,
    test: 4,
    debian: { translations, packages },
  };
  const info = await makeData(options);
  assert.equal(info.trainPairs, 8);
  assert.equal(info.provenance?.packages.path, packages);
  const test1 = await readTextPairs(`${dir}/d_test.tsv`);
  await makeData(options);
  assert.deepEqual(await readTextPairs(`${dir}/d_test.tsv`), test1);
  const train = await readTextPairs(`${dir}/d_train.tsv`);
  const lefts = new Set(train.map((p) => p.left));
  assert.ok(test1.every((p) => !lefts.has(p.left)));
});
