// The nn part of `pnpm bench` (after packages/core/bench): the lab step with @gradlab/nn's
// model and optimizer, eager and compiled, against the hand-written fused loop; then the
// batched case. Flags as for core's part: --quick, --memory.
import { CHECK_STEPS, fusedCase, header, labTable, labWeights, maxAbsDiff, memoryTable, options, same, trainForCheck } from '@gradlab/core/bench';
import { batchedBench } from './batched.ts';
import { compiledNnCase, compiledStepAfterCase, eagerNnCase, labModel } from './lab.ts';

const cases = () => [fusedCase(labWeights().map((w) => w.data as Float64Array)), eagerNnCase(), compiledNnCase(), compiledStepAfterCase()];

header('nn');
if (options.memory) {
  memoryTable([eagerNnCase(), compiledNnCase()]);
} else {
  const { perStep, ratios } = labTable('lab step: [2,3,3,1] sigmoid, no bias, MSE, SGD lr 0.8, one sample per step (XOR-easy), @gradlab/nn', cases());
  console.log(`  targets: nn eager ${perStep[1].toFixed(2)} µs; nn compiled ${ratios[2].toFixed(2)}× the fused loop (target ≤ 2×)`);
  const [fused, eager, compiled, stepAfter] = trainForCheck(cases());
  const sameStart = same(labModel().parameters().map((p) => p.data as Float64Array), labWeights().map((w) => w.data as Float64Array));
  console.log(
    `  check after ${CHECK_STEPS} steps: compiled ${same(compiled, eager)} eager, step after run ${same(stepAfter, eager)} eager ` +
      `(bit for bit); fused vs eager max |Δw| = ${maxAbsDiff(fused, eager).toExponential(1)}; mlp's initial weights ${sameStart} core bench's`,
  );
  batchedBench();
}
