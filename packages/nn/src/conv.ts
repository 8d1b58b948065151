// Convolution layers: PyTorch's nn.Conv1d and nn.Conv2d over core's conv1d / conv2d ops
// (cross-correlation; NCL / NCHW; weight [out, in/groups, k…]). Their gradients are the ops'.
import { conv1d, conv2d, createRng, formatShape, GradlabError, pad, rand, type DType, type RandomSource, type Tensor } from '@gradlab/core';
import { describeValue, expectBoolean, expectDType, expectPositiveInteger, expectSeed, expectTensor } from './check.ts';
import { Module, type ModuleConfig } from './module.ts';

/** A size per spatial axis: one number for all, or a list with one per axis ([height, width] for 2-D). */
export type SizeArg = number | readonly number[];

export interface ConvLayerOptions {
  /** The step between windows (default 1). */
  stride?: SizeArg;
  /**
   * Zeros added on both sides of each spatial axis (default 0); or 'valid' (none) or 'same' (the
   * output as large as the input; stride 1 only; an odd total dilation·(k − 1) puts the extra zero
   * after, as PyTorch).
   */
  padding?: SizeArg | 'same' | 'valid';
  /** The spacing between a kernel's taps (default 1). */
  dilation?: SizeArg;
  /** Channels split into groups convolved separately; divides inChannels and outChannels (default 1). */
  groups?: number;
  /** Add a bias per output channel (default true). */
  bias?: boolean;
  /** Seed of the initialisation (default 0). */
  seed?: number;
  /** A random source for the initialisation instead of `seed` (e.g. one `createRng` shared by a model's layers). */
  rng?: RandomSource;
  /** The parameters' dtype (default float64); float32 ones are the float64 draws rounded. */
  dtype?: DType;
}

/** A per-axis argument as a list of `spatial` integers ≥ min; the error names the layer, the argument and the value. */
export function spatialList(layer: string, argument: string, value: unknown, spatial: number, min: number): number[] {
  const ok = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min;
  if (ok(value)) return new Array<number>(spatial).fill(value);
  if (Array.isArray(value) && value.length === spatial && value.every(ok)) return [...value];
  const shown = Array.isArray(value) ? `[${value.map((v) => describeValue(v)).join(', ')}]` : describeValue(value);
  throw new GradlabError(`${layer}: ${argument} must be an integer ≥ ${min} or a list of ${spatial} of them, got ${shown}`);
}

/** `createRng(seed)`, or the given source. */
export function initSource(layer: string, seed: unknown, rng: unknown): RandomSource {
  if (rng !== undefined) {
    if (typeof rng !== 'object' || rng === null || typeof (rng as RandomSource).next !== 'function') {
      throw new GradlabError(`${layer}: rng must have a next() method giving numbers in [0, 1) (e.g. createRng(seed)), got ${describeValue(rng)}`);
    }
    return rng as RandomSource;
  }
  return createRng(expectSeed(layer, seed));
}

const LAYOUT = { 1: '[N, C, L]', 2: '[N, C, H, W]' } as const;

/**
 * What Conv1d and Conv2d share. Initialised as PyTorch does: W ~ U(−b, b) with
 * b = √3·gain/√fanIn, gain = √(2/(1 + 5)) (kaiming_uniform with a = √5), so b = 1/√fanIn, and
 * the bias ~ U(−1/√fanIn, 1/√fanIn), fanIn = (inChannels/groups)·∏kernelSize; W is drawn first,
 * in row-major order, then the bias, from `createRng(seed)` (or `rng`).
 */
export abstract class ConvNd extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: readonly number[];
  readonly stride: readonly number[];
  /** The zeros on both sides of each spatial axis (for 'same', the smaller side). */
  readonly padding: readonly number[];
  /** 'same' if so constructed (then `padding` is derived from the kernel), else null. */
  readonly paddingMode: 'same' | null;
  readonly dilation: readonly number[];
  readonly groups: number;
  /** W [outChannels, inChannels/groups, …kernelSize]. */
  readonly weight: Tensor;
  /** b [outChannels], or null. */
  readonly bias: Tensor | null;
  /** The parameters' dtype. */
  readonly dtype: DType;

  protected constructor(
    readonly spatial: 1 | 2,
    inChannels: number,
    outChannels: number,
    kernelSize: SizeArg,
    options: ConvLayerOptions,
  ) {
    super();
    const layer = `Conv${spatial}d`;
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw new GradlabError(`${layer}: options must be an object { stride, padding, dilation, groups, bias, seed, rng, dtype }, got ${describeValue(options)}`);
    }
    const { stride = 1, padding = 0, dilation = 1, groups = 1, bias = true, seed = 0, rng, dtype = 'float64' } = options;
    this.inChannels = expectPositiveInteger(layer, 'inChannels', inChannels);
    this.outChannels = expectPositiveInteger(layer, 'outChannels', outChannels);
    this.kernelSize = Object.freeze(spatialList(layer, 'kernelSize', kernelSize, spatial, 1));
    this.stride = Object.freeze(spatialList(layer, 'stride', stride, spatial, 1));
    this.dilation = Object.freeze(spatialList(layer, 'dilation', dilation, spatial, 1));
    this.paddingMode = padding === 'same' ? 'same' : null;
    if (padding === 'same') {
      if (this.stride.some((s) => s !== 1)) throw new GradlabError(`${layer}: padding 'same' needs stride 1, got stride ${formatShape(this.stride)}`);
      this.padding = Object.freeze(this.kernelSize.map((k, i) => Math.floor((this.dilation[i] * (k - 1)) / 2)));
    } else {
      this.padding = Object.freeze(spatialList(layer, 'padding', padding === 'valid' ? 0 : padding, spatial, 0));
    }
    this.groups = expectPositiveInteger(layer, 'groups', groups);
    if (inChannels % groups !== 0) throw new GradlabError(`${layer}: groups (${groups}) must divide inChannels (${inChannels})`);
    if (outChannels % groups !== 0) throw new GradlabError(`${layer}: groups (${groups}) must divide outChannels (${outChannels})`);
    expectBoolean(layer, 'bias', bias);
    this.dtype = expectDType(layer, dtype);
    const source = initSource(layer, seed, rng);
    const fanIn = (inChannels / groups) * this.kernelSize.reduce((a, b) => a * b, 1);
    const gain = Math.sqrt(2.0 / (1 + 5));
    const w = Math.sqrt(3.0) * (gain / Math.sqrt(fanIn));
    const shape = [outChannels, inChannels / groups, ...this.kernelSize];
    this.weight = this.registerParameter('weight', rand(shape, source, { low: -w, high: w, requiresGrad: true, name: 'weight', dtype }));
    const b = 1 / Math.sqrt(fanIn);
    this.bias = bias ? this.registerParameter('bias', rand([outChannels], source, { low: -b, high: b, requiresGrad: true, name: 'bias', dtype })) : null;
  }

  /** x [N, C, …] (or one sample [C, …]) → [N, outChannels, …]. */
  forward(x: Tensor): Tensor {
    expectTensor(this.describe(), 'x', x);
    const rank = this.spatial + 2;
    if ((x.rank !== rank && x.rank !== rank - 1) || x.shape[x.rank - this.spatial - 1] !== this.inChannels) {
      throw new GradlabError(
        `${this.describe()}: x of shape ${formatShape(x.shape)} must be ${LAYOUT[this.spatial].replace('C', String(this.inChannels))} ` +
          `(or one sample without N)${x.rank === 2 && this.spatial === 2 ? '; reshape flat rows to images first, e.g. x.reshape([-1, C, H, W])' : ''}`,
      );
    }
    let batched = x.rank === rank ? x : x.reshape([1, ...x.shape]);
    // 'same' with an odd total d·(k − 1) on an axis: the one extra zero goes after
    const extra = this.paddingMode === 'same' ? this.kernelSize.map((k, i) => (this.dilation[i] * (k - 1)) % 2) : [];
    if (extra.some((e) => e !== 0)) batched = pad(batched, [[0, 0], [0, 0], ...extra.map((e) => [0, e] as const)]);
    const options = { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups };
    let y: Tensor;
    try {
      y = this.spatial === 2 ? conv2d(batched, this.weight, this.bias ?? undefined, options) : conv1d(batched, this.weight, this.bias ?? undefined, options);
    } catch (e) {
      if (e instanceof GradlabError) throw new GradlabError(`${this.describe()} on x of shape ${formatShape(x.shape)}: ${e.message}`, { cause: e });
      throw e;
    }
    return x.rank === rank ? y : y.reshape(y.shape.slice(1));
  }

  override describe(): string {
    const extra: string[] = [];
    const show = (v: readonly number[]) => (v.every((d) => d === v[0]) ? String(v[0]) : v.join('×'));
    if (this.stride.some((s) => s !== 1)) extra.push(`stride ${show(this.stride)}`);
    if (this.paddingMode === 'same') extra.push("padding 'same'");
    else if (this.padding.some((p) => p !== 0)) extra.push(`padding ${show(this.padding)}`);
    if (this.dilation.some((d) => d !== 1)) extra.push(`dilation ${show(this.dilation)}`);
    if (this.groups !== 1) extra.push(`groups ${this.groups}`);
    if (!this.bias) extra.push('no bias');
    return `Conv${this.spatial}d(${this.inChannels}→${this.outChannels}, ${this.kernelSize.join('×')}${extra.map((e) => `, ${e}`).join('')})`;
  }

  override config(): ModuleConfig {
    return {
      kind: `Conv${this.spatial}d`,
      inChannels: this.inChannels,
      outChannels: this.outChannels,
      kernelSize: [...this.kernelSize],
      stride: [...this.stride],
      padding: this.paddingMode ?? [...this.padding],
      dilation: [...this.dilation],
      groups: this.groups,
      bias: this.bias !== null,
      ...(this.dtype === 'float32' ? { dtype: this.dtype } : {}),
    };
  }
}

/**
 * PyTorch's nn.Conv2d: x [N, inChannels, H, W] → [N, outChannels, H′, W′],
 *   y[n,o] = b[o] + Σ_c W[o,c] ⋆ x[n,c]        (⋆ cross-correlation; c over o's group)
 * H′ = ⌊(H + 2·padding − dilation·(kH − 1) − 1)/stride⌋ + 1. kernelSize, stride, padding and
 * dilation are a number or [height, width]. `new Conv2d(1, 8, 3, { padding: 1 })`.
 */
export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: SizeArg, options: ConvLayerOptions = {}) {
    super(2, inChannels, outChannels, kernelSize, options);
  }
}

/** PyTorch's nn.Conv1d: x [N, inChannels, L] → [N, outChannels, L′], weight [out, in/groups, k]. */
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: SizeArg, options: ConvLayerOptions = {}) {
    super(1, inChannels, outChannels, kernelSize, options);
  }
}
