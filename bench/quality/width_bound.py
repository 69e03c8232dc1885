"""How much of character 3-gram TF-IDF's retrieval survives in a short vector.

The learned models end in a dense vector (256 wide for the seed and the
matcher recipe). This script asks how well TF-IDF itself ranks when squeezed
into that many dimensions, by a random projection and by the best linear
projection in the least-squares sense (truncated SVD, "LSA", fitted on the
training pairs), against the full sparse TF-IDF. Same task as the quality
bench: each held-out term ranks all held-out definitions (terms cut at 52
characters, definitions at 256, as the matcher recipe cuts them).

Needs numpy only; reads the files `bench/quality/make_data.ts` writes:

    /usr/bin/python3 bench/quality/width_bound.py [bench/.data]

Prints recall@10 and recall@1 per row. Not part of any test or task.
"""

import collections
import re
import sys

import numpy as np


def load(path):
    with open(path, encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f][1:]
    return [r[0] for r in rows], [r[1] for r in rows]


def grams(text, cut):
    text = " " + re.sub(r"\s+", " ", text.lower()[:cut]).strip() + " "
    return [text[i : i + 3] for i in range(len(text) - 2)]


def counts(texts, cut, vocab):
    m = np.zeros((len(texts), len(vocab)), dtype=np.float32)
    for i, t in enumerate(texts):
        for g in grams(t, cut):
            j = vocab.get(g)
            if j is not None:
                m[i, j] += 1
    return m


def unit(m):
    return m / (np.linalg.norm(m, axis=1, keepdims=True) + 1e-9)


def recall(queries, docs):
    s = unit(queries) @ unit(docs).T
    rank = (s > np.diag(s)[:, None]).sum(1)
    return f"recall@10 {np.mean(rank < 10):.3f}  recall@1 {np.mean(rank < 1):.3f}"


def lsa(x, k, rng):
    """Top-k right singular vectors of x, by a randomized SVD."""
    y = x @ rng.standard_normal((x.shape[1], k + 20)).astype(np.float32)
    for _ in range(2):
        y = x @ (x.T @ y)
    q, _ = np.linalg.qr(y)
    _, _, vt = np.linalg.svd(q.T @ x, full_matrices=False)
    return vt[:k].T


def main():
    data = sys.argv[1] if len(sys.argv) > 1 else "bench/.data"
    train_terms, train_defs = load(f"{data}/foldoc_train.tsv")
    test_terms, test_defs = load(f"{data}/foldoc_test.tsv")
    df = collections.Counter()
    for t in train_terms:
        df.update(set(grams(t, 52)))
    for t in train_defs:
        df.update(set(grams(t, 256)))
    vocab = {g: i for i, g in enumerate(df)}
    n = 2 * len(train_terms)
    idf = np.array([np.log((1 + n) / (1 + df[g])) + 1 for g in vocab], dtype=np.float32)
    q = counts(test_terms, 52, vocab) * idf
    d = counts(test_defs, 256, vocab) * idf
    print(f"{len(vocab)} distinct 3-grams in the training pairs")
    print(f"TF-IDF, full ({len(vocab)} wide)   {recall(q, d)}")
    rng = np.random.default_rng(1)
    x = np.vstack([
        unit(counts(train_defs, 256, vocab) * idf),
        unit(counts(train_terms, 52, vocab) * idf),
    ])
    for k in (256, 1024):
        r = rng.uniform(-1, 1, (len(vocab), k)).astype(np.float32)
        print(f"TF-IDF, random projection to {k:4}  {recall(q @ r, d @ r)}")
        p = lsa(x, k, rng)
        print(f"TF-IDF, LSA to {k:4}                {recall(q @ p, d @ p)}")


if __name__ == "__main__":
    main()
