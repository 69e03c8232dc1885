"""PyTorch twin of the matcher recipe's step in bench/step_bench.ts, on CPU.

One shared branch: nn.Embedding(100, 32, padding_idx=0) -> nn.LSTM(32, 128,
batch_first=True) over the padded batch -> max over each row's valid steps
-> nn.Linear(128, 256). Not packed sequences: their backward took about 3 s
per step here (PyTorch 1.13, Debian's build), against 110-170 ms padded. Loss: in-batch softmax on cosines / 0.05, both directions averaged
(src/loss/in_batch.ts). Batch 32, lengths 52 + 256 cut and padded from
FOLDOC-like text lengths: the same 32 + 32 lengths as step_bench.ts's
matcherLengths, passed on the command line. Training step: forward both
sides, loss, backward, Adam. Inference: both sides under torch.no_grad().

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 \
        bench/peers/torch_matcher.py THREADS --left L1,L2,... --right R1,R2,... [--reps N]

Prints one JSON line: {"train_ms", "infer_ms", "train_min_ms",
"infer_min_ms", "threads", ...} (milliseconds per batch).
"""
import argparse
import json
import os
import statistics
import time

import torch
from torch import nn

VOCAB, EMBED, UNITS, OUT, TEMPERATURE = 100, 32, 128, 256, 0.05
LEFT, RIGHT = 52, 256


class Encoder(nn.Module):
    """Embedding -> LSTM -> masked max over time -> Dense."""

    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, EMBED, padding_idx=0)
        self.lstm = nn.LSTM(EMBED, UNITS, batch_first=True)
        self.dense = nn.Linear(UNITS, OUT)

    def forward(self, ids, lengths):
        h, _ = self.lstm(self.embed(ids))  # [B, T, H]
        valid = torch.arange(ids.shape[1])[None, :] < lengths[:, None]  # [B, T]
        h = h.masked_fill(~valid[:, :, None], float("-inf"))
        return self.dense(h.max(dim=1).values)


def in_batch_softmax(a, b):
    """Cross-entropy of each left over the rights and back, on cosines / t."""
    a = nn.functional.normalize(a, dim=1)
    b = nn.functional.normalize(b, dim=1)
    logits = a @ b.T / TEMPERATURE
    target = torch.arange(a.shape[0])
    ce = nn.functional.cross_entropy
    return (ce(logits, target) + ce(logits.T, target)) / 2


def ids_of(lengths, steps, side, generator):
    """Token ids [B, steps], random in [1, VOCAB), 0 after each length."""
    ids = torch.randint(1, VOCAB, (len(lengths), steps), generator=generator)
    for b, n in enumerate(lengths):
        ids[b, n:] = 0
    return ids


def timed(fn, reps):
    """Median and min milliseconds of `reps` runs after two warm-up runs."""
    fn()
    fn()
    ms = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        ms.append((time.perf_counter() - t0) * 1000)
    return statistics.median(ms), min(ms)


def lengths_arg(text, cut):
    """A comma-separated list of lengths in [1, cut]."""
    values = [int(x) for x in text.split(",")]
    if not values or any(n < 1 or n > cut for n in values):
        raise argparse.ArgumentTypeError(f"expected lengths in [1, {cut}] but found {text}")
    return values


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("threads", type=int, help="torch.set_num_threads(N)")
    p.add_argument("--left", required=True, type=lambda s: lengths_arg(s, LEFT))
    p.add_argument("--right", required=True, type=lambda s: lengths_arg(s, RIGHT))
    p.add_argument("--reps", type=int, default=10, help="timed repetitions (default 10)")
    args = p.parse_args()
    if len(args.left) != len(args.right):
        p.error("--left and --right need as many lengths")
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    encoder = Encoder()
    opt = torch.optim.Adam(encoder.parameters(), lr=3e-3)
    ids_l = ids_of(args.left, LEFT, 0, g)
    ids_r = ids_of(args.right, RIGHT, 1, g)
    len_l = torch.tensor(args.left)
    len_r = torch.tensor(args.right)

    def train():
        opt.zero_grad()
        loss = in_batch_softmax(encoder(ids_l, len_l), encoder(ids_r, len_r))
        loss.backward()
        opt.step()
        return loss.item()

    def infer():
        with torch.no_grad():
            return encoder(ids_l, len_l), encoder(ids_r, len_r)

    train_ms, train_min = timed(train, args.reps)
    infer_ms, infer_min = timed(infer, args.reps)
    print(json.dumps({
        "train_ms": round(train_ms, 2),
        "infer_ms": round(infer_ms, 2),
        "train_min_ms": round(train_min, 2),
        "infer_min_ms": round(infer_min, 2),
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "batch": len(args.left),
        "steps": [LEFT, RIGHT],
        "reps": args.reps,
        "loadavg": [round(x, 2) for x in os.getloadavg()],
    }))


if __name__ == "__main__":
    main()
