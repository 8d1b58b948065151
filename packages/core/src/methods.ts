// The fluent methods, `x.matmul(w).sigmoid()`: each is the function of the same name, attached
// to Tensor here (declaration merging gives them their types), so tensor.ts imports no op and
// the imports run one way.
import { backward, type BackwardOptions } from './autograd.ts';
import * as ops from './ops/index.ts';
import type { Shape } from './shape.ts';
import { Tensor, type TensorLike } from './tensor.ts';

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
    pow(exponent: number): Tensor;
    exp(): Tensor;
    log(): Tensor;
    sigmoid(): Tensor;
    tanh(): Tensor;
    relu(): Tensor;
    leakyRelu(slope?: number): Tensor;
    clamp(min: number | undefined, max?: number): Tensor;
    matmul(other: TensorLike): Tensor;
    transpose(): Tensor;
    reshape(shape: Shape): Tensor;
    sum(axis?: number | readonly number[], options?: AxisOptions): Tensor;
    mean(axis?: number | readonly number[], options?: AxisOptions): Tensor;
  }
}

const methods: ThisType<Tensor> & Partial<Tensor> = {
  backward(seed?: TensorLike, options?: BackwardOptions) { backward(this, seed, options); },
  add(other: TensorLike) { return ops.add(this, other); },
  sub(other: TensorLike) { return ops.sub(this, other); },
  mul(other: TensorLike) { return ops.mul(this, other); },
  div(other: TensorLike) { return ops.div(this, other); },
  neg() { return ops.neg(this); },
  pow(exponent: number) { return ops.pow(this, exponent); },
  exp() { return ops.exp(this); },
  log() { return ops.log(this); },
  sigmoid() { return ops.sigmoid(this); },
  tanh() { return ops.tanh(this); },
  relu() { return ops.relu(this); },
  leakyRelu(slope?: number) { return ops.leakyRelu(this, slope); },
  clamp(min: number | undefined, max?: number) { return ops.clamp(this, min, max); },
  matmul(other: TensorLike) { return ops.matmul(this, other); },
  transpose() { return ops.transpose(this); },
  reshape(shape: Shape) { return ops.reshape(this, shape); },
  sum(axis?: number | readonly number[], options?: AxisOptions) { return ops.sum(this, axis, options); },
  mean(axis?: number | readonly number[], options?: AxisOptions) { return ops.mean(this, axis, options); },
};

for (const [name, method] of Object.entries(methods)) {
  Object.defineProperty(Tensor.prototype, name, { value: method, writable: true, configurable: true });
}
