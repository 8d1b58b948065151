"""One training step of a [784,128,10] MLP at batch 64 in numpy float64, written by hand: ReLU
hidden layer with bias, softmax cross-entropy (log-softmax and a one-hot mask), backward pass,
SGD lr 0.1 (packages/core/bench/models.ts times the same step in gradlab).

    OPENBLAS_NUM_THREADS=1 python3 packages/core/bench/ref/mlp_step.py [--steps K]
"""
import numpy as np

from common import measure, wave

N, D, H, K, LR = 64, 784, 128, 10, 0.1


def setup():
    x = wave(N * D, 1.0, 0.37).reshape(N, D)
    labels = (np.arange(N) * 7) % K
    onehot = np.zeros((N, K))
    onehot[np.arange(N), labels] = 1.0
    params = {
        'W1': wave(D * H, 0.05, 0.11, 1.0).reshape(D, H),
        'b1': np.zeros(H),
        'W2': wave(H * K, 0.1, 0.23, 2.0).reshape(H, K),
        'b2': np.zeros(K),
    }
    return x, onehot, params


def step(x, onehot, p):
    z1 = x @ p['W1'] + p['b1']
    h = np.maximum(z1, 0.0)
    z2 = h @ p['W2'] + p['b2']
    m = z2.max(axis=1, keepdims=True)
    logp = z2 - (m + np.log(np.exp(z2 - m).sum(axis=1, keepdims=True)))
    loss = -(logp * onehot).sum() / N
    g2 = (np.exp(logp) - onehot) / N  # ∂loss/∂z2
    dW2 = h.T @ g2
    db2 = g2.sum(axis=0)
    gh = (g2 @ p['W2'].T) * (z1 > 0)
    dW1 = x.T @ gh
    db1 = gh.sum(axis=0)
    p['W1'] -= LR * dW1
    p['b1'] -= LR * db1
    p['W2'] -= LR * dW2
    p['b2'] -= LR * db2
    return loss


def check():
    """The loss of the 4th step from the start (3 steps taken before it)."""
    x, onehot, p = setup()
    for _ in range(3):
        step(x, onehot, p)
    return float(step(x, onehot, p))


def matmuls(x, p, out):
    """The step's five matmuls alone, into buffers made once: x·W1, h·W2, hᵀ·g2, g2·W2ᵀ, xᵀ·gh."""
    h, g2, gh = out['h'], out['g2'], out['gh']
    np.matmul(x, p['W1'], out=out['z1'])
    np.matmul(h, p['W2'], out=out['z2'])
    np.matmul(h.T, g2, out=out['dW2'])
    np.matmul(g2, p['W2'].T, out=out['dh'])
    np.matmul(x.T, gh, out=out['dW1'])


x, onehot, params = setup()
buffers = {'h': wave(N * H, 1.0, 0.3).reshape(N, H), 'g2': wave(N * K, 0.01, 0.7).reshape(N, K),
           'gh': wave(N * H, 0.01, 0.9).reshape(N, H), 'z1': np.empty((N, H)), 'z2': np.empty((N, K)),
           'dW2': np.empty((H, K)), 'dh': np.empty((N, H)), 'dW1': np.empty((D, H))}
measure(lambda: step(x, onehot, params), check, lambda: matmuls(x, params, buffers))
