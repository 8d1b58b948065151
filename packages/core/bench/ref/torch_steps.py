"""Two training steps of issue 14's targets in PyTorch, one thread (torch.set_num_threads(1)):

- mlp: [784,128,64,10] at batch 64, no bias, ReLU, MSE against random targets, then plain SGD
  (lr 1e-3) by hand, as packages/core/bench/float32.ts's mlpStep;
- batched: [2,64,64,1], sigmoid, no bias, MSE, SGD lr 0.5 on a full batch of 4,096 samples, as
  packages/nn/bench/batched.ts (random inputs of the same shape; the values do not change the work).

packages/nn/bench/vs-torch.ts calls this once per round, between its own cases:

    /usr/bin/python3 packages/core/bench/ref/torch_steps.py [--steps K]

One JSON line: for mlp and batched, float64 and float32, wall and CPU ms per step (mean over
K steps after 5 to warm up), and torch's version.
"""
import json
import sys

import torch

from common import arg, per_call_both


def mlp(dtype):
    g = torch.Generator().manual_seed(3)
    sizes = [784, 128, 64, 10]
    ws = [(torch.randn(sizes[l], sizes[l + 1], generator=g, dtype=dtype) * (2 / sizes[l]) ** 0.5).requires_grad_() for l in range(3)]
    x = torch.randn(64, 784, generator=g, dtype=dtype)
    y = torch.randn(64, 10, generator=g, dtype=dtype)

    def step():
        h = x
        for l, w in enumerate(ws):
            h = h @ w
            if l + 1 < len(ws):
                h = torch.relu(h)
        loss = ((h - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            for w in ws:
                w -= 1e-3 * w.grad
                w.grad = None

    return step


def batched(dtype):
    g = torch.Generator().manual_seed(3)
    dims = [2, 64, 64, 1]
    ws = [(torch.randn(dims[l], dims[l + 1], generator=g, dtype=dtype) * (2 / (dims[l] + dims[l + 1])) ** 0.5).requires_grad_() for l in range(3)]
    x = torch.rand(4096, 2, generator=g, dtype=dtype)
    y = (x[:, :1] > x[:, 1:]).to(dtype)
    opt = torch.optim.SGD(ws, lr=0.5)

    def step():
        opt.zero_grad()
        h = x
        for w in ws:
            h = torch.sigmoid(h @ w)
        loss = ((h - y) ** 2).mean()
        loss.backward()
        opt.step()

    return step


def main():
    torch.set_num_threads(1)
    steps = arg('--steps') or 20
    out = {'torch': torch.__version__, 'python': sys.version.split()[0]}
    for name, make in (('mlp', mlp), ('batched', batched)):
        for dname, dtype in (('float64', torch.float64), ('float32', torch.float32)):
            wall, cpu = per_call_both(make(dtype), steps)
            out[f'{name}/{dname}'] = {'wallMs': wall, 'cpuMs': cpu}
    print(json.dumps(out))


main()
