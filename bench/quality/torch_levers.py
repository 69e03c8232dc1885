"""Quick screening of quality levers in a PyTorch twin of the matcher recipe.

Each arm trains the matcher's LSTMs (shared encoder: char Embedding(32) ->
LSTM(128) -> masked max over time -> Dense(256); in-batch softmax on cosines
/ 0.05, both directions; Adam 3e-3; batch 32; lefts cut at 52 characters,
rights at 256) on `PREFIX_train.tsv` less a 10% validation split, for a wall
time budget on one thread. After each epoch it ranks the validation split
and the held-out `PREFIX_test.tsv` (each left against all rights): the
LSTMs alone, and mixed with TF-IDF over character 3-grams (row-standardized
scores, the weight of TF-IDF chosen per split from 0, 0.05, ..., 1). It is
a screen, not the project's trainer: a lever that wins here is then built
into `src/` and measured with `deno task bench:quality`
(docs/quality_results.md, session 11).

    /usr/bin/python3 bench/quality/torch_levers.py --data bench/.data/foldoc \\
        --minutes 16 [--pooled-dropout 0.3] [--embed-dropout 0.2] \\
        [--token-dropout 0.1] [--ngram-buckets 65536] [--hard-batches tfidf|mix]
        [--cluster 8] [--simcse-epochs 1] [--simcse-dropout 0.1] [--seed 1] --json-out F

Levers: `--pooled-dropout` (dropout on the pooled features before the
Dense), `--embed-dropout` (dropout on the character embeddings),
`--token-dropout` (each character replaced by the unknown id with this
probability in training), `--ngram-buckets N` (each position's character
bigram and trigram hashed into N buckets of a second embedding table, summed
into the character's embedding; fastText-style subwords), `--hard-batches`
(each epoch's batches made of groups of `--cluster` pairs: a pair and the
not yet used ones among the 16 whose rights score highest against its left,
by TF-IDF alone, or by the mix of the model and TF-IDF at the weight chosen
on validation after the last epoch, mined again every epoch),
`--simcse-epochs N` (N epochs over the training texts alone before the pairs,
each text against itself under two dropout masks, embedding dropout
`--simcse-dropout`).

Prints one JSON line per epoch and writes them all to `--json-out`.
"""
import argparse
import json
import math
import os
import random
import time
from collections import Counter

import numpy as np
import torch
from torch import nn

LEFT, RIGHT, BATCH, EMBED, UNITS, OUT = 52, 256, 32, 32, 128, 256


def read_pairs(path):
    """(left, right) rows of a TSV with a header line, lowercased."""
    rows = []
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            left, right = line.rstrip("\n").split("\t")
            rows.append((left.lower(), right.lower()))
    return rows


def tfidf_scores(rows):
    """TF-IDF cosines over character 3-grams, lefts x rights."""

    def grams(t):
        t = " " + t + " "
        return Counter(t[i : i + 3] for i in range(len(t) - 2))

    docs = [grams(r) for _, r in rows]
    queries = [grams(q) for q, _ in rows]
    df = Counter(g for d in docs for g in d)
    n = len(docs)
    idf = {g: math.log((1 + n) / (1 + c)) + 1 for g, c in df.items()}
    index = {g: i for i, g in enumerate(df)}

    def matrix(counts):
        m = np.zeros((n, len(index)), np.float32)
        for i, c in enumerate(counts):
            for g, k in c.items():
                if g in index:
                    m[i, index[g]] = k * idf[g]
        return m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-12)

    return matrix(queries) @ matrix(docs).T


def ranks_metrics(s):
    """recall@1, recall@10 and MRR when left i's match is right i."""
    diag = s[np.arange(len(s)), np.arange(len(s))]
    rank = (s > diag[:, None]).sum(1)
    return {
        "r1": float((rank < 1).mean()),
        "r10": float((rank < 10).mean()),
        "mrr": float((1 / (rank + 1)).mean()),
    }


def standardized(s):
    return (s - s.mean(1, keepdims=True)) / (s.std(1, keepdims=True) + 1e-9)


class Encoder(nn.Module):
    def __init__(self, vocab, args):
        super().__init__()
        self.buckets = args.ngram_buckets
        self.embed = nn.Embedding(vocab, EMBED, padding_idx=0)
        if self.buckets:
            self.ngrams = nn.Embedding(self.buckets, EMBED, sparse=True)
            nn.init.normal_(self.ngrams.weight, std=0.02)
        self.lstm = nn.LSTM(EMBED, UNITS, batch_first=True)
        self.dense = nn.Linear(UNITS, OUT)
        self.embed_dropout = nn.Dropout(args.embed_dropout)
        self.pooled_dropout = nn.Dropout(args.pooled_dropout)

    def forward(self, ids, lengths):
        x = self.embed(ids)
        if self.buckets:
            p1 = nn.functional.pad(ids, (1, 0))[:, :-1]
            p2 = nn.functional.pad(ids, (2, 0))[:, :-2]
            bigram = (p1 * 1000003 + ids * 7919 + 1) % self.buckets
            trigram = (p2 * 999983 + p1 * 1000003 + ids * 7919 + 2) % self.buckets
            x = x + self.ngrams(bigram) + self.ngrams(trigram)
        h, _ = self.lstm(self.embed_dropout(x))
        valid = torch.arange(ids.shape[1])[None, :] < lengths[:, None]
        h = h.masked_fill(~valid[:, :, None], float("-inf"))
        pooled = self.pooled_dropout(h.max(1).values)
        return nn.functional.normalize(self.dense(pooled), dim=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True, help="PREFIX of PREFIX_{train,test}.tsv")
    ap.add_argument("--minutes", type=float, default=16)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--pooled-dropout", type=float, default=0.0)
    ap.add_argument("--embed-dropout", type=float, default=0.0)
    ap.add_argument("--token-dropout", type=float, default=0.0)
    ap.add_argument("--ngram-buckets", type=int, default=0)
    ap.add_argument("--hard-batches", choices=["none", "tfidf", "mix"], default="none")
    ap.add_argument("--cluster", type=int, default=8)
    ap.add_argument("--simcse-epochs", type=int, default=0)
    ap.add_argument("--simcse-dropout", type=float, default=0.1)
    ap.add_argument("--json-out", required=True)
    args = ap.parse_args()

    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    noise = torch.Generator().manual_seed(args.seed)
    train = read_pairs(args.data + "_train.tsv")
    test = read_pairs(args.data + "_test.tsv")
    rng.shuffle(train)
    n_val = len(train) // 10
    val, train = train[:n_val], train[n_val:]
    chars = Counter(c for left, right in train for c in left + right)
    vocab = {c: i + 2 for i, c in enumerate(sorted(chars))}  # 0 pad, 1 unknown

    def ids_of(texts, steps):
        ids = np.zeros((len(texts), steps), np.int64)
        lengths = np.zeros(len(texts), np.int64)
        for i, t in enumerate(texts):
            t = t[:steps]
            ids[i, : len(t)] = [vocab.get(c, 1) for c in t]
            lengths[i] = max(1, len(t))
        return torch.from_numpy(ids), torch.from_numpy(lengths)

    model = Encoder(len(vocab) + 2, args)
    dense_params = [p for n, p in model.named_parameters() if not n.startswith("ngrams.")]
    optimizers = [torch.optim.Adam(dense_params, lr=3e-3)]
    if args.ngram_buckets:
        optimizers.append(torch.optim.SparseAdam(list(model.ngrams.parameters()), lr=3e-3))

    def embed_all(texts, steps):
        model.eval()
        with torch.no_grad():
            out = [model(*ids_of(texts[i : i + 256], steps)) for i in range(0, len(texts), 256)]
        model.train()
        return torch.cat(out).numpy()

    def evaluate(rows, lexical):
        s = embed_all([q for q, _ in rows], LEFT) @ embed_all([d for _, d in rows], RIGHT).T
        best = max(
            ((w / 20, ranks_metrics(w / 20 * standardized(lexical) + (1 - w / 20) * standardized(s))) for w in range(21)),
            key=lambda x: x[1]["r10"],
        )
        return {"model": ranks_metrics(s), "mix": best[1], "tfidf_weight": best[0]}

    lexical_val, lexical_test = tfidf_scores(val), tfidf_scores(test)
    lexical_train = tfidf_scores(train) if args.hard_batches != "none" else None
    mix_weight = 1.0

    def neighbours():
        """Each training left's 16 most confusable training rights (not its own)."""
        s = standardized(lexical_train)
        if args.hard_batches == "mix" and epoch > 1:
            learned = embed_all([q for q, _ in train], LEFT) @ embed_all([d for _, d in train], RIGHT).T
            s = mix_weight * s + (1 - mix_weight) * standardized(learned)
        np.fill_diagonal(s, -np.inf)
        return np.argpartition(-s, 16, axis=1)[:, :16]

    def hard_order(near):
        """Batches made of clusters: a random pair, then unused pairs among its neighbours."""
        used = np.zeros(len(train), bool)
        out = []
        for i in rng.sample(range(len(train)), len(train)):
            if used[i]:
                continue
            used[i] = True
            out.append(i)
            taken = 1
            for j in near[i]:
                if taken == args.cluster:
                    break
                if not used[j]:
                    used[j] = True
                    out.append(int(j))
                    taken += 1
        return out

    print(json.dumps({"tfidf": {"val": ranks_metrics(lexical_val), "test": ranks_metrics(lexical_test)}}), flush=True)
    def step(logits):
        """One optimizer step on the in-batch softmax of `logits`, both directions; the loss."""
        target = torch.arange(BATCH)
        ce = nn.functional.cross_entropy
        loss = (ce(logits, target) + ce(logits.T, target)) / 2
        for o in optimizers:
            o.zero_grad()
        loss.backward()
        for o in optimizers:
            o.step()
        return loss.item()

    log = []
    start = time.time()
    for warm in range(args.simcse_epochs):
        # SimCSE-style warm-up: each training text against itself under two
        # dropout masks, the other texts of its batch the negatives
        t0, total, steps = time.time(), 0.0, 0
        model.embed_dropout.p = args.simcse_dropout
        for side, steps_len in ((0, LEFT), (1, RIGHT)):
            texts = [pair[side] for pair in train]
            rng.shuffle(texts)
            for s in range(0, len(texts) - BATCH + 1, BATCH):
                ids, lengths = ids_of(texts[s : s + BATCH], steps_len)
                total += step(model(ids, lengths) @ model(ids, lengths).T / 0.05)
                steps += 1
        model.embed_dropout.p = args.embed_dropout
        record = {"warmup": warm + 1, "loss": total / steps, "seconds": time.time() - t0,
                  "val": evaluate(val, lexical_val), "test": evaluate(test, lexical_test)}
        log.append(record)
        print(json.dumps(record), flush=True)
    epoch = 0
    while time.time() - start < args.minutes * 60:
        epoch += 1
        if args.hard_batches == "none":
            order = list(range(len(train)))
            rng.shuffle(order)
        else:
            order = hard_order(neighbours())
        total, steps, t0 = 0.0, 0, time.time()
        for s in range(0, len(order) - BATCH + 1, BATCH):
            batch = [train[k] for k in order[s : s + BATCH]]
            left, left_len = ids_of([q for q, _ in batch], LEFT)
            right, right_len = ids_of([d for _, d in batch], RIGHT)
            if args.token_dropout > 0:
                for ids in (left, right):
                    hit = (torch.rand(ids.shape, generator=noise) < args.token_dropout) & (ids > 0)
                    ids[hit] = 1
            total += step(model(left, left_len) @ model(right, right_len).T / 0.05)
            steps += 1
            if time.time() - start > args.minutes * 60:
                break
        record = {
            "epoch": epoch,
            "loss": total / steps,
            "ms": 1000 * (time.time() - t0) / steps,
            "val": evaluate(val, lexical_val),
            "test": evaluate(test, lexical_test),
        }
        mix_weight = record["val"]["tfidf_weight"]
        log.append(record)
        print(json.dumps(record), flush=True)
        with open(args.json_out + ".tmp", "w") as f:
            json.dump(log, f)
        os.replace(args.json_out + ".tmp", args.json_out)


if __name__ == "__main__":
    main()
