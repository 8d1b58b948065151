// The matmul loop (matmulKernel.ts) against the textbook loop, bit for bit, in every path it
// takes: plain JS, WebAssembly on packed panels (with the blocks of k and of rows crossed),
// and split over worker threads; operands read transposed through their strides; odd and
// empty shapes. The result must not depend on the path or the number of threads.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GradlabError } from '../src/index.ts';
import { matmulStrided } from '../src/ops/matmulKernel.ts';
import { getNumThreads, matmulThreadInfo, matmulThreadsReady, setCallerWorks, setNumThreads } from '../src/ops/matmulThreads.ts';
import { KC, MC_PANELS, MR, setWasmMatmul, wasmMatmulActive } from '../src/ops/matmulWasm.ts';
import { textbook, transposed, values } from './helpers.ts';

function firstDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): string | null {
  if (actual.length !== expected.length) return `length ${actual.length}, expected ${expected.length}`;
  for (let i = 0; i < expected.length; i++) if (!Object.is(actual[i], expected[i])) return `element ${i}: ${actual[i]}, expected ${expected[i]}`;
  return null;
}

/** A·B in all four storage forms (A, Aᵀ stored) × (B, Bᵀ stored), each checked against `expected`. */
function checkForms(m: number, k: number, n: number, A: Float64Array, B: Float64Array, expected: Float64Array, label: string): void {
  const At = transposed(A, m, k);
  const Bt = transposed(B, k, n);
  const forms: [string, Float64Array, number, number, Float64Array, number, number][] = [
    ['A·B', A, k, 1, B, n, 1],
    ['Aᵀ stored', At, 1, m, B, n, 1],
    ['Bᵀ stored', A, k, 1, Bt, 1, k],
    ['both stored transposed', At, 1, m, Bt, 1, k],
  ];
  for (const [form, a, rs, cs, b, brs, bcs] of forms) {
    const C = new Float64Array(m * n).fill(42); // stale values are overwritten
    matmulStrided(C, a, b, m, k, n, rs, cs, brs, bcs);
    const diff = firstDifference(C, expected);
    if (diff !== null) throw new Error(`${label} ${m}×${k}×${n} ${form}: ${diff}`);
  }
}

const shapes: [number, number, number][] = [
  // odd and empty shapes
  [0, 5, 3], [4, 0, 4], [3, 5, 0], [1, 1, 1], [1, 97, 1], [1, 300, 257], [257, 300, 1], [200, 1, 180], [97, 89, 83],
  // 4×4 tiles with edges of 1, 2, 3 rows and columns, above the WebAssembly threshold
  [61, 131, 67], [62, 129, 66], [63, 64, 65], [130, 40, 12],
  // k across blocks of KC, rows across blocks of MC_PANELS·MR
  [MC_PANELS * MR + 5, KC * 2 + 3, 21], [9, KC + 1, 130],
];

describe('matmulStrided gives the textbook loop’s bits', () => {
  afterEach(() => setWasmMatmul(true));

  it('runs WebAssembly SIMD on Node 20', () => {
    expect(wasmMatmulActive()).toBe(true);
  });

  for (const wasm of [true, false]) {
    it(`${wasm ? 'WebAssembly' : 'JS'}: odd, empty and blocked shapes, operands as stored or transposed in place`, () => {
      setWasmMatmul(wasm);
      for (const [m, k, n] of shapes) {
        const A = values(m * k, m + 7 * k);
        const B = values(k * n, n + 3);
        if (m * k > 12) A[12] = NaN;
        if (k * n > 5) B[5] = Infinity;
        if (k * n > 40) B[40] = -Infinity;
        checkForms(m, k, n, A, B, textbook(A, B, m, k, n), wasm ? 'wasm' : 'js');
      }
    });
  }

  it('k = 0 gives zeros, whatever C held', () => {
    const C = new Float64Array(64 * 64).fill(7);
    matmulStrided(C, new Float64Array(0), new Float64Array(0), 64, 0, 64, 0, 1);
    expect(C.every((v) => Object.is(v, 0))).toBe(true);
  });
});

describe('matmul on several threads', () => {
  const before = getNumThreads();
  let ready = false;
  beforeAll(async () => {
    setNumThreads(2);
    ready = await matmulThreadsReady();
  });
  afterAll(() => {
    setNumThreads(before);
    setCallerWorks(true);
  });

  it('the workers start under Node (worker_threads over a SharedArrayBuffer)', () => {
    expect(ready).toBe(true);
  });

  it('1 thread, 2 threads, and the workers alone give the same bits as the textbook loop', () => {
    const cases: [number, number, number][] = [[256, 300, 260], [131, 517, 67], [512, 256, 9], [8, 1000, 300]];
    for (const [m, k, n] of cases) {
      const A = values(m * k, 3 * m + k);
      const B = values(k * n, n + 11);
      A[7] = NaN;
      const expected = textbook(A, B, m, k, n);
      setNumThreads(1);
      checkForms(m, k, n, A, B, expected, '1 thread');
      setNumThreads(2);
      checkForms(m, k, n, A, B, expected, '2 threads');
      // every chunk by the worker: proves the worker computes the same tiles
      const byWorkers = matmulThreadInfo().chunksByWorkers;
      setCallerWorks(false);
      checkForms(m, k, n, A, B, expected, 'worker alone');
      setCallerWorks(true);
      expect(matmulThreadInfo().chunksByWorkers).toBeGreaterThan(byWorkers);
    }
  });

  it('start on the first large product, not before, and do not keep the process alive', () => {
    const kernel = fileURLToPath(new URL('../src/ops/matmulKernel.ts', import.meta.url));
    const threads = fileURLToPath(new URL('../src/ops/matmulThreads.ts', import.meta.url));
    const script = `
      const { matmulStrided } = await import(${JSON.stringify(kernel)});
      const { setNumThreads, matmulThreadInfo } = await import(${JSON.stringify(threads)});
      setNumThreads(2);
      const seen = [matmulThreadInfo().started];
      const small = new Float64Array(32 * 32).fill(1);
      matmulStrided(new Float64Array(32 * 32), small, small, 32, 32, 32, 32, 1);
      seen.push(matmulThreadInfo().started);
      const big = new Float64Array(256 * 256).fill(1);
      matmulStrided(new Float64Array(256 * 256), big, big, 256, 256, 256, 256, 1);
      seen.push(matmulThreadInfo().started);
      // wait until the worker is up and has done chunks of a product, then let the process end
      const until = Date.now() + 30000;
      while (matmulThreadInfo().chunksByWorkers === 0 && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 10));
        matmulStrided(new Float64Array(256 * 256), big, big, 256, 256, 256, 256, 1);
      }
      console.log(JSON.stringify({ seen, byWorkers: matmulThreadInfo().chunksByWorkers }));
    `;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 90_000 });
    expect(child.status, child.stderr).toBe(0); // null if it had to be killed: a worker kept it alive
    const out = JSON.parse(child.stdout.trim().split('\n').pop()!) as { seen: number[]; byWorkers: number };
    expect(out.seen).toEqual([0, 0, 1]); // none at load, none for a small product, one for a large one
    expect(out.byWorkers).toBeGreaterThan(0);
  });

  it('rejects a thread count that is not a whole number ≥ 1, naming the function and the value', () => {
    expect(() => setNumThreads(0)).toThrow(GradlabError);
    expect(() => setNumThreads(1.5)).toThrow(/setNumThreads: n must be a whole number ≥ 1, got 1.5/);
  });
});

it('MR is the 4 the packing assumes', () => {
  expect(MR).toBe(4);
});
