// Min-max normalisation: each feature (column) mapped linearly onto a range, [0, 1] by default,
// with the minimum and maximum fitted on the training data only and then applied to any data
// (scikit-learn's MinMaxScaler; not its Normalizer, which scales each row to unit norm).
import { GradlabError, Tensor, formatShape, tensor } from '@gradlab/core';
import { describeValue } from './validate.ts';

/** The fitted transform, JSON-ready (save it with the model so prediction uses the same one). */
export interface NormalizerJSON {
  min: number[];
  max: number[];
  range: [number, number];
}

const finiteList = (a: unknown): a is number[] => Array.isArray(a) && a.length > 0 && a.every((v) => typeof v === 'number' && Number.isFinite(v));

/**
 * x ↦ lo + (x − min)·(hi − lo)/(max − min) per feature (the last axis), min and max those of the
 * data it was fitted on and [lo, hi] the `range` (default [0, 1]). The fitted data lands in
 * [lo, hi]; other data may fall outside (nothing is clipped). A constant feature (max = min)
 * is scaled as if its range were 1, so it becomes lo + (x − min)·(hi − lo) instead of NaN (as
 * scikit-learn does).
 */
export class Normalizer {
  readonly min: readonly number[];
  readonly max: readonly number[];
  readonly range: readonly [number, number];
  /** (hi − lo)/(max − min) per feature, or hi − lo where max = min. */
  readonly scale: readonly number[];

  constructor(min: readonly number[], max: readonly number[], range: readonly [number, number] = [0, 1]) {
    if (!finiteList(min)) throw new GradlabError(`Normalizer: min must be a non-empty list of finite numbers, got ${describeValue(min)}`);
    if (!finiteList(max) || max.length !== min.length || max.some((m, d) => m < min[d])) {
      throw new GradlabError(`Normalizer: max must be a list of ${min.length} finite numbers, each >= its min, got ${describeValue(max)}`);
    }
    if (!finiteList(range) || range.length !== 2 || !(range[0] < range[1])) {
      throw new GradlabError(`Normalizer: range must be [lo, hi] with finite lo < hi, got ${Array.isArray(range) ? `[${range.join(', ')}]` : describeValue(range)}`);
    }
    this.min = Object.freeze([...min]);
    this.max = Object.freeze([...max]);
    this.range = Object.freeze([range[0], range[1]] as const);
    this.scale = Object.freeze(min.map((m, d) => (range[1] - range[0]) / (max[d] > m ? max[d] - m : 1)));
  }

  /** Fits min and max on x of shape [N, D] (N ≥ 1): one of each per column. */
  static fit(x: Tensor, { range = [0, 1] }: { range?: readonly [number, number] } = {}): Normalizer {
    if (!(x instanceof Tensor)) throw new GradlabError(`Normalizer.fit: x must be a Tensor, got ${describeValue(x)}`);
    if (x.rank !== 2 || x.shape[0] === 0) throw new GradlabError(`Normalizer.fit: x of shape ${formatShape(x.shape)} must be [N, D] with N ≥ 1`);
    const [N, D] = x.shape;
    const min = new Array<number>(D).fill(Infinity);
    const max = new Array<number>(D).fill(-Infinity);
    for (let n = 0; n < N; n++) {
      for (let d = 0; d < D; d++) {
        const v = x.data[n * D + d];
        if (!Number.isFinite(v)) throw new GradlabError(`Normalizer.fit: column ${d} of x holds ${v} (row ${n})`);
        if (v < min[d]) min[d] = v;
        if (v > max[d]) max[d] = v;
      }
    }
    return new Normalizer(min, max, range);
  }

  /** lo + (x − min)·scale for x of shape [..., D], with core ops (a graph if x requires grad). */
  transform(x: Tensor): Tensor {
    this.check('transform', x);
    return x.sub(tensor([...this.min])).mul(tensor([...this.scale])).add(this.range[0]);
  }

  /** (x − lo)/scale + min: undoes `transform`. */
  inverse(x: Tensor): Tensor {
    this.check('inverse', x);
    return x.sub(this.range[0]).div(tensor([...this.scale])).add(tensor([...this.min]));
  }

  toJSON(): NormalizerJSON {
    return { min: [...this.min], max: [...this.max], range: [this.range[0], this.range[1]] };
  }

  static fromJSON(value: unknown): Normalizer {
    if (typeof value !== 'object' || value === null) throw new GradlabError(`Normalizer.fromJSON: expected { min, max, range }, got ${describeValue(value)}`);
    const { min, max, range } = value as { min?: unknown; max?: unknown; range?: unknown };
    return new Normalizer(min as number[], max as number[], (range ?? [0, 1]) as [number, number]);
  }

  private check(fn: string, x: unknown): void {
    if (!(x instanceof Tensor)) throw new GradlabError(`Normalizer.${fn}: x must be a Tensor, got ${describeValue(x)}`);
    if (x.rank < 1 || x.shape[x.rank - 1] !== this.min.length) {
      throw new GradlabError(`Normalizer.${fn}: x of shape ${formatShape(x.shape)} must end in ${this.min.length} features`);
    }
  }
}

/** Fits a Normalizer on `train` and applies it to `train` and to each of `others` (e.g. the test split). */
export function normalize(train: Tensor, ...others: Tensor[]): { normalizer: Normalizer; train: Tensor; others: Tensor[] } {
  const normalizer = Normalizer.fit(train);
  return { normalizer, train: normalizer.transform(train), others: others.map((x) => normalizer.transform(x)) };
}
