// Datasets of tensors and the loader that batches them: TensorDataset, DataLoader (batching,
// seeded shuffling, dropLast), randomSplit and trainTestSplit (seeded).
import { createRng, formatShape, GradlabError, Tensor, stack } from '@gradlab/core';
import { describeValue } from './validate.ts';

/** Anything indexable: `length` samples, `get(i)` the i-th (a list of tensors, e.g. [input, label]). */
export interface IndexedDataset {
  readonly length: number;
  get(index: number): Tensor[];
}

/**
 * Samples are the rows (first axis) of several tensors of the same length: `new TensorDataset(x, y)`
 * with x [N, …] and y [N, …]; sample i is [x[i], y[i]].
 */
export class TensorDataset implements IndexedDataset {
  readonly tensors: readonly Tensor[];

  constructor(...tensors: Tensor[]) {
    if (tensors.length === 0) throw new GradlabError('TensorDataset: give at least one tensor');
    tensors.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new GradlabError(`TensorDataset: argument ${i} must be a Tensor, got ${describeValue(t)}`);
      if (t.rank === 0) throw new GradlabError(`TensorDataset: argument ${i} is a scalar; samples are the rows of the first axis`);
      if (t.shape[0] !== tensors[0].shape[0]) {
        throw new GradlabError(`TensorDataset: the tensors must have one length along the first axis: ${tensors.map((x) => formatShape(x.shape)).join(', ')}`);
      }
    });
    this.tensors = Object.freeze([...tensors]);
  }

  get length(): number {
    return this.tensors[0].shape[0];
  }

  /** Sample i: row i of each tensor (its shape without the first axis). */
  get(index: number): Tensor[] {
    this.checkIndex('get', index);
    return this.tensors.map((t) => {
      const row = t.size / t.shape[0];
      return new Tensor(t.data.slice(index * row, (index + 1) * row), t.shape.slice(1));
    });
  }

  /** The samples at `indices`, as one batch per tensor: [k, …] (new tensors, no graph). */
  take(indices: ArrayLike<number>): Tensor[] {
    for (let k = 0; k < indices.length; k++) this.checkIndex('take', indices[k]);
    return this.tensors.map((t) => {
      const row = t.size / t.shape[0];
      const out = new Float64Array(indices.length * row);
      for (let k = 0; k < indices.length; k++) out.set(t.data.subarray(indices[k] * row, (indices[k] + 1) * row), k * row);
      return new Tensor(out, [indices.length, ...t.shape.slice(1)]);
    });
  }

  private checkIndex(fn: string, i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.length) {
      throw new GradlabError(`TensorDataset.${fn}: index ${describeValue(i)} is out of range (the dataset has ${this.length} samples)`);
    }
  }
}

export interface DataLoaderOptions {
  /** Samples per batch (default 1). */
  batchSize?: number;
  /** A new order every epoch (default false: the dataset's order). */
  shuffle?: boolean;
  /** Seed of the shuffling (default 0): the same seed gives the same orders, epoch by epoch. */
  seed?: number;
  /** Leave out the last batch if it is smaller than batchSize (default false). */
  dropLast?: boolean;
}

/**
 * Batches a dataset: each `for (const [x, y] of loader)` is one epoch, yielding one list of
 * tensors per batch ([batch, …] each). With `shuffle`, epoch e visits the samples in the order of
 * `loader.order(e)`, a permutation drawn from `createRng` seeded by the e-th 32-bit draw of
 * `createRng(seed)`, so any epoch's order can be recomputed (set `loader.epoch` to resume).
 */
export class DataLoader implements Iterable<Tensor[]> {
  readonly dataset: IndexedDataset;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  /** How many epochs have started (the next `for … of` is epoch `epoch`). */
  epoch = 0;

  constructor(dataset: IndexedDataset, options: DataLoaderOptions = {}) {
    const { batchSize = 1, shuffle = false, seed = 0, dropLast = false } = options;
    if (typeof dataset !== 'object' || dataset === null || typeof dataset.get !== 'function' || !Number.isInteger(dataset.length)) {
      throw new GradlabError(`DataLoader: dataset must have a length and get(i) (e.g. a TensorDataset), got ${describeValue(dataset)}`);
    }
    if (!Number.isInteger(batchSize) || batchSize <= 0) throw new GradlabError(`DataLoader: batchSize must be a positive integer, got ${describeValue(batchSize)}`);
    if (!Number.isInteger(seed)) throw new GradlabError(`DataLoader: seed must be an integer, got ${describeValue(seed)}`);
    if (typeof shuffle !== 'boolean') throw new GradlabError(`DataLoader: shuffle must be true or false, got ${describeValue(shuffle)}`);
    if (typeof dropLast !== 'boolean') throw new GradlabError(`DataLoader: dropLast must be true or false, got ${describeValue(dropLast)}`);
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.seed = seed;
    this.dropLast = dropLast;
  }

  /** Batches per epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The order in which epoch e visits the samples. */
  order(epoch: number): Int32Array {
    const n = this.dataset.length;
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    if (!this.shuffle) return order;
    const seeds = createRng(this.seed);
    for (let e = 0; e < epoch; e++) seeds.nextUint32();
    shuffleInPlace(order, createRng(seeds.nextUint32()));
    return order;
  }

  *[Symbol.iterator](): Iterator<Tensor[]> {
    const order = this.order(this.epoch);
    this.epoch += 1;
    const dataset = this.dataset;
    for (let b = 0; b < this.length; b++) {
      const indices = order.subarray(b * this.batchSize, Math.min((b + 1) * this.batchSize, order.length));
      if (dataset instanceof TensorDataset) {
        yield dataset.take(indices);
      } else {
        const samples = Array.from(indices, (i) => dataset.get(i));
        yield samples[0].map((_, k) => stack(samples.map((s) => s[k])));
      }
    }
  }
}

/** Fisher–Yates: for i from n−1 down to 1, swap i with a uniform j in [0, i]. */
export function shuffleInPlace(a: Int32Array, rng: { int(n: number): number }): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}

/** A seeded permutation of 0…n−1 (Fisher–Yates on `createRng(seed)`). */
export function permutation(n: number, seed: number): Int32Array {
  if (!Number.isInteger(n) || n < 0) throw new GradlabError(`permutation: n must be an integer ≥ 0, got ${describeValue(n)}`);
  if (!Number.isInteger(seed)) throw new GradlabError(`permutation: seed must be an integer, got ${describeValue(seed)}`);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  shuffleInPlace(order, createRng(seed));
  return order;
}

/**
 * Splits a TensorDataset at random into parts of the given sizes: counts that add up to its
 * length, or fractions that add up to 1 (each part gets ⌊n·f⌋, the rest one by one from the
 * first, as PyTorch's random_split). The samples are shuffled with `permutation(n, seed)`.
 */
export function randomSplit(dataset: TensorDataset, lengths: readonly number[], options: { seed?: number } = {}): TensorDataset[] {
  if (!(dataset instanceof TensorDataset)) throw new GradlabError(`randomSplit: dataset must be a TensorDataset, got ${describeValue(dataset)}`);
  const n = dataset.length;
  const given: unknown = lengths;
  if (!Array.isArray(given) || given.length === 0 || !given.every((l) => typeof l === 'number' && Number.isFinite(l) && l >= 0)) {
    throw new GradlabError(`randomSplit: lengths must be a list of counts or fractions ≥ 0, got ${describeValue(lengths)}`);
  }
  let counts: number[];
  const total = lengths.reduce((a, b) => a + b, 0);
  if (lengths.every(Number.isInteger) && total === n) {
    counts = [...lengths];
  } else if (Math.abs(total - 1) < 1e-9 && lengths.every((l) => l <= 1)) {
    counts = lengths.map((f) => Math.floor(n * f));
    let rest = n - counts.reduce((a, b) => a + b, 0);
    for (let i = 0; rest > 0; i = (i + 1) % counts.length, rest--) counts[i] += 1;
  } else {
    throw new GradlabError(`randomSplit: lengths [${lengths.join(', ')}] add up to ${total}: give counts adding up to ${n} or fractions adding up to 1`);
  }
  const order = permutation(n, options.seed ?? 0);
  const parts: TensorDataset[] = [];
  let start = 0;
  for (const count of counts) {
    parts.push(new TensorDataset(...dataset.take(order.subarray(start, start + count))));
    start += count;
  }
  return parts;
}

/** `randomSplit(dataset, [1 − testFraction, testFraction], { seed })` as { train, test } (testFraction default 0.2). */
export function trainTestSplit(dataset: TensorDataset, options: { testFraction?: number; seed?: number } = {}): { train: TensorDataset; test: TensorDataset } {
  const { testFraction = 0.2, seed = 0 } = options;
  if (typeof testFraction !== 'number' || !(testFraction > 0 && testFraction < 1)) {
    throw new GradlabError(`trainTestSplit: testFraction must be in (0, 1), got ${describeValue(testFraction)}`);
  }
  const n = dataset instanceof TensorDataset ? dataset.length : 0;
  const testCount = Math.round(n * testFraction);
  const [train, test] = randomSplit(dataset, [n - testCount, testCount], { seed });
  return { train, test };
}
