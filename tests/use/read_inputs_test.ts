import assert from "@std/assert";
import { readInputs } from "../../src/use/read_inputs.ts";
import { tempFile } from "../_temp_file.ts";

Deno.test("readInputs() reads one text per line, blank lines only at the end", async () => {
  const path = await tempFile("t.txt", "one two\r\nthree\n\n");
  assert.deepEqual(await readInputs(path), [{ text: "one two" }, {
    text: "three",
  }]);
  const gap = await tempFile("g.txt", "a\n\nb\n");
  await assert.rejects(
    () => readInputs(gap),
    /g\.txt:2: expected a text \(blank lines are allowed only at the end\)/,
  );
  const empty = await tempFile("e.txt", "\n");
  await assert.rejects(() => readInputs(empty), /expected at least one text/);
});

Deno.test("readInputs() names the line and field of a bad JSONL record", async () => {
  const cases: [string, RegExp][] = [
    ['{"text": 5}', /x\.jsonl:1: field "text": expected a string but found 5/],
    [
      '{"ids": [2, -1]}',
      /field "ids\[1\]": expected an integer token id in \[0, 10\)/,
    ],
    [
      '{"text": "a", "ids": [2]}',
      /field "text": expected exactly one of "text" .* found both/,
    ],
    ['{"id": true, "text": "a"}', /field "id": expected a string or number/],
    ['{"left": "a"}', /field "left": expected only the keys/],
    ["[1]", /x\.jsonl:1: expected a JSON object/],
    ["{oops", /x\.jsonl:1: expected a JSON object \(/],
  ];
  for (const [line, message] of cases) {
    const path = await tempFile("x.jsonl", line + "\n");
    await assert.rejects(() => readInputs(path, { vocab: 10 }), message);
  }
  const csv = await tempFile("x.csv", "a\n");
  await assert.rejects(
    () => readInputs(csv),
    /ending in \.txt or \.jsonl, or - for stdin/,
  );
});
