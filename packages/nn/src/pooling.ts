// Pooling layers: PyTorch's nn.MaxPool2d and nn.AvgPool2d over core's maxPool2d / avgPool2d ops.
// No parameters; the gradients are the ops'.
import { avgPool2d, formatShape, GradlabError, maxPool2d, type Tensor } from '@gradlab/core';
import { describeValue, expectBoolean, expectTensor } from './check.ts';
import { spatialList, type SizeArg } from './conv.ts';
import { Module, type ModuleConfig } from './module.ts';

export interface MaxPool2dOptions {
  /** The step between windows (default: the kernel size, as PyTorch). */
  stride?: SizeArg;
  /** Padding (counted as −∞) on both sides, at most half the kernel (default 0). */
  padding?: SizeArg;
  /** The spacing between a window's taps (default 1). */
  dilation?: SizeArg;
}

export interface AvgPool2dOptions {
  /** The step between windows (default: the kernel size, as PyTorch). */
  stride?: SizeArg;
  /** Zero padding on both sides, at most half the kernel (default 0). */
  padding?: SizeArg;
  /** Whether the padding's zeros count in each window's divisor (default true, as PyTorch). */
  countIncludePad?: boolean;
}

function checkOptions(layer: string, options: unknown): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new GradlabError(`${layer}: options must be an object { stride, padding, … }, got ${describeValue(options)}`);
  }
}

/** x [N, C, H, W] or one sample [C, H, W], as the ops take it (the error names the layer and x's shape). */
function pool(layer: string, x: Tensor, f: (x4: Tensor) => Tensor): Tensor {
  expectTensor(layer, 'x', x);
  if (x.rank !== 4 && x.rank !== 3) throw new GradlabError(`${layer}: x of shape ${formatShape(x.shape)} must be [N, C, H, W] (or one sample [C, H, W])`);
  const batched = x.rank === 4 ? x : x.reshape([1, ...x.shape]);
  let y: Tensor;
  try {
    y = f(batched);
  } catch (e) {
    if (e instanceof GradlabError) throw new GradlabError(`${layer} on x of shape ${formatShape(x.shape)}: ${e.message}`, { cause: e });
    throw e;
  }
  return x.rank === 4 ? y : y.reshape(y.shape.slice(1));
}

const size = (v: readonly number[]) => (v[0] === v[1] ? String(v[0]) : v.join('×'));

/**
 * PyTorch's nn.MaxPool2d: each output the largest value of its kernelSize window of x
 * [N, C, H, W]; ∂y/∂x is 1 at the window's (first) maximum, 0 elsewhere. `new MaxPool2d(2)`.
 */
export class MaxPool2d extends Module {
  readonly kernelSize: readonly number[];
  readonly stride: readonly number[];
  readonly padding: readonly number[];
  readonly dilation: readonly number[];

  constructor(kernelSize: SizeArg, options: MaxPool2dOptions = {}) {
    super();
    checkOptions('MaxPool2d', options);
    this.kernelSize = Object.freeze(spatialList('MaxPool2d', 'kernelSize', kernelSize, 2, 1));
    this.stride = Object.freeze(options.stride === undefined ? [...this.kernelSize] : spatialList('MaxPool2d', 'stride', options.stride, 2, 1));
    this.padding = Object.freeze(spatialList('MaxPool2d', 'padding', options.padding ?? 0, 2, 0));
    this.dilation = Object.freeze(spatialList('MaxPool2d', 'dilation', options.dilation ?? 1, 2, 1));
    if (this.padding.some((p, i) => p > Math.floor(this.kernelSize[i] / 2))) {
      throw new GradlabError(`MaxPool2d: padding ${size(this.padding)} must be at most half the kernel size ${size(this.kernelSize)} (as in PyTorch)`);
    }
  }

  forward(x: Tensor): Tensor {
    return pool(this.describe(), x, (x4) => maxPool2d(x4, this.kernelSize, { stride: this.stride, padding: this.padding, dilation: this.dilation }));
  }

  override describe(): string {
    const extra = [
      ...(this.stride.some((s, i) => s !== this.kernelSize[i]) ? [`stride ${size(this.stride)}`] : []),
      ...(this.padding.some((p) => p !== 0) ? [`padding ${size(this.padding)}`] : []),
      ...(this.dilation.some((d) => d !== 1) ? [`dilation ${size(this.dilation)}`] : []),
    ];
    return `MaxPool2d(${size(this.kernelSize)}${extra.map((e) => `, ${e}`).join('')})`;
  }

  override config(): ModuleConfig {
    return { kind: 'MaxPool2d', kernelSize: [...this.kernelSize], stride: [...this.stride], padding: [...this.padding], dilation: [...this.dilation] };
  }
}

/**
 * PyTorch's nn.AvgPool2d: each output the mean of its kernelSize window of x [N, C, H, W];
 * ∂yₒ/∂xᵢ = 1/divisorₒ for xᵢ in window o. `new AvgPool2d(2)`.
 */
export class AvgPool2d extends Module {
  readonly kernelSize: readonly number[];
  readonly stride: readonly number[];
  readonly padding: readonly number[];
  readonly countIncludePad: boolean;

  constructor(kernelSize: SizeArg, options: AvgPool2dOptions = {}) {
    super();
    checkOptions('AvgPool2d', options);
    this.kernelSize = Object.freeze(spatialList('AvgPool2d', 'kernelSize', kernelSize, 2, 1));
    this.stride = Object.freeze(options.stride === undefined ? [...this.kernelSize] : spatialList('AvgPool2d', 'stride', options.stride, 2, 1));
    this.padding = Object.freeze(spatialList('AvgPool2d', 'padding', options.padding ?? 0, 2, 0));
    this.countIncludePad = expectBoolean('AvgPool2d', 'countIncludePad', options.countIncludePad ?? true);
    if (this.padding.some((p, i) => p > Math.floor(this.kernelSize[i] / 2))) {
      throw new GradlabError(`AvgPool2d: padding ${size(this.padding)} must be at most half the kernel size ${size(this.kernelSize)} (as in PyTorch)`);
    }
  }

  forward(x: Tensor): Tensor {
    return pool(this.describe(), x, (x4) =>
      avgPool2d(x4, this.kernelSize, { stride: this.stride, padding: this.padding, countIncludePad: this.countIncludePad }),
    );
  }

  override describe(): string {
    const extra = [
      ...(this.stride.some((s, i) => s !== this.kernelSize[i]) ? [`stride ${size(this.stride)}`] : []),
      ...(this.padding.some((p) => p !== 0) ? [`padding ${size(this.padding)}`] : []),
      ...(this.countIncludePad ? [] : ['countIncludePad false']),
    ];
    return `AvgPool2d(${size(this.kernelSize)}${extra.map((e) => `, ${e}`).join('')})`;
  }

  override config(): ModuleConfig {
    return { kind: 'AvgPool2d', kernelSize: [...this.kernelSize], stride: [...this.stride], padding: [...this.padding], countIncludePad: this.countIncludePad };
  }
}
