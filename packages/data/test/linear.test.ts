import { describe, expect, it } from 'vitest';
import { generateLinear, toRows } from '../src/index.ts';

describe('generateLinear', () => {
  it('makes 100 points by default, shapes [100, 2] and [100, 1]', () => {
    const data = generateLinear();
    expect(data.inputs.shape).toEqual([100, 2]);
    expect(data.labels.shape).toEqual([100, 1]);
    expect(data.name).toBe('linear');
    expect(generateLinear(7).inputs.shape).toEqual([7, 2]);
  });

  it('draws x0 then x1 from createRng(seed).next(): pinned first rows for seed 1', () => {
    const { x, y } = toRows(generateLinear(2));
    expect(x[0]).toEqual([0.5686059948349658, 0.8893939367683266]);
    expect(y[0]).toBe(1);
  });

  it('labels every point 0 if x0 > x1, else 1, with points in [0, 1)', () => {
    const { x, y } = toRows(generateLinear(1000, { seed: 3 }));
    x.forEach(([x0, x1], i) => {
      expect(y[i]).toBe(x0 > x1 ? 0 : 1);
      expect(x0 >= 0 && x0 < 1 && x1 >= 0 && x1 < 1).toBe(true);
    });
    const ones = y.filter((l) => l === 1).length;
    expect(ones).toBeGreaterThan(400);
    expect(ones).toBeLessThan(600);
  });

  it('is bit for bit the same for the same seed, and differs across seeds', () => {
    const a = generateLinear(50, { seed: 11 });
    const b = generateLinear(50, { seed: 11 });
    const c = generateLinear(50, { seed: 12 });
    expect(Array.from(b.inputs.data)).toEqual(Array.from(a.inputs.data));
    expect(Array.from(b.labels.data)).toEqual(Array.from(a.labels.data));
    expect(Array.from(c.inputs.data)).not.toEqual(Array.from(a.inputs.data));
  });

  it('rejects bad n and seed, naming the function and the value', () => {
    expect(() => generateLinear(2.5)).toThrow('generateLinear: n must be a positive integer, got 2.5');
    expect(() => generateLinear(0)).toThrow('generateLinear: n must be a positive integer, got 0');
    expect(() => generateLinear(-3)).toThrow('generateLinear: n must be a positive integer, got -3');
    expect(() => generateLinear(Number.NaN)).toThrow('generateLinear: n must be a positive integer, got NaN');
    expect(() => generateLinear(10, { seed: 0.5 })).toThrow('generateLinear: seed must be an integer, got 0.5');
  });
});
