import { defineOp } from '../op.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { mapKernel } from './kernels.ts';
import { mul } from './mul.ts';
import { sub } from './sub.ts';

/**
 * σ(x) = 1/(1+e⁻ˣ), evaluated so that no exponential overflows: for x < 0 it is eˣ/(1+eˣ).
 * At ±1000 it gives exactly 1 and 0 (and a gradient of exactly 0), never NaN.
 */
export function sigmoidScalar(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

// y = σ(x)         ∂y/∂x = σ(x)(1−σ(x)) = y(1−y): the rule saves the output, not the input
export const sigmoidOp = defineOp({
  name: 'sigmoid',
  inputs: ['x'],
  kernel: mapKernel(sigmoidScalar),
  derivatives: {
    x: { formula: '∂y/∂x = y·(1−y)', partial: ({ result }) => mul(result, sub(1, result)) },
  },
});

export function sigmoid(x: TensorLike): Tensor {
  return sigmoidOp.apply([toTensor(x)], undefined);
}
