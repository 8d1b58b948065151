"""Shared by the numpy reference steps: deterministic data (the same formulas as
packages/core/bench/models.ts, so both sides train the same numbers), timing, and the report.

Run single-threaded, as the bench does:  OPENBLAS_NUM_THREADS=1 python3 <script>.py [--steps K]
The bench calls each script once to calibrate (no --steps: a rough ms per step, the loss of
step 4, numpy's version and BLAS), then once per round with --steps K, between its own cases'
rounds, so a busy machine slows both alike. One JSON line per call.
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


def arg(name):
    """The integer after `name` on the command line, or None."""
    argv = sys.argv[1:]
    return int(argv[argv.index(name) + 1]) if name in argv else None


def per_call(fn, calls):
    """ms per call over `calls` calls, after 5 to warm up."""
    return per_call_both(fn, calls)[0]


def per_call_both(fn, calls):
    """ms per call over `calls` calls, after 5 to warm up: (wall time, CPU time of this process)."""
    for _ in range(5):
        fn()
    t0 = time.perf_counter()
    c0 = time.process_time()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - t0) * 1000 / calls, (time.process_time() - c0) * 1000 / calls


def measure(step, check, part=None):
    """
    With --steps K (and --part-steps J): one round, timing K steps (and J calls of the part, such
    as the step's matmuls alone). Without: a calibration: ~50 ms of steps, the check (the loss
    of step 4 from fresh values), numpy's version and BLAS. One JSON line either way.
    """
    steps = arg('--steps')
    if steps is not None:
        part_steps = arg('--part-steps')
        wall, cpu = per_call_both(step, steps)
        print(json.dumps({'msPerStep': wall, 'cpuMsPerStep': cpu, 'partMs': per_call(part, part_steps) if part and part_steps else None}))
        return
    t0 = time.perf_counter()
    n = 0
    while time.perf_counter() - t0 < 0.05:
        step()
        n += 1
    print(json.dumps({
        'msPerStep': (time.perf_counter() - t0) * 1000 / n,
        'partMs': per_call(part, 10) if part else None,
        'checkLoss': check(),
        'numpy': np.__version__,
        'blas': blas_name(),
        'python': sys.version.split()[0],
    }))
