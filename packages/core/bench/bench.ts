// The core part of `pnpm bench` (the nn part is packages/nn/bench): the lab step with core
// alone, eager and compiled, against the hand-written fused loop, all in one process; then an
// MLP step and conv2d steps against numpy on one thread (models.ts; bench/ref/*.py).
//
//   pnpm bench             both parts (this one first)
//   pnpm bench --quick     fewer rounds (a smoke test)
//   pnpm bench --memory    1,000,000 lab steps per engine: heap after warm-up and at the end
//   pnpm --filter @gradlab/core bench --matmul    the matmul table alone (bench/matmul.ts)
//   pnpm --filter @gradlab/core bench --threads   512³ and 1024³ on 1 thread and on every core (bench/threads.ts)
//
// After the lab step: the matmul table, gradlab against numpy and PyTorch (bench/matmul.ts,
// bench/ref/matmul_ref.py; skipped with a note where python3 is missing).
import { compiledCase, eagerCase } from './lab.ts';
import { modelsBench } from './models.ts';
import { matmulBench } from './matmul.ts';
import { threadsBench } from './threads.ts';
import { CHECK_STEPS, fusedCase, gcShare, header, labTable, labWeights, maxAbsDiff, memoryTable, options, same, trainForCheck } from './harness.ts';

const cases = () => [fusedCase(labWeights().map((w) => w.data as Float64Array)), eagerCase(), compiledCase()];

header('core');
if (options.matmul) {
  await matmulBench();
} else if (options.threads) {
  await threadsBench();
} else if (options.memory) {
  memoryTable([eagerCase(), compiledCase()]);
} else {
  const { perStep, ratios } = labTable('lab step: [2,3,3,1] sigmoid, no bias, MSE, SGD lr 0.8, one sample per step (XOR-easy), core ops', cases());
  const gc = await gcShare(eagerCase(), options.quick ? 50_000 : 200_000, options.quick ? 3 : 5);
  console.log(
    `  targets: eager ${perStep[1].toFixed(2)} µs, ${ratios[1].toFixed(1)}× (target ≤ 14×), garbage collection ` +
      `${(100 * gc.median).toFixed(1)}% of its wall time (${(100 * gc.min).toFixed(1)}–${(100 * gc.max).toFixed(1)}%, ` +
      `${Math.round(gc.collections)} collections per run; target < 5%); compiled ${ratios[2].toFixed(2)}× the fused loop (target ≤ 1.1×)`,
  );
  // the same training on fresh cases, step for step: the engines must agree
  const [fused, eager, compiled] = trainForCheck(cases());
  console.log(`  check after ${CHECK_STEPS} steps: compiled ${same(compiled, eager)} eager (bit for bit); fused vs eager max |Δw| = ${maxAbsDiff(fused, eager).toExponential(1)}`);
  modelsBench();
  await matmulBench();
}
