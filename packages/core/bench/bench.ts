// pnpm bench: gradlab against the hand-written limit, all in one process.
//
//   pnpm bench             the lab step in every engine, then the batched case
//   pnpm bench --quick     fewer rounds (a smoke test)
//   pnpm bench --memory    1,000,000 lab steps eager (and compiled): heap after warm-up and at the end
//
// Every case runs once per round, in turn, so a busy machine slows them alike; a case's figure
// is its median over the rounds and its ratio the median of its per-round ratios to the fused loop.
import { cpus } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { BATCH_DIMS, BATCH_SIZE, batchedCompiled, batchedEager, stepFlops, type BatchedCase } from './batched.ts';
import { compiledCase, compiledNnCase, eagerCase, eagerNnCase, fusedCase, SAMPLES, type LabCase } from './lab.ts';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function fmt(value: number, digits: number): string {
  return value.toFixed(digits).padStart(8);
}

/** Runs `steps` lab steps from sample `start` on; returns µs per step. */
function time(c: LabCase, steps: number, start: number): number {
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) c.step((start + s) % SAMPLES);
  return ((performance.now() - t0) * 1000) / steps;
}

function header(): void {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  console.log(`gradlab bench · Node ${process.version} (V8 ${process.versions.v8}) · ${cpu} · ${cpus().length} cores · ${process.platform} ${process.arch}`);
}

function labBench(): void {
  const rounds = quick ? 3 : 7;
  const cases = [fusedCase(), eagerCase(), eagerNnCase(), compiledCase(), compiledNnCase()];
  // warm-up, then steps per round chosen so that each case runs for about 150 ms
  const stepsPerRound = cases.map((c) => {
    time(c, 2000, 0);
    const perStep = time(c, 5000, 0);
    return Math.max(SAMPLES, Math.round((quick ? 50_000 : 150_000) / perStep / SAMPLES) * SAMPLES);
  });
  // every case has now seen the same samples in the same order, as it will in every round
  const perRound = cases.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) cases.forEach((c, k) => perRound[k].push(time(c, stepsPerRound[k], 0)));
  const ratios = cases.map((_, k) => median(perRound[k].map((t, r) => t / perRound[0][r])));

  console.log(`\nlab step: [2,3,3,1] sigmoid, no bias, MSE, SGD lr 0.8, one sample per step (XOR-easy); ${rounds} rounds`);
  console.log('  case                                        µs/step   × fused');
  cases.forEach((c, k) => {
    console.log(`  ${c.name.padEnd(40)}${fmt(median(perRound[k]), 3)}${fmt(ratios[k], 1)}×`);
  });
  const targets = [
    `eager (core ops): ${median(perRound[1]).toFixed(2)} µs, ${ratios[1].toFixed(1)}× (target ≤ 3 µs and ≤ ~18×)`,
    `compiled: ${ratios[3].toFixed(2)}× the fused loop (target ≤ 2×)`,
  ];
  console.log(`  targets: ${targets.join('; ')}`);

  // the same training on fresh cases, step for step: the engines must agree
  const check = [fusedCase(), eagerCase(), eagerNnCase(), compiledCase(), compiledNnCase()];
  for (const c of check) time(c, 20 * SAMPLES, 0);
  const weights = check.map((c) => c.weights());
  const same = (k: number, l: number) =>
    weights[k].every((w, i) => w.every((v, j) => Object.is(v, weights[l][i][j]))) ? '==' : '!=';
  let maxDiff = 0;
  weights[0].forEach((w, i) => w.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - weights[1][i][j])))));
  console.log(
    `  check after ${20 * SAMPLES} steps: compiled ${same(3, 1)} eager, nn eager ${same(2, 1)} core eager, ` +
      `nn compiled ${same(4, 2)} nn eager (bit for bit); fused vs eager max |Δw| = ${maxDiff.toExponential(1)}`,
  );
}

function batchedBench(): void {
  const rounds = quick ? 2 : 5;
  const flops = stepFlops(BATCH_DIMS, BATCH_SIZE);
  const cases: BatchedCase[] = [batchedEager(), batchedCompiled()];
  for (const c of cases) for (let s = 0; s < 3; s++) c.step();
  const perRound = cases.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    cases.forEach((c, k) => {
      const t0 = performance.now();
      for (let s = 0; s < 2; s++) c.step();
      perRound[k].push((performance.now() - t0) / 2);
    });
  }
  console.log(
    `\nbatched: [${BATCH_DIMS.join(',')}] sigmoid, no bias, MSE, full batch of ${BATCH_SIZE} (generateLinear); ` +
      `${(flops / 1e6).toFixed(1)} Mflop of matmul per step; ${rounds} rounds`,
  );
  console.log('  case          ms/step   GFLOP/s');
  cases.forEach((c, k) => {
    const ms = median(perRound[k]);
    console.log(`  ${c.name.padEnd(12)}${fmt(ms, 2)}${fmt(flops / ms / 1e6, 2)}`);
  });
  const same = cases[0].model.parameters().every((p, i) => p.data.every((v, j) => Object.is(v, cases[1].model.parameters()[i].data[j])));
  console.log(`  target: ≥ 5 GFLOP/s · check: compiled weights ${same ? '==' : '!='} eager weights bit for bit`);
}

function memoryBench(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const heap = () => {
    gc();
    gc();
    const m = process.memoryUsage();
    return { heap: m.heapUsed / 2 ** 20, buffers: m.arrayBuffers / 2 ** 20 };
  };
  const total = quick ? 200_000 : 1_000_000;
  console.log(`\nmemory: ${total.toLocaleString('en')} lab steps per engine; heapUsed and arrayBuffers (MiB) after gc`);
  for (const c of [eagerCase(), compiledCase()]) {
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
    console.log(`  ${c.name.padEnd(40)} after warm-up ${start.heap.toFixed(2)} + ${start.buffers.toFixed(2)} · ${marks.join(' · ')}`);
    console.log(`  ${''.padEnd(40)} growth ${growth.toFixed(3)} MiB (${Math.abs(growth) < 1 ? 'flat' : 'GROWING'})`);
  }
}

header();
if (args.has('--memory')) memoryBench();
else {
  labBench();
  batchedBench();
}
