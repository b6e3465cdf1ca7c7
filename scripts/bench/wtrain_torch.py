#!/usr/bin/env python3
"""W-TRAIN of ../shared/bench/REFERENCE.md in PyTorch on the CPU: the same model, batch, optimiser
and measurement as scripts/lib/wtrain.ts, so `npm run bench:train` can set the two
side by side in one run. Prints one JSON line. Needs python3 and torch (Debian: python3-torch).

    python3 scripts/bench/wtrain_torch.py [--batch 2048] [--steps 50] [--warmup 5] [--reps 3]
"""
import argparse
import json
import os
import time

import torch
from torch import nn
import torch.nn.functional as F


class Tower(nn.Module):
    def __init__(self, n_in):
        super().__init__()
        self.dense = nn.Linear(n_in, 128)
        self.bn = nn.BatchNorm1d(128)
        self.out = nn.Linear(128, 64)

    def forward(self, x):
        return F.normalize(self.out(F.relu(self.bn(self.dense(x)))), dim=1, eps=1e-6)


class TwoTower(nn.Module):
    def __init__(self):
        super().__init__()
        self.country = nn.Embedding(60, 8)
        self.gender = nn.Embedding(3, 2)
        self.top_genre = nn.Embedding(120, 8)
        self.artist = nn.Embedding(30000, 32)
        self.main_genre = nn.Embedding(120, 8)
        self.user = Tower(20 + 8 + 2 + 8)
        self.item = Tower(16 + 32 + 8)
        self.head = nn.Linear(1, 1)

    def forward(self, u_num, country, gender, top_genre, i_num, artist, main_genre):
        u = self.user(torch.cat([u_num, self.country(country), self.gender(gender), self.top_genre(top_genre)], 1))
        v = self.item(torch.cat([i_num, self.artist(artist), self.main_genre(main_genre)], 1))
        return self.head((u * v).sum(1, keepdim=True)).squeeze(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--batch', type=int, default=2048)
    ap.add_argument('--steps', type=int, default=50)
    ap.add_argument('--warmup', type=int, default=5)
    ap.add_argument('--reps', type=int, default=3)
    ap.add_argument('--threads', type=int, default=0, help='torch threads (0 = its default)')
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    B = a.batch
    total = B * (a.steps + a.warmup)
    data = dict(
        u_num=torch.randn(total, 20), country=torch.randint(0, 60, (total,)), gender=torch.randint(0, 3, (total,)),
        top_genre=torch.randint(0, 120, (total,)), i_num=torch.randn(total, 16), artist=torch.randint(0, 30000, (total,)),
        main_genre=torch.randint(0, 120, (total,)), label=(torch.rand(total) < 0.5).float(),
    )
    model = TwoTower()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step(s):
        sl = slice(s * B, (s + 1) * B)
        opt.zero_grad(set_to_none=True)
        logit = model(*(data[k][sl] for k in ('u_num', 'country', 'gender', 'top_genre', 'i_num', 'artist', 'main_genre')))
        loss = F.binary_cross_entropy_with_logits(logit, data['label'][sl])
        loss.backward()
        opt.step()
        return loss

    reps = []
    for _ in range(a.reps):
        for s in range(a.warmup):
            step(s)
        t0 = time.perf_counter()
        for s in range(a.steps):
            step(a.warmup + s).item() if s == a.steps - 1 else step(a.warmup + s)
        reps.append(B * a.steps / (time.perf_counter() - t0))
    med = sorted(reps)[len(reps) // 2]
    print(json.dumps({
        'workload': 'W-TRAIN', 'backend': 'pytorch-cpu', 'batch': B, 'examples_per_s': round(med),
        'rep_examples_per_s': [round(r) for r in reps], 'torch': torch.__version__, 'threads': torch.get_num_threads(),
        'cpus': os.cpu_count(),
    }))


if __name__ == '__main__':
    main()
