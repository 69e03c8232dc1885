import { deepStrictEqual, rejects, strictEqual } from "@std/assert";
import { loadPairs, openPairBlocks } from "../../src/data/load_pairs.ts";
import { Vocabulary } from "../../src/data/tokenizer.ts";
import { tempFile } from "../_temp_file.ts";

Deno.test("loadPairs() encodes a labelled TSV file with word vocabularies per side", async () => {
  const path = await tempFile(
    "train.tsv",
    "left\tright\tlabel\nthe cat sat\ta cat\t1\nthe dog\ta dog ran far\t0\n",
  );
  const { pairs, stats, leftVocab, rightVocab } = await loadPairs(path, {
    leftLen: 3,
    rightLen: 3,
    vocab: 10,
  });
  deepStrictEqual(leftVocab?.tokens, ["the", "cat", "sat", "dog"]);
  deepStrictEqual(rightVocab?.tokens, ["a", "cat", "dog", "ran", "far"]);
  strictEqual(pairs.size, 2);
  strictEqual(pairs.leftLen, 3);
  strictEqual(pairs.rightLen, 3);
  deepStrictEqual([...pairs.left], [2, 3, 4, 2, 5, 0]);
  deepStrictEqual([...pairs.right], [2, 3, 0, 2, 4, 5]);
  deepStrictEqual([...(pairs.labels ?? [])], [1, 0]);
  deepStrictEqual(stats, {
    pairs: 2,
    leftTruncated: 0,
    rightTruncated: 1,
    labelled: true,
    leftOverlap: 1,
    rightOverlap: 1,
  });
});

Deno.test("loadPairs() caps each built vocabulary at vocab - 2 tokens", async () => {
  const path = await tempFile("train.tsv", "a a b c\tx\n");
  const { pairs, leftVocab, stats } = await loadPairs(path, {
    leftLen: 4,
    rightLen: 1,
    vocab: 3,
  });
  deepStrictEqual(leftVocab?.tokens, ["a"]);
  deepStrictEqual([...pairs.left], [2, 2, 1, 1]);
  strictEqual(stats.leftOverlap, 0.5);
});

Deno.test("loadPairs() uses a tokenizer per side", async () => {
  const path = await tempFile("train.tsv", "ab\tab cd\n");
  const { leftVocab, rightVocab } = await loadPairs(path, {
    leftLen: 4,
    rightLen: 4,
    vocab: 10,
    tokenizer: { left: "char", right: "word" },
  });
  deepStrictEqual(leftVocab?.tokens, ["a", "b"]);
  deepStrictEqual(rightVocab?.tokens, ["ab", "cd"]);
});

Deno.test("loadPairs() loads pre-tokenized JSONL without vocabularies", async () => {
  const path = await tempFile(
    "train.jsonl",
    '{"left": [5, 6, 7], "right": [9]}\n{"left": [1], "right": [2, 3]}\n',
  );
  const loaded = await loadPairs(path, { leftLen: 2, rightLen: 2, vocab: 10 });
  deepStrictEqual([...loaded.pairs.left], [5, 6, 1, 0]);
  deepStrictEqual([...loaded.pairs.right], [9, 0, 2, 3]);
  strictEqual(loaded.pairs.labels, undefined);
  strictEqual("leftVocab" in loaded, false);
  deepStrictEqual(loaded.stats, {
    pairs: 2,
    leftTruncated: 1,
    rightTruncated: 0,
    labelled: false,
  });
});

Deno.test("loadPairs() rejects a token id at or above vocab with file, line and field", async () => {
  const path = await tempFile(
    "train.jsonl",
    '{"left": [5], "right": [9]}\n{"left": [10], "right": [2]}\n',
  );
  await rejects(
    loadPairs(path, {
      leftLen: 2,
      rightLen: 2,
      vocab: 10,
      name: "train.jsonl",
    }),
    {
      name: "DataError",
      message:
        'train.jsonl:2: field "left[0]": expected an integer token id in [0, 10) but found 10',
    },
  );
});

Deno.test("loadPairs() grows its buffers past the first capacity", async () => {
  const lines = [];
  for (let i = 0; i < 2500; i++) {
    lines.push(
      JSON.stringify({
        left: [i % 7 + 2],
        right: [i % 5 + 2, 3],
        label: i % 2,
      }),
    );
  }
  const path = await tempFile("big.jsonl", lines.join("\n") + "\n");
  const { pairs } = await loadPairs(path, {
    leftLen: 1,
    rightLen: 2,
    vocab: 10,
  });
  strictEqual(pairs.size, 2500);
  strictEqual(pairs.left.length, 2500);
  strictEqual(pairs.right.length, 5000);
  strictEqual(pairs.labels?.length, 2500);
  strictEqual(pairs.left[2499], 2499 % 7 + 2);
  deepStrictEqual([...pairs.right.subarray(4998)], [2499 % 5 + 2, 3]);
  strictEqual(pairs.labels?.[2499], 1);
});

Deno.test("loadPairs() encodes a validation file with the training vocabularies", async () => {
  const train = await tempFile("train.tsv", "red apple\tfruit\n");
  const val = await tempFile("val.tsv", "green apple\tfruit salad\n");
  const t = await loadPairs(train, { leftLen: 2, rightLen: 2, vocab: 10 });
  const v = await loadPairs(val, {
    leftLen: 2,
    rightLen: 2,
    vocab: 10,
    vocabularies: { left: t.leftVocab!, right: t.rightVocab! },
  });
  strictEqual(v.leftVocab, t.leftVocab);
  deepStrictEqual([...v.pairs.left], [1, 3]);
  deepStrictEqual([...v.pairs.right], [2, 1]);
  strictEqual(v.stats.leftOverlap, 0.5);
});

Deno.test("loadPairs() rejects a validation file that shares no vocabulary, naming it", async () => {
  const vocab = new Vocabulary("word", 10, ["apple"]);
  const val = await tempFile("val.tsv", "car\tbus\nboat\ttrain\n");
  await rejects(
    loadPairs(val, {
      leftLen: 2,
      rightLen: 2,
      vocab: 10,
      vocabularies: { left: vocab },
      name: "val.tsv",
    }),
    {
      name: "DataError",
      message:
        'val.tsv: field "left": expected at least 1% of tokens known to the vocabulary but found 0% (0 of 2)',
    },
  );
});

Deno.test("loadPairs() rejects a vocabulary given for a pre-tokenized side", async () => {
  const path = await tempFile("val.jsonl", '{"left": [4], "right": "x"}\n');
  await rejects(
    loadPairs(path, {
      leftLen: 1,
      rightLen: 1,
      vocab: 10,
      vocabularies: { left: new Vocabulary("word", 10, []) },
      name: "val.jsonl",
    }),
    {
      message:
        'val.jsonl:1: field "left": expected text, since a left vocabulary was given but found [4]',
    },
  );
});

Deno.test("loadPairs() rejects a given vocabulary larger than vocab", async () => {
  const path = await tempFile("val.tsv", "a\tb\n");
  await rejects(
    loadPairs(path, {
      leftLen: 1,
      rightLen: 1,
      vocab: 10,
      vocabularies: { right: new Vocabulary("word", 20, []) },
    }),
    {
      message:
        "Expected vocabularies.right.size to be at most vocab (10) but found 20",
    },
  );
});

Deno.test("loadPairs() rejects a tokenizer that differs from a given vocabulary's", async () => {
  const path = await tempFile("val.tsv", "a\tb\n");
  await rejects(
    loadPairs(path, {
      leftLen: 1,
      rightLen: 1,
      vocab: 10,
      tokenizer: "char",
      vocabularies: { left: new Vocabulary("word", 10, ["a"]) },
    }),
    {
      message:
        'Expected the left tokenizer to be "word" as in vocabularies.left but found "char"',
    },
  );
});

Deno.test("loadPairs() rejects a sequence length below 1", async () => {
  await rejects(
    loadPairs("unused.tsv", { leftLen: 0, rightLen: 1, vocab: 10 }),
    {
      name: "RangeError",
      message: "Expected leftLen to be an integer of at least 1 but found 0",
    },
  );
});

Deno.test("loadPairs() rejects a vocab below 3", async () => {
  await rejects(
    loadPairs("unused.tsv", { leftLen: 1, rightLen: 1, vocab: 2.5 }),
    {
      message: "Expected vocab to be an integer of at least 3 but found 2.5",
    },
  );
});

Deno.test("loadPairs() passes data errors through from reading", async () => {
  const path = await tempFile("train.tsv", "a\tb\t1\nc\td\tmaybe\n");
  await rejects(
    loadPairs(path, { leftLen: 1, rightLen: 1, vocab: 10, name: "train.tsv" }),
    {
      message: 'train.tsv:2: field "label": expected 0 or 1 but found "maybe"',
    },
  );
});

Deno.test("openPairBlocks() yields loadPairs()'s rows, labels and counts, block by block", async () => {
  const lines = Array.from(
    { length: 7 },
    (_, i) => `w${i} x${i % 3}\t${"y ".repeat(i)}z${i}\t${i % 2}`,
  );
  const path = await tempFile(
    "blocks.tsv",
    `left\tright\tlabel\n${lines.join("\n")}\n`,
  );
  const whole = await loadPairs(path, { leftLen: 2, rightLen: 4, vocab: 30 });
  const vocabularies = { left: whole.leftVocab!, right: whole.rightVocab! };
  const options = { leftLen: 2, rightLen: 4, vocab: 30, vocabularies };
  const again = await loadPairs(path, options);
  const file = await openPairBlocks(path, options, 3);
  strictEqual(file.size, 7);
  strictEqual(file.labelled, true);
  const sizes: number[] = [], left: number[] = [], right: number[] = [];
  const labels: number[] = [];
  for await (const block of file.blocks) {
    sizes.push(block.size);
    left.push(...block.left);
    right.push(...block.right);
    labels.push(...block.labels!);
  }
  deepStrictEqual(sizes, [3, 3, 1]);
  deepStrictEqual(left, [...again.pairs.left]);
  deepStrictEqual(right, [...again.pairs.right]);
  deepStrictEqual(labels, [...again.pairs.labels!]);
  deepStrictEqual(file.stats, again.stats);
  await rejects(() => openPairBlocks(path, options, 0), /blockSize/);
});

Deno.test("openPairBlocks() pads short pre-tokenized rows with zeros in reused buffers", async () => {
  // long rows first, then short ones in the blocks that reuse their buffers
  const rows = [[5, 6, 7], [8, 9, 4], [1], [2], [3], [4]];
  const path = await tempFile(
    "reuse.jsonl",
    rows.map((r) => JSON.stringify({ left: r, right: r })).join("\n") + "\n",
  );
  const options = { leftLen: 3, rightLen: 3, vocab: 10 };
  const whole = await loadPairs(path, options);
  const file = await openPairBlocks(path, options, 2);
  const left: number[] = [], right: number[] = [];
  for await (const block of file.blocks) {
    left.push(...block.left);
    right.push(...block.right);
  }
  deepStrictEqual(left, [...whole.pairs.left]);
  deepStrictEqual(right, [...whole.pairs.right]);
  deepStrictEqual(left.slice(12), [3, 0, 0, 4, 0, 0]);
});
