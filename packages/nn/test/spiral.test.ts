// The spiral data set with a softmax classifier: standardised inputs (fitted on the training
// split) reach ≥ 95% test accuracy from a fixed seed; the same recipe on the raw inputs (all in
// [0, 1]², centred at 0.5) stays far below.
import { describe, expect, it } from 'vitest';
import { noGrad, type Tensor } from '@gradlab/core';
import { DataLoader, generateSpiral, standardize, TensorDataset, trainTestSplit } from '@gradlab/data';
import { accuracy, Adam, CosineAnnealingLR, crossEntropyLoss, Linear, Sequential, Tanh } from '../src/index.ts';

function train(standardised: boolean): { train: number; test: number } {
  const n = 400;
  const { inputs, labels } = generateSpiral(n, { seed: 3 });
  const { train: trainSet, test: testSet } = trainTestSplit(new TensorDataset(inputs, labels.reshape([n])), { testFraction: 0.25, seed: 1 });
  const [rawTrain, yTrain] = trainSet.tensors as Tensor[];
  const [rawTest, yTest] = testSet.tensors as Tensor[];
  let xTrain = rawTrain;
  let xTest = rawTest;
  if (standardised) {
    const s = standardize(xTrain, xTest);
    xTrain = s.train;
    xTest = s.others[0];
  }
  const model = new Sequential(new Linear(2, 32, { seed: 1 }), new Tanh(), new Linear(32, 32, { seed: 2 }), new Tanh(), new Linear(32, 2, { seed: 3 }));
  const epochs = 150;
  const optimizer = new Adam(model.parameters(), { lr: 0.02 });
  const schedule = new CosineAnnealingLR(optimizer, { tMax: epochs });
  const loader = new DataLoader(new TensorDataset(xTrain, yTrain), { batchSize: 32, shuffle: true, seed: 1 });
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (const [x, y] of loader) {
      optimizer.zeroGrad();
      crossEntropyLoss(model.forward(x), y).backward();
      optimizer.step();
    }
    schedule.step();
  }
  return noGrad(() => ({ train: accuracy(model.forward(xTrain), yTrain), test: accuracy(model.forward(xTest), yTest) }));
}

describe('spiral (400 points, 300 train / 100 test), MLP 2-32-32-2 tanh, Adam + cosine schedule, cross-entropy', () => {
  it('reaches ≥ 95% test accuracy with standardised inputs, and stays below 80% without', () => {
    const withStandardisation = train(true);
    const raw = train(false);
    console.log(`spiral: standardised ${JSON.stringify(withStandardisation)}, raw ${JSON.stringify(raw)}`);
    expect(withStandardisation.test).toBeGreaterThanOrEqual(0.95);
    expect(withStandardisation.train).toBeGreaterThanOrEqual(0.95);
    expect(raw.test).toBeLessThan(0.8);
  }, 120_000); // about 2 s alone; more on a loaded machine
});
