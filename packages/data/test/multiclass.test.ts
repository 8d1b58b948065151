import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  classCount,
  datasetNames,
  datasets,
  generateBlobs,
  generateDataset,
  generateGaussians,
  generateSpiral,
  toRows,
} from '../src/index.ts';

// Recorded from generateSpiral / generateGaussians before they took `classes` (commit d5efff5):
// the float64 bit patterns of the inputs, so "unchanged" means bit for bit.
const before = JSON.parse(readFileSync(new URL('./fixtures/two-class-v0.json', import.meta.url), 'utf8')) as Record<
  string,
  { inputs: string[]; labels: number[] }
>;
const bits = (a: Float64Array): string[] =>
  Array.from(a, (v) => {
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, v);
    return view.getBigUint64(0).toString(16).padStart(16, '0');
  });

describe('two classes are the sets gradlab always made, bit for bit', () => {
  const cases: [number, { seed?: number; noise?: number }][] = [
    [100, {}],
    [37, { seed: 5, noise: 0.07 }],
    [20, { seed: 9, noise: 0 }],
  ];
  it.each([
    ['spiral', generateSpiral],
    ['gaussians', generateGaussians],
  ] as const)('%s', (name, generate) => {
    expect(Object.keys(before)).toHaveLength(6);
    for (const [n, options] of cases) {
      const want = before[`${name} n=${n} ${JSON.stringify(options)}`];
      for (const data of [generate(n, options), generate(n, { ...options, classes: 2 })]) {
        expect(bits(data.inputs.data)).toEqual(want.inputs);
        expect(Array.from(data.labels.data)).toEqual(want.labels);
        expect(data.classes).toBe(2);
      }
    }
  });
});

describe('generateSpiral with k arms', () => {
  it('puts point i on arm i mod k: r = 0.45·s, θ = 3.5π·s + 2π·label/k (noise 0)', () => {
    for (const k of [3, 5]) {
      const data = generateSpiral(300, { seed: 4, noise: 0, classes: k });
      expect(data.classes).toBe(k);
      expect(data.labels.shape).toEqual([300, 1]);
      const { x, y } = toRows(data);
      x.forEach(([x0, x1], i) => {
        expect(y[i]).toBe(i % k);
        const r = Math.hypot(x0 - 0.5, x1 - 0.5);
        const theta = 3.5 * Math.PI * (r / 0.45) + (2 * Math.PI * y[i]) / k;
        expect(x0).toBeCloseTo(0.5 + r * Math.cos(theta), 12);
        expect(x1).toBeCloseTo(0.5 + r * Math.sin(theta), 12);
      });
    }
  });

  it('labels cycle through the arms; arm 0 is the same curve whatever k (same seed, same draws)', () => {
    const a = toRows(generateSpiral(8, { seed: 2, noise: 0, classes: 4 }));
    const one = toRows(generateSpiral(8, { seed: 2, noise: 0, classes: 1e3 })); // every point on its own arm index i
    expect(a.y).toEqual([0, 1, 2, 3, 0, 1, 2, 3]);
    expect(one.y).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(a.x[0]).toEqual(one.x[0]); // arm 0 is the same curve for any k
  });

  it('rejects a bad number of classes, naming it', () => {
    expect(() => generateSpiral(10, { classes: 1 })).toThrow('generateSpiral: classes must be an integer >= 2, got 1');
    expect(() => generateSpiral(10, { classes: 2.5 })).toThrow('generateSpiral: classes must be an integer >= 2, got 2.5');
    expect(() => generateGaussians(10, { classes: Number.NaN })).toThrow('generateGaussians: classes must be an integer >= 2, got NaN');
  });
});

describe('generateGaussians with k clusters', () => {
  it('noise 0 puts every point of class j on centre j, on the circle r = 0.3 at 5π/4 + 2πj/k', () => {
    const k = 6;
    const { x, y } = toRows(generateGaussians(60, { noise: 0, classes: k }));
    x.forEach(([x0, x1], i) => {
      expect(y[i]).toBe(i % k);
      const angle = 1.25 * Math.PI + (2 * Math.PI * y[i]) / k;
      expect(x0).toBeCloseTo(0.5 + 0.3 * Math.cos(angle), 14);
      expect(x1).toBeCloseTo(0.5 + 0.3 * Math.sin(angle), 14);
    });
  });

  it('the class means are near the centres and the spread is the noise', () => {
    const k = 3;
    const noise = 0.05;
    const { x, y } = toRows(generateGaussians(6000, { seed: 3, noise, classes: k }));
    for (let j = 0; j < k; j++) {
      const pts = x.filter((_, i) => y[i] === j);
      expect(pts).toHaveLength(2000);
      const mx = pts.reduce((s, p) => s + p[0], 0) / pts.length;
      const sd = Math.sqrt(pts.reduce((s, p) => s + (p[0] - mx) ** 2, 0) / pts.length);
      const angle = 1.25 * Math.PI + (2 * Math.PI * j) / k;
      expect(Math.abs(mx - (0.5 + 0.3 * Math.cos(angle)))).toBeLessThan(4 * (noise / Math.sqrt(2000)));
      expect(Math.abs(sd - noise)).toBeLessThan(0.05 * noise);
    }
  });
});

describe('generateBlobs (make_blobs in the square)', () => {
  it('defaults: 3 classes, 2 features, centres drawn in [0, 1)², std 0.05', () => {
    const data = generateBlobs();
    expect(data.name).toBe('blobs');
    expect(data.classes).toBe(3);
    expect(data.inputs.shape).toEqual([100, 2]);
    expect(data.labels.shape).toEqual([100, 1]);
    expect(toRows(data).y.slice(0, 7)).toEqual([0, 1, 2, 0, 1, 2, 0]);
  });

  it('d features; noise 0 puts each point on its drawn centre, the centres inside the box', () => {
    const data = generateBlobs(40, { seed: 6, classes: 4, features: 5, std: 0, centerBox: [-2, 3] });
    expect(data.inputs.shape).toEqual([40, 5]);
    const { x, y } = toRows(data);
    for (let j = 0; j < 4; j++) {
      const rows = x.filter((_, i) => y[i] === j);
      expect(rows).toHaveLength(10);
      for (const r of rows) expect(r).toEqual(rows[0]);
      for (const v of rows[0]) expect(v >= -2 && v < 3).toBe(true);
    }
    expect(new Set(x.map((r) => r.join())).size).toBe(4);
  });

  it('given centres and per-cluster stds: each cluster has that mean and spread', () => {
    const centers = [
      [0, 0, 0],
      [10, -10, 5],
    ];
    const data = generateBlobs(8000, { seed: 2, centers, std: [0.5, 2] });
    expect(data.classes).toBe(2);
    expect(data.inputs.shape).toEqual([8000, 3]);
    const { x, y } = toRows(data);
    centers.forEach((c, j) => {
      const rows = x.filter((_, i) => y[i] === j);
      const sd = j === 0 ? 0.5 : 2;
      for (let f = 0; f < 3; f++) {
        const m = rows.reduce((s, r) => s + r[f], 0) / rows.length;
        const v = rows.reduce((s, r) => s + (r[f] - m) ** 2, 0) / rows.length;
        expect(Math.abs(m - c[f])).toBeLessThan(4 * (sd / Math.sqrt(rows.length)));
        expect(Math.abs(Math.sqrt(v) - sd)).toBeLessThan(0.05 * sd);
      }
    });
  });

  it('is bit for bit the same for one seed, different for another', () => {
    expect(Array.from(generateBlobs(30, { seed: 3 }).inputs.data)).toEqual(Array.from(generateBlobs(30, { seed: 3 }).inputs.data));
    expect(Array.from(generateBlobs(30, { seed: 4 }).inputs.data)).not.toEqual(Array.from(generateBlobs(30, { seed: 3 }).inputs.data));
  });

  it('rejects bad options with the function, the option and the value', () => {
    expect(() => generateBlobs(10, { classes: 1 })).toThrow('generateBlobs: classes must be an integer >= 2, got 1');
    expect(() => generateBlobs(10, { features: 0 })).toThrow('generateBlobs: features must be a positive integer, got 0');
    expect(() => generateBlobs(10, { std: -1 })).toThrow('generateBlobs: std must be a finite number >= 0 or a list of 3 of them, got -1');
    expect(() => generateBlobs(10, { std: [1, 2] })).toThrow('or a list of 3 of them, got an array of 2');
    expect(() => generateBlobs(10, { centers: [[0, 0], [1]] })).toThrow('generateBlobs: every centre needs the same number of features, got lengths 2, 1');
    expect(() => generateBlobs(10, { centers: [[0, Number.NaN]] })).toThrow('generateBlobs: centers must be a non-empty list of lists of finite numbers');
    expect(() => generateBlobs(10, { centers: [[0, 0], [1, 1]], classes: 3 })).toThrow('generateBlobs: 2 centres of 2 features do not match classes 3 and features 2');
    expect(() => generateBlobs(10, { centerBox: [1, 0] })).toThrow('generateBlobs: centerBox must be [lo, hi] with finite lo <= hi');
    expect(() => generateBlobs(0)).toThrow('generateBlobs: n must be a positive integer, got 0');
  });
});

describe('the registry knows classes', () => {
  it('spiral, gaussians and blobs use classes; the others have 2', () => {
    const multi = datasetNames.filter((name) => datasets[name].uses.includes('classes'));
    expect(multi).toEqual(['spiral', 'gaussians', 'blobs']);
  });

  it('passes classes through, and 2 is every set’s default (blobs too)', () => {
    const spiral = generateDataset('spiral', { n: 30, seed: 4, classes: 3 });
    expect(spiral.classes).toBe(3);
    expect(toRows(spiral)).toEqual(toRows(generateSpiral(30, { seed: 4, classes: 3 })));
    expect(generateDataset('gaussians', { classes: 5 }).classes).toBe(5);
    expect(generateDataset('blobs').classes).toBe(2);
    expect(toRows(generateDataset('blobs', { n: 20, seed: 2, classes: 4, noise: 0.1 }))).toEqual(
      toRows(generateBlobs(20, { seed: 2, classes: 4, std: 0.1 })),
    );
    expect(generateDataset('circle', { classes: 2 }).classes).toBe(2);
  });

  it('rejects classes ≠ 2 for a two-class set, and a bad classes for any', () => {
    expect(() => generateDataset('moons', { classes: 3 })).toThrow(
      'generateDataset: "moons" has 2 classes, got classes 3 (sets with any number: spiral, gaussians, blobs)',
    );
    expect(() => generateDataset('spiral', { classes: 0 })).toThrow('generateDataset: classes must be an integer >= 2, got 0');
  });

  it('classCount reads classes, 2 for a hand-made set without it', () => {
    const data = generateDataset('spiral', { classes: 4 });
    expect(classCount(data)).toBe(4);
    expect(classCount({ })).toBe(2);
  });
});
