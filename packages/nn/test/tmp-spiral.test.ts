import { it } from 'vitest';
import { generateSpiral, TensorDataset, DataLoader, trainTestSplit, standardize } from '@gradlab/data';
import { CosineAnnealingLR, Adam, Sequential, Linear, Tanh, ReLU, crossEntropyLoss, accuracy, bceWithLogitsLoss } from '../src/index.ts';
import { noGrad, type Tensor } from '@gradlab/core';

function run(std: boolean, seed: number, epochs: number, n: number) {
  const { inputs, labels } = generateSpiral(n, { seed: 3 });
  const { train, test } = trainTestSplit(new TensorDataset(inputs, labels.reshape([n])), { testFraction: 0.25, seed: 1 });
  let [xTr, yTr] = train.tensors; let [xTe, yTe] = test.tensors;
  if (std) { const s = standardize(xTr, xTe); xTr = s.train; xTe = s.others[0]; }
  const model = new Sequential(new Linear(2, 32, { seed }), new Tanh(), new Linear(32, 32, { seed: seed + 1 }), new Tanh(), new Linear(32, 2, { seed: seed + 2 }));
  const opt = new Adam(model.parameters(), { lr: 0.02 }); const sched = new CosineAnnealingLR(opt, { tMax: epochs });
  const loader = new DataLoader(new TensorDataset(xTr, yTr), { batchSize: 32, shuffle: true, seed });
  const t0 = performance.now();
  for (let e = 0; e < epochs; e++) { for (const [x, y] of loader) { opt.zeroGrad(); crossEntropyLoss(model.forward(x), y).backward(); opt.step(); } sched.step(); }
  const acc = noGrad(() => accuracy(model.forward(xTe) as Tensor, yTe));
  const accTr = noGrad(() => accuracy(model.forward(xTr) as Tensor, yTr));
  console.log(std, seed, epochs, n, 'train', accTr, 'test', acc, (performance.now() - t0).toFixed(0), 'ms');
}
it('spiral', () => {
  for (const s of [1, 2, 3, 4, 5]) run(true, s, 150, 400); run(false, 1, 150, 400);
}, 200000);
