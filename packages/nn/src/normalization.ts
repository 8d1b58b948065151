// Normalisation layers: BatchNorm1d and BatchNorm2d (statistics over the batch) and LayerNorm
// (over each sample's last axes). All are written with core ops, so their gradients come from the graph.
import { assign, formatShape, GradlabError, noGrad, ones, sub, zeros, type DType, type Tensor } from '@gradlab/core';
import { describeValue, expectBoolean, expectDType, expectNumber, expectPositiveInteger, expectTensor } from './check.ts';
import { Module, type ModuleConfig } from './module.ts';

export interface BatchNormOptions {
  /** ε added to the variance (default 1e-5). */
  eps?: number;
  /** m in running ← (1 − m)·running + m·batch (default 0.1); null: the cumulative average of all batches. */
  momentum?: number | null;
  /** Learn a scale γ (`weight`, starts at 1) and a shift β (`bias`, starts at 0) per feature (default true). */
  affine?: boolean;
  /** Keep running mean and variance (buffers) and use them in eval mode (default true). */
  trackRunningStats?: boolean;
  /** The parameters' and buffers' dtype (default float64). */
  dtype?: DType;
}

/**
 * What BatchNorm1d and BatchNorm2d share. Per feature (channel) c, over the batch and the
 * spatial axes (n values per feature):
 *   y = (x − μ_B) / √(σ²_B + ε) · γ + β        μ_B, σ²_B the batch mean and biased variance
 * In training mode it also updates the buffers
 *   runningMean ← (1 − m)·runningMean + m·μ_B      runningVar ← (1 − m)·runningVar + m·σ²_B·n/(n − 1)
 * (the unbiased variance) and counts `numBatchesTracked` (m = 1/numBatchesTracked when momentum
 * is null: the cumulative average); in eval mode it normalises with runningMean and runningVar
 * instead. The buffers are saved in the state dict but are not parameters. The update is made of
 * ops writing the buffers through `assign`, so a `compile`d training step repeats it at every
 * run, bit for bit as the eager step would.
 */
export abstract class BatchNormBase extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  /** γ [C] (null without affine). */
  readonly weight: Tensor | null;
  /** β [C] (null without affine). */
  readonly bias: Tensor | null;
  readonly runningMean: Tensor | null;
  readonly runningVar: Tensor | null;
  readonly numBatchesTracked: Tensor | null;
  /** The parameters' and buffers' dtype. */
  readonly dtype: DType;

  protected constructor(
    private readonly kind: 'BatchNorm1d' | 'BatchNorm2d',
    numFeatures: number,
    options: BatchNormOptions,
  ) {
    super();
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw new GradlabError(`${kind}: options must be an object { eps, momentum, affine, trackRunningStats, dtype }, got ${describeValue(options)}`);
    }
    const { eps = 1e-5, momentum = 0.1, affine = true, trackRunningStats = true, dtype = 'float64' } = options;
    this.numFeatures = expectPositiveInteger(kind, 'numFeatures', numFeatures);
    this.eps = expectNumber(kind, 'eps', eps, (e) => e > 0, 'a finite number > 0');
    if (momentum !== null) expectNumber(kind, 'momentum', momentum, (m) => m >= 0 && m <= 1, 'in [0, 1] or null');
    this.momentum = momentum;
    this.affine = expectBoolean(kind, 'affine', affine);
    this.trackRunningStats = expectBoolean(kind, 'trackRunningStats', trackRunningStats);
    this.dtype = expectDType(kind, dtype);
    const C = numFeatures;
    this.weight = affine ? this.registerParameter('weight', ones([C], { requiresGrad: true, name: 'weight', dtype })) : null;
    this.bias = affine ? this.registerParameter('bias', zeros([C], { requiresGrad: true, name: 'bias', dtype })) : null;
    this.runningMean = trackRunningStats ? this.registerBuffer('runningMean', zeros([C], { name: 'runningMean', dtype })) : null;
    this.runningVar = trackRunningStats ? this.registerBuffer('runningVar', ones([C], { name: 'runningVar', dtype })) : null;
    this.numBatchesTracked = trackRunningStats ? this.registerBuffer('numBatchesTracked', zeros([], { name: 'numBatchesTracked', dtype })) : null;
  }

  /** The layouts x may have, as text for errors (`[N, 3] or [N, 3, L]`), and whether x has one of them. */
  protected abstract layout(): string;
  protected abstract fits(x: Tensor): boolean;

  forward(x: Tensor): Tensor {
    expectTensor(this.describe(), 'x', x);
    const C = this.numFeatures;
    if (!this.fits(x)) throw new GradlabError(`${this.describe()}: x of shape ${formatShape(x.shape)} must be ${this.layout()}`);
    // the feature axis is 1; the statistics are over every other axis
    const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
    const perFeature = [C, ...x.shape.slice(2).map(() => 1)];
    const n = x.size / C;
    const useBatch = this.training || !this.trackRunningStats;
    let mean: Tensor;
    let variance: Tensor;
    if (useBatch) {
      if (this.training && n < 2) {
        throw new GradlabError(`${this.describe()}: training needs more than 1 value per feature, got x of shape ${formatShape(x.shape)}`);
      }
      mean = x.mean(axes, { keepDims: true });
      variance = x.variance(axes, { unbiased: false, keepDims: true });
      if (this.training && this.trackRunningStats) this.track(mean, variance, n);
    } else {
      mean = this.runningMean!.reshape(perFeature);
      variance = this.runningVar!.reshape(perFeature);
    }
    const normalized = x.sub(mean).div(variance.add(this.eps).sqrt());
    if (!this.weight || !this.bias) return normalized;
    return normalized.mul(this.weight.reshape(perFeature)).add(this.bias.reshape(perFeature));
  }

  /**
   * The running statistics' update, in place (each buffer counted as changed), made of ops
   * ending in `assign`, so a `compile`d training step replays it with the values of each run.
   */
  private track(mean: Tensor, biasedVar: Tensor, n: number): void {
    const C = this.numFeatures;
    const count = this.numBatchesTracked!;
    const rm = this.runningMean!;
    const rv = this.runningVar!;
    noGrad(() => {
      assign(count, count.add(1));
      // m = momentum, or 1/numBatchesTracked (the cumulative average)
      const m = this.momentum ?? count.reciprocal();
      const keep = typeof m === 'number' ? 1 - m : sub(1, m);
      assign(rm, rm.mul(keep).add(mean.reshape([C]).mul(m)));
      assign(rv, rv.mul(keep).add(biasedVar.reshape([C]).mul(n / (n - 1)).mul(m)));
    });
  }

  override describe(): string {
    return `${this.kind}(${this.numFeatures})`;
  }

  override config(): ModuleConfig {
    return {
      kind: this.kind,
      numFeatures: this.numFeatures,
      eps: this.eps,
      momentum: this.momentum,
      affine: this.affine,
      trackRunningStats: this.trackRunningStats,
      ...(this.dtype === 'float32' ? { dtype: this.dtype } : {}),
    };
  }
}

/** PyTorch's BatchNorm1d: x is [N, C] or [N, C, L]; statistics per feature over N (and L). See `BatchNormBase`. */
export class BatchNorm1d extends BatchNormBase {
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super('BatchNorm1d', numFeatures, options);
  }
  protected layout(): string {
    return `[N, ${this.numFeatures}] or [N, ${this.numFeatures}, L]`;
  }
  protected fits(x: Tensor): boolean {
    return (x.rank === 2 || x.rank === 3) && x.shape[1] === this.numFeatures;
  }
}

/**
 * PyTorch's BatchNorm2d: x is [N, C, H, W]; statistics per channel over N, H and W (n = N·H·W
 * values per channel). See `BatchNormBase`. `new BatchNorm2d(8)` after a `Conv2d(…, 8, …)`.
 */
export class BatchNorm2d extends BatchNormBase {
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super('BatchNorm2d', numFeatures, options);
  }
  protected layout(): string {
    return `[N, ${this.numFeatures}, H, W]`;
  }
  protected fits(x: Tensor): boolean {
    return x.rank === 4 && x.shape[1] === this.numFeatures;
  }
}

export interface LayerNormOptions {
  /** ε added to the variance (default 1e-5). */
  eps?: number;
  /** Learn γ (`weight`, ones) and β (`bias`, zeros) of the normalised shape (default true). */
  elementwiseAffine?: boolean;
  /** The parameters' dtype (default float64). */
  dtype?: DType;
}

/**
 * PyTorch's LayerNorm: over the last axes (those of `normalizedShape`) of each sample,
 *   y = (x − μ) / √(σ² + ε) · γ + β        μ, σ² the mean and biased variance of those axes.
 * The same in training and eval mode.
 */
export class LayerNorm extends Module {
  readonly normalizedShape: readonly number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  /** The parameters' dtype. */
  readonly dtype: DType;

  constructor(normalizedShape: number | readonly number[], options: LayerNormOptions = {}) {
    super();
    const { eps = 1e-5, elementwiseAffine = true, dtype = 'float64' } = options;
    const given: unknown = normalizedShape;
    const shape: unknown[] = typeof given === 'number' ? [given] : Array.isArray(given) ? [...(given as unknown[])] : [];
    if (shape.length === 0) {
      throw new GradlabError(`LayerNorm: normalizedShape must be a positive integer or a non-empty list of them, got ${describeValue(normalizedShape)}`);
    }
    this.normalizedShape = Object.freeze(shape.map((d, i) => expectPositiveInteger('LayerNorm', `normalizedShape[${i}]`, d)));
    this.eps = expectNumber('LayerNorm', 'eps', eps, (e) => e > 0, 'a finite number > 0');
    this.elementwiseAffine = expectBoolean('LayerNorm', 'elementwiseAffine', elementwiseAffine);
    this.dtype = expectDType('LayerNorm', dtype);
    this.weight = elementwiseAffine ? this.registerParameter('weight', ones([...this.normalizedShape], { requiresGrad: true, name: 'weight', dtype })) : null;
    this.bias = elementwiseAffine ? this.registerParameter('bias', zeros([...this.normalizedShape], { requiresGrad: true, name: 'bias', dtype })) : null;
  }

  forward(x: Tensor): Tensor {
    expectTensor(this.describe(), 'x', x);
    const k = this.normalizedShape.length;
    const tail = x.shape.slice(x.rank - k);
    if (x.rank < k || tail.some((d, i) => d !== this.normalizedShape[i])) {
      throw new GradlabError(`${this.describe()}: x of shape ${formatShape(x.shape)} must end in ${formatShape(this.normalizedShape)}`);
    }
    const axes = Array.from({ length: k }, (_, i) => x.rank - k + i);
    const mean = x.mean(axes, { keepDims: true });
    const variance = x.variance(axes, { unbiased: false, keepDims: true });
    const normalized = x.sub(mean).div(variance.add(this.eps).sqrt());
    if (!this.weight || !this.bias) return normalized;
    return normalized.mul(this.weight).add(this.bias);
  }

  override describe(): string {
    return `LayerNorm(${formatShape(this.normalizedShape)})`;
  }

  override config(): ModuleConfig {
    return { kind: 'LayerNorm', normalizedShape: [...this.normalizedShape], eps: this.eps, elementwiseAffine: this.elementwiseAffine, ...(this.dtype === 'float32' ? { dtype: this.dtype } : {}) };
  }
}
