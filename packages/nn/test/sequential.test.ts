import { describe, expect, it } from 'vitest';
import { randn, tensor } from '@gradlab/core';
import { createRng } from '@gradlab/core';
import { Dense, ReLU, Sequential, Sigmoid, Tanh, type Module } from '../src/index.ts';
import { expectGradientsMatch } from './finite-differences.ts';

describe('Sequential', () => {
  it('applies its modules in order', () => {
    const d1 = new Dense(2, 3, { seed: 1 });
    const d2 = new Dense(3, 1, { seed: 2 });
    const model = new Sequential(d1, new Tanh(), d2);
    const x = tensor([[0.5, -1]]);
    expect(model.forward(x).data).toEqual(d2.forward(d1.forward(x).tanh()).data);
  });

  it('names parameters child index, dot, name; sets each .name to it', () => {
    const model = new Sequential(new Dense(2, 3), new Sigmoid(), new Dense(3, 1, { bias: false }));
    expect(model.namedParameters().map(([n, p]) => [n, p.name, p.shape])).toEqual([
      ['0.weight', '0.weight', [2, 3]],
      ['0.bias', '0.bias', [3]],
      ['2.weight', '2.weight', [3, 1]],
    ]);
    const nested = new Sequential(new ReLU(), model);
    expect(nested.namedParameters().map(([n]) => n)).toEqual(['1.0.weight', '1.0.bias', '1.2.weight']);
    expect(nested.parameters()[0]).toBe(model.parameters()[0]);
  });

  it('describes the architecture on one line', () => {
    const model = new Sequential(new Dense(2, 3), new Sigmoid(), new Dense(3, 1, { bias: false }));
    expect(model.toString()).toBe('Sequential(Dense(2→3), Sigmoid, Dense(3→1, no bias))');
  });

  it('zeroGrad clears every gradient', () => {
    const model = new Sequential(new Dense(2, 2), new Tanh());
    model.forward(tensor([[1, 2]])).sum().backward();
    expect(model.parameters().every((p) => p.grad !== null)).toBe(true);
    model.zeroGrad();
    expect(model.parameters().every((p) => p.grad === null)).toBe(true);
  });

  it('gradients with respect to every parameter and the input match finite differences', () => {
    const model = new Sequential(new Dense(3, 4, { seed: 5 }), new Tanh(), new Dense(4, 2, { seed: 6 }), new Sigmoid());
    for (const p of model.parameters()) if (p.name?.endsWith('bias')) p.data.set(randn(p.shape, createRng(8)).data);
    const x = randn([5, 3], createRng(9), { requiresGrad: true });
    const r = randn([5, 2], createRng(10));
    expectGradientsMatch(() => model.forward(x).mul(r).sum(), [...model.parameters(), x]);
  });

  it('rejects an argument that is not a module', () => {
    expect(() => new Sequential(new Tanh(), {} as Module)).toThrow('Sequential: argument 1 is not a Module');
  });
});
