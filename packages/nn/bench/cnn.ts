// A digits-sized CNN training step, eager and compiled (BatchNorm2d in training mode, so its
// running statistics are replayed through `assign`): CPU time per step (process.cpuUsage), the
// median of 5 rounds, and the ratio in this process. Run: pnpm exec tsx packages/nn/bench/cnn.ts
import { compile, createRng, randn, tensor, type Tensor } from '@gradlab/core';
import { Adam, BatchNorm2d, Conv2d, crossEntropyLoss, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '../src/index.ts';

const BATCH = 32;
const STEPS = 20;
const ROUNDS = 5;

const model = () =>
  new Sequential(
    new Conv2d(1, 8, 3, { padding: 1, seed: 1 }), new BatchNorm2d(8), new ReLU(), new MaxPool2d(2),
    new Conv2d(8, 16, 3, { padding: 1, seed: 2 }), new ReLU(), new MaxPool2d(2),
    new Flatten(), new Linear(64, 10, { seed: 3 }),
  );

const rng = createRng(1);
const x = randn([BATCH, 1, 8, 8], rng);
const y = tensor(Array.from({ length: BATCH }, () => rng.int(10)));

function cpuMicros(fn: () => void): number {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return used.user + used.system;
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

const eagerModel = model();
const eagerOptimizer = new Adam(eagerModel.parameters(), { lr: 0.01 });
const eagerStep = () => {
  eagerOptimizer.zeroGrad();
  crossEntropyLoss(eagerModel.forward(x), y).backward();
  eagerOptimizer.step();
};
const compiledModel = model();
const optimizer = new Adam(compiledModel.parameters(), { lr: 0.01 });
const step = compile((input: Tensor, labels: Tensor) => crossEntropyLoss(compiledModel.forward(input), labels), { optimizer });
step.run(x, y);
step.run(x, y); // recorded, then checked against the eager step
eagerStep();
eagerStep();

const eager: number[] = [];
const compiled: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  eager.push(cpuMicros(() => { for (let k = 0; k < STEPS; k++) eagerStep(); }) / STEPS);
  compiled.push(cpuMicros(() => { for (let k = 0; k < STEPS; k++) step.run(x, y); }) / STEPS);
}
const e = median(eager);
const c = median(compiled);
console.log(`CNN step (batch ${BATCH} of 1×8×8, conv 8 → BatchNorm2d → pool → conv 16 → pool → linear 10, Adam), CPU µs per step, median of ${ROUNDS}×${STEPS}:`);
console.log(`  eager ${e.toFixed(0)} µs, compiled ${c.toFixed(0)} µs (${step.generated ? 'generated code' : 'kernels'}): compiled/eager ${(c / e).toFixed(2)}`);
