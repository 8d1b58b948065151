import { describe, expect, it } from 'vitest';
import { randn, tensor } from '@gradlab/core';
import { createRng } from '@gradlab/core';
import { Dense, type DenseInit } from '../src/index.ts';
import { expectGradientsMatch } from './finite-differences.ts';

/** A Dense(2→3) with W = [[1,2,3],[4,5,6]] and (with bias) b = [0.5, −1, 2]. */
function knownDense(bias: boolean): Dense {
  const layer = new Dense(2, 3, { bias });
  layer.weight.data.set([1, 2, 3, 4, 5, 6]);
  layer.bias?.data.set([0.5, -1, 2]);
  return layer;
}

describe('Dense', () => {
  it('computes x·W + b, broadcasting b over the batch', () => {
    const y = knownDense(true).forward(tensor([[1, 2], [-1, 0.5]]));
    // row 0: [1·1 + 2·4, 1·2 + 2·5, 1·3 + 2·6] = [9, 12, 15], + b = [9.5, 11, 17]
    // row 1: [−1 + 2, −2 + 2.5, −3 + 3] = [1, 0.5, 0],          + b = [1.5, −0.5, 2]
    expect(y.shape).toEqual([2, 3]);
    expect(Array.from(y.data)).toEqual([9.5, 11, 17, 1.5, -0.5, 2]);
  });

  it('without bias is exactly x·W (the lab) and has only a weight', () => {
    const layer = knownDense(false);
    expect(Array.from(layer.forward(tensor([[1, 2], [-1, 0.5]])).data)).toEqual([9, 12, 15, 1, 0.5, 0]);
    expect(layer.bias).toBeNull();
    expect(layer.namedParameters().map(([n]) => n)).toEqual(['weight']);
  });

  it('maps a single sample [in] to [out]', () => {
    const y = knownDense(true).forward(tensor([1, 2]));
    expect(y.shape).toEqual([3]);
    expect(Array.from(y.data)).toEqual([9.5, 11, 17]);
  });

  it('names its parameters, which require grad; the bias starts at 0', () => {
    const layer = new Dense(4, 2, { seed: 3 });
    expect(layer.namedParameters().map(([n, p]) => [n, p.name, p.shape, p.requiresGrad])).toEqual([
      ['weight', 'weight', [4, 2], true],
      ['bias', 'bias', [2], true],
    ]);
    expect(Array.from(layer.bias!.data)).toEqual([0, 0]);
  });

  it("'normal' init is randn from createRng(seed) (the lab's np.random.randn), seeded", () => {
    const expected = randn([2, 3], createRng(42));
    expect(new Dense(2, 3, { seed: 42 }).weight.data).toEqual(expected.data);
    expect(new Dense(2, 3, { seed: 42 }).weight.data).toEqual(new Dense(2, 3, { seed: 42 }).weight.data);
    expect(new Dense(2, 3, { seed: 43 }).weight.data).not.toEqual(expected.data);
  });

  it('init statistics: uniform and xavier bounds, he and normal std', () => {
    const stats = (init: DenseInit, nIn: number, nOut: number) => {
      const w = new Dense(nIn, nOut, { init, seed: 7 }).weight.data;
      let sum = 0;
      let sq = 0;
      let maxAbs = 0;
      for (const v of w) {
        sum += v;
        sq += v * v;
        maxAbs = Math.max(maxAbs, Math.abs(v));
      }
      const mean = sum / w.length;
      return { mean, std: Math.sqrt(sq / w.length - mean * mean), maxAbs };
    };
    // xavier: U[−a, a] with a = √(6/(200+300)) ≈ 0.1095; std of U[−a, a] is a/√3
    const a = Math.sqrt(6 / 500);
    const xavier = stats('xavier', 200, 300);
    expect(xavier.maxAbs).toBeLessThanOrEqual(a);
    expect(xavier.maxAbs).toBeGreaterThan(0.999 * a);
    expect(xavier.std / (a / Math.sqrt(3))).toBeCloseTo(1, 2);
    // uniform: U[−1/√in, 1/√in] = U[−0.05, 0.05] for in = 400
    const uniform = stats('uniform', 400, 100);
    expect(uniform.maxAbs).toBeLessThanOrEqual(0.05);
    expect(uniform.maxAbs).toBeGreaterThan(0.0499);
    // he: N(0, 2/in), std √(2/500) ≈ 0.0632, over 200 000 samples (sampling error ≈ 0.2%)
    const he = stats('he', 500, 400);
    expect(he.std / Math.sqrt(2 / 500)).toBeCloseTo(1, 2);
    expect(Math.abs(he.mean)).toBeLessThan(0.001);
    const normal = stats('normal', 500, 400);
    expect(normal.std).toBeCloseTo(1, 2);
  });

  it('gradients with respect to W, b and x match finite differences', () => {
    const layer = new Dense(3, 2, { seed: 1 });
    layer.bias!.data.set([0.3, -0.7]);
    const x = randn([4, 3], createRng(2), { requiresGrad: true });
    const r = randn([4, 2], createRng(3)); // weights for a non-trivial scalar Σ r·y
    expectGradientsMatch(() => layer.forward(x).mul(r).sum(), [layer.weight, layer.bias!, x]);
    const noBias = new Dense(3, 2, { bias: false, seed: 4 });
    expectGradientsMatch(() => noBias.forward(x).mul(r).sum(), [noBias.weight, x]);
  });

  it('rejects bad arguments, naming Dense and the value', () => {
    expect(() => new Dense(0, 3)).toThrow('Dense: inFeatures must be a positive integer, got 0');
    expect(() => new Dense(2, 2.5)).toThrow('Dense: outFeatures must be a positive integer, got 2.5');
    expect(() => new Dense(2, 3, { init: 'glorot' as DenseInit })).toThrow("Dense: unknown init 'glorot'");
    expect(() => new Dense(2, 3, { seed: 0.5 })).toThrow('Dense: seed must be an integer, got 0.5');
  });

  it('reports an input with the wrong number of features', () => {
    const layer = new Dense(2, 3);
    expect(() => layer.forward(tensor([[1, 2, 3, 4, 5]]))).toThrow('Dense(2→3): input of shape [1,5] has 5 features, expected 2');
    expect(() => layer.forward(tensor(1))).toThrow('Dense(2→3): input of shape [] must be [batch, 2] or [2]');
  });

  it('describes itself', () => {
    expect(new Dense(2, 3).describe()).toBe('Dense(2→3)');
    expect(String(new Dense(2, 3, { bias: false }))).toBe('Dense(2→3, no bias)');
  });
});
