/**
 * Scores pairs from an export directory alone, as another language would:
 * the tokenizer from tokenizer.json, the vectors from ONNX Runtime, the
 * lexical channel from lexical.json and the mix from scoring.json, following
 * docs/export.md. Imports nothing from src/ on purpose.
 *
 * @module
 */
import * as ort from "../../bench/peers/onnxruntime_node.ts";

interface Side {
  kind: string;
  length: number;
  lexical_length: number;
  vocab: Record<string, number>;
}

/** Tokens of `text` as tokenizer.json describes `kind`. */
export function tokens(text: string, kind: string): string[] {
  const clean = text.normalize("NFC").toLowerCase();
  if (kind === "word") return clean.match(/[\p{L}\p{M}\p{N}]+/gu) ?? [];
  if (kind === "char") return [...clean];
  const cps = [..." " + clean.replace(/\s+/gu, " ").trim() + " "];
  return cps.slice(1, -1).map((c, i) => cps[i]! + c + cps[i + 2]!);
}

function ids(text: string, side: Side, len: number): number[] {
  const out = tokens(text, side.kind).slice(0, len).map((t) =>
    side.vocab[t] ?? 1
  );
  while (out.length < len) out.push(0);
  return out;
}

async function vectors(file: string, rows: number[][]): Promise<number[][]> {
  const session = await ort.InferenceSession.create(file);
  const len = rows[0]!.length;
  const input = new ort.Tensor(
    "int64",
    BigInt64Array.from(rows.flat(), BigInt),
    [rows.length, len],
  );
  const data = (await session.run({ ids: input })).vector!.data as Float32Array;
  await session.release();
  const D = data.length / rows.length;
  return rows.map((_, i) => Array.from(data.subarray(i * D, (i + 1) * D)));
}

function tfidf(
  row: number[],
  lex: { n: number; vocab: number; documents: number; df: Map<number, number> },
) {
  const end = row.indexOf(0) < 0 ? row.length : row.indexOf(0);
  const toks = row.slice(0, end);
  const tf = new Map<number, number>();
  if (toks.length > 0) {
    const padded = lex.n === 1 ? toks : [0, ...toks, 0];
    for (let k = 0; k + lex.n <= padded.length; k++) {
      let g = 0;
      for (let j = 0; j < lex.n; j++) g = g * lex.vocab + padded[k + j]!;
      tf.set(g, (tf.get(g) ?? 0) + 1);
    }
  }
  const w = new Map<number, number>();
  for (const [g, c] of tf) {
    w.set(
      g,
      c * (Math.log((1 + lex.documents) / (1 + (lex.df.get(g) ?? 0))) + 1),
    );
  }
  const norm = Math.hypot(...w.values());
  for (const [g, v] of w) w.set(g, v / norm);
  return w;
}

const dot = (a: number[], b: number[]) =>
  a.reduce((t, x, k) => t + x * b[k]!, 0);

/**
 * The score of each pair `(left[i], right[i])`, from the files of `dir`.
 */
export async function referenceScores(
  dir: string,
  pairs: [string, string][],
): Promise<number[]> {
  const tok = JSON.parse(await Deno.readTextFile(`${dir}/tokenizer.json`));
  const scoring = JSON.parse(await Deno.readTextFile(`${dir}/scoring.json`));
  const [L, R] = [tok.left as Side, tok.right as Side];
  const u = await vectors(
    `${dir}/left.onnx`,
    pairs.map(([l]) => ids(l, L, L.length)),
  );
  const v = await vectors(
    `${dir}/right.onnx`,
    pairs.map(([, r]) => ids(r, R, R.length)),
  );
  const model = u.map((a, i) => {
    const b = v[i]!;
    return scoring.distance === "cosine"
      ? dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b))
      : -Math.sqrt(a.reduce((t, x, k) => t + (x - b[k]!) ** 2, 0));
  });
  if (scoring.lexical === null) return model;
  const j = JSON.parse(
    await Deno.readTextFile(`${dir}/${scoring.lexical.file}`),
  );
  const lex = {
    n: j.n,
    vocab: j.vocab,
    documents: j.documents,
    df: new Map<number, number>(
      j.grams.map((g: number, k: number) => [g, j.df[k]]),
    ),
  };
  const weight = scoring.lexical.weight;
  return pairs.map(([l, r], i) => {
    const a = tfidf(ids(l, L, L.lexical_length), lex);
    const b = tfidf(ids(r, R, R.lexical_length), lex);
    let c = 0;
    for (const [g, x] of a) c += x * (b.get(g) ?? 0);
    return (1 - weight) * model[i]! + weight * c;
  });
}
