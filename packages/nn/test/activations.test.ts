import { describe, expect, it } from 'vitest';
import { tensor } from '@gradlab/core';
import { Identity, LeakyReLU, ReLU, Sigmoid, Tanh, type Module } from '../src/index.ts';
import { expectGradientsMatch } from './finite-differences.ts';

// points away from 0, where ReLU and LeakyReLU have a kink
const points = [-2, -0.5, 0.3, 1.7];

describe('activations', () => {
  it('compute their functions', () => {
    const x = tensor(points);
    const values = (m: Module) => Array.from(m.forward(x).data);
    points.forEach((v, i) => {
      expect(values(new Sigmoid())[i]).toBeCloseTo(1 / (1 + Math.exp(-v)), 15);
      expect(values(new Tanh())[i]).toBeCloseTo(Math.tanh(v), 15);
    });
    expect(values(new ReLU())).toEqual([0, 0, 0.3, 1.7]);
    expect(values(new LeakyReLU())).toEqual([-0.02, -0.005, 0.3, 1.7]);
    expect(values(new LeakyReLU(0.2))).toEqual([-0.4, -0.1, 0.3, 1.7]);
    expect(new Sigmoid().forward(tensor([0])).item()).toBe(0.5);
  });

  it('Identity returns its input unchanged', () => {
    const x = tensor(points);
    expect(new Identity().forward(x)).toBe(x);
  });

  it('have gradients that match finite differences', () => {
    const r = tensor([0.3, -1.1, 0.7, 2.0]);
    for (const m of [new Sigmoid(), new Tanh(), new ReLU(), new LeakyReLU(0.1), new Identity()]) {
      const x = tensor(points, { requiresGrad: true, name: m.describe() });
      expectGradientsMatch(() => m.forward(x).mul(r).sum(), [x]);
    }
  });

  it('have no parameters and describe themselves', () => {
    const all = [new Sigmoid(), new Tanh(), new ReLU(), new LeakyReLU(0.2), new Identity()];
    expect(all.map((m) => m.parameters().length)).toEqual([0, 0, 0, 0, 0]);
    expect(all.map(String)).toEqual(['Sigmoid', 'Tanh', 'ReLU', 'LeakyReLU(0.2)', 'Identity']);
    expect(() => new LeakyReLU(Number.NaN)).toThrow('LeakyReLU: slope must be a finite number, got NaN');
  });
});
