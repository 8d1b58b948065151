import { describe, expect, it } from 'vitest';
import { generateCircle, generateGaussians, generateMoons, generateSpiral, toRows, type Dataset } from '../src/index.ts';

type Generator = (n?: number, options?: { seed?: number; noise?: number }) => Dataset;
const generators: [string, Generator][] = [
  ['generateCircle', generateCircle],
  ['generateSpiral', generateSpiral],
  ['generateMoons', generateMoons],
  ['generateGaussians', generateGaussians],
];

const dist = (x: number, y: number, cx: number, cy: number): number => Math.hypot(x - cx, y - cy);
const TOL = 1e-12;

describe.each(generators)('%s', (fn, generate) => {
  it('has shapes [n, 2] and [n, 1], 100 points by default', () => {
    expect(generate().inputs.shape).toEqual([100, 2]);
    expect(generate().labels.shape).toEqual([100, 1]);
    const data = generate(31, { seed: 2 });
    expect(data.inputs.shape).toEqual([31, 2]);
    expect(data.labels.shape).toEqual([31, 1]);
  });

  it('alternates labels 0, 1, 0, ... so the classes are balanced', () => {
    const { y } = toRows(generate(31));
    expect(y).toEqual(Array.from({ length: 31 }, (_, i) => i % 2));
    expect(y.filter((l) => l === 0)).toHaveLength(16);
    expect(y.filter((l) => l === 1)).toHaveLength(15);
  });

  it('is bit for bit the same for the same seed, and differs across seeds', () => {
    const a = generate(40, { seed: 5 });
    const b = generate(40, { seed: 5 });
    const c = generate(40, { seed: 6 });
    expect(Array.from(b.inputs.data)).toEqual(Array.from(a.inputs.data));
    expect(Array.from(c.inputs.data)).not.toEqual(Array.from(a.inputs.data));
  });

  it('with the default noise, keeps points near the unit square', () => {
    const { x } = toRows(generate(1000, { seed: 7 }));
    for (const [x0, x1] of x) {
      expect(x0 > -0.3 && x0 < 1.3 && x1 > -0.3 && x1 < 1.3).toBe(true);
    }
  });

  it('for one seed, noise only scales the jitter: (x(σ) − x(0)) is linear in σ', () => {
    const clean = generate(50, { seed: 8, noise: 0 }).inputs.data;
    const small = generate(50, { seed: 8, noise: 0.05 }).inputs.data;
    const large = generate(50, { seed: 8, noise: 0.1 }).inputs.data;
    let moved = 0;
    for (let k = 0; k < clean.length; k++) {
      expect(large[k] - clean[k]).toBeCloseTo(2 * (small[k] - clean[k]), 12);
      if (small[k] !== clean[k]) moved++;
    }
    expect(moved).toBe(clean.length);
  });

  it('rejects bad n, seed and noise, naming the function and the value', () => {
    expect(() => generate(2.5)).toThrow(`${fn}: n must be a positive integer, got 2.5`);
    expect(() => generate(0)).toThrow(`${fn}: n must be a positive integer, got 0`);
    expect(() => generate(-1)).toThrow(`${fn}: n must be a positive integer, got -1`);
    expect(() => generate(10, { seed: 1.5 })).toThrow(`${fn}: seed must be an integer, got 1.5`);
    expect(() => generate(10, { noise: Number.NaN })).toThrow(`${fn}: noise must be a finite number >= 0, got NaN`);
    expect(() => generate(10, { noise: -0.1 })).toThrow(`${fn}: noise must be a finite number >= 0, got -0.1`);
    expect(() => generate(10, { noise: Infinity })).toThrow(`${fn}: noise must be a finite number >= 0, got Infinity`);
  });
});

describe('geometry with noise 0', () => {
  it('circle: label 0 within radius 0.2 of (0.5, 0.5), label 1 in the ring 0.3 ≤ r < 0.45', () => {
    const { x, y } = toRows(generateCircle(500, { seed: 3, noise: 0 }));
    x.forEach(([x0, x1], i) => {
      const r = dist(x0, x1, 0.5, 0.5);
      if (y[i] === 0) expect(r).toBeLessThanOrEqual(0.2 + TOL);
      else expect(r >= 0.3 - TOL && r < 0.45 + TOL).toBe(true);
    });
    // uniform in area: half the inner disc's points lie within radius 0.2/√2
    const inner = x.filter((_, i) => y[i] === 0).map(([a, b]) => dist(a, b, 0.5, 0.5));
    const within = inner.filter((r) => r < 0.2 / Math.SQRT2).length / inner.length;
    expect(within).toBeGreaterThan(0.4);
    expect(within).toBeLessThan(0.6);
  });

  it('spiral: each point lies on r = 0.45·s, θ = 3.5π·s + label·π about (0.5, 0.5)', () => {
    const { x, y } = toRows(generateSpiral(500, { seed: 3, noise: 0 }));
    x.forEach(([x0, x1], i) => {
      const r = dist(x0, x1, 0.5, 0.5);
      expect(r).toBeLessThan(0.45);
      const s = r / 0.45;
      const theta = 3.5 * Math.PI * s + y[i] * Math.PI;
      expect(Math.abs(x0 - (0.5 + r * Math.cos(theta)))).toBeLessThan(1e-9);
      expect(Math.abs(x1 - (0.5 + r * Math.sin(theta)))).toBeLessThan(1e-9);
    });
  });

  it('moons: label 0 on the upper half circle about (1/3, 5/12), label 1 on the lower one about (2/3, 7/12), radius 1/3', () => {
    const { x, y } = toRows(generateMoons(500, { seed: 3, noise: 0 }));
    x.forEach(([x0, x1], i) => {
      const [cx, cy] = y[i] === 0 ? [1 / 3, 5 / 12] : [2 / 3, 7 / 12];
      expect(Math.abs(dist(x0, x1, cx, cy) - 1 / 3)).toBeLessThan(TOL);
      if (y[i] === 0) expect(x1).toBeGreaterThanOrEqual(cy - TOL);
      else expect(x1).toBeLessThanOrEqual(cy + TOL);
      expect(x0 >= -TOL && x0 <= 1 + TOL && x1 >= 0.25 - TOL && x1 <= 0.75 + TOL).toBe(true);
    });
  });

  it('gaussians: every point sits exactly on its centre, (0.3, 0.3) or (0.7, 0.7)', () => {
    const { x, y } = toRows(generateGaussians(50, { seed: 3, noise: 0 }));
    x.forEach((point, i) => expect(point).toEqual(y[i] === 0 ? [0.3, 0.3] : [0.7, 0.7]));
  });

  it('gaussians: the spread is the noise (sample std ≈ σ about each centre)', () => {
    const { x, y } = toRows(generateGaussians(20_000, { seed: 4, noise: 0.1 }));
    const deviations = x.flatMap(([a, b], i) => (y[i] === 0 ? [a - 0.3, b - 0.3] : [a - 0.7, b - 0.7]));
    const std = Math.sqrt(deviations.reduce((s, d) => s + d * d, 0) / deviations.length);
    expect(Math.abs(std - 0.1)).toBeLessThan(0.003);
  });
});
