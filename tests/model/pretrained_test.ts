import assert from "@std/assert";
import { setupBackend } from "../../src/backend/setup.ts";
import { modelConfig } from "../../src/model/config.ts";
import { buildSiamese } from "../../src/model/siamese.ts";
import {
  type PretrainedEncoder,
  pretrainedEncoder,
  startFromPretrained,
} from "../../src/model/pretrained.ts";
import { PRETRAINED_SHAPE } from "../../src/settings/kinds.ts";
import { base64Of, bytesOf } from "../../src/wasm/kernel_bytes.ts";
import type { VocabularyJson } from "../../src/data/tokenizer.ts";

await setupBackend({ log: false });

const FORMAT = "siamese-wasm/vocabulary@1";
const vocab = (tokens: string[], size = 10): VocabularyJson => ({
  format: FORMAT,
  kind: "char",
  size,
  tokens,
});

const small = (lstmUnits = 3) =>
  modelConfig({
    vocab: 10,
    embeddingDim: 2,
    lstmUnits,
    denseUnits: 4,
    pooling: "max",
    shareWeights: true,
  });

/** An encoder made of a small model's weights, with its own vocabulary. */
function encoderOf(seed: number, tokens: string[]): PretrainedEncoder {
  const model = buildSiamese(small(), seed);
  const weights = model.left.weights.map((w) => {
    let values = w.read().dataSync() as Float32Array;
    const shape = w.shape.slice() as number[];
    if (w.originalName.endsWith("embeddings")) {
      shape[0] = tokens.length + 2;
      values = values.slice(0, shape[0] * shape[1]!);
    }
    return {
      name: w.originalName.slice(w.originalName.indexOf("_") + 1),
      shape,
      base64: base64Of(new Uint8Array(values.slice().buffer)),
    };
  });
  model.left.dispose();
  return {
    name: "test",
    summary: "a test encoder",
    provenance: {},
    settings: {},
    vocabulary: vocab(tokens),
    weights,
  };
}

const values = (e: PretrainedEncoder, name: string) => {
  const b = bytesOf(e.weights.find((w) => w.name === name)!.base64);
  return Array.from(new Float32Array(b.buffer));
};
const rows = (t: number[], dim: number, i: number) =>
  t.slice(i * dim, (i + 1) * dim);

Deno.test("the shipped gcide encoder has the declared shape, char tokens and its provenance", () => {
  const e = pretrainedEncoder("gcide");
  for (const [name, want] of Object.entries(PRETRAINED_SHAPE)) {
    assert.equal(e.settings[name], want, name);
  }
  assert.equal(e.vocabulary.kind, "char");
  assert.ok(e.vocabulary.tokens.includes("e"));
  const names = e.weights.map((w) => w.name);
  assert.deepEqual(names, [
    "embedding/embeddings",
    "lstm/kernel",
    "lstm/recurrent_kernel",
    "lstm/bias",
    "dense/kernel",
    "dense/bias",
  ]);
  for (const w of e.weights) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    assert.equal(bytesOf(w.base64).byteLength, 4 * n, w.name);
  }
  assert.equal(e.weights[0]!.shape[0], e.vocabulary.tokens.length + 2);
  assert.match(String(e.provenance.source), /dict-gcide/);
  assert.match(String(e.provenance.command), /pretrain\/main\.ts/);
  // WordNet stays out of training (it is kept for independent checks)
  assert.ok((e.provenance.dropped as { wordnet: number }).wordnet > 0);
});

Deno.test("startFromPretrained copies the rows of shared tokens and every other weight", () => {
  const encoder = encoderOf(2, ["a", "b", "c"]);
  const model = buildSiamese(small(), 1);
  const emb = model.left.weights[0]!;
  const before = Array.from(emb.read().dataSync());
  const start = startFromPretrained(
    model.left,
    vocab(["c", "x", "a"]),
    encoder,
  );
  assert.deepEqual(start, { tokens: 3, known: 2 });
  const after = Array.from(emb.read().dataSync());
  const pre = values(encoder, "embedding/embeddings");
  assert.deepEqual(rows(after, 2, 0), rows(pre, 2, 0)); // padding
  assert.deepEqual(rows(after, 2, 1), rows(pre, 2, 1)); // unknown
  assert.deepEqual(rows(after, 2, 2), rows(pre, 2, 4)); // "c"
  assert.deepEqual(rows(after, 2, 3), rows(before, 2, 3)); // "x": its own
  assert.deepEqual(rows(after, 2, 4), rows(pre, 2, 2)); // "a"
  assert.deepEqual(rows(after, 2, 5), rows(before, 2, 5)); // unused ids
  for (const [i, name] of [[1, "lstm/kernel"], [5, "dense/bias"]] as const) {
    assert.deepEqual(
      Array.from(model.left.weights[i]!.read().dataSync()),
      values(encoder, name),
    );
  }
  model.left.dispose();
});

Deno.test("startFromPretrained refuses a branch of another shape or tokenizer, naming the part", () => {
  const encoder = encoderOf(2, ["a"]);
  const wider = buildSiamese(small(4), 1);
  assert.throws(() => startFromPretrained(wider.left, vocab(["a"]), encoder), {
    name: "RangeError",
    message: /encoder's lstm\/kernel is \[2,12\] and this branch's is \[2,16\]/,
  });
  const words = { ...vocab(["a"]), kind: "word" as const };
  assert.throws(() => startFromPretrained(wider.left, words, encoder), {
    message: /reads char tokens but this branch's vocabulary is word/,
  });
  wider.left.dispose();
});
