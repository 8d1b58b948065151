import { describe, expect, it } from 'vitest';
import { downsampleMinMax } from '../src/index.ts';

describe('downsampleMinMax', () => {
  it('returns short series unchanged', () => {
    expect(downsampleMinMax([1, 2, 3], [3, 1, 2], 10)).toEqual({ x: [1, 2, 3], y: [3, 1, 2] });
  });

  it('keeps endpoints and each bucket min and max, in index order', () => {
    // 10 points, maxPoints 6 → first, last, 2 buckets over indices 1..8 (1-4, 5-8)
    const x = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const y = [5, 3, 9, 1, 4, 2, 2, 8, 0, 7];
    const out = downsampleMinMax(x, y, 6);
    expect(out.x).toEqual([0, 2, 3, 7, 8, 9]);
    expect(out.y).toEqual([5, 9, 1, 8, 0, 7]);
  });

  it('shrinks 1e6 points to at most 2000 and keeps the global extremes and endpoints', () => {
    const n = 1_000_000;
    const x = Float64Array.from({ length: n }, (_, i) => i);
    const y = Float64Array.from({ length: n }, (_, i) => Math.sin(i / 1000) * Math.exp(-i / n));
    y[123_457] = 42; // a spike
    y[876_543] = -42; // a dip
    const out = downsampleMinMax(x, y, 2000);
    expect(out.x.length).toBeLessThanOrEqual(2000);
    expect(out.x.length).toBeGreaterThan(1900);
    expect(out.x[0]).toBe(0);
    expect(out.x[out.x.length - 1]).toBe(n - 1);
    expect(out.y[0]).toBe(y[0]);
    expect(out.y[out.y.length - 1]).toBe(y[n - 1]);
    expect(Math.max(...out.y)).toBe(42);
    expect(Math.min(...out.y)).toBe(-42);
    expect(out.x[out.y.indexOf(42)]).toBe(123_457);
    expect(out.x[out.y.indexOf(-42)]).toBe(876_543);
    // x stays increasing
    for (let i = 1; i < out.x.length; i++) expect(out.x[i]).toBeGreaterThan(out.x[i - 1]);
  });

  it('rejects mismatched lengths and tiny budgets', () => {
    expect(() => downsampleMinMax([1, 2], [1], 10)).toThrow(/2 values but y has 1/);
    expect(() => downsampleMinMax([1, 2], [1, 2], 3)).toThrow(/maxPoints/);
  });
});
