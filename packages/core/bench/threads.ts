// `pnpm --filter @gradlab/core bench --threads`: how much the second thread gives on large
// products. 512³ and 1024³ (float64, WebAssembly), on 1 thread and on every core, in
// interleaved rounds: wall time (what a user waits) and this process's CPU time (all threads;
// the split adds no work, so 2 threads should spend about the CPU time of 1). The speed-up is
// the median of the per-round ratios of wall times. On a shared machine a second thread only
// helps if a second core is free: the load average is printed before and after.
import { cpus, loadavg } from 'node:os';
import { getNumThreads, matmulThreadInfo, matmulThreadsReady, setNumThreads } from '../src/ops/matmulThreads.ts';
import { setWasmMatmul } from '../src/ops/matmulWasm.ts';
import { matmul, tensor } from '../src/index.ts';
import { fmt, median, options } from './harness.ts';

function values(size: number, seed: number): Float64Array {
  const out = new Float64Array(size);
  let s = seed;
  for (let i = 0; i < size; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = s / 2147483648 - 0.5;
  }
  return out;
}

const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

export async function threadsBench(): Promise<void> {
  const rounds = options.quick ? 3 : 9;
  setWasmMatmul(true);
  const ready = await matmulThreadsReady();
  const most = Math.min(getNumThreads(), cpus().length);
  const counts = ready && most > 1 ? [1, most] : [1];
  const before = load();
  console.log(`\nmatmul on 1 vs ${most} threads (float64, WebAssembly); ${rounds} interleaved rounds; threads ${ready ? 'up' : 'unavailable'}; load average before: ${before}`);
  console.log(`  ${'product'.padEnd(14)}${'threads'.padStart(8)}   wall GFLOP/s (min–max)     CPU GFLOP/s   CPU/wall   speed-up (wall, min–max)`);
  for (const n of [512, 1024]) {
    const a = tensor(values(n * n, 1), { shape: [n, n] });
    const b = tensor(values(n * n, 2), { shape: [n, n] });
    const flop = 2 * n * n * n;
    const calls = n === 512 ? (options.quick ? 2 : 6) : options.quick ? 1 : 2;
    for (const t of counts) {
      setNumThreads(t);
      matmul(a, b); // warm-up
    }
    const wall = counts.map(() => [] as number[]);
    const cpu = counts.map(() => [] as number[]);
    for (let r = 0; r < rounds; r++) {
      counts.forEach((t, k) => {
        setNumThreads(t);
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        for (let i = 0; i < calls; i++) matmul(a, b);
        const w = (performance.now() - t0) / calls;
        const used = process.cpuUsage(c0);
        wall[k].push(w);
        cpu[k].push((used.user + used.system) / 1000 / calls);
      });
    }
    counts.forEach((t, k) => {
      const g = wall[k].map((ms) => flop / ms / 1e6);
      const speedUps = wall[0].map((w1, r) => w1 / wall[k][r]);
      const range = `(${Math.min(...g).toFixed(2)}–${Math.max(...g).toFixed(2)})`;
      const ratio = median(cpu[k].map((c, r) => c / wall[k][r]));
      const up = k === 0 ? '' : `${median(speedUps).toFixed(2)}× (${Math.min(...speedUps).toFixed(2)}–${Math.max(...speedUps).toFixed(2)})`;
      console.log(`  ${`${n}³`.padEnd(14)}${String(t).padStart(8)}${fmt(median(g), 2)} ${range.padEnd(18)}${fmt(median(cpu[k].map((ms) => flop / ms / 1e6)), 2)}${fmt(ratio, 2)}     ${up}`);
    });
  }
  const info = matmulThreadInfo();
  console.log(`  load average after: ${load()}; workers: ${JSON.stringify(info)}`);
  setNumThreads(most);
}
