import { describe, expect, it } from 'vitest';
import { tensor, type Tensor } from '@gradlab/core';
import { Adam, Dense, SGD } from '../src/index.ts';

const param = (values: number[], name?: string) => tensor(values, { requiresGrad: true, name });
const setGrad = (p: Tensor, values: number[]) => {
  p.grad = tensor(values);
};

describe('SGD', () => {
  it('one step without momentum: p ← p − lr·g', () => {
    const p = param([1, 2]);
    // gradient from the graph: L = 0.5·p₀ − p₁ → g = [0.5, −1]
    p.mul(tensor([0.5, -1])).sum().backward();
    new SGD([p], { lr: 0.1 }).step();
    // [1 − 0.1·0.5, 2 − 0.1·(−1)] = [0.95, 2.1]
    expect(p.data[0]).toBeCloseTo(0.95, 15);
    expect(p.data[1]).toBeCloseTo(2.1, 15);
  });

  it('two steps with momentum: v ← μv + g, p ← p − lr·v', () => {
    const p = param([1]);
    const opt = new SGD([p], { lr: 0.1, momentum: 0.9 });
    setGrad(p, [0.5]);
    opt.step();
    // v₁ = 0.9·0 + 0.5 = 0.5;  p₁ = 1 − 0.1·0.5 = 0.95
    expect(p.data[0]).toBeCloseTo(0.95, 15);
    setGrad(p, [0.2]);
    opt.step();
    // v₂ = 0.9·0.5 + 0.2 = 0.65;  p₂ = 0.95 − 0.1·0.65 = 0.885
    expect(p.data[0]).toBeCloseTo(0.885, 15);
  });

  it('skips parameters without a gradient; zeroGrad clears them all', () => {
    const a = param([1]);
    const b = param([1]);
    const opt = new SGD([a, b], { lr: 0.5 });
    setGrad(a, [2]);
    opt.step();
    expect([a.data[0], b.data[0]]).toEqual([0, 1]); // 1 − 0.5·2 = 0; b untouched
    opt.zeroGrad();
    expect([a.grad, b.grad]).toEqual([null, null]);
  });

  it('validates its options', () => {
    const p = param([1]);
    expect(() => new SGD([p], { lr: 0 })).toThrow('SGD: lr must be a finite number > 0, got 0');
    expect(() => new SGD([p], { lr: Number.NaN })).toThrow('SGD: lr must be a finite number > 0, got NaN');
    expect(() => new SGD([p], { lr: 0.1, momentum: 1 })).toThrow('SGD: momentum must be in [0, 1), got 1');
    expect(() => new SGD([p], { lr: 0.1, momentum: -0.5 })).toThrow('SGD: momentum must be in [0, 1), got -0.5');
    expect(() => new SGD([], { lr: 0.1 })).toThrow('SGD: no parameters to optimize');
    expect(() => new SGD([p, p], { lr: 0.1 })).toThrow('SGD: parameter 1 [1] appears twice');
    expect(() => new SGD([p.mul(2)], { lr: 0.1 })).toThrow('SGD: parameter 0 [1] is not a leaf tensor');
    const opt = new SGD([p], { lr: 0.1 });
    opt.lr = 0.01;
    expect(opt.lr).toBe(0.01);
    expect(() => (opt.lr = -1)).toThrow('SGD: lr must be a finite number ≥ 0, got -1');
  });
});

describe('Adam', () => {
  it('one and two steps, with bias correction, worked out by hand', () => {
    const p = param([1]);
    const opt = new Adam([p], { lr: 0.1, betas: [0.9, 0.999], eps: 1e-8 });
    setGrad(p, [0.5]);
    opt.step();
    // t = 1: m = 0.1·0.5 = 0.05,  v = 0.001·0.25 = 0.00025
    //        m̂ = 0.05/(1 − 0.9) = 0.5,  v̂ = 0.00025/(1 − 0.999) = 0.25,  √v̂ = 0.5
    //        p = 1 − 0.1·0.5/(0.5 + 1e-8)
    const p1 = 1 - (0.1 * 0.5) / (0.5 + 1e-8);
    expect(p.data[0]).toBeCloseTo(p1, 14);
    expect(p.data[0]).toBeCloseTo(0.9, 7); // the first Adam step has size ≈ lr
    setGrad(p, [0.2]);
    opt.step();
    // t = 2: m = 0.9·0.05 + 0.1·0.2 = 0.065,  v = 0.999·0.00025 + 0.001·0.04 = 0.00028975
    //        m̂ = 0.065/(1 − 0.81) = 0.065/0.19,  v̂ = 0.00028975/(1 − 0.998001) = 0.00028975/0.001999
    const mHat = 0.065 / 0.19;
    const vHat = 0.00028975 / 0.001999;
    const p2 = p1 - (0.1 * mHat) / (Math.sqrt(vHat) + 1e-8);
    expect(p.data[0]).toBeCloseTo(p2, 12);
    expect(p.data[0]).toBeCloseTo(0.900000002 - 0.1 * 0.898578, 6); // m̂/√v̂ ≈ 0.342105/0.380719
  });

  it('keeps a step count per parameter (a parameter without a gradient does not advance)', () => {
    const a = param([1]);
    const b = param([1]);
    const opt = new Adam([a, b], { lr: 0.1 });
    setGrad(a, [0.5]);
    opt.step();
    setGrad(b, [0.5]);
    opt.step();
    // b's first step is a first step: same size ≈ lr as a's was
    expect(b.data[0]).toBeCloseTo(1 - (0.1 * 0.5) / (0.5 + 1e-8), 14);
  });

  it('uses the defaults lr = 0.001, betas = [0.9, 0.999], eps = 1e-8', () => {
    const opt = new Adam([param([1])]);
    expect([opt.lr, opt.betas, opt.eps]).toEqual([0.001, [0.9, 0.999], 1e-8]);
  });

  it('validates its options', () => {
    const p = param([1]);
    expect(() => new Adam([p], { lr: -0.1 })).toThrow('Adam: lr must be a finite number > 0, got -0.1');
    expect(() => new Adam([p], { betas: [0.9, 1] })).toThrow('Adam: betas[1] must be in [0, 1), got 1');
    expect(() => new Adam([p], { eps: -1 })).toThrow('Adam: eps must be a finite number > 0 (with eps 0 a zero gradient gives 0/0 = NaN), got -1');
  });
});

describe('Optimizer', () => {
  for (const make of [(ps: Tensor[]) => new SGD(ps, { lr: 0.1, momentum: 0.9 }), (ps: Tensor[]) => new Adam(ps, { lr: 0.1 })]) {
    it(`${make([param([0])]).constructor.name} refuses a NaN or infinite gradient and changes nothing`, () => {
      const a = param([1, 2], 'a');
      const b = param([3], 'b');
      const opt = make([a, b]);
      setGrad(a, [0.5, 0.5]);
      setGrad(b, [Number.NaN]);
      expect(() => opt.step()).toThrow(/the gradient of parameter 1 'b' \[1\] has NaN at element 0; no parameter was updated/);
      expect([...a.data, ...b.data]).toEqual([1, 2, 3]);
      setGrad(b, [Number.POSITIVE_INFINITY]);
      expect(() => opt.step()).toThrow("parameter 1 'b' [1] has Infinity");
      // the state did not advance either: the next good step equals a fresh optimizer's first step
      setGrad(b, [0.5]);
      opt.step();
      const fresh = [param([1, 2]), param([3])];
      const reference = make(fresh);
      setGrad(fresh[0], [0.5, 0.5]);
      setGrad(fresh[1], [0.5]);
      reference.step();
      expect([...a.data, ...b.data]).toEqual([...fresh[0].data, ...fresh[1].data]);
    });
  }

  it('keeps working after loadStateDict (values are copied into the same tensors)', () => {
    const layer = new Dense(1, 1, { bias: false });
    const opt = new SGD(layer.parameters(), { lr: 1 });
    layer.loadStateDict({ weight: { shape: [1, 1], data: [5] } });
    setGrad(layer.weight, [2]);
    opt.step();
    expect(layer.weight.data[0]).toBe(3);
  });

  it('writes in place without recording a graph', () => {
    const p = param([1]);
    const data = p.data;
    setGrad(p, [1]);
    new Adam([p]).step();
    expect(p.data).toBe(data);
    expect(p.isLeaf).toBe(true);
  });
});
