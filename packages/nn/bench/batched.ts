// Full-batch training of [2,64,64,1] (sigmoid, no bias, MSE, SGD) on generateLinear(4096):
// every matmul, forward and backward, is counted as 2·m·n·k floating-point operations.
import { compile, type Tensor } from '@gradlab/core';
import { fmt, median, options } from '@gradlab/core/bench';
import { generateLinear } from '@gradlab/data';
import { mlp, mseLoss, SGD, type Sequential } from '../src/index.ts';

const BATCH_DIMS = [2, 64, 64, 1] as const;
const BATCH_SIZE = 4096;
const LR = 0.5;

/** Matmul flops of one training step: forward x·W, backward ∂L/∂W = xᵀ·g and ∂L/∂x = g·Wᵀ (not for the input). */
function stepFlops(dims: readonly number[], batch: number): number {
  let flops = 0;
  for (let l = 0; l + 1 < dims.length; l++) {
    const layer = 2 * batch * dims[l] * dims[l + 1];
    flops += layer; // forward
    flops += layer; // ∂L/∂W
    if (l > 0) flops += layer; // ∂L/∂(layer input); the data needs no gradient
  }
  return flops;
}

interface BatchedCase {
  name: string;
  step: () => void;
  model: Sequential;
}

function setup() {
  const data = generateLinear(BATCH_SIZE);
  const model = mlp([...BATCH_DIMS], { bias: false, seed: 3, init: 'xavier' });
  return { x: data.inputs, y: data.labels, model, optimizer: new SGD(model.parameters(), { lr: LR }) };
}

function batchedEager(): BatchedCase {
  const { x, y, model, optimizer } = setup();
  return {
    name: 'eager',
    step: () => {
      optimizer.zeroGrad();
      mseLoss(model.forward(x), y).backward();
      optimizer.step();
    },
    model,
  };
}

function batchedCompiled(): BatchedCase {
  const { x, y, model, optimizer } = setup();
  const step = compile((xb: Tensor, yb: Tensor) => mseLoss(model.forward(xb), yb), { optimizer });
  return {
    name: 'compiled',
    step: () => step.run(x, y),
    model,
  };
}

export function batchedBench(): void {
  const rounds = options.quick ? 2 : 5;
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
