// Losses at the edges: logits of ±1000, bceLoss's domain checks, bad arguments, the class forms;
// and the metrics.
import { describe, expect, it, vi } from 'vitest';
import { GradlabError, tensor, type Tensor } from '@gradlab/core';
import {
  accuracy, bceLoss, bceWithLogitsLoss, classificationReport, confusionMatrix, CrossEntropyLoss, crossEntropyLoss, huberLoss, l1Loss,
  mseLoss, nllLoss,
} from '../src/index.ts';

describe('stability at logits of ±1000', () => {
  it('bceWithLogitsLoss: exact value and gradient σ(x) − y', () => {
    const x = tensor([1000, -1000, 1000, -1000, 0], { requiresGrad: true });
    const y = tensor([1, 0, 0, 1, 1]);
    const loss = bceWithLogitsLoss(x, y, { reduction: 'none' });
    // softplus(−1000) = e^−1000 underflows to 0; softplus(1000) = 1000; at 0, ln 2
    expect(Array.from(loss.data)).toEqual([0, 0, 1000, 1000, Math.LN2]);
    loss.sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([0, 0, 1, -1, -0.5]);
  });

  it('crossEntropyLoss: finite, and the gradient is softmax − one-hot', () => {
    const x = tensor([[1000, -1000, 0]], { requiresGrad: true });
    const loss = crossEntropyLoss(x, tensor([1]));
    expect(loss.item()).toBe(2000);
    loss.backward();
    expect(Array.from(x.grad!.data)).toEqual([1, -1, 0]);
  });
});

describe('bad arguments are GradlabErrors naming the loss, the argument and the shapes', () => {
  const t = tensor([[1, 2]]);
  const cases: [() => unknown, string][] = [
    [() => mseLoss(t, [[1]] as unknown as Tensor), 'mseLoss: target must be a Tensor, got an array of 1'],
    [() => mseLoss(undefined as unknown as Tensor, t), 'mseLoss: input must be a Tensor, got undefined'],
    [() => l1Loss(t, tensor([1, 2])), 'l1Loss: input of shape [1,2] and target of shape [2] differ (the loss does not broadcast; reshape one of them)'],
    [() => huberLoss(t, t, { delta: 0 }), 'huberLoss: delta must be a finite number > 0, got 0'],
    [() => mseLoss(t, t, { reduction: 'avg' as never }), "mseLoss: reduction must be 'mean', 'sum' or 'none', got string 'avg'"],
    [() => crossEntropyLoss(tensor([[1, 2, 3]]), tensor([3])), 'crossEntropyLoss: target of shape [1] holds 3 at element 0; class indices must be integers in [0, 3) (or ignoreIndex, -100)'],
    [() => crossEntropyLoss(tensor([[1, 2, 3]]), tensor([0.5])), 'holds 0.5 at element 0'],
    [() => crossEntropyLoss(tensor([[1, 2, 3]]), tensor([[0, 1]])), 'crossEntropyLoss: target of shape [1,2] does not fit input of shape [1,3]: class indices need shape [1], probabilities [1,3]'],
    [() => crossEntropyLoss(tensor([1, 2, 3]).reshape([1, 1, 3]), tensor([0])), 'crossEntropyLoss: input of shape [1,1,3] must be [N, C] (a batch of C class scores) or [C]'],
    [() => crossEntropyLoss(tensor([[1, 2]]), tensor([0]), { labelSmoothing: 1.5 }), 'crossEntropyLoss: labelSmoothing must be in [0, 1], got 1.5'],
    [() => crossEntropyLoss(tensor([[1, 2]]), tensor([0]), { weight: tensor([1, 2, 3]) }), 'crossEntropyLoss: options.weight of shape [3] must be [2], one weight per class'],
    [() => nllLoss(tensor([[-1, -2]]), tensor([[0]])), 'nllLoss: target of shape [1,1] does not fit input of shape [1,2] (expected [1] class indices)'],
    [() => bceLoss(tensor([0.5]), tensor([1.5])), 'bceLoss: target of shape [1] holds 1.5 at element 0; targets must be in [0, 1]'],
    [() => bceLoss(tensor([0.5]), tensor([Number.NaN])), 'bceLoss: target of shape [1] holds NaN at element 0'],
  ];
  for (const [f, message] of cases) {
    it(message, () => {
      expect(f).toThrow(GradlabError);
      expect(f).toThrow(message);
    });
  }
});

describe('bceLoss on inputs outside [0, 1]', () => {
  it('warns once (they are most likely logits), and clamps', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      expect(bceLoss(tensor([0.2, 0.9]), tensor([0, 1])).item()).toBeCloseTo(-(Math.log(0.8) + Math.log(0.9)) / 2, 15);
      expect(warn).not.toHaveBeenCalled();
      const clamped = bceLoss(tensor([2.5, -1]), tensor([1, 0])).item();
      expect(clamped).toBeCloseTo(-Math.log(1 - 1e-12), 10); // both clamped to the right side: ≈ 1e-12
      bceLoss(tensor([3]), tensor([1]));
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0][0]).toContain('bceLoss: input of shape [2] holds 2.5 at element 0, outside [0, 1]');
      expect(warn.mock.calls[0][0]).toContain('use bceWithLogitsLoss');
    } finally {
      warn.mockRestore();
    }
  });
});

describe('class forms', () => {
  it('CrossEntropyLoss keeps its options', () => {
    const x = tensor([[2, 0, -1], [0.5, 0.5, 3]]);
    const y = tensor([0, 2]);
    const loss = new CrossEntropyLoss({ labelSmoothing: 0.1, reduction: 'sum' });
    expect(loss.forward(x, y).item()).toBe(crossEntropyLoss(x, y, { labelSmoothing: 0.1, reduction: 'sum' }).item());
    expect(String(loss)).toBe('CrossEntropyLoss');
  });
});

describe('metrics', () => {
  const scores = tensor([[2, 1, 0], [0, 3, 1], [1, 0, 0.5], [0, 0, 4], [5, 1, 1]]);
  const truth = tensor([0, 1, 2, 2, 1]);
  it('accuracy: argmax of scores, thresholds for binary outputs, class indices', () => {
    expect(accuracy(scores, truth)).toBe(3 / 5); // predicted 0, 1, 0, 2, 0
    expect(accuracy(tensor([[0.9], [0.2], [0.5]]), tensor([[1], [1], [1]]))).toBe(2 / 3); // ≥ 0.5 is class 1
    expect(accuracy(tensor([2.5, -1, 0.1]), tensor([1, 0, 0]), { threshold: 0 })).toBe(2 / 3); // logits
    expect(accuracy(tensor([0, 2, 1]), tensor([0, 2, 2]))).toBe(2 / 3);
    expect(() => accuracy(scores, tensor([0, 1]))).toThrow('accuracy: input of shape [5,3] has 5 samples, target of shape [2] has 2');
  });
  it('confusionMatrix (rows: truth, columns: prediction) and the per-class report', () => {
    expect(confusionMatrix(scores, truth)).toEqual([
      [1, 0, 0],
      [1, 1, 0],
      [1, 0, 1],
    ]);
    const report = classificationReport(scores, truth);
    expect(report[0]).toEqual({ precision: 1 / 3, recall: 1, f1: 0.5, support: 1 });
    expect(report[2]).toEqual({ precision: 1, recall: 0.5, f1: 2 / 3, support: 2 });
    expect(confusionMatrix(tensor([0, 1]), tensor([1, 1]), { numClasses: 3 })).toEqual([[0, 0, 0], [1, 1, 0], [0, 0, 0]]);
  });
});
