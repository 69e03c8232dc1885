import assert from "@std/assert";
import {
  cleanDefinition,
  decodeBase64Number,
  dictPairs,
  gunzip,
  parseIndex,
  readDictd,
} from "../../../bench/quality/dictd.ts";
import { tempDir } from "../../_temp_file.ts";

const DIGITS =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Encodes a number in dictd base64 (the inverse of decodeBase64Number). */
function encode(n: number): string {
  let out = "";
  do {
    out = DIGITS[n % 64] + out;
    n = Math.floor(n / 64);
  } while (n > 0);
  return out;
}

async function gzip(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream()
    .pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** A tiny dictionary: entries in order, index lines as [headword, entry number]. */
async function writeSample(
  entries: string[],
  index: [string, number][],
): Promise<string> {
  const bytes = entries.map((e) => new TextEncoder().encode(e));
  const offsets: number[] = [];
  let at = 0;
  for (const b of bytes) {
    offsets.push(at);
    at += b.length;
  }
  const dir = await tempDir();
  await Deno.writeFile(`${dir}/sample.dict.dz`, await gzip(entries.join("")));
  await Deno.writeTextFile(
    `${dir}/sample.index`,
    index.map(([h, k]) =>
      `${h}\t${encode(offsets[k]!)}\t${encode(bytes[k]!.length)}\n`
    ).join(""),
  );
  return dir;
}

Deno.test("decodeBase64Number() reads digits most significant first", () => {
  assert.equal(decodeBase64Number("A"), 0);
  assert.equal(decodeBase64Number("/"), 63);
  assert.equal(decodeBase64Number("BA"), 64);
  assert.equal(
    decodeBase64Number("Gb9L"),
    6 * 64 ** 3 + 27 * 64 ** 2 + 61 * 64 + 11,
  );
  for (const n of [0, 1, 63, 64, 4095, 4096, 2_278_322]) {
    assert.equal(decodeBase64Number(encode(n)), n);
  }
});

Deno.test("decodeBase64Number() names the bad input", () => {
  assert.throws(() => decodeBase64Number("A-B"), {
    message: 'Expected dictd base64 digits (A-Z a-z 0-9 + /) but found "A-B"',
  });
  assert.throws(() => decodeBase64Number(""), {
    message: "Expected a dictd base64 number but found an empty string",
  });
});

Deno.test("parseIndex() names a line without three fields", () => {
  assert.throws(() => parseIndex("a\tA\tB\nbroken line\n"), {
    message:
      'Expected index line 2 to be headword<TAB>offset<TAB>length but found "broken line"',
  });
});

Deno.test("cleanDefinition() drops the header block, braces and extra whitespace", () => {
  const raw = "exclamation mark\n!\nexcl\n\n   <character> The {ASCII}\n" +
    "   character {bang\n   (exclamation mark)}.\n\n   (1998-09-17)\n\n";
  assert.equal(
    cleanDefinition(raw),
    "<character> The ASCII character bang (exclamation mark). (1998-09-17)",
  );
  // vera style: indented body right after the headword, blank line of spaces
  assert.equal(
    cleanDefinition("3GL\n       3rd Generation\nLanguage\n       \n"),
    "3rd Generation Language",
  );
  assert.equal(cleanDefinition("only a head\n"), "");
});

Deno.test("readDictd() reads a gzipped dictionary into cleaned pairs", async () => {
  const dir = await writeSample(
    [
      "00-database-short\n     A sample dictionary\n",
      "Lisp\n\n   <language> LISt Processing {language}.\n\n   (1995-04-16)\n\n",
      "dollar\n$\n&#36;\n\n   <character> The {dollar\n   sign}.\n\n",
      "Lisp\n\n   Another entry with the same term.\n",
      "Blank\n\n",
      "Ada\n\n   <language> A {Pascal}-descended   language.\n",
    ],
    [
      ["00databaseshort", 0],
      ["$", 2],
      ["&#36;", 2],
      ["ada", 5],
      ["blank", 4],
      ["dollar", 2],
      ["lisp", 1],
      ["lisp", 3],
    ],
  );
  const result = await readDictd("sample", { dir });
  assert.deepEqual(result, {
    pairs: [
      { term: "$", definition: "<character> The dollar sign." },
      { term: "Ada", definition: "<language> A Pascal-descended language." },
      {
        term: "Lisp",
        definition: "<language> LISt Processing language. (1995-04-16)",
      },
    ],
    indexLines: 8,
    meta: 1,
    duplicateTerms: 1,
    duplicateDefinitions: 2,
    empty: 1,
  });
});

Deno.test("dictPairs() names an entry that lies past the end", () => {
  assert.throws(
    () =>
      dictPairs([{ headword: "x", offset: 2, length: 5 }], new Uint8Array(4)),
    {
      message:
        'Expected the entry of "x" (bytes 2..7) to lie within the dictionary of 4 bytes but found it past the end',
    },
  );
});

Deno.test("gunzip() inverts CompressionStream", async () => {
  const text = "héllo\n".repeat(100);
  assert.equal(new TextDecoder().decode(await gunzip(await gzip(text))), text);
});
