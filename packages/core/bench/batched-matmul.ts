// Batched matmul: what serving each batch with the 2-D loop costs, in one process.
//
//   pnpm --filter @gradlab/core exec tsx bench/batched-matmul.ts [--quick]
//
// (1) matmul of [B,m,k]·[B,k,n] against B separate 2-D matmuls of the same matrices (the
//     batched op's overhead: broadcasting, one subarray view per operand per batch);
// (2) [B,m,k]·[k,n] (one B for all: the stack of A as one tall matrix, one call) against the
//     same product with B given per batch, [B,m,k]·[B,k,n] (one call per batch);
// (3) forward and backward of sum(A·B) for [B,m,k]·[k,n], with the fast vjps (matmulNT/TN read
//     the transposed operand in place) and with the teaching rules (a transpose made first).
// Each line: the median time of several rounds and its ratio to the line it is compared with.
import { grad, matmul, randn, sum, tensor, type Tensor } from '../src/index.ts';
import { attachFastRules, detachFastRules } from '../src/fast/index.ts';
import { createRng } from '../src/random.ts';
import { header, median, options } from './harness.ts';

const rounds = options.quick ? 3 : 9;

/**
 * Median µs per call of each fn: `rounds` rounds (after one warm-up round), each timing every fn
 * for `calls` calls in turn, so a change of load on the machine falls on all of them alike.
 */
function timeAll(fns: readonly (() => unknown)[], calls: number): number[] {
  const per = fns.map(() => [] as number[]);
  for (let r = 0; r <= rounds; r++) {
    fns.forEach((fn, i) => {
      const t0 = performance.now();
      for (let c = 0; c < calls; c++) fn();
      if (r > 0) per[i].push(((performance.now() - t0) * 1000) / calls);
    });
  }
  return per.map(median);
}

const line = (what: string, us: number, base?: number) =>
  console.log(`  ${what.padEnd(58)} ${us.toFixed(1).padStart(9)} µs${base === undefined ? '' : `   ${(us / base).toFixed(2)}×`}`);

header('batched matmul');
const rng = createRng(7);
for (const [B, m, k, n, calls] of [[64, 8, 8, 8, 400], [32, 64, 64, 64, 20], [8, 128, 128, 128, 4]] as const) {
  const A = randn([B, m, k], rng);
  const Bs = randn([B, k, n], rng);
  const W = randn([k, n], rng);
  const Ws = tensor(Float64Array.from({ length: B * k * n }, (_, i) => W.data[i % (k * n)]), { shape: [B, k, n] });
  const slices = (t: Tensor, rows: number, cols: number) =>
    Array.from({ length: B }, (_, b) => tensor(t.data.slice(b * rows * cols, (b + 1) * rows * cols), { shape: [rows, cols] }));
  const As = slices(A, m, k);
  const Bl = slices(Bs, k, n);
  console.log(`[${B},${m},${k}] · [${B},${k},${n}] and · [${k},${n}]`);
  const [loop, batched, perBatch, tall] = timeAll([() => As.map((a, b) => matmul(a, Bl[b])), () => matmul(A, Bs), () => matmul(A, Ws), () => matmul(A, W)], calls);
  line(`${B} separate 2-D matmuls`, loop);
  line('one batched matmul', batched, loop);
  line('· [B,k,n] with B copies of one matrix (a call per batch)', perBatch);
  line('· [k,n] (the stack of A as one tall matrix)', tall, perBatch);
  const a = randn([B, m, k], rng, { requiresGrad: true });
  const w = randn([k, n], rng, { requiresGrad: true });
  const step = () => grad(sum(matmul(a, w)), [a, w]);
  const [teaching, fast] = timeAll([() => (detachFastRules(), step()), () => (attachFastRules(), step())], calls);
  line('forward + backward, teaching rules (transposes made)', teaching);
  line('forward + backward, fast vjps (read in place)', fast, teaching);
}
