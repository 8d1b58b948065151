import { describe, expect, it } from 'vitest';
import {
  datasetNames,
  datasets,
  generateCircle,
  generateDataset,
  generateLinear,
  generateXOREasy,
  isDatasetName,
  toRows,
} from '../src/index.ts';

describe('dataset registry', () => {
  it('lists the seven names, the lab sets first', () => {
    expect(datasetNames).toEqual(['xor', 'linear', 'circle', 'spiral', 'moons', 'gaussians', 'blobs']);
    expect(Object.keys(datasets).sort()).toEqual([...datasetNames].sort());
    for (const name of datasetNames) expect(datasets[name].name).toBe(name);
  });

  it.each(datasetNames)('%s: makes a named [n, 2] / [n, 1] set with 0/1 labels', (name) => {
    const data = generateDataset(name, { n: 40, seed: 2 });
    const n = name === 'xor' ? 21 : 40;
    expect(data.name).toBe(name);
    expect(data.inputs.shape).toEqual([n, 2]);
    expect(data.labels.shape).toEqual([n, 1]);
    expect(data.classes).toBe(2);
    const labels = new Set(data.labels.data);
    expect([...labels].sort()).toEqual([0, 1]);
  });

  it('passes options through to the generators', () => {
    expect(toRows(generateDataset('linear', { n: 30, seed: 4 }))).toEqual(toRows(generateLinear(30, { seed: 4 })));
    expect(toRows(generateDataset('circle', { n: 30, seed: 4, noise: 0.1 }))).toEqual(
      toRows(generateCircle(30, { seed: 4, noise: 0.1 })),
    );
    expect(toRows(generateDataset('circle'))).toEqual(toRows(generateCircle()));
  });

  it('xor ignores n, seed and noise', () => {
    expect(toRows(generateDataset('xor', { n: 5, seed: 9, noise: 0.3 }))).toEqual(toRows(generateXOREasy()));
    expect(datasets.xor.uses).toEqual([]);
    expect(datasets.linear.uses).toEqual(['n', 'seed']);
  });

  it('rejects an unknown name, listing the valid ones', () => {
    expect(() => generateDataset('xor-hard')).toThrow(
      'generateDataset: unknown dataset "xor-hard"; valid names: xor, linear, circle, spiral, moons, gaussians, blobs',
    );
    expect(() => generateDataset('toString')).toThrow('unknown dataset "toString"');
    expect(isDatasetName('moons')).toBe(true);
    expect(isDatasetName('constructor')).toBe(false);
  });

  it('checks options even for a set that ignores them', () => {
    expect(() => generateDataset('xor', { n: 0 })).toThrow('generateDataset: n must be a positive integer, got 0');
    expect(() => generateDataset('linear', { noise: -1 })).toThrow('generateDataset: noise must be a finite number >= 0, got -1');
    expect(() => generateDataset('moons', { seed: 0.1 })).toThrow('generateDataset: seed must be an integer, got 0.1');
  });
});

describe('toRows', () => {
  it('returns plain arrays: x rows and y labels', () => {
    const { x, y } = toRows(generateLinear(3, { seed: 1 }));
    expect(x).toHaveLength(3);
    expect(Array.isArray(x[0])).toBe(true);
    expect(x[0]).toHaveLength(2);
    expect(y).toHaveLength(3);
    expect(y.every((l) => l === 0 || l === 1)).toBe(true);
  });
});
