// TensorDataset, DataLoader, the seeded splits and the standardizer.
import { describe, expect, it } from 'vitest';
import { GradlabError, tensor } from '@gradlab/core';
import { DataLoader, permutation, randomSplit, Standardizer, standardize, TensorDataset, trainTestSplit, type IndexedDataset } from '../src/index.ts';

const x = tensor(Array.from({ length: 10 }, (_, i) => [i, 10 * i]));
const y = tensor(Array.from({ length: 10 }, (_, i) => i % 3));
const rows = (t: { data: ArrayLike<number> }) => Array.from(t.data);

describe('TensorDataset', () => {
  it('samples are rows of every tensor; take gathers a batch', () => {
    const d = new TensorDataset(x, y);
    expect(d.length).toBe(10);
    const [xi, yi] = d.get(4);
    expect([xi.shape, rows(xi), yi.shape, rows(yi)]).toEqual([[2], [4, 40], [], [1]]);
    const [xb, yb] = d.take([9, 0, 9]);
    expect([xb.shape, rows(xb), rows(yb)]).toEqual([[3, 2], [9, 90, 0, 0, 9, 90], [0, 0, 0]]);
    expect(() => new TensorDataset(x, tensor([1, 2]))).toThrow('TensorDataset: the tensors must have one length along the first axis: [10,2], [2]');
    expect(() => d.get(10)).toThrow('TensorDataset.get: index 10 is out of range (the dataset has 10 samples)');
  });
});

describe('DataLoader', () => {
  it('batches in order, the last batch smaller unless dropLast', () => {
    const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 4 });
    expect(loader.length).toBe(3);
    expect([...loader].map(([xb]) => xb.shape[0])).toEqual([4, 4, 2]);
    expect(rows([...loader][2][0])).toEqual([8, 80, 9, 90]);
    const dropping = new DataLoader(new TensorDataset(x, y), { batchSize: 4, dropLast: true });
    expect([...dropping].map(([xb]) => xb.shape[0])).toEqual([4, 4]);
  });

  it('shuffles with a seed: every sample once per epoch, a new order each epoch, the same orders for the same seed', () => {
    const make = (seed: number) => new DataLoader(new TensorDataset(x, y), { batchSize: 3, shuffle: true, seed });
    const a = make(1);
    const epoch0 = [...a].flatMap(([xb]) => rows(xb).filter((_, i) => i % 2 === 0));
    const epoch1 = [...a].flatMap(([xb]) => rows(xb).filter((_, i) => i % 2 === 0));
    expect([...epoch0].sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(epoch1).not.toEqual(epoch0);
    const b = make(1);
    expect([...b].flatMap(([xb]) => rows(xb).filter((_, i) => i % 2 === 0))).toEqual(epoch0);
    expect(Array.from(make(2).order(0))).not.toEqual(Array.from(a.order(0)));
    // an epoch's order can be recomputed (resuming): epoch 1 of a fresh loader
    const c = make(1);
    c.epoch = 1;
    expect([...c].flatMap(([xb]) => rows(xb).filter((_, i) => i % 2 === 0))).toEqual(epoch1);
    expect(Array.from(a.order(0))).toEqual(epoch0);
  });

  it('stacks the samples of any indexed dataset', () => {
    const squares: IndexedDataset = { length: 3, get: (i) => [tensor([i, i * i])] };
    expect([...new DataLoader(squares, { batchSize: 2 })].map(([b]) => [b.shape, rows(b)])).toEqual([
      [[2, 2], [0, 0, 1, 1]],
      [[1, 2], [2, 4]],
    ]);
  });

  it('checks its options', () => {
    const d = new TensorDataset(x);
    expect(() => new DataLoader(d, { batchSize: 0 })).toThrow('DataLoader: batchSize must be a positive integer, got 0');
    expect(() => new DataLoader(d, { seed: 0.5 })).toThrow('DataLoader: seed must be an integer, got 0.5');
    expect(() => new DataLoader({} as never)).toThrow(GradlabError);
  });
});

describe('splits', () => {
  it('permutation is a seeded Fisher–Yates', () => {
    const p = permutation(10, 3);
    expect([...p].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(permutation(10, 3))).toEqual(Array.from(p));
    expect(Array.from(permutation(10, 4))).not.toEqual(Array.from(p));
  });

  it('randomSplit by counts or fractions; trainTestSplit; disjoint and complete', () => {
    const d = new TensorDataset(x, y);
    const [a, b, c] = randomSplit(d, [0.5, 0.3, 0.2], { seed: 1 });
    expect([a.length, b.length, c.length]).toEqual([5, 3, 2]);
    const firsts = [a, b, c].flatMap((part) => rows(part.tensors[0]).filter((_, i) => i % 2 === 0));
    expect(firsts.sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(randomSplit(d, [7, 3], { seed: 2 }).map((s) => s.length)).toEqual([7, 3]);
    expect(randomSplit(d, [0.33, 0.33, 0.34]).map((s) => s.length)).toEqual([4, 3, 3]); // 3, 3, 3 and the rest from the first
    const { train, test } = trainTestSplit(d, { testFraction: 0.3, seed: 1 });
    expect([train.length, test.length]).toEqual([7, 3]);
    expect(() => randomSplit(d, [5, 4])).toThrow('randomSplit: lengths [5, 4] add up to 9: give counts adding up to 10 or fractions adding up to 1');
    expect(() => trainTestSplit(d, { testFraction: 1 })).toThrow('trainTestSplit: testFraction must be in (0, 1), got 1');
  });
});

describe('Standardizer', () => {
  it('fits mean and population std per column on the training data, and applies them to other data', () => {
    const train = tensor([[1, 10, 5], [3, 30, 5]]);
    const s = Standardizer.fit(train);
    expect([s.mean, s.std]).toEqual([[2, 20, 5], [1, 10, 1]]); // a constant column gets std 1
    expect(rows(s.transform(train))).toEqual([-1, -1, 0, 1, 1, 0]);
    expect(rows(s.transform(tensor([[2, 40, 6]])))).toEqual([0, 2, 1]);
    expect(rows(s.inverse(s.transform(train)))).toEqual(rows(train));
    expect(Standardizer.fromJSON(JSON.parse(JSON.stringify(s))).toJSON()).toEqual(s.toJSON());
    const { train: t, others } = standardize(train, tensor([[2, 20, 5]]));
    expect([rows(t), rows(others[0])]).toEqual([[-1, -1, 0, 1, 1, 0], [0, 0, 0]]);
    expect(() => s.transform(tensor([[1, 2]]))).toThrow('Standardizer.transform: x of shape [1,2] must end in 3 features');
    expect(() => Standardizer.fromJSON({ mean: [0], std: [0] })).toThrow('Standardizer: std must be a list of 1 finite numbers > 0');
    expect(() => Standardizer.fit(tensor([[Number.NaN]]))).toThrow('Standardizer.fit: column 0 of x holds NaN or ±Infinity');
  });
});
