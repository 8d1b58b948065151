// The benchmark harness, shared by `pnpm bench`'s two parts (packages/core/bench: core alone;
// packages/nn/bench: nn's model and optimizers, and the batched case), exported as
// `@gradlab/core/bench`: the lab's per-sample step, its data and initial weights, the
// hand-written fused loop every figure is a ratio to, and the timing.
//
// Every case runs once per round, in turn, so a busy machine slows them alike; a case's figure
// is its median over the rounds and its ratio the median of its per-round ratios to the fused loop.
import { cpus } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createRng, randn, tensor, type Tensor } from '../src/index.ts';
import { fusedStep, type FusedNet } from './fused.ts';

const argv = new Set(process.argv.slice(2));
/**
 * `--quick`: fewer rounds (a smoke test); `--memory`: the heap over 1,000,000 steps instead of
 * speed; `--matmul`: core's matmul table alone (with the reference runner); `--threads`: 512³ and
 * 1024³ on 1 thread and on every core (bench/threads.ts).
 */
export const options = { quick: argv.has('--quick'), memory: argv.has('--memory'), matmul: argv.has('--matmul'), threads: argv.has('--threads') };

/** The lab's learning rate and network. */
export const LR = 0.8;
export const LAB_DIMS = [2, 3, 3, 1] as const;

// XOR-easy as the lab builds it: for i = 0..10, (0.1i, 0.1i) → 0, then (0.1i, 1 − 0.1i) → 1
// unless 0.1i is 0.5 (@gradlab/data's generateXOREasy, point for point)
const points: number[] = [];
const labels: number[] = [];
for (let i = 0; i < 11; i++) {
  points.push(0.1 * i, 0.1 * i);
  labels.push(0);
  if (0.1 * i === 0.5) continue;
  points.push(0.1 * i, 1 - 0.1 * i);
  labels.push(1);
}
export const X = Float64Array.from(points);
export const Y = Float64Array.from(labels);
export const SAMPLES = Y.length;
/** One [1,2] input and one [1,1] label per sample, made once (as the lab trainer does). */
export const xs: readonly Tensor[] = Array.from({ length: SAMPLES }, (_, i) => tensor(X.slice(2 * i, 2 * i + 2), { shape: [1, 2] }));
export const ys: readonly Tensor[] = Array.from({ length: SAMPLES }, (_, i) => tensor(Y.slice(i, i + 1), { shape: [1, 1] }));

/**
 * The lab preset's initial weights W1 [2,3], W2 [3,3], W3 [3,1], drawn as @gradlab/nn's
 * `mlp([2,3,3,1], { bias: false, seed: 11 })` draws them: layer k from `createRng(s_k)`, where
 * s_k is the k-th 32-bit draw of `createRng(11)`, N(0, 1) by randn. Fresh tensors on every call.
 */
export function labWeights(): Tensor[] {
  const seeds = createRng(11);
  return LAB_DIMS.slice(1).map((d, l) => randn([LAB_DIMS[l], d], createRng(seeds.nextUint32()), { requiresGrad: true }));
}

/** A case: `step(i)` trains on sample i; `weights()` reads the weights afterwards. */
export interface LabCase {
  name: string;
  step: (i: number) => void;
  weights: () => Float64Array[];
}

/** The hand-written fused loop (fused.ts) from the given initial weights. */
export function fusedCase(initial: readonly Float64Array[]): LabCase {
  const [w1, w2, w3] = initial.map((w) => w.slice());
  const net: FusedNet = { w1, w2, w3 };
  return {
    name: 'hand-written fused loop',
    step: (i) => fusedStep(net, X[2 * i], X[2 * i + 1], Y[i], LR),
    weights: () => [net.w1, net.w2, net.w3],
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function fmt(value: number, digits: number): string {
  return value.toFixed(digits).padStart(8);
}

export function header(what: string): void {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  console.log(`gradlab bench (${what}) · Node ${process.version} (V8 ${process.versions.v8}) · ${cpu} · ${cpus().length} cores · ${process.platform} ${process.arch}`);
}

/** Runs `steps` lab steps from sample `start` on; returns µs per step. */
function time(c: LabCase, steps: number, start: number): number {
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) c.step((start + s) % SAMPLES);
  return ((performance.now() - t0) * 1000) / steps;
}

/**
 * Times the lab step in each case (the first must be the fused loop), prints the table, and
 * returns each case's median µs per step and median ratio to the fused loop.
 */
export function labTable(title: string, cases: readonly LabCase[]): { perStep: number[]; ratios: number[] } {
  const rounds = options.quick ? 3 : 7;
  // warm-up, then steps per round chosen so that each case runs for about 150 ms
  const stepsPerRound = cases.map((c) => {
    time(c, 2000, 0);
    const perStep = time(c, 5000, 0);
    return Math.max(SAMPLES, Math.round((options.quick ? 50_000 : 150_000) / perStep / SAMPLES) * SAMPLES);
  });
  // every case has now seen the same samples in the same order, as it will in every round
  const perRound = cases.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) cases.forEach((c, k) => perRound[k].push(time(c, stepsPerRound[k], 0)));
  const perStep = perRound.map(median);
  const ratios = cases.map((_, k) => median(perRound[k].map((t, r) => t / perRound[0][r])));

  console.log(`\n${title}; ${rounds} rounds`);
  console.log('  case                                                    µs/step   × fused');
  cases.forEach((c, k) => console.log(`  ${c.name.padEnd(52)}${fmt(perStep[k], 3)}${fmt(ratios[k], 2)}×`));
  return { perStep, ratios };
}

/**
 * The share of wall time spent in garbage collection while `c` trains `steps` steps: the
 * durations of the GC entries perf_hooks reports that start inside the run, over the run's wall
 * time (median over `rounds` runs, min–max beside).
 */
export async function gcShare(c: LabCase, steps: number, rounds: number): Promise<{ median: number; min: number; max: number; collections: number }> {
  const entries: { startTime: number; duration: number }[] = [];
  const observer = new PerformanceObserver((list) => void entries.push(...list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  const shares: number[] = [];
  let collections = 0;
  time(c, 2000, 0);
  for (let r = 0; r < rounds; r++) {
    await new Promise((done) => setImmediate(done));
    entries.length = 0;
    const t0 = performance.now();
    for (let s = 0; s < steps; s++) c.step(s % SAMPLES);
    const t1 = performance.now();
    await new Promise((done) => setTimeout(done, 10)); // the entries arrive after the run
    const inside = entries.filter((e) => e.startTime >= t0 && e.startTime < t1);
    collections += inside.length;
    shares.push(inside.reduce((sum, e) => sum + e.duration, 0) / (t1 - t0));
  }
  observer.disconnect();
  return { median: median(shares), min: Math.min(...shares), max: Math.max(...shares), collections: collections / rounds };
}

/** How many steps `trainForCheck` trains: 20 passes over the data. */
export const CHECK_STEPS = 20 * SAMPLES;

/** Trains fresh cases for CHECK_STEPS steps, step for step; returns their weights. */
export function trainForCheck(cases: readonly LabCase[]): Float64Array[][] {
  for (const c of cases) time(c, CHECK_STEPS, 0);
  return cases.map((c) => c.weights());
}

/** '==' if two sets of weights are the same bit for bit, else '!='. */
export function same(a: readonly Float64Array[], b: readonly Float64Array[]): '==' | '!=' {
  return a.length === b.length && a.every((w, i) => w.length === b[i].length && w.every((v, j) => Object.is(v, b[i][j]))) ? '==' : '!=';
}

export function maxAbsDiff(a: readonly Float64Array[], b: readonly Float64Array[]): number {
  let max = 0;
  a.forEach((w, i) => w.forEach((v, j) => (max = Math.max(max, Math.abs(v - b[i][j])))));
  return max;
}

/** `--memory`: 1,000,000 lab steps per case (200,000 with --quick); heap after warm-up and at the end. */
export function memoryTable(cases: readonly LabCase[]): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const heap = () => {
    gc();
    gc();
    const m = process.memoryUsage();
    return { heap: m.heapUsed / 2 ** 20, buffers: m.arrayBuffers / 2 ** 20 };
  };
  const total = options.quick ? 200_000 : 1_000_000;
  console.log(`\nmemory: ${total.toLocaleString('en')} lab steps per engine; heapUsed and arrayBuffers (MiB) after gc`);
  for (const c of cases) {
    const warmup = 50_000;
    for (let s = 0; s < warmup; s++) c.step(s % SAMPLES);
    const start = heap();
    const marks: string[] = [];
    for (let s = warmup; s < total; s++) {
      c.step(s % SAMPLES);
      if ((s + 1) % (total / 4) === 0) {
        const m = heap();
        marks.push(`${(s + 1) / 1000}k: ${m.heap.toFixed(2)} + ${m.buffers.toFixed(2)}`);
      }
    }
    const end = heap();
    const growth = end.heap + end.buffers - (start.heap + start.buffers);
    console.log(`  ${c.name.padEnd(52)} after warm-up ${start.heap.toFixed(2)} + ${start.buffers.toFixed(2)} · ${marks.join(' · ')}`);
    console.log(`  ${''.padEnd(52)} growth ${growth.toFixed(3)} MiB (${Math.abs(growth) < 1 ? 'flat' : 'GROWING'})`);
  }
}
