import { defineOp } from '../op.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { mapKernel, zipKernel } from './kernels.ts';
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
    x: {
      formula: '∂y/∂x = y·(1−y)',
      partial: ({ result }) => mul(result, sub(1, result)),
      vjp: ({ grad, result }) => sigmoidBackward(grad, result),
    },
  },
});

// sigmoid's backward pass as one op (PyTorch's sigmoid_backward), with the incoming gradient dy:
// dx = dy·(y·(1−y)), the same float operations as mul(dy, mul(y, sub(1, y)))
//   ∂dx/∂dy = y·(1−y)        ∂dx/∂y = dy·(1−2y)
export const sigmoidBackwardOp = defineOp({
  name: 'sigmoidBackward',
  inputs: ['dy', 'y'],
  kernel: zipKernel((dy, y) => dy * (y * (1 - y))),
  derivatives: {
    dy: {
      formula: '∂(dy·y(1−y))/∂dy = y·(1−y)',
      partial: ({ y }) => mul(y, sub(1, y)),
      vjp: ({ grad, y }) => sigmoidBackward(grad, y),
    },
    y: { formula: '∂(dy·y(1−y))/∂y = dy·(1−2y)', partial: ({ dy, y }) => mul(dy, sub(1, mul(2, y))) },
  },
});

export function sigmoid(x: TensorLike): Tensor {
  return sigmoidOp.apply([toTensor(x)], undefined);
}

/** dy·σ′ given σ's result y: dy·(y·(1−y)). */
export function sigmoidBackward(dy: TensorLike, y: TensorLike): Tensor {
  return sigmoidBackwardOp.apply([toTensor(dy), toTensor(y)], undefined);
}
