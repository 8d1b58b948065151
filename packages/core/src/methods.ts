// The fluent methods, `x.matmul(w).sigmoid()`: each is the function of the same name, attached
// to Tensor here (declaration merging gives them their types), so tensor.ts imports no op and
// the imports run one way.
import { backward, type BackwardOptions } from './autograd.ts';
import * as ops from './ops/index.ts';
import type {
  AvgPoolOptions, ConvOptions, ConvTransposeOptions, DropoutOptions, GeluOptions, IndexLike, MaxPoolOptions, PadWidths, ReduceOptions,
  SpatialArg, UpsampleOptions, VarianceOptions,
} from './ops/index.ts';
import type { RandomSource } from './random.ts';
import type { Shape } from './shape.ts';
import { Tensor, type DType, type TensorLike, type TensorOptions } from './tensor.ts';

type AxisOptions = { keepDims?: boolean };

declare module './tensor.ts' {
  interface Tensor {
    /** Reverse-mode autodiff from this tensor: fills `.grad` of every leaf that requires it. */
    backward(seed?: TensorLike, options?: BackwardOptions): void;
    add(other: TensorLike): Tensor;
    sub(other: TensorLike): Tensor;
    mul(other: TensorLike): Tensor;
    div(other: TensorLike): Tensor;
    neg(): Tensor;
    /** `x.to('float32')` is `cast(x, 'float32')`: an op, so gradients flow back (cast to x's dtype). */
    to(dtype: DType): Tensor;
    /** `x.float()` is `x.to('float32')`. */
    float(): Tensor;
    /** `x.double()` is `x.to('float64')`. */
    double(): Tensor;
    pow(exponent: number): Tensor;
    exp(): Tensor;
    log(): Tensor;
    sigmoid(): Tensor;
    tanh(): Tensor;
    relu(): Tensor;
    leakyRelu(slope?: number): Tensor;
    clamp(min: number | undefined, max?: number): Tensor;
    matmul(other: TensorLike): Tensor;
    /** `x.transpose()` of a 2-D x, or `x.transpose(a, b)`: axes a and b swapped. */
    transpose(a?: number, b?: number): Tensor;
    reshape(shape: Shape): Tensor;
    sum(axis?: number | readonly number[], options?: AxisOptions): Tensor;
    mean(axis?: number | readonly number[], options?: AxisOptions): Tensor;
    abs(): Tensor;
    sqrt(): Tensor;
    square(): Tensor;
    reciprocal(): Tensor;
    sin(): Tensor;
    cos(): Tensor;
    softplus(): Tensor;
    erf(): Tensor;
    gelu(options?: GeluOptions): Tensor;
    elu(alpha?: number): Tensor;
    maximum(other: TensorLike): Tensor;
    minimum(other: TensorLike): Tensor;
    /** `x.where(cond, other)` is `where(cond, x, other)`, as PyTorch's Tensor.where. */
    where(cond: TensorLike, other: TensorLike): Tensor;
    gt(other: TensorLike): Tensor;
    ge(other: TensorLike): Tensor;
    lt(other: TensorLike): Tensor;
    le(other: TensorLike): Tensor;
    eq(other: TensorLike): Tensor;
    max(axis?: number | readonly number[], options?: ReduceOptions): Tensor;
    min(axis?: number | readonly number[], options?: ReduceOptions): Tensor;
    argmax(axis?: number, options?: ReduceOptions): Tensor;
    argmin(axis?: number, options?: ReduceOptions): Tensor;
    logSumExp(axis?: number | readonly number[], options?: ReduceOptions): Tensor;
    variance(axis?: number | readonly number[], options?: VarianceOptions): Tensor;
    std(axis?: number | readonly number[], options?: VarianceOptions): Tensor;
    prod(axis?: number | readonly number[], options?: ReduceOptions): Tensor;
    norm(p?: number, axis?: number | readonly number[], options?: ReduceOptions): Tensor;
    softmax(axis?: number): Tensor;
    logSoftmax(axis?: number): Tensor;
    squeeze(axis?: number | readonly number[]): Tensor;
    unsqueeze(axis: number): Tensor;
    flatten(startAxis?: number, endAxis?: number): Tensor;
    permute(axes: readonly number[]): Tensor;
    slice(starts: readonly number[], ends?: readonly number[], steps?: readonly number[]): Tensor;
    split(sizes: number | readonly number[], axis?: number): Tensor[];
    /** `x.conv2d(w, bias?, options?)` is `conv2d(x, w, bias, options)`. */
    conv2d(w: TensorLike, bias?: TensorLike, options?: ConvOptions): Tensor;
    conv1d(w: TensorLike, bias?: TensorLike, options?: ConvOptions): Tensor;
    convTranspose2d(w: TensorLike, bias?: TensorLike, options?: ConvTransposeOptions): Tensor;
    convTranspose1d(w: TensorLike, bias?: TensorLike, options?: ConvTransposeOptions): Tensor;
    maxPool2d(kernelSize: SpatialArg, options?: MaxPoolOptions): Tensor;
    avgPool2d(kernelSize: SpatialArg, options?: AvgPoolOptions): Tensor;
    /** `x.upsample({ scaleFactor, mode })` is `upsample(x, options)` (PyTorch's interpolate). */
    upsample(options: UpsampleOptions): Tensor;
    dropout(p: number, rng: RandomSource, options?: DropoutOptions): Tensor;
    gather(axis: number, index: IndexLike): Tensor;
    index(indices: IndexLike, axis?: number): Tensor;
    pad(widths: PadWidths, value?: number): Tensor;
    /** `labels.oneHot(classes)` is `oneHot(labels, classes)`. */
    oneHot(classes?: number): Tensor;
    zerosLike(options?: TensorOptions): Tensor;
    onesLike(options?: TensorOptions): Tensor;
    fullLike(value: number, options?: TensorOptions): Tensor;
  }
}

const methods: ThisType<Tensor> & Partial<Tensor> = {
  backward(seed?: TensorLike, options?: BackwardOptions) { backward(this, seed, options); },
  add(other: TensorLike) { return ops.add(this, other); },
  sub(other: TensorLike) { return ops.sub(this, other); },
  mul(other: TensorLike) { return ops.mul(this, other); },
  div(other: TensorLike) { return ops.div(this, other); },
  neg() { return ops.neg(this); },
  to(dtype: DType) { return ops.cast(this, dtype); },
  float() { return ops.cast(this, 'float32'); },
  double() { return ops.cast(this, 'float64'); },
  pow(exponent: number) { return ops.pow(this, exponent); },
  exp() { return ops.exp(this); },
  log() { return ops.log(this); },
  sigmoid() { return ops.sigmoid(this); },
  tanh() { return ops.tanh(this); },
  relu() { return ops.relu(this); },
  leakyRelu(slope?: number) { return ops.leakyRelu(this, slope); },
  clamp(min: number | undefined, max?: number) { return ops.clamp(this, min, max); },
  matmul(other: TensorLike) { return ops.matmul(this, other); },
  transpose(a?: number, b?: number) { return ops.transpose(this, a, b); },
  reshape(shape: Shape) { return ops.reshape(this, shape); },
  sum(axis?: number | readonly number[], options?: AxisOptions) { return ops.sum(this, axis, options); },
  mean(axis?: number | readonly number[], options?: AxisOptions) { return ops.mean(this, axis, options); },
  abs() { return ops.abs(this); },
  sqrt() { return ops.sqrt(this); },
  square() { return ops.square(this); },
  reciprocal() { return ops.reciprocal(this); },
  sin() { return ops.sin(this); },
  cos() { return ops.cos(this); },
  softplus() { return ops.softplus(this); },
  erf() { return ops.erf(this); },
  gelu(options?: GeluOptions) { return ops.gelu(this, options); },
  elu(alpha?: number) { return ops.elu(this, alpha); },
  maximum(other: TensorLike) { return ops.maximum(this, other); },
  minimum(other: TensorLike) { return ops.minimum(this, other); },
  where(cond: TensorLike, other: TensorLike) { return ops.where(cond, this, other); },
  gt(other: TensorLike) { return ops.gt(this, other); },
  ge(other: TensorLike) { return ops.ge(this, other); },
  lt(other: TensorLike) { return ops.lt(this, other); },
  le(other: TensorLike) { return ops.le(this, other); },
  eq(other: TensorLike) { return ops.eq(this, other); },
  max(axis?: number | readonly number[], options?: ReduceOptions) { return ops.max(this, axis, options); },
  min(axis?: number | readonly number[], options?: ReduceOptions) { return ops.min(this, axis, options); },
  argmax(axis?: number, options?: ReduceOptions) { return ops.argmax(this, axis, options); },
  argmin(axis?: number, options?: ReduceOptions) { return ops.argmin(this, axis, options); },
  logSumExp(axis?: number | readonly number[], options?: ReduceOptions) { return ops.logSumExp(this, axis, options); },
  variance(axis?: number | readonly number[], options?: VarianceOptions) { return ops.variance(this, axis, options); },
  std(axis?: number | readonly number[], options?: VarianceOptions) { return ops.std(this, axis, options); },
  prod(axis?: number | readonly number[], options?: ReduceOptions) { return ops.prod(this, axis, options); },
  norm(p?: number, axis?: number | readonly number[], options?: ReduceOptions) { return ops.norm(this, p, axis, options); },
  softmax(axis?: number) { return ops.softmax(this, axis); },
  logSoftmax(axis?: number) { return ops.logSoftmax(this, axis); },
  squeeze(axis?: number | readonly number[]) { return ops.squeeze(this, axis); },
  unsqueeze(axis: number) { return ops.unsqueeze(this, axis); },
  flatten(startAxis?: number, endAxis?: number) { return ops.flatten(this, startAxis, endAxis); },
  permute(axes: readonly number[]) { return ops.permute(this, axes); },
  slice(starts: readonly number[], ends?: readonly number[], steps?: readonly number[]) { return ops.slice(this, starts, ends, steps); },
  split(sizes: number | readonly number[], axis?: number) { return ops.split(this, sizes, axis); },
  conv2d(w: TensorLike, bias?: TensorLike, options?: ConvOptions) { return ops.conv2d(this, w, bias, options); },
  conv1d(w: TensorLike, bias?: TensorLike, options?: ConvOptions) { return ops.conv1d(this, w, bias, options); },
  convTranspose2d(w: TensorLike, bias?: TensorLike, options?: ConvTransposeOptions) { return ops.convTranspose2d(this, w, bias, options); },
  convTranspose1d(w: TensorLike, bias?: TensorLike, options?: ConvTransposeOptions) { return ops.convTranspose1d(this, w, bias, options); },
  maxPool2d(kernelSize: SpatialArg, options?: MaxPoolOptions) { return ops.maxPool2d(this, kernelSize, options); },
  avgPool2d(kernelSize: SpatialArg, options?: AvgPoolOptions) { return ops.avgPool2d(this, kernelSize, options); },
  upsample(options: UpsampleOptions) { return ops.upsample(this, options); },
  dropout(p: number, rng: RandomSource, options?: DropoutOptions) { return ops.dropout(this, p, rng, options); },
  gather(axis: number, index: IndexLike) { return ops.gather(this, axis, index); },
  index(indices: IndexLike, axis?: number) { return ops.index(this, indices, axis); },
  pad(widths: PadWidths, value?: number) { return ops.pad(this, widths, value); },
  oneHot(classes?: number) { return ops.oneHot(this, classes); },
  zerosLike(options?: TensorOptions) { return ops.zerosLike(this, options); },
  onesLike(options?: TensorOptions) { return ops.onesLike(this, options); },
  fullLike(value: number, options?: TensorOptions) { return ops.fullLike(this, value, options); },
};

for (const [name, method] of Object.entries(methods)) {
  Object.defineProperty(Tensor.prototype, name, { value: method, writable: true, configurable: true });
}
