import { describe, expect, it } from 'vitest';
import { createRng } from '@gradlab/core';
import { Dense, Identity, LeakyReLU, mlp, ReLU, Sigmoid, Tanh, type ActivationName } from '../src/index.ts';

describe('mlp', () => {
  it("mlp([2,3,3,1]) without bias is the lab's NN: Dense, Sigmoid ×3, weights 0/2/4", () => {
    const model = mlp([2, 3, 3, 1], { activation: 'sigmoid', bias: false, seed: 2 });
    expect(model.describe()).toBe(
      'Sequential(Dense(2→3, no bias), Sigmoid, Dense(3→3, no bias), Sigmoid, Dense(3→1, no bias), Sigmoid)',
    );
    expect(model.namedParameters().map(([name, p]) => [name, p.shape])).toEqual([
      ['0.weight', [2, 3]],
      ['2.weight', [3, 3]],
      ['4.weight', [3, 1]],
    ]);
  });

  it('with bias (the default) adds 2k.bias', () => {
    expect(Object.keys(mlp([2, 4, 1]).stateDict())).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
  });

  it('is deterministic per seed: layer k is seeded by the k-th 32-bit draw of createRng(seed)', () => {
    const a = mlp([2, 3, 3, 1], { bias: false, seed: 11 });
    const b = mlp([2, 3, 3, 1], { bias: false, seed: 11 });
    a.parameters().forEach((p, i) => expect(p.data).toEqual(b.parameters()[i].data));
    const rng = createRng(11);
    const first = new Dense(2, 3, { bias: false, seed: rng.nextUint32() });
    const second = new Dense(3, 3, { bias: false, seed: rng.nextUint32() });
    expect(a.parameters()[0].data).toEqual(first.weight.data);
    expect(a.parameters()[1].data).toEqual(second.weight.data);
  });

  it('different seeds give different weights, and layers differ from each other', () => {
    const a = mlp([2, 3, 3, 1], { seed: 1 });
    const b = mlp([2, 3, 3, 1], { seed: 2 });
    a.parameters().forEach((p, i) => {
      if (p.name?.endsWith('weight')) expect(p.data).not.toEqual(b.parameters()[i].data);
    });
    // two 3×3 layers in one model with the same dims would be identical if they shared a seed
    const c = mlp([3, 3, 3, 3], { bias: false, seed: 1 });
    expect(c.parameters()[0].data).not.toEqual(c.parameters()[1].data);
  });

  it("builds each activation; 'none' is an Identity, so layer k stays child 2k", () => {
    const kinds = (activation: ActivationName, outputActivation: ActivationName) =>
      mlp([2, 3, 1], { activation, outputActivation, slope: 0.2 }).layers.map((m) => m.constructor);
    expect(kinds('tanh', 'sigmoid')).toEqual([Dense, Tanh, Dense, Sigmoid]);
    expect(kinds('relu', 'none')).toEqual([Dense, ReLU, Dense, Identity]);
    expect(kinds('leaky-relu', 'tanh')).toEqual([Dense, LeakyReLU, Dense, Tanh]);
    const linear = mlp([2, 3, 1], { activation: 'none', outputActivation: 'none' });
    expect(linear.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(String(mlp([2, 1], { outputActivation: 'leaky-relu', slope: 0.2 }))).toBe('Sequential(Dense(2→1), LeakyReLU(0.2))');
  });

  it('passes init through to every layer', () => {
    const model = mlp([100, 50, 1], { init: 'xavier', seed: 3 });
    const bound = Math.sqrt(6 / 150);
    expect(Math.max(...model.parameters()[0].data.map(Math.abs))).toBeLessThanOrEqual(bound);
  });

  it('rejects bad dims and unknown activations', () => {
    expect(() => mlp([2])).toThrow('mlp: dims must list at least an input and an output size, got [2]');
    expect(() => mlp([2, 0, 1])).toThrow('mlp: dims[1] must be a positive integer, got 0');
    expect(() => mlp([2, 1], { activation: 'softmax' as ActivationName })).toThrow("mlp: unknown activation 'softmax'");
    expect(() => mlp([2, 1], { outputActivation: 'gelu' as ActivationName })).toThrow("mlp: unknown outputActivation 'gelu'");
    expect(() => mlp([2, 1], { seed: 1.5 })).toThrow('mlp: seed must be an integer, got 1.5');
  });
});
