import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tensor } from '@gradlab/core';
import { loadIris, normalize, Normalizer } from '../src/index.ts';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/scalers.json', import.meta.url), 'utf8')) as {
  source: string;
  train: number[][];
  test: number[][];
  cases: { range: [number, number]; min: number[]; max: number[]; train: number[][]; test: number[][] }[];
};

describe('Normalizer (min-max)', () => {
  it('fits min and max per column and maps the training data onto [0, 1]', () => {
    const train = tensor([[1, 10, 5], [3, 30, 5], [2, 20, 5]]);
    const s = Normalizer.fit(train);
    expect([s.min, s.max]).toEqual([[1, 10, 5], [3, 30, 5]]);
    expect(Array.from(s.transform(train).data)).toEqual([0, 0, 0, 1, 1, 0, 0.5, 0.5, 0]); // constant column: scale 1
    expect(Array.from(s.transform(tensor([[4, 0, 6]])).data)).toEqual([1.5, -0.5, 1]); // not clipped
    expect(Array.from(s.inverse(s.transform(train)).data)).toEqual(Array.from(train.data));
  });

  // scikit-learn computes x·scale + (lo − min·scale), which loses digits when min·scale is large
  // (column 2 here: values near 3 with a range of 0.03); gradlab's (x − min)·scale + lo does not,
  // so the two agree to about 1e-14, not to the last bit
  it.each([0, 1])('agrees with scikit-learn’s MinMaxScaler (case %i) to 1e-13', (k) => {
    const ref = fixture.cases[k];
    expect(fixture.source).toMatch(/^scikit-learn /);
    const s = Normalizer.fit(tensor(fixture.train), { range: ref.range });
    expect(s.min).toEqual(ref.min);
    expect(s.max).toEqual(ref.max);
    for (const [x, want] of [
      [fixture.train, ref.train],
      [fixture.test, ref.test],
    ] as const) {
      const got = s.transform(tensor(x)).data;
      want.flat().forEach((w, i) => expect(Math.abs(got[i] - w)).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(w))));
    }
  });

  it('is saved as JSON and comes back the same, transform for transform', () => {
    const { train } = loadIris();
    const s = Normalizer.fit(train.x, { range: [-1, 1] });
    const json = JSON.parse(JSON.stringify(s)) as unknown;
    expect(json).toEqual({ min: [...s.min], max: [...s.max], range: [-1, 1] });
    const back = Normalizer.fromJSON(json);
    expect(Array.from(back.transform(train.x).data)).toEqual(Array.from(s.transform(train.x).data));
    expect(Math.min(...s.transform(train.x).data)).toBe(-1);
    expect(Math.max(...s.transform(train.x).data)).toBe(1);
  });

  it('normalize fits on the training split only and applies it to the others', () => {
    const data = loadIris({ seed: 3 });
    const { normalizer, train, others } = normalize(data.train.x, data.test.x);
    expect(Array.from(train.data)).toEqual(Array.from(Normalizer.fit(data.train.x).transform(data.train.x).data));
    expect(Array.from(others[0].data)).toEqual(Array.from(normalizer.transform(data.test.x).data));
    expect(Math.min(...train.data)).toBe(0);
    expect(Math.max(...train.data)).toBe(1);
  });

  it('rejects bad data and bad saved values, naming the function', () => {
    const s = Normalizer.fit(tensor([[1, 2]]));
    expect(() => s.transform(tensor([[1, 2, 3]]))).toThrow('Normalizer.transform: x of shape [1,3] must end in 2 features');
    expect(() => Normalizer.fit(tensor([[1, Number.POSITIVE_INFINITY]]))).toThrow('Normalizer.fit: column 1 of x holds Infinity (row 0)');
    expect(() => Normalizer.fit(tensor([1, 2]))).toThrow('Normalizer.fit: x of shape [2] must be [N, D] with N ≥ 1');
    expect(() => Normalizer.fromJSON({ min: [0], max: [-1] })).toThrow('Normalizer: max must be a list of 1 finite numbers, each >= its min');
    expect(() => Normalizer.fromJSON({ min: [0], max: [1], range: [1, 1] })).toThrow('Normalizer: range must be [lo, hi] with finite lo < hi, got [1, 1]');
    expect(() => Normalizer.fromJSON(null)).toThrow('Normalizer.fromJSON: expected { min, max, range }, got null');
  });
});
