// The layers beyond the PyTorch fixture: seeded PyTorch-style initialisation, modes, shapes,
// and errors naming the layer and the shapes.
import { describe, expect, it } from 'vitest';
import { createRng, GradlabError, randn, tensor } from '@gradlab/core';
import { BatchNorm1d, Embedding, Flatten, GELU, GRUCell, LayerNorm, Linear, RNN, RNNCell, Softmax, Softplus } from '../src/index.ts';
import { expectGradientsMatch } from './finite-differences.ts';

const within = (values: Float64Array | Float32Array, bound: number) => values.every((v) => Math.abs(v) <= bound);

describe('initialisation (PyTorch defaults, seeded)', () => {
  it('Linear and the cells draw from U(−1/√fan, 1/√fan); Embedding from N(0, 1); the same seed gives the same weights', () => {
    const linear = new Linear(16, 4, { seed: 3 });
    expect(linear.weight.shape).toEqual([4, 16]);
    expect(within(linear.weight.data, 1 / 4) && within(linear.bias!.data, 1 / 4)).toBe(true);
    expect(Math.max(...linear.weight.data.map(Math.abs))).toBeGreaterThan(0.2); // the whole range is used
    expect(new Linear(16, 4, { seed: 3 }).stateDict()).toEqual(linear.stateDict());
    expect(new Linear(16, 4, { seed: 4 }).stateDict()).not.toEqual(linear.stateDict());
    const gru = new GRUCell(5, 9, { seed: 1 });
    expect([gru.weightIh.shape, gru.weightHh.shape, gru.biasIh!.shape]).toEqual([[27, 5], [27, 9], [27]]);
    expect(gru.parameters().every((p) => within(p.data, 1 / 3))).toBe(true);
    const emb = new Embedding(1000, 4, { seed: 2 });
    const values = Array.from(emb.weight.data);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(sd - 1)).toBeLessThan(0.05);
    expect(Array.from(new Embedding(5, 3, { paddingIdx: -1 }).weight.data.slice(12))).toEqual([0, 0, 0]);
  });
});

describe('BatchNorm1d', () => {
  it('normalises with the batch in training, with the running statistics in eval; the buffers are not parameters', () => {
    const bn = new BatchNorm1d(2, { momentum: 0.5 });
    const x = tensor([[1, 10], [3, 30], [5, 50]]);
    const y = bn.forward(x);
    // column 0: mean 3, biased variance 8/3 → (x − 3)/√(8/3 + 1e-5)
    expect(y.data[0]).toBeCloseTo(-2 / Math.sqrt(8 / 3 + 1e-5), 14);
    // running ← 0.5·running + 0.5·batch; the variance unbiased (÷2): 4 and 400
    expect(Array.from(bn.runningMean!.data)).toEqual([1.5, 15]);
    expect(Array.from(bn.runningVar!.data)).toEqual([0.5 + 0.5 * 4, 0.5 + 0.5 * 400]);
    expect(bn.numBatchesTracked!.item()).toBe(1);
    expect(bn.parameters()).toEqual([bn.weight, bn.bias]);
    bn.eval();
    const single = bn.forward(tensor([[1.5, 15]])); // eval works on one sample: at the running mean, 0
    expect(Array.from(single.data)).toEqual([0, 0]);
    expect(bn.numBatchesTracked!.item()).toBe(1); // eval does not track
    bn.train();
    expect(() => bn.forward(tensor([[1, 2]]))).toThrow('BatchNorm1d(2): training needs more than 1 value per feature, got x of shape [1,2]');
    expect(() => bn.forward(tensor([[1, 2, 3]]))).toThrow('BatchNorm1d(2): x of shape [1,3] must be [N, 2] or [N, 2, L]');
  });

  it('gradients (training mode, with batch statistics) match finite differences', () => {
    const bn = new BatchNorm1d(3);
    bn.weight!.set([1.5, -0.5, 2]);
    bn.bias!.set([0.1, 0.2, 0.3]);
    const x = randn([4, 3, 2], createRng(5), { requiresGrad: true });
    const w = randn([4, 3, 2], createRng(6));
    expectGradientsMatch(() => bn.forward(x).mul(w).sum(), [x, bn.weight!, bn.bias!]);
  });
});

describe('shapes', () => {
  it('RNN: [T, N, in], [N, T, in] (batchFirst) and unbatched [T, in]; a cell takes [in] too', () => {
    const cell = new RNNCell(3, 2, { seed: 1 });
    const x = randn([4, 5, 3], createRng(1));
    const [out, last] = new RNN(cell).forward(x);
    expect([out.shape, last.shape]).toEqual([[4, 5, 2], [5, 2]]);
    const [outBF] = new RNN(cell, { batchFirst: true }).forward(randn([5, 4, 3], createRng(1)));
    expect(outBF.shape).toEqual([5, 4, 2]);
    const [outU, lastU] = new RNN(cell).forward(randn([4, 3], createRng(1)));
    expect([outU.shape, lastU.shape]).toEqual([[4, 2], [2]]);
    expect(cell.forward(tensor([1, 2, 3])).shape).toEqual([2]);
    expect(new Flatten().forward(randn([2, 3, 4], createRng(1))).shape).toEqual([2, 12]);
    expect(new LayerNorm([3, 4]).forward(randn([2, 3, 4], createRng(1))).shape).toEqual([2, 3, 4]);
    expect(new Linear(4, 5).forward(randn([2, 3, 4], createRng(1))).shape).toEqual([2, 3, 5]);
  });

  it('Softmax rows sum to 1; Softplus(β) = ln(1 + e^(βx))/β; GELU at 0 and 1', () => {
    const p = new Softmax(1).forward(tensor([[1, 2, 3], [0, 0, 0]]));
    expect(p.sum(1).data[0]).toBeCloseTo(1, 15);
    expect(new Softplus(2).forward(tensor([0.5])).item()).toBeCloseTo(Math.log(1 + Math.E) / 2, 15);
    expect(Array.from(new GELU().forward(tensor([0, 1])).data)).toEqual([0, 0.8413447460685429]);
  });
});

describe('errors name the layer, the argument and the shape', () => {
  const cases: [() => unknown, string][] = [
    [() => new Linear(3, 2).forward(tensor([[1, 2]])), 'Linear(3→2): x of shape [1,2] must end in 3 features'],
    [() => new Linear(0, 2), 'Linear: inFeatures must be a positive integer, got 0'],
    [() => new Linear(3, 2).forward([[1, 2, 3]] as never), 'Linear(3→2): x must be a Tensor, got an array of 1'],
    [() => new Embedding(4, 2).forward(tensor([1, 4])), 'Embedding(4, 2): indices of shape [2] hold 4 at element 1; each must be an integer in [0, 4)'],
    [() => new GRUCell(3, 2).forward(tensor([[1, 2, 3]]), tensor([[1, 2, 3]])), 'GRUCell(3, 2): h of shape [1,3] does not fit x of shape [1,3] (expected [1,2])'],
    [() => new RNN(new GRUCell(3, 2)).forward(tensor([[[1, 2]]])), 'RNN(GRUCell(3, 2)): x of shape [1,1,2] must be [T, N, 3] or [T, 3]'],
    [() => new LayerNorm([2, 2]).forward(tensor([[1, 2]])), 'LayerNorm([2,2]): x of shape [1,2] must end in [2,2]'],
    [() => new BatchNorm1d(2, { momentum: 2 }), 'BatchNorm1d: momentum must be in [0, 1] or null, got 2'],
    [() => new RNNCell(2, 2, { nonlinearity: 'sigmoid' as never }), "RNNCell: nonlinearity must be 'tanh' or 'relu', got \"sigmoid\""],
  ];
  for (const [f, message] of cases) {
    it(message, () => {
      expect(f).toThrow(GradlabError);
      expect(f).toThrow(message);
    });
  }
});
