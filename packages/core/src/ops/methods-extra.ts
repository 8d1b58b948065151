// The ops added after the Tensor class was written, as Tensor methods: `x.softmax(-1)` is
// `softmax(x, -1)`. Declared here by merging into the class's interface and defined on its
// prototype when @gradlab/core is loaded (its index imports this module for that effect).
import { Tensor, type TensorLike } from '../tensor.ts';
import * as ops from './index.ts';
import type { GeluOptions, ReduceOptions, VarianceOptions } from './index.ts';

declare module '../tensor.ts' {
  interface Tensor {
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
  }
}

Tensor.prototype.abs = function (this: Tensor) {
  return ops.abs(this);
};
Tensor.prototype.sqrt = function (this: Tensor) {
  return ops.sqrt(this);
};
Tensor.prototype.square = function (this: Tensor) {
  return ops.square(this);
};
Tensor.prototype.reciprocal = function (this: Tensor) {
  return ops.reciprocal(this);
};
Tensor.prototype.sin = function (this: Tensor) {
  return ops.sin(this);
};
Tensor.prototype.cos = function (this: Tensor) {
  return ops.cos(this);
};
Tensor.prototype.softplus = function (this: Tensor) {
  return ops.softplus(this);
};
Tensor.prototype.erf = function (this: Tensor) {
  return ops.erf(this);
};
Tensor.prototype.gelu = function (this: Tensor, options?: GeluOptions) {
  return ops.gelu(this, options);
};
Tensor.prototype.elu = function (this: Tensor, alpha?: number) {
  return ops.elu(this, alpha);
};
Tensor.prototype.maximum = function (this: Tensor, other: TensorLike) {
  return ops.maximum(this, other);
};
Tensor.prototype.minimum = function (this: Tensor, other: TensorLike) {
  return ops.minimum(this, other);
};
Tensor.prototype.where = function (this: Tensor, cond: TensorLike, other: TensorLike) {
  return ops.where(cond, this, other);
};
Tensor.prototype.gt = function (this: Tensor, other: TensorLike) {
  return ops.gt(this, other);
};
Tensor.prototype.ge = function (this: Tensor, other: TensorLike) {
  return ops.ge(this, other);
};
Tensor.prototype.lt = function (this: Tensor, other: TensorLike) {
  return ops.lt(this, other);
};
Tensor.prototype.le = function (this: Tensor, other: TensorLike) {
  return ops.le(this, other);
};
Tensor.prototype.eq = function (this: Tensor, other: TensorLike) {
  return ops.eq(this, other);
};
Tensor.prototype.max = function (this: Tensor, axis?: number | readonly number[], options?: ReduceOptions) {
  return ops.max(this, axis, options);
};
Tensor.prototype.min = function (this: Tensor, axis?: number | readonly number[], options?: ReduceOptions) {
  return ops.min(this, axis, options);
};
Tensor.prototype.argmax = function (this: Tensor, axis?: number, options?: ReduceOptions) {
  return ops.argmax(this, axis, options);
};
Tensor.prototype.argmin = function (this: Tensor, axis?: number, options?: ReduceOptions) {
  return ops.argmin(this, axis, options);
};
Tensor.prototype.logSumExp = function (this: Tensor, axis?: number | readonly number[], options?: ReduceOptions) {
  return ops.logSumExp(this, axis, options);
};
Tensor.prototype.variance = function (this: Tensor, axis?: number | readonly number[], options?: VarianceOptions) {
  return ops.variance(this, axis, options);
};
Tensor.prototype.std = function (this: Tensor, axis?: number | readonly number[], options?: VarianceOptions) {
  return ops.std(this, axis, options);
};
Tensor.prototype.prod = function (this: Tensor, axis?: number | readonly number[], options?: ReduceOptions) {
  return ops.prod(this, axis, options);
};
Tensor.prototype.norm = function (this: Tensor, p?: number, axis?: number | readonly number[], options?: ReduceOptions) {
  return ops.norm(this, p, axis, options);
};
Tensor.prototype.softmax = function (this: Tensor, axis?: number) {
  return ops.softmax(this, axis);
};
Tensor.prototype.logSoftmax = function (this: Tensor, axis?: number) {
  return ops.logSoftmax(this, axis);
};
Tensor.prototype.squeeze = function (this: Tensor, axis?: number | readonly number[]) {
  return ops.squeeze(this, axis);
};
Tensor.prototype.unsqueeze = function (this: Tensor, axis: number) {
  return ops.unsqueeze(this, axis);
};
Tensor.prototype.flatten = function (this: Tensor, startAxis?: number, endAxis?: number) {
  return ops.flatten(this, startAxis, endAxis);
};
Tensor.prototype.permute = function (this: Tensor, axes: readonly number[]) {
  return ops.permute(this, axes);
};
Tensor.prototype.slice = function (this: Tensor, starts: readonly number[], ends?: readonly number[], steps?: readonly number[]) {
  return ops.slice(this, starts, ends, steps);
};
Tensor.prototype.split = function (this: Tensor, sizes: number | readonly number[], axis?: number) {
  return ops.split(this, sizes, axis);
};
