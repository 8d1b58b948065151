// The matmul part of `pnpm bench`: gradlab's matmul (float64) on 512×512×512 and on the layer
// shapes of an MLP [784,128,64,10] at batch 64 (forward x·W, and the first layer's two backward
// products), on one thread, on every core, and in plain JS; beside numpy (OpenBLAS) and
// PyTorch run by the reference runner bench/ref/matmul_ref.py where python3 is found.
//
// Every variant runs once per round, in turn, so a busy machine slows them alike; figures are
// medians over rounds (min–max beside). Wall time is what a user waits; CPU time (this
// process's, all threads) is steadier on a machine shared with other work, and for one thread it
// is the fair comparison of kernels. The reference runner runs in two halves, before and after
// gradlab's rounds, so that both see the same hour of the machine.
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getNumThreads, matmulThreadsReady, setNumThreads } from '../src/ops/matmulThreads.ts';
import { setWasmMatmul, wasmMatmulActive } from '../src/ops/matmulWasm.ts';
import { matmulNT, matmulTN } from '../src/fast/matmul.ts';
import { matmul, tensor } from '../src/index.ts';
import { fmt, median, options } from './harness.ts';

interface Case {
  name: string;
  m: number;
  k: number;
  n: number;
  /** Which operand the product reads transposed (as the backward pass does). */
  form: 'A·B' | 'Aᵀ·B' | 'A·Bᵀ';
}

export const MATMUL_CASES: readonly Case[] = [
  { name: '512×512×512', m: 512, k: 512, n: 512, form: 'A·B' },
  { name: 'MLP layer 1: [64,784]·[784,128]', m: 64, k: 784, n: 128, form: 'A·B' },
  { name: 'MLP layer 2: [64,128]·[128,64]', m: 64, k: 128, n: 64, form: 'A·B' },
  { name: 'MLP layer 3: [64,64]·[64,10]', m: 64, k: 64, n: 10, form: 'A·B' },
  { name: 'MLP ∂W1 = xᵀ·g: [784,64]·[64,128]', m: 784, k: 64, n: 128, form: 'Aᵀ·B' },
  { name: 'MLP ∂x = g·W1ᵀ: [64,128]·[128,784]', m: 64, k: 128, n: 784, form: 'A·Bᵀ' },
];

interface Row {
  label: string;
  /** ms per product, per round: wall and CPU time. */
  wall: number[];
  cpu: number[];
}

function values(size: number, seed: number): Float64Array {
  const out = new Float64Array(size);
  let s = seed;
  for (let i = 0; i < size; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = s / 2147483648 - 0.5;
  }
  return out;
}

/** The product as the ops compute it (result tensor included): matmul, or the backward pass's matmulTN / matmulNT, which read the transposed operand in place. */
function product(c: Case): () => void {
  const { m, k, n, form } = c;
  const a = tensor(values(m * k, 1), { shape: form === 'Aᵀ·B' ? [k, m] : [m, k] });
  const b = tensor(values(k * n, 2), { shape: form === 'A·Bᵀ' ? [n, k] : [k, n] });
  if (form === 'A·B') return () => void matmul(a, b);
  if (form === 'Aᵀ·B') return () => void matmulTN(a, b);
  return () => void matmulNT(a, b);
}

interface Variant {
  label: string;
  setup: () => void;
}

/** Times `run` for about `ms` milliseconds: ms per call, wall and CPU. */
function timeFor(run: () => void, calls: number): { wall: number; cpu: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) run();
  const wall = (performance.now() - t0) / calls;
  const used = process.cpuUsage(c0);
  return { wall, cpu: (used.user + used.system) / 1000 / calls };
}

// ---- the reference runner ------------------------------------------------------------------

interface RefCase {
  m: number;
  k: number;
  n: number;
  wall_ms: number[];
  cpu_ms: number[];
}
interface RefResult {
  lib: 'numpy' | 'torch';
  version: string;
  python: string;
  threads: number | null;
  blas: Record<string, string | number>;
  cases: RefCase[];
}

const here = dirname(fileURLToPath(import.meta.url));
const REF_SCRIPT = join(here, 'ref', 'matmul_ref.py');

/** The first python3 that imports `lib` (GRADLAB_REF_PYTHON first, then python3 on PATH, then Debian's). */
function pythonFor(lib: string): string | null {
  const candidates = [process.env.GRADLAB_REF_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p);
  for (const python of new Set(candidates)) {
    const probe = spawnSync(python, ['-c', `import ${lib}`], { stdio: 'ignore', timeout: 60_000 });
    if (probe.status === 0) return python;
  }
  return null;
}

/**
 * Runs the reference runner: numpy's threads through OpenBLAS's variables (set before it
 * starts), PyTorch's by set_num_threads. OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed
 * for the run, so OpenBLAS picks its kernel for this CPU itself (the runner reports which).
 */
function runReference(python: string, lib: 'numpy' | 'torch', oneThread: boolean, rounds: number): RefResult | string {
  const env = { ...process.env };
  for (const name of ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE', 'OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS']) delete env[name];
  if (oneThread && lib === 'numpy') Object.assign(env, { OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' });
  const cases = MATMUL_CASES.map((c) => `${c.m},${c.k},${c.n}`).join(';');
  const args = [REF_SCRIPT, '--lib', lib, '--threads', oneThread ? '1' : 'default', '--rounds', String(rounds), '--cases', cases];
  const run = spawnSync(python, args, { env, encoding: 'utf8', timeout: 600_000 });
  if (run.status !== 0) return `${python} ${lib}: exit ${run.status}: ${(run.stderr ?? '').trim().split('\n').pop() ?? ''}`;
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as RefResult;
}

function mergeRef(a: RefResult, b: RefResult): RefResult {
  return { ...a, cases: a.cases.map((c, i) => ({ ...c, wall_ms: [...c.wall_ms, ...b.cases[i].wall_ms], cpu_ms: [...c.cpu_ms, ...b.cases[i].cpu_ms] })) };
}

function refLabel(r: RefResult, oneThread: boolean): string {
  const threads = oneThread ? '1 thread' : `default threads (${r.threads ?? '?'})`;
  if (r.lib === 'numpy') {
    const kernel = r.blas.corename !== undefined ? `OpenBLAS ${String(r.blas.corename)}` : String(r.blas.library);
    return `numpy ${r.version} (${kernel}), ${threads}`;
  }
  return `PyTorch ${r.version} (${String(r.blas.library)}), ${threads}`;
}

// ---- the table -----------------------------------------------------------------------------

const gflops = (c: Case, ms: number) => (2 * c.m * c.n * c.k) / ms / 1e6;

export async function matmulBench(): Promise<void> {
  const rounds = options.quick ? 3 : 7;
  const cores = cpus().length;
  const threadsReady = await matmulThreadsReady();
  const maxThreads = getNumThreads();
  const variants: Variant[] = [
    { label: 'gradlab WebAssembly, 1 thread', setup: () => (setWasmMatmul(true), setNumThreads(1)) },
    ...(threadsReady && maxThreads > 1 ? [{ label: `gradlab WebAssembly, ${maxThreads} threads`, setup: () => (setWasmMatmul(true), setNumThreads(maxThreads)) }] : []),
    { label: 'gradlab JS loop (no WebAssembly)', setup: () => (setWasmMatmul(false), setNumThreads(1)) },
  ];

  // the reference runner's first half
  const refs: { lib: 'numpy' | 'torch'; oneThread: boolean; python: string }[] = [];
  const notes: string[] = [];
  for (const lib of ['numpy', 'torch'] as const) {
    const python = pythonFor(lib);
    if (python === null) notes.push(`${lib}: no python3 here imports it; its rows are skipped`);
    else for (const oneThread of [true, false]) refs.push({ lib, oneThread, python });
  }
  const refHalf = Math.max(1, Math.ceil(rounds / 2));
  const firstHalf = refs.map((r) => runReference(r.python, r.lib, r.oneThread, refHalf));

  // gradlab's rounds
  const runs = MATMUL_CASES.map(product);
  const calls = runs.map((run, i) => {
    for (const v of variants) {
      v.setup();
      for (let w = 0; w < 3; w++) run();
    }
    variants[0].setup();
    const once = timeFor(run, 1).wall;
    return Math.max(1, Math.round((options.quick ? 20 : 60) / Math.max(once, 0.001) / (i === 0 ? 2 : 1)));
  });
  const rows: Row[][] = MATMUL_CASES.map(() => variants.map((v) => ({ label: v.label, wall: [], cpu: [] })));
  for (let r = 0; r < rounds; r++) {
    runs.forEach((run, i) => {
      variants.forEach((v, j) => {
        v.setup();
        const t = timeFor(run, calls[i]);
        rows[i][j].wall.push(t.wall);
        rows[i][j].cpu.push(t.cpu);
      });
    });
  }
  setWasmMatmul(true);
  setNumThreads(maxThreads);

  // the second half
  const refResults = refs.map((r, i) => {
    const first = firstHalf[i];
    const second = runReference(r.python, r.lib, r.oneThread, refHalf);
    if (typeof first === 'string') return first;
    if (typeof second === 'string') return second;
    return mergeRef(first, second);
  });
  refResults.forEach((res, i) => {
    if (typeof res === 'string') notes.push(res);
    else MATMUL_CASES.forEach((_, c) => rows[c].push({ label: refLabel(res, refs[i].oneThread), wall: res.cases[c].wall_ms, cpu: res.cases[c].cpu_ms }));
  });

  const load = loadavg().map((l) => l.toFixed(1)).join(', ');
  console.log(
    `\nmatmul, float64: GFLOP/s (2·m·n·k per product) from the median of ${rounds} rounds of wall time (min–max), and from CPU time; ` +
      `${cores} cores, load average ${load}; WebAssembly ${wasmMatmulActive() ? 'on' : 'OFF'}, threads ${threadsReady ? `up to ${maxThreads}` : 'unavailable'}`,
  );
  if (refs.length === 0) console.log('  reference: python3 with numpy or PyTorch not found: the reference rows are skipped');
  for (const note of notes) console.log(`  reference: ${note}`);
  MATMUL_CASES.forEach((c, i) => {
    console.log(`\n  ${c.name}${c.form === 'A·B' ? '' : ` (${c.form === 'Aᵀ·B' ? 'matmulTN' : 'matmulNT'}: ${c.form}, read in place)`}`);
    console.log(`    ${'variant'.padEnd(60)}   wall GFLOP/s (min–max)      CPU GFLOP/s`);
    for (const row of rows[i]) {
      const w = row.wall.map((ms) => gflops(c, ms));
      const range = `(${Math.min(...w).toFixed(2)}–${Math.max(...w).toFixed(2)})`;
      console.log(`    ${row.label.padEnd(60)}${fmt(median(w), 2)} ${range.padEnd(16)}${fmt(median(row.cpu.map((ms) => gflops(c, ms))), 2)}`);
    }
    const numpy1 = rows[i].find((r) => r.label.startsWith('numpy') && r.label.endsWith('1 thread'));
    if (numpy1 !== undefined) {
      const ratio = (row: Row, clock: 'wall' | 'cpu') => median(numpy1[clock]) / median(row[clock]);
      const one = rows[i][0];
      const all = variants.length === 3 ? rows[i][1] : undefined;
      console.log(
        `    gradlab 1 thread / numpy 1 thread: ${(100 * ratio(one, 'cpu')).toFixed(0)}% by CPU time, ${(100 * ratio(one, 'wall')).toFixed(0)}% by wall time (target ≥ 60%)` +
          (all ? `; gradlab ${maxThreads} threads / numpy 1 thread: ${ratio(all, 'wall').toFixed(2)}× by wall time (target ≥ 1.1×)` : ''),
      );
    }
  });
}
