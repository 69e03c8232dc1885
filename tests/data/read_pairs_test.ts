import { deepStrictEqual, rejects, strictEqual } from "@std/assert";
import {
  pairFormatOf,
  type RawPair,
  readPairs,
  type ReadPairsOptions,
} from "../../src/data/read_pairs.ts";
import { DataError } from "../../src/data/data_error.ts";
import { tempFile } from "../_temp_file.ts";

async function read(
  name: string,
  content: string | Uint8Array,
  options: ReadPairsOptions = {},
): Promise<RawPair[]> {
  const path = await tempFile(name, content);
  const out: RawPair[] = [];
  for await (const pair of readPairs(path, { name, ...options })) {
    out.push(pair);
  }
  return out;
}

async function fails(
  name: string,
  content: string | Uint8Array,
  message: string,
  options: ReadPairsOptions = {},
): Promise<void> {
  await rejects(read(name, content, options), (e: unknown) => {
    strictEqual(e instanceof DataError, true);
    strictEqual((e as Error).message, message);
    return true;
  });
}

// TSV

Deno.test("readPairs() reads a labelled TSV file with a header", async () => {
  const pairs = await read(
    "data.tsv",
    "left\tright\tlabel\nhi\thello\t1\nno\tyes\t0\n",
  );
  deepStrictEqual(pairs, [
    { line: 2, left: "hi", right: "hello", label: 1 },
    { line: 3, left: "no", right: "yes", label: 0 },
  ]);
});

Deno.test("readPairs() reads an unlabelled TSV file without a header", async () => {
  const pairs = await read("data.tsv", "a b\tc\r\nd\te f\r\n");
  deepStrictEqual(pairs, [{ line: 1, left: "a b", right: "c" }, {
    line: 2,
    left: "d",
    right: "e f",
  }]);
});

Deno.test("readPairs() accepts blank lines at the end", async () => {
  const pairs = await read("data.tsv", "a\tb\n\n\n");
  strictEqual(pairs.length, 1);
});

Deno.test("readPairs() rejects a blank line before more pairs", async () => {
  await fails(
    "data.tsv",
    "a\tb\n\nc\td\n",
    'data.tsv:2: expected a pair (blank lines are allowed only at the end) but found ""',
  );
});

Deno.test("readPairs() rejects a line with more columns than the first", async () => {
  await fails(
    "data.tsv",
    "a\tb\nc\td\ne\tf\t1\n",
    "data.tsv:3: expected 2 tab-separated columns as on line 1 but found 3",
  );
});

Deno.test("readPairs() rejects a line missing the label column the header names", async () => {
  await fails(
    "data.tsv",
    "left\tright\tlabel\na\tb\t1\nc\td\n",
    "data.tsv:3: expected 3 tab-separated columns as on line 1 but found 2",
  );
});

Deno.test("readPairs() rejects a first line with one column", async () => {
  await fails(
    "data.tsv",
    "just one column\n",
    "data.tsv:1: expected 2 or 3 tab-separated columns (left, right, optional label) but found 1",
  );
});

Deno.test("readPairs() rejects a label that is not 0 or 1", async () => {
  await fails(
    "data.tsv",
    "a\tb\t1\na\tb\tyes\n",
    'data.tsv:2: field "label": expected 0 or 1 but found "yes"',
  );
});

Deno.test("readPairs() rejects an empty side", async () => {
  await fails(
    "data.tsv",
    "a\t \n",
    'data.tsv:1: field "right": expected non-empty text but found " "',
  );
});

Deno.test("readPairs() rejects an empty file", async () => {
  await fails(
    "data.tsv",
    "",
    "data.tsv: expected at least one pair but found nothing",
  );
});

Deno.test("readPairs() rejects a file with only a header", async () => {
  await fails(
    "data.tsv",
    "left\tright\n\n",
    "data.tsv: expected at least one pair but found nothing",
  );
});

Deno.test("readPairs() reports invalid UTF-8 with its line", async () => {
  const bytes = new Uint8Array([
    ...new TextEncoder().encode("a\tb\nc\t"),
    0xff,
    0x0a,
  ]);
  await fails(
    "data.tsv",
    bytes,
    'data.tsv:2: expected valid UTF-8 text but found "c\\t\uFFFD"',
  );
});

Deno.test("readPairs() shows long values cut to 40 characters", async () => {
  const long = "y".repeat(100);
  await fails(
    "data.tsv",
    `a\tb\t${long}\n`,
    `data.tsv:1: field "label": expected 0 or 1 but found "${"y".repeat(40)}…"`,
  );
});

Deno.test("readPairs() names the file by its path by default", async () => {
  const path = await tempFile("data.tsv", "");
  const drain = async () => {
    for await (const _ of readPairs(path)) { /* drain */ }
  };
  await rejects(drain, {
    message: `${path}: expected at least one pair but found nothing`,
  });
});

// JSONL

Deno.test("readPairs() reads JSONL with text and token ids", async () => {
  const pairs = await read(
    "data.jsonl",
    '{"left": "hi there", "right": [3, 4], "label": 1}\n{"left": "x", "right": [5], "label": 0}\n',
  );
  deepStrictEqual(pairs, [
    { line: 1, left: "hi there", right: [3, 4], label: 1 },
    { line: 2, left: "x", right: [5], label: 0 },
  ]);
});

Deno.test("readPairs() rejects invalid JSON with its line", async () => {
  await fails(
    "data.jsonl",
    '{"left": "a", "right": "b"}\n{"left": "a", \n',
    'data.jsonl:2: expected valid JSON but found "{\\"left\\": \\"a\\", "',
  );
});

Deno.test("readPairs() rejects a JSON line that is not an object", async () => {
  await fails(
    "data.jsonl",
    "[1, 2]\n",
    "data.jsonl:1: expected a JSON object but found [1,2]",
  );
});

Deno.test("readPairs() rejects unknown JSONL fields", async () => {
  await fails(
    "data.jsonl",
    '{"left": "a", "right": "b", "lable": 1}\n',
    'data.jsonl:1: expected only the fields "left", "right" and "label" but found "lable"',
  );
});

Deno.test("readPairs() rejects a side of the wrong type", async () => {
  await fails(
    "data.jsonl",
    '{"left": 5, "right": "b"}\n',
    'data.jsonl:1: field "left": expected non-empty text or a non-empty array of token ids but found 5',
  );
});

Deno.test("readPairs() rejects a missing side", async () => {
  await fails(
    "data.jsonl",
    '{"left": "a"}\n',
    'data.jsonl:1: field "right": expected non-empty text or a non-empty array of token ids but found nothing',
  );
});

Deno.test("readPairs() rejects a token id that is not an integer", async () => {
  await fails(
    "data.jsonl",
    '{"left": [2, 1.5], "right": [1]}\n',
    'data.jsonl:1: field "left[1]": expected an integer token id of at least 0 but found 1.5',
  );
});

Deno.test("readPairs() rejects a negative token id", async () => {
  await fails(
    "data.jsonl",
    '{"left": [2], "right": [1, -3]}\n',
    'data.jsonl:1: field "right[1]": expected an integer token id of at least 0 but found -3',
  );
});

Deno.test("readPairs() rejects a token id given as a string", async () => {
  await fails(
    "data.jsonl",
    '{"left": ["7"], "right": [1]}\n',
    'data.jsonl:1: field "left[0]": expected an integer token id of at least 0 but found "7"',
  );
});

Deno.test("readPairs() rejects a token id at or above the vocab option", async () => {
  await fails(
    "data.jsonl",
    '{"left": [9], "right": [10]}\n',
    'data.jsonl:1: field "right[0]": expected an integer token id in [0, 10) but found 10',
    { vocab: 10 },
  );
});

Deno.test("readPairs() rejects text where line 1 has token ids", async () => {
  await fails(
    "data.jsonl",
    '{"left": "a", "right": [2]}\n{"left": "b", "right": "hello"}\n',
    'data.jsonl:2: field "right": expected token ids as on line 1 but found "hello"',
  );
});

Deno.test("readPairs() rejects token ids where line 1 has text", async () => {
  await fails(
    "data.jsonl",
    '{"left": "a", "right": "b"}\n{"left": [4, 5], "right": "c"}\n',
    'data.jsonl:2: field "left": expected text as on line 1 but found [4,5]',
  );
});

Deno.test("readPairs() rejects a label missing where line 1 has one", async () => {
  await fails(
    "data.jsonl",
    '{"left": "a", "right": "b", "label": 1}\n{"left": "a", "right": "b"}\n',
    'data.jsonl:2: field "label": expected 0 or 1 (line 1 has a label) but found nothing',
  );
});

Deno.test("readPairs() rejects a label where line 1 has none", async () => {
  await fails(
    "data.jsonl",
    '{"left": "a", "right": "b"}\n{"left": "a", "right": "b", "label": 0}\n',
    'data.jsonl:2: field "label": expected no label (line 1 has none) but found 0',
  );
});

Deno.test("readPairs() rejects a JSON label that is not the number 0 or 1", async () => {
  await fails(
    "data.jsonl",
    '{"left": "a", "right": "b", "label": true}\n',
    'data.jsonl:1: field "label": expected 0 or 1 but found true',
  );
});

// Formats and streaming

Deno.test("pairFormatOf() picks the format from the extension", () => {
  strictEqual(pairFormatOf("a/b/train.tsv"), "tsv");
  strictEqual(pairFormatOf("VAL.JSONL"), "jsonl");
});

Deno.test("pairFormatOf() rejects other extensions", async () => {
  await fails(
    "data.csv",
    "a\tb\n",
    'data.csv: expected a file name ending in .tsv or .jsonl (or an explicit format) but found ".csv"',
  );
});

Deno.test("readPairs() uses an explicit format over the extension", async () => {
  const pairs = await read("data.txt", '{"left": "a", "right": "b"}\n', {
    format: "jsonl",
  });
  deepStrictEqual(pairs, [{ line: 1, left: "a", right: "b" }]);
});

Deno.test("readPairs() streams a 200k-line file", async () => {
  const path = await tempFile("big.tsv", "left\tright\tlabel\n");
  for (let block = 0; block < 200; block++) {
    let text = "";
    for (let i = 0; i < 1000; i++) {
      const k = block * 1000 + i;
      text += `query ${k} about things\tanswer ${k % 97} here\t${k % 2}\n`;
    }
    await Deno.writeTextFile(path, text, { append: true });
  }
  let count = 0;
  let positives = 0;
  let lastLine = 0;
  for await (const pair of readPairs(path)) {
    count++;
    positives += pair.label ?? 0;
    lastLine = pair.line;
  }
  strictEqual(count, 200_000);
  strictEqual(positives, 100_000);
  strictEqual(lastLine, 200_001);
});

Deno.test("readPairs() reports a line holding only a tab as empty fields, not as a blank line", async () => {
  for (const content of ["a\tb\n\t\nc\td\n", "a\tb\n\t\n"]) {
    await rejects(() => read("d.tsv", content), {
      message: 'd.tsv:2: field "left": expected non-empty text but found ""',
    });
  }
});
