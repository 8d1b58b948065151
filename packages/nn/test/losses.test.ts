import { describe, expect, it } from 'vitest';
import { tensor } from '@gradlab/core';
import { BCE_EPSILON, BCELoss, bceLoss, MSELoss, mseLoss } from '../src/index.ts';
import { expectGradientsMatch } from './finite-differences.ts';

describe('mseLoss', () => {
  it('is the mean of squared differences over all elements', () => {
    // differences 0, 2, −2 → squares 0, 4, 4 → mean 8/3
    expect(mseLoss(tensor([[1], [2], [3]]), tensor([[1], [0], [5]])).item()).toBeCloseTo(8 / 3, 15);
    // 2×2: differences 0.5, −1, 0, 3 → squares 0.25, 1, 0, 9 → mean 10.25/4
    expect(mseLoss(tensor([[1.5, 0], [2, 3]]), tensor([[1, 1], [2, 0]])).item()).toBe(10.25 / 4);
    expect(new MSELoss().forward(tensor([1, 2]), tensor([0, 0])).item()).toBe(2.5); // (1 + 4)/2
  });

  it('gradient matches finite differences (and is 2(pred − target)/N)', () => {
    const pred = tensor([[0.2, -1.3], [0.7, 2.1]], { requiresGrad: true });
    const target = tensor([[0, 1], [1, 2]], { requiresGrad: true });
    expectGradientsMatch(() => mseLoss(pred, target), [pred, target]);
    // 2·(0.2 − 0)/4 = 0.1
    expect(pred.grad!.data[0]).toBeCloseTo(0.1, 15);
  });

  it('refuses shapes that differ instead of broadcasting [n,1] against [n]', () => {
    expect(() => mseLoss(tensor([[1], [2]]), tensor([1, 2]))).toThrow(
      'mseLoss: input of shape [2,1] and target of shape [2] differ',
    );
  });
});

describe('bceLoss', () => {
  it('is −mean(y·ln p + (1 − y)·ln(1 − p))', () => {
    // p = [0.9, 0.2], y = [1, 0]: −(ln 0.9 + ln 0.8)/2 ≈ 0.164252033486018
    const expected = -(Math.log(0.9) + Math.log(1 - 0.2)) / 2;
    expect(bceLoss(tensor([0.9, 0.2]), tensor([1, 0])).item()).toBeCloseTo(expected, 15);
    expect(expected).toBeCloseTo(0.164252033486018, 14);
    // soft labels: p = 0.6, y = 0.25: −(0.25·ln 0.6 + 0.75·ln 0.4)
    expect(new BCELoss().forward(tensor([[0.6]]), tensor([[0.25]])).item()).toBeCloseTo(
      -(0.25 * Math.log(0.6) + 0.75 * Math.log(0.4)),
      15,
    );
  });

  it('is finite at p exactly 0 and 1 (p is clamped into [ε, 1−ε], ε = 1e-12)', () => {
    const pred = tensor([0, 1, 1, 0], { requiresGrad: true });
    const loss = bceLoss(pred, tensor([0, 1, 0, 1]));
    // p = 0 → ε and p = 1 → 1 − ε; per element y·ln p + (1 − y)·ln(1 − p):
    //   (p 0, y 0): ln(1 − ε)   (p 1, y 1): ln(1 − ε)   (p 0, y 1): ln ε
    //   (p 1, y 0): ln(1 − (1 − ε)), where 1 − (1 − ε) is 1.0000889e-12 in float64 (1 − ε rounds)
    expect(BCE_EPSILON).toBe(1e-12);
    const eps = 1e-12;
    const expected = -(2 * Math.log(1 - eps) + Math.log(eps) + Math.log(1 - (1 - eps))) / 4;
    expect(loss.item()).toBeCloseTo(expected, 13);
    expect(loss.item()).toBeCloseTo(13.8155, 4); // ≈ −ln(ε)/2: finite
    loss.backward();
    expect(Array.from(pred.grad!.data).every(Number.isFinite)).toBe(true);
  });

  it('gradient matches finite differences inside (0, 1)', () => {
    const pred = tensor([[0.1], [0.45], [0.8], [0.99]], { requiresGrad: true });
    // targets inside (0, 1) too, so that the finite differences stay in bceLoss's domain
    const target = tensor([[0.05], [0.9], [0.7], [0.3]], { requiresGrad: true });
    expectGradientsMatch(() => bceLoss(pred, target), [pred, target]);
    // ∂L/∂p = (p − y)/(p(1 − p))/N: (0.1 − 0.05)/(0.1·0.9)/4 = 0.1388…
    expect(pred.grad!.data[0]).toBeCloseTo(0.05 / (0.1 * 0.9) / 4, 12);
  });

  it('refuses shapes that differ', () => {
    expect(() => bceLoss(tensor([0.5, 0.5]), tensor([[1], [0]]))).toThrow(
      'bceLoss: input of shape [2] and target of shape [2,1] differ',
    );
  });
});
