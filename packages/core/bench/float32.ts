// float32 against float64, in one process: matmul GFLOP/s on 512×512×512 and on the layer
// shapes of an MLP [784,128,64,10] at batch 64 (MATMUL_CASES of matmul.ts), on one thread and on
// every core; and an MLP training step [784,128,64,10] at batch 64 (forward, backward, SGD),
// eager and compiled. Run: `pnpm --filter @gradlab/core exec tsx bench/float32.ts [--rounds N]`.
//
// Both dtypes run once per round, in turn, so a busy machine slows them alike; figures are
// medians over rounds (min–max beside), CPU time of this process (all threads) and wall time.
import { cpus, loadavg } from 'node:os';
import { matmulNT, matmulTN } from '../src/fast/matmul.ts';
import { compile, createRng, matmul, mean, randn, relu, square, sub, type DType, type Tensor } from '../src/index.ts';
import { getNumThreads, matmulThreadsReady, setNumThreads } from '../src/ops/matmulThreads.ts';
import { wasmMatmulActive } from '../src/ops/matmulWasm.ts';
import { fmt, median } from './harness.ts';
import { MATMUL_CASES } from './matmul.ts';

const roundsArg = process.argv.indexOf('--rounds');
const ROUNDS = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 7;
const DTYPES: readonly DType[] = ['float64', 'float32'];

/** ms per call over about 150 ms: wall and CPU (this process, every thread). */
function time(run: () => void): { wall: number; cpu: number } {
  run();
  let calls = 1;
  for (;;) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) run();
    const wall = performance.now() - t0;
    const used = process.cpuUsage(c0);
    if (wall >= 150 || calls >= 1 << 16) return { wall: wall / calls, cpu: (used.user + used.system) / 1000 / calls };
    calls *= 2;
  }
}

const range = (xs: number[], digits = 1) => `${fmt(median(xs), digits).trim()} (${fmt(Math.min(...xs), digits).trim()}–${fmt(Math.max(...xs), digits).trim()})`;

async function matmuls(): Promise<void> {
  const all = getNumThreads();
  await matmulThreadsReady();
  console.log(`\n## matmul, float32 vs float64 (GFLOP/s from CPU time on one thread, from wall time on ${all}; median of ${ROUNDS} rounds, min–max)\n`);
  console.log('| shape | threads | float64 GFLOP/s | float32 GFLOP/s | float32 / float64 |');
  console.log('|---|---|---|---|---|');
  for (const c of MATMUL_CASES) {
    const flops = 2 * c.m * c.k * c.n;
    for (const threads of [1, all]) {
      const runs = DTYPES.map((dtype) => {
        const rng = createRng(1);
        const a = randn(c.form === 'Aᵀ·B' ? [c.k, c.m] : [c.m, c.k], rng, { dtype });
        const b = randn(c.form === 'A·Bᵀ' ? [c.n, c.k] : [c.k, c.n], rng, { dtype });
        return c.form === 'A·B' ? () => void matmul(a, b) : c.form === 'Aᵀ·B' ? () => void matmulTN(a, b) : () => void matmulNT(a, b);
      });
      const gflops: number[][] = [[], []];
      const ratios: number[] = [];
      setNumThreads(threads);
      for (let r = 0; r < ROUNDS; r++) {
        const ms = runs.map((run) => {
          const t = time(run);
          return threads === 1 ? t.cpu : t.wall;
        });
        ms.forEach((m, i) => gflops[i].push(flops / m / 1e6));
        ratios.push(ms[0] / ms[1]);
      }
      setNumThreads(all);
      console.log(`| ${c.name} | ${threads} | ${range(gflops[0])} | ${range(gflops[1])} | ${fmt(median(ratios), 2).trim()}× |`);
    }
  }
}

/** An MLP [784,128,64,10] with relu, MSE against targets, plain SGD: one training step. */
function mlpStep(dtype: DType, compiled: boolean): () => void {
  const rng = createRng(3);
  const sizes = [784, 128, 64, 10];
  const params: Tensor[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    params.push(randn([sizes[l], sizes[l + 1]], rng, { dtype, std: Math.sqrt(2 / sizes[l]), requiresGrad: true }));
  }
  const x = randn([64, 784], rng, { dtype });
  const y = randn([64, 10], rng, { dtype });
  const loss = (input: Tensor, target: Tensor) => {
    let h = input;
    params.forEach((w, l) => {
      h = matmul(h, w);
      if (l + 1 < params.length) h = relu(h);
    });
    return mean(square(sub(h, target)));
  };
  const sgd = () => {
    for (const p of params) {
      const g = p.grad!.data;
      const v = p.data;
      for (let i = 0; i < v.length; i++) v[i] -= 1e-3 * g[i];
      p.markChanged();
      p.grad = null;
    }
  };
  if (!compiled) {
    return () => {
      loss(x, y).backward();
      sgd();
    };
  }
  const step = compile(loss);
  return () => {
    step.run(x, y);
    sgd();
  };
}

function steps(): void {
  const all = getNumThreads();
  console.log(`\n## MLP [784,128,64,10] batch 64 training step, float32 vs float64 (ms, CPU time on one thread, wall on ${all}; median of ${ROUNDS} rounds, min–max)\n`);
  console.log('| step | threads | float64 ms | float32 ms | float64 / float32 |');
  console.log('|---|---|---|---|---|');
  for (const compiled of [false, true]) {
    for (const threads of [1, all]) {
      setNumThreads(threads);
      const runs = DTYPES.map((dtype) => mlpStep(dtype, compiled));
      const ms: number[][] = [[], []];
      const ratios: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        const t = runs.map((run) => {
          const timed = time(run);
          return threads === 1 ? timed.cpu : timed.wall;
        });
        t.forEach((v, i) => ms[i].push(v));
        ratios.push(t[0] / t[1]);
      }
      setNumThreads(all);
      console.log(`| ${compiled ? 'compiled' : 'eager'} | ${threads} | ${range(ms[0], 2)} | ${range(ms[1], 2)} | ${fmt(median(ratios), 2).trim()}× |`);
    }
  }
}

console.log(`# float32 vs float64 — ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`WebAssembly SIMD matmul: ${wasmMatmulActive() ? 'active' : 'NOT active (JS loops)'}`);
await matmuls();
steps();
