import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadDigits, loadIris, type ClassificationData } from '../src/index.ts';
import { DIGITS_ROWS } from '../src/real/digits-data.ts';
import { IRIS_CLASS_NAMES, IRIS_FEATURES, IRIS_LABELS } from '../src/real/iris-data.ts';
import { digitsArrays } from '../src/real/load.ts';

const file = (path: string): Buffer => readFileSync(new URL(`../datasets/${path}`, import.meta.url));
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const datasetsMd = readFileSync(new URL('../datasets/DATASETS.md', import.meta.url), 'utf8');
const generated = (path: string): string => readFileSync(new URL(`../src/real/${path}`, import.meta.url), 'utf8');

interface Row {
  x: number[];
  y: number;
}
interface Reference {
  fileSha256: string;
  shape: [number, number];
  classNames: string[];
  classCounts: number[];
  first: Row;
  last: Row;
  rows: Record<string, Row>;
  columnSums: number[];
  total: number;
  orderWeightedColumnSums: number[];
  orderWeightedLabelSum: number;
  min: number;
  max: number;
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/real-datasets.json', import.meta.url), 'utf8')) as {
  source: string;
  digits: Reference;
  iris: Reference;
};

/** Train and test put back in file order: x as rows, y as numbers. */
function whole(data: ClassificationData): { x: number[][]; y: number[] } {
  const n = data.train.rows.length + data.test.rows.length;
  const d = data.train.x.shape[1];
  const x: number[][] = new Array<number[]>(n);
  const y: number[] = new Array<number>(n);
  for (const split of [data.train, data.test]) {
    split.rows.forEach((r, k) => {
      x[r] = Array.from(split.x.data.subarray(k * d, (k + 1) * d));
      y[r] = split.y.data[k];
    });
  }
  return { x, y };
}

describe('the shipped files', () => {
  it.each([
    ['digits.csv.gz', 57512],
    ['iris.csv', 2734],
  ])('%s has the size and SHA-256 recorded in DATASETS.md', (name, size) => {
    const bytes = file(name);
    const row = datasetsMd.split('\n').find((line) => line.startsWith(`| \`${name}\` |`));
    expect(row).toBeDefined();
    const [, , recordedSize, recordedSha] = (row ?? '').split('|').map((cell) => cell.trim().replaceAll('`', ''));
    expect(bytes.length).toBe(size);
    expect(Number(recordedSize)).toBe(size);
    expect(sha256(bytes)).toBe(recordedSha);
  });

  it('are the very files scikit-learn loaded for the fixture', () => {
    expect(fixture.source).toMatch(/^scikit-learn 1\.2\.1/);
    expect(sha256(file('digits.csv.gz'))).toBe(fixture.digits.fileSha256);
    expect(sha256(file('iris.csv'))).toBe(fixture.iris.fileSha256);
  });

  it('the generated modules name the checksum of the file they were made from', () => {
    expect(generated('digits-data.ts')).toContain(`from datasets/digits.csv.gz (sha256 ${sha256(file('digits.csv.gz'))})`);
    expect(generated('iris-data.ts')).toContain(`from datasets/iris.csv (sha256 ${sha256(file('iris.csv'))})`);
  });
});

describe('the embedded modules hold exactly the files’ values', () => {
  it('digits: every pixel and label equals the decompressed digits.csv.gz', () => {
    const lines = gunzipSync(file('digits.csv.gz')).toString('utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(1797);
    expect(DIGITS_ROWS).toBe(1797);
    const { pixels, labels } = digitsArrays();
    expect(pixels).toHaveLength(1797 * 64);
    expect(labels).toHaveLength(1797);
    const wantPixels = new Uint8Array(1797 * 64);
    const wantLabels = new Uint8Array(1797);
    lines.forEach((line, i) => {
      const cells = line.split(',').map(Number);
      expect(cells).toHaveLength(65);
      wantPixels.set(cells.slice(0, 64), i * 64);
      wantLabels[i] = cells[64];
    });
    expect(Buffer.from(pixels).equals(Buffer.from(wantPixels))).toBe(true);
    expect(Buffer.from(labels).equals(Buffer.from(wantLabels))).toBe(true);
  });

  it('iris: every measurement is the double its text in iris.csv parses to; labels and names match', () => {
    const [header, ...lines] = file('iris.csv').toString('utf8').trimEnd().split('\n');
    expect(header).toBe('150,4,setosa,versicolor,virginica');
    expect(IRIS_CLASS_NAMES).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(lines).toHaveLength(150);
    expect(IRIS_FEATURES).toHaveLength(600);
    lines.forEach((line, i) => {
      const cells = line.split(',');
      for (let j = 0; j < 4; j++) expect(Object.is(IRIS_FEATURES[4 * i + j], Number.parseFloat(cells[j]))).toBe(true);
      expect(IRIS_LABELS[i]).toBe(Number(cells[4]));
    });
  });
});

describe.each([
  ['digits', loadDigits, [1, 8, 8]],
  ['iris', loadIris, [4]],
] as const)('%s against scikit-learn’s loader', (name, load, featureShape) => {
  const ref = fixture[name];
  const data = load();
  const { x, y } = whole(data);

  it('has the names, classes and shapes of the promised interface', () => {
    expect(data.name).toBe(name);
    expect(data.classes).toBe(ref.classNames.length);
    expect(data.classNames).toEqual(ref.classNames);
    expect(data.featureShape).toEqual(featureShape);
    const d = featureShape.reduce<number>((a, b) => a * b, 1);
    expect(d).toBe(ref.shape[1]);
    for (const split of [data.train, data.test]) {
      expect(split.x.shape).toEqual([split.rows.length, d]);
      expect(split.y.shape).toEqual([split.rows.length]);
      expect(split.x.data).toBeInstanceOf(Float64Array);
      expect(split.y.data).toBeInstanceOf(Float64Array);
    }
    expect(x).toHaveLength(ref.shape[0]);
  });

  it('agrees row for row on the first, last and every 97th row', () => {
    expect(x[0]).toEqual(ref.first.x);
    expect(y[0]).toBe(ref.first.y);
    expect(x[x.length - 1]).toEqual(ref.last.x);
    expect(y[y.length - 1]).toBe(ref.last.y);
    expect(Object.keys(ref.rows).length).toBeGreaterThan(1);
    for (const [i, row] of Object.entries(ref.rows)) {
      expect(x[Number(i)]).toEqual(row.x);
      expect(y[Number(i)]).toBe(row.y);
    }
  });

  it('agrees on class counts, column sums, order-weighted sums, min and max', () => {
    const counts = new Array<number>(data.classes).fill(0);
    for (const label of y) counts[label] += 1;
    expect(counts).toEqual(ref.classCounts);
    const d = ref.shape[1];
    const sums = new Array<number>(d).fill(0);
    const weighted = new Array<number>(d).fill(0);
    let labelWeighted = 0;
    x.forEach((row, i) => {
      row.forEach((v, j) => {
        sums[j] += v;
        weighted[j] += (i + 1) * v;
      });
      labelWeighted += (i + 1) * y[i];
    });
    sums.forEach((s, j) => expect(s).toBeCloseTo(ref.columnSums[j], 9));
    weighted.forEach((s, j) => expect(s).toBeCloseTo(ref.orderWeightedColumnSums[j], 7));
    expect(sums.reduce((a, b) => a + b, 0)).toBeCloseTo(ref.total, 8);
    expect(labelWeighted).toBe(ref.orderWeightedLabelSum);
    expect(Math.min(...x.flat())).toBe(ref.min);
    expect(Math.max(...x.flat())).toBe(ref.max);
  });
});

describe('the split: stratified, seeded, the same for the same seed', () => {
  it('digits by default: 1,438 train and 359 test, round(0.2·n_c) of each class in test', () => {
    const data = loadDigits();
    expect(data.train.rows).toHaveLength(1438);
    expect(data.test.rows).toHaveLength(359);
    const testCounts = new Array<number>(10).fill(0);
    for (const label of data.test.y.data) testCounts[label] += 1;
    expect(testCounts).toEqual(fixture.digits.classCounts.map((c) => Math.round(0.2 * c)));
  });

  it('iris by default: 40 / 10 of each class', () => {
    const data = loadIris();
    expect(data.train.rows).toHaveLength(120);
    const testCounts = [0, 0, 0];
    for (const label of data.test.y.data) testCounts[label] += 1;
    expect(testCounts).toEqual([10, 10, 10]);
  });

  it('train and test are disjoint, cover every row, and list rows in file order', () => {
    const data = loadDigits({ seed: 3, testFraction: 0.3 });
    const all = [...data.train.rows, ...data.test.rows].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 1797 }, (_, i) => i));
    for (const split of [data.train, data.test]) for (let k = 1; k < split.rows.length; k++) expect(split.rows[k]).toBeGreaterThan(split.rows[k - 1]);
  });

  it('same seed, same split (bit for bit); another seed, another split', () => {
    const a = loadDigits({ seed: 7 });
    const b = loadDigits({ seed: 7 });
    const c = loadDigits({ seed: 8 });
    expect(Array.from(b.test.rows)).toEqual(Array.from(a.test.rows));
    expect(Array.from(b.train.x.data)).toEqual(Array.from(a.train.x.data));
    expect(Array.from(c.test.rows)).not.toEqual(Array.from(a.test.rows));
    // pinned: the default split's first test rows, so a change of the split is seen
    expect(Array.from(loadDigits().test.rows.slice(0, 10))).toEqual([3, 9, 12, 19, 26, 30, 31, 34, 37, 39]);
  });

  it('each call returns fresh tensors (writing one does not change the next load)', () => {
    const a = loadDigits();
    a.train.x.data[0] = 99;
    expect(loadDigits().train.x.data[0]).toBe(0);
  });

  it('rejects a bad testFraction or seed, naming the function and the value', () => {
    expect(() => loadDigits({ testFraction: 0 })).toThrow('loadDigits: testFraction must be a number in (0, 1), got 0');
    expect(() => loadIris({ testFraction: 1 })).toThrow('loadIris: testFraction must be a number in (0, 1), got 1');
    expect(() => loadIris({ seed: 0.5 })).toThrow('loadIris: seed must be an integer, got 0.5');
  });
});
