"""PyTorch peer of bench/lstm_bench.ts: the seed siamese model on CPU.

Two branches, each nn.Embedding(1000, 32, padding_idx=0) -> nn.LSTM(32, 64,
batch_first=True) -> nn.Linear(64, 256) on the last hidden state; batch 32,
left length 52, right length 600, all steps valid. Training step: forward
both branches, contrastive loss on the cosine distance, backward, Adam.
Inference: both branches under torch.no_grad().

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 \
        bench/peers/torch_lstm.py THREADS [--reps N]

Prints one JSON line: {"train_ms", "infer_ms", "threads", "blas", ...}
(medians in milliseconds per batch, and "train_min_ms", "infer_min_ms").
"""
import argparse
import json
import os
import re
import statistics
import time

import torch
from torch import nn

VOCAB, EMBED, UNITS, OUT, MARGIN = 1000, 32, 64, 256, 0.5
BATCH, LEFT, RIGHT = 32, 52, 600


class Branch(nn.Module):
    """Embedding -> LSTM -> Dense on the last hidden state."""

    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, EMBED, padding_idx=0)
        self.lstm = nn.LSTM(EMBED, UNITS, batch_first=True)
        self.dense = nn.Linear(UNITS, OUT)

    def forward(self, ids):
        _, (h, _) = self.lstm(self.embed(ids))  # h: [1, B, H]
        return self.dense(h[-1])


def contrastive(a, b, y):
    """mean(y d^2 + (1 - y) max(margin - d, 0)^2), d = 1 - cos(a, b)."""
    d = 1 - nn.functional.cosine_similarity(a, b, dim=1, eps=1e-8)
    return torch.mean(y * d**2 + (1 - y) * torch.clamp(MARGIN - d, min=0) ** 2)


def blas_name():
    """BLAS_INFO of torch.__config__.show(), plus the BLAS library really
    loaded (Debian builds say "generic" and use the system libblas.so.3)."""
    cfg = torch.__config__.show()
    m = re.search(r"BLAS_INFO=([^,\s]+)", cfg)
    info = m.group(1) if m else "unknown"
    torch.ones(8, 8) @ torch.ones(8, 8)  # make sure BLAS is loaded
    try:
        with open("/proc/self/maps") as maps:
            libs = sorted({ln.split()[-1] for ln in maps if "blas" in ln.lower()})
    except OSError:
        libs = []
    return f"BLAS_INFO={info}" + (f"; loaded {', '.join(libs)}" if libs else "")


def timed(fn, reps):
    """Median and min milliseconds of `reps` runs after one warm-up run."""
    fn()
    ms = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        ms.append((time.perf_counter() - t0) * 1000)
    return statistics.median(ms), min(ms)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("threads", type=int, help="torch.set_num_threads(N)")
    p.add_argument("--reps", type=int, default=10, help="timed repetitions (default 10)")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    left, right = Branch(), Branch()
    params = list(left.parameters()) + list(right.parameters())
    opt = torch.optim.Adam(params, lr=1e-3)
    ids_l = torch.randint(1, VOCAB, (BATCH, LEFT))
    ids_r = torch.randint(1, VOCAB, (BATCH, RIGHT))
    y = torch.randint(0, 2, (BATCH,)).float()

    def train():
        opt.zero_grad()
        loss = contrastive(left(ids_l), right(ids_r), y)
        loss.backward()
        opt.step()
        return loss.item()

    def infer():
        with torch.no_grad():
            return left(ids_l), right(ids_r)

    train_ms, train_min = timed(train, args.reps)
    infer_ms, infer_min = timed(infer, args.reps)
    print(json.dumps({
        "train_ms": round(train_ms, 2),
        "infer_ms": round(infer_ms, 2),
        "train_min_ms": round(train_min, 2),
        "infer_min_ms": round(infer_min, 2),
        "threads": torch.get_num_threads(),
        "blas": blas_name(),
        "torch": torch.__version__,
        "batch": BATCH,
        "steps": [LEFT, RIGHT],
        "reps": args.reps,
        "loadavg": [round(x, 2) for x in os.getloadavg()],
    }))


if __name__ == "__main__":
    main()
