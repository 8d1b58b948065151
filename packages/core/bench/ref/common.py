"""Shared by the numpy reference steps: deterministic data (the same formulas as
packages/core/bench/models.ts, so both sides train the same numbers), timing, and the report.

Run single-threaded, as the bench does:  OPENBLAS_NUM_THREADS=1 python3 <script>.py [--quick]
It prints one JSON line: ms per step (median over rounds), the per-round figures, the loss after
the check steps, and numpy's version and BLAS.
"""
import json
import sys
import time

import numpy as np


def wave(n, scale, freq, phase=0.0):
    """scale * sin(freq * i + phase) for i = 0 .. n-1 (models.ts: wave())."""
    return scale * np.sin(np.arange(n, dtype=np.float64) * freq + phase)


def blas_name():
    try:
        config = np.show_config(mode='dicts')
        return config['Build Dependencies']['blas']['name']
    except Exception:  # numpy < 1.26 has no mode='dicts'
        return 'unknown'


def timed(fn, quick):
    """Warm up, then rounds of calls lasting ~150 ms each: the median ms per call, and every round's."""
    rounds = 3 if quick else 7
    target = 0.05 if quick else 0.15
    for _ in range(5):
        fn()
    t0 = time.perf_counter()
    n = 0
    while time.perf_counter() - t0 < 0.05:
        fn()
        n += 1
    per = (time.perf_counter() - t0) / n
    calls = max(3, int(target / per))
    figures = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        figures.append((time.perf_counter() - t0) * 1000 / calls)
    figures.sort()
    return figures[len(figures) // 2], figures


def measure(step, check, quick, part=None):
    """The step's ms (and, if given, a part's, such as its matmuls alone), the check, the versions."""
    ms, figures = timed(step, quick)
    print(json.dumps({
        'msPerStep': ms,
        'rounds': figures,
        'partMs': timed(part, quick)[0] if part else None,
        'checkLoss': check(),
        'numpy': np.__version__,
        'blas': blas_name(),
        'python': sys.version.split()[0],
    }))


def quick():
    return '--quick' in sys.argv[1:]
