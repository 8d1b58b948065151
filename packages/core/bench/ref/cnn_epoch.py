"""One training epoch of the digits CNN (`pnpm demo digits`) in PyTorch: conv 1→8 3×3 pad 1 →
ReLU → max-pool 2 → conv 8→16 3×3 pad 1 → ReLU → max-pool 2 → flatten → linear 64→10, softmax
cross-entropy, Adam lr 0.01, batch 32 over 1,438 training images of 8×8 (44 batches of 32 and
one of 30), in a fresh shuffled order each epoch. packages/nn/bench/digits.ts times the same
epoch in gradlab and calls this script once per round, between its own cases.

Per epoch and batch, as the gradlab trainer does: gather the batch, forward, loss, backward,
Adam step, and read the loss (`loss.item()`). The images are the first 1,438 rows of
packages/data/datasets/digits.csv.gz scaled to 0…1 (the values do not change the work).

    /usr/bin/python3 packages/core/bench/ref/cnn_epoch.py [--epochs K] [--two]

Prints one JSON line: for each of float64 / float32 on one thread (torch.set_num_threads(1)),
on two (with --two) and on the default count (torch.get_num_threads() at start; 1 on this machine, whose
OpenMP reports omp_get_max_threads() = 1 on 2 cores), the median wall and CPU ms per epoch over
K epochs (after one to warm up), and the versions.
"""
import gzip
import json
import os
import sys
import time

import numpy as np
import torch

from common import arg

TRAIN, BATCH, LR = 1438, 32, 0.01
HERE = os.path.dirname(os.path.abspath(__file__))
CSV = os.path.join(HERE, '..', '..', '..', 'data', 'datasets', 'digits.csv.gz')


def load():
    with gzip.open(CSV, 'rt') as f:
        rows = np.loadtxt(f, delimiter=',')
    x = rows[:TRAIN, :64].reshape(TRAIN, 1, 8, 8) / 16.0
    y = rows[:TRAIN, 64].astype(np.int64)
    return x, y


def model(dtype):
    torch.manual_seed(1)
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(8, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(64, 10),
    ).to(dtype)


def epoch_timer(dtype, x_np, y_np):
    x = torch.tensor(x_np, dtype=dtype)
    y = torch.tensor(y_np)
    net = model(dtype)
    opt = torch.optim.Adam(net.parameters(), lr=LR)
    loss_fn = torch.nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(1)

    def epoch():
        order = torch.randperm(TRAIN, generator=gen)
        total = 0.0
        for start in range(0, TRAIN, BATCH):
            idx = order[start:start + BATCH]
            xb, yb = x.index_select(0, idx), y.index_select(0, idx)
            opt.zero_grad()
            loss = loss_fn(net(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item()
        return total

    return epoch


def timed(epoch, epochs):
    epoch()  # warm-up
    wall, cpu = [], []
    for _ in range(epochs):
        t0, c0 = time.perf_counter(), time.process_time()
        epoch()
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return {'wallMs': float(np.median(wall)), 'cpuMs': float(np.median(cpu))}


def main():
    epochs = arg('--epochs') or 3
    x, y = load()
    default_threads = torch.get_num_threads()
    out = {'torch': torch.__version__, 'defaultThreads': default_threads, 'python': sys.version.split()[0]}
    for threads in sorted({1, default_threads} | ({2} if '--two' in sys.argv else set())):
        torch.set_num_threads(threads)
        for name, dtype in (('float64', torch.float64), ('float32', torch.float32)):
            out[f'{name}/{threads}'] = timed(epoch_timer(dtype, x, y), epochs)
    print(json.dumps(out))


main()
