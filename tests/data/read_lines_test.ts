import { deepStrictEqual, rejects } from "@std/assert";
import { readLines } from "../../src/data/read_lines.ts";
import { tempFile } from "../_temp_file.ts";

async function collect(path: string): Promise<string[]> {
  const out: string[] = [];
  for await (const { line, text } of readLines(path)) {
    out.push(`${line}:${text}`);
  }
  return out;
}

Deno.test("readLines() numbers lines from 1 and drops \\n and \\r\\n", async () => {
  const path = await tempFile("a.txt", "one\r\ntwo\nthree\n");
  deepStrictEqual(await collect(path), ["1:one", "2:two", "3:three"]);
});

Deno.test("readLines() yields a last line without a newline", async () => {
  const path = await tempFile("a.txt", "one\ntwo");
  deepStrictEqual(await collect(path), ["1:one", "2:two"]);
});

Deno.test("readLines() yields nothing for an empty file", async () => {
  const path = await tempFile("a.txt", "");
  deepStrictEqual(await collect(path), []);
});

Deno.test("readLines() keeps blank lines and drops a byte order mark", async () => {
  const path = await tempFile("a.txt", "\uFEFFa\n\nb\n");
  deepStrictEqual(await collect(path), ["1:a", "2:", "3:b"]);
});

Deno.test("readLines() joins lines and characters split across 64 KiB reads", async () => {
  const long = "x".repeat(65535) + "é" + "y".repeat(70000); // é straddles the boundary
  const path = await tempFile("a.txt", `${long}\nshort\n`);
  const lines = await collect(path);
  deepStrictEqual(lines.length, 2);
  deepStrictEqual(lines[0], `1:${long}`);
  deepStrictEqual(lines[1], "2:short");
});

Deno.test("readLines() reports invalid UTF-8 with its line", async () => {
  const bytes = new Uint8Array([0x61, 0x0a, 0x63, 0x61, 0x66, 0xff, 0x0a]);
  const path = await tempFile("a.txt", bytes);
  await rejects(collect(path), {
    name: "DataError",
    message: `${path}:2: expected valid UTF-8 text but found "caf\uFFFD"`,
  });
});

Deno.test("readLines() uses the name option in errors", async () => {
  const path = await tempFile("a.txt", new Uint8Array([0xc3, 0x28]));
  const read = async () => {
    for await (const _ of readLines(path, { name: "data.tsv" })) { /* drain */ }
  };
  await rejects(read, {
    message: 'data.tsv:1: expected valid UTF-8 text but found "\uFFFD("',
  });
});

Deno.test("readLines() closes the file when the caller stops early", async () => {
  // Deno's resource sanitizer fails this test if the file stays open.
  const path = await tempFile("a.txt", "a\nb\nc\n");
  for await (const { line } of readLines(path)) if (line === 1) break;
});
