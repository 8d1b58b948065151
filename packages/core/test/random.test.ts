import { describe, expect, it } from 'vitest';
import { createRng } from '../src/index.ts';

const draw = (seed: number, count: number): number[] => {
  const rng = createRng(seed);
  return Array.from({ length: count }, () => rng.next());
};

const meanVar = (xs: readonly number[]): [number, number] => {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
  return [mean, variance];
};

describe('createRng', () => {
  it('pins the first values for seed 42 (xoshiro128** + SplitMix32, checked against a Python port)', () => {
    expect(draw(42, 3)).toEqual([0.6606157208001621, 0.1117019639532224, 0.0791056456144914]);
  });

  it('gives the same 1000 values for the same seed', () => {
    expect(draw(7, 1000)).toEqual(draw(7, 1000));
  });

  it('gives different sequences for different seeds', () => {
    const a = draw(1, 100);
    const b = draw(2, 100);
    expect(a.filter((x, i) => x === b[i])).toHaveLength(0);
  });

  it('next() stays in [0, 1) with mean 1/2 and variance 1/12', () => {
    const xs = draw(3, 100_000);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const [mean, variance] = meanVar(xs);
    // standard errors: 0.29/√1e5 ≈ 0.0009 for the mean, ≈ 0.0003 for the variance
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.002);
  });

  it('normal() has mean 0 and std 1, and honours mean/std arguments', () => {
    const rng = createRng(4);
    const zs = Array.from({ length: 100_000 }, () => rng.normal());
    const [mean, variance] = meanVar(zs);
    expect(Math.abs(mean)).toBeLessThan(0.015);
    expect(Math.abs(Math.sqrt(variance) - 1)).toBeLessThan(0.015);
    const ys = Array.from({ length: 20_000 }, () => rng.normal(5, 2));
    const [m2, v2] = meanVar(ys);
    expect(Math.abs(m2 - 5)).toBeLessThan(0.1);
    expect(Math.abs(Math.sqrt(v2) - 2)).toBeLessThan(0.1);
  });

  it('int(n) covers exactly 0..n-1, and rejects bad n', () => {
    const rng = createRng(5);
    const seen = new Set<number>();
    for (let i = 0; i < 10_000; i++) {
      const k = rng.int(7);
      expect(Number.isInteger(k) && k >= 0 && k < 7).toBe(true);
      seen.add(k);
    }
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(() => rng.int(0)).toThrow('rng.int: n must be a positive integer, got 0');
    expect(() => rng.int(2.5)).toThrow('rng.int: n must be a positive integer, got 2.5');
  });

  it('uniform(low, high) stays in [low, high)', () => {
    const rng = createRng(6);
    for (let i = 0; i < 1000; i++) {
      const x = rng.uniform(-2, 3);
      expect(x >= -2 && x < 3).toBe(true);
    }
  });

  it('nextUint32() gives 32-bit unsigned integers', () => {
    const rng = createRng(8);
    for (let i = 0; i < 1000; i++) {
      const k = rng.nextUint32();
      expect(Number.isInteger(k) && k >= 0 && k < 2 ** 32).toBe(true);
    }
  });

  it('fork() is deterministic and gives a stream different from its parent', () => {
    const a = createRng(9);
    const b = createRng(9);
    const fa = a.fork();
    const fb = b.fork();
    const forked = Array.from({ length: 100 }, () => fa.next());
    expect(Array.from({ length: 100 }, () => fb.next())).toEqual(forked);
    // the parents stay in step after forking, and differ from the child
    const parent = Array.from({ length: 100 }, () => a.next());
    expect(Array.from({ length: 100 }, () => b.next())).toEqual(parent);
    expect(parent).not.toEqual(forked);
  });

  it('rejects a non-integer seed', () => {
    expect(() => createRng(1.5)).toThrow('createRng: the seed must be an integer, got 1.5');
    expect(() => createRng(Number.NaN)).toThrow('got NaN');
  });
});
