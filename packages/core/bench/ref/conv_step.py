"""One training step of a 3x3 conv2d layer (padding 1, bias) on a [64,1,8,8] batch in numpy
float64: forward by im2col (sliding_window_view) and one matmul, loss sum(y * r) / 64 for a fixed
r, gradients for the weight and the bias, SGD lr 0.1 (packages/core/bench/models.ts times the
same step in gradlab). The filter count is the first argument (8 or 16).

    OPENBLAS_NUM_THREADS=1 python3 packages/core/bench/ref/conv_step.py 8 [--steps K]
"""
import sys

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from common import measure, wave

N, C, S, KS, LR = 64, 1, 8, 3, 0.1
O = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 8


def setup():
    x = wave(N * C * S * S, 1.0, 0.37).reshape(N, C, S, S)
    r = wave(N * O * S * S, 1.0, 0.13).reshape(N, O, S, S)
    params = {'w': wave(O * C * KS * KS, 0.3, 0.5, 1.0).reshape(O, C, KS, KS), 'b': 0.01 * np.arange(O, dtype=np.float64)}
    return x, r, params


def step(x, r, p):
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    # cols [N·8·8, C·3·3]: each output position's window, channel-major as w is laid out
    cols = sliding_window_view(xp, (KS, KS), axis=(2, 3)).transpose(0, 2, 3, 1, 4, 5).reshape(N * S * S, C * KS * KS)
    y = (cols @ p['w'].reshape(O, -1).T).reshape(N, S, S, O).transpose(0, 3, 1, 2) + p['b'][None, :, None, None]
    loss = (y * r).sum() / N
    g = r / N  # ∂loss/∂y
    dw = (g.transpose(0, 2, 3, 1).reshape(N * S * S, O).T @ cols).reshape(p['w'].shape)
    db = g.sum(axis=(0, 2, 3))
    p['w'] -= LR * dw
    p['b'] -= LR * db
    return loss


def check():
    x, r, p = setup()
    for _ in range(3):
        step(x, r, p)
    return float(step(x, r, p))


x, r, params = setup()
measure(lambda: step(x, r, params), check)
