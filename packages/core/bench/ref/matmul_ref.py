"""The reference runner of `pnpm bench` (packages/core/bench/matmul.ts): times the bench's
matmul cases in numpy or PyTorch, float64, in this process, and prints one JSON line.

    python3 matmul_ref.py --lib numpy --rounds 5
    python3 matmul_ref.py --lib torch --threads 1 --rounds 5

A case is C = A·B with A [m,k] and B [k,n] (`--cases "m,k,n;m,k,n"`). Each round times every
case once (a few calls, their mean); the bench takes medians over rounds. Wall time
(perf_counter) and this process's CPU time (process_time) are both reported: on a machine
shared with other work, CPU time is the steadier of the two for one thread.

numpy's threads are set by the caller through OPENBLAS_NUM_THREADS / OMP_NUM_THREADS before
start (OpenBLAS reads them once); PyTorch's by torch.set_num_threads. The BLAS that runs, and
OpenBLAS's kernel (core type), are reported so that a figure says what it measured.
"""

import argparse
import ctypes
import json
import os
import sys
import time


def loaded_libraries(word):
    """Paths of the shared libraries mapped into this process whose name contains `word`."""
    try:
        with open('/proc/self/maps') as maps:
            paths = {line.split()[-1] for line in maps if '/' in line and word in line.rsplit('/', 1)[-1].lower()}
        return sorted(paths)
    except OSError:
        return []


def openblas_facts():
    """OpenBLAS's core type, threads and configuration, read from the library itself (or None)."""
    try:
        from threadpoolctl import threadpool_info  # where installed: the usual way

        for pool in threadpool_info():
            if pool.get('internal_api') == 'openblas':
                return {'corename': pool.get('architecture'), 'threads': pool.get('num_threads'), 'config': pool.get('version')}
    except ImportError:
        pass
    for path in loaded_libraries('openblas'):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        facts = {}
        for key, names, restype in (
            ('corename', ('openblas_get_corename', 'openblas_get_corename64_', 'scipy_openblas_get_corename64_'), ctypes.c_char_p),
            ('config', ('openblas_get_config', 'openblas_get_config64_', 'scipy_openblas_get_config64_'), ctypes.c_char_p),
            ('threads', ('openblas_get_num_threads', 'openblas_get_num_threads64_', 'scipy_openblas_get_num_threads64_'), ctypes.c_int),
        ):
            for name in names:
                function = getattr(lib, name, None)
                if function is not None:
                    function.restype = restype
                    value = function()
                    facts[key] = value.decode() if isinstance(value, bytes) else value
                    break
        if facts:
            facts['library'] = os.path.basename(path)
            return facts
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--lib', choices=['numpy', 'torch'], required=True)
    parser.add_argument('--threads', default='default', help="'1' or 'default' (PyTorch; numpy's come from the environment)")
    parser.add_argument('--rounds', type=int, default=5)
    parser.add_argument('--cases', default='512,512,512;64,784,128;64,128,64;64,64,10')
    parser.add_argument('--seconds', type=float, default=0.05, help='about how long one case runs per round')
    args = parser.parse_args()
    cases = [tuple(int(x) for x in case.split(',')) for case in args.cases.split(';')]

    if args.lib == 'numpy':
        import numpy as np

        rng = np.random.default_rng(0)
        make = lambda m, k: rng.standard_normal((m, k))  # noqa: E731 (float64)
        matmul = np.matmul
        version = np.__version__
        # touch the BLAS once so that it is loaded before we ask which one it is
        matmul(make(8, 8), make(8, 8))
        blas = openblas_facts() or {'library': ', '.join(os.path.basename(p) for p in loaded_libraries('blas')) or 'unknown'}
        threads = blas.get('threads') if isinstance(blas, dict) else None
    else:
        import torch

        if args.threads != 'default':
            torch.set_num_threads(int(args.threads))
        gen = torch.Generator().manual_seed(0)
        make = lambda m, k: torch.randn(m, k, dtype=torch.float64, generator=gen)  # noqa: E731
        matmul = torch.matmul
        version = torch.__version__
        matmul(make(8, 8), make(8, 8))
        config = torch.__config__.show()
        info = next((part.strip() for part in config.replace('\n', ',').split(',') if 'BLAS_INFO' in part), 'BLAS_INFO unknown')
        blas = {'torch': info, 'library': ', '.join(os.path.basename(p) for p in loaded_libraries('blas')) or 'none loaded'}
        blas_open = openblas_facts()
        if blas_open:
            blas.update(blas_open)
        threads = torch.get_num_threads()

    results = []
    operands = {case: (make(case[0], case[1]), make(case[1], case[2])) for case in cases}
    calls = {}
    for case, (a, b) in operands.items():
        for _ in range(3):
            matmul(a, b)  # warm-up
        t = time.perf_counter()
        matmul(a, b)
        once = max(time.perf_counter() - t, 1e-6)
        calls[case] = max(1, min(10000, int(args.seconds / once)))
    wall = {case: [] for case in cases}
    cpu = {case: [] for case in cases}
    for _ in range(args.rounds):
        for case, (a, b) in operands.items():
            n = calls[case]
            w, c = time.perf_counter(), time.process_time()
            for _ in range(n):
                matmul(a, b)
            cpu[case].append((time.process_time() - c) / n * 1e3)
            wall[case].append((time.perf_counter() - w) / n * 1e3)
    for case in cases:
        results.append({'m': case[0], 'k': case[1], 'n': case[2], 'wall_ms': wall[case], 'cpu_ms': cpu[case]})
    print(json.dumps({
        'lib': args.lib, 'version': version, 'python': sys.executable, 'threads': threads,
        'env': {k: os.environ[k] for k in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE') if k in os.environ},
        'blas': blas, 'cases': results,
    }))


if __name__ == '__main__':
    main()
