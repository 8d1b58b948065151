// The memory target of issue 14: the resident set size (RSS) of a process that runs 1,000,000
// eager lab steps (`[2,3,3,1]` sigmoid, MSE, SGD lr 0.8, @gradlab/nn's mlp + SGD, one sample per
// step), with no forced garbage collection, sampled every 100,000 steps (target < 150 MB).
//
//   pnpm --filter @gradlab/nn exec tsx bench/rss.ts [--steps 1000000]
import { xs } from '@gradlab/core/bench';
import { eagerNnCase } from './lab.ts';

const args = process.argv.slice(2);
const STEPS = args.includes('--steps') ? Number(args[args.indexOf('--steps') + 1]) : 1_000_000;
const mb = (b: number) => (b / 2 ** 20).toFixed(1);
const c = eagerNnCase();
const samples: string[] = [];
let peak = 0;
const t0 = performance.now();
for (let done = 0; done < STEPS; ) {
  const n = Math.min(100_000, STEPS - done);
  for (let k = 0; k < n; k++) c.step((done + k) % xs.length);
  done += n;
  const m = process.memoryUsage();
  peak = Math.max(peak, m.rss);
  samples.push(`${done / 1000}k: ${mb(m.rss)}`);
}
const m = process.memoryUsage();
console.log(`${STEPS} eager lab steps (nn) in ${((performance.now() - t0) / 1000).toFixed(1)} s, no forced GC; RSS MiB after each 100k: ${samples.join(', ')}`);
console.log(`  peak RSS ${mb(peak)} MiB (target < 150 MB = 143 MiB); at the end heapUsed ${mb(m.heapUsed)} MiB, arrayBuffers ${mb(m.arrayBuffers)} MiB`);
