// Standardisation: each feature (column) shifted and scaled to mean 0 and standard deviation 1,
// with the mean and std fitted on the training data only and then applied to any data.
import { GradlabError, Tensor, formatShape, tensor } from '@gradlab/core';
import { describeValue } from './validate.ts';

/** The fitted transform, JSON-ready (save it with the model so prediction uses the same one). */
export interface StandardizerJSON {
  mean: number[];
  std: number[];
}

/**
 * x ↦ (x − μ) / σ per feature (the last axis), μ and σ the mean and the population standard
 * deviation (÷N, as scikit-learn's StandardScaler) of the data it was fitted on. A constant
 * feature (σ = 0) gets σ = 1, so it becomes 0 instead of NaN.
 */
export class Standardizer {
  readonly mean: readonly number[];
  readonly std: readonly number[];

  constructor(mean: readonly number[], std: readonly number[]) {
    const ok = (a: unknown, positive: boolean) => Array.isArray(a) && a.length > 0 && a.every((v) => typeof v === 'number' && Number.isFinite(v) && (!positive || v > 0));
    if (!ok(mean, false)) throw new GradlabError(`Standardizer: mean must be a non-empty list of finite numbers, got ${describeValue(mean)}`);
    if (!ok(std, true) || std.length !== mean.length) {
      throw new GradlabError(`Standardizer: std must be a list of ${mean.length} finite numbers > 0, got ${describeValue(std)}`);
    }
    this.mean = Object.freeze([...mean]);
    this.std = Object.freeze([...std]);
  }

  /** Fits μ and σ on x of shape [N, D] (N ≥ 1): one of each per column. */
  static fit(x: Tensor): Standardizer {
    if (!(x instanceof Tensor)) throw new GradlabError(`Standardizer.fit: x must be a Tensor, got ${describeValue(x)}`);
    if (x.rank !== 2 || x.shape[0] === 0) throw new GradlabError(`Standardizer.fit: x of shape ${formatShape(x.shape)} must be [N, D] with N ≥ 1`);
    const [N, D] = x.shape;
    const mean = new Array<number>(D).fill(0);
    const std = new Array<number>(D).fill(0);
    for (let n = 0; n < N; n++) for (let d = 0; d < D; d++) mean[d] += x.data[n * D + d];
    for (let d = 0; d < D; d++) mean[d] /= N;
    for (let n = 0; n < N; n++) {
      for (let d = 0; d < D; d++) {
        const c = x.data[n * D + d] - mean[d];
        std[d] += c * c;
      }
    }
    for (let d = 0; d < D; d++) {
      if (!Number.isFinite(mean[d]) || !Number.isFinite(std[d])) throw new GradlabError(`Standardizer.fit: column ${d} of x holds NaN or ±Infinity`);
      std[d] = Math.sqrt(std[d] / N) || 1;
    }
    return new Standardizer(mean, std);
  }

  /** (x − μ) / σ for x of shape [..., D], with core ops (a graph if x requires grad). */
  transform(x: Tensor): Tensor {
    this.check('transform', x);
    return x.sub(tensor([...this.mean])).div(tensor([...this.std]));
  }

  /** x·σ + μ: undoes `transform`. */
  inverse(x: Tensor): Tensor {
    this.check('inverse', x);
    return x.mul(tensor([...this.std])).add(tensor([...this.mean]));
  }

  toJSON(): StandardizerJSON {
    return { mean: [...this.mean], std: [...this.std] };
  }

  static fromJSON(value: unknown): Standardizer {
    if (typeof value !== 'object' || value === null) throw new GradlabError(`Standardizer.fromJSON: expected { mean, std }, got ${describeValue(value)}`);
    const { mean, std } = value as { mean?: unknown; std?: unknown };
    return new Standardizer(mean as number[], std as number[]);
  }

  private check(fn: string, x: unknown): void {
    if (!(x instanceof Tensor)) throw new GradlabError(`Standardizer.${fn}: x must be a Tensor, got ${describeValue(x)}`);
    if (x.rank < 1 || x.shape[x.rank - 1] !== this.mean.length) {
      throw new GradlabError(`Standardizer.${fn}: x of shape ${formatShape(x.shape)} must end in ${this.mean.length} features`);
    }
  }
}

/** Fits a Standardizer on `train` and applies it to `train` and to each of `others` (e.g. the test split). */
export function standardize(train: Tensor, ...others: Tensor[]): { standardizer: Standardizer; train: Tensor; others: Tensor[] } {
  const standardizer = Standardizer.fit(train);
  return { standardizer, train: standardizer.transform(train), others: others.map((x) => standardizer.transform(x)) };
}
