import { defineOp } from '../op.ts';
import { full, toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { zipKernel } from './kernels.ts';

// y = a − b        ∂y/∂a = 1, ∂y/∂b = −1
export const subOp = defineOp({
  name: 'sub',
  inputs: ['a', 'b'],
  kernel: zipKernel((a, b) => a - b),
  derivatives: {
    a: { formula: '∂(a−b)/∂a = 1', partial: ({ a }) => full(a.shape, 1, { dtype: a.dtype }) },
    b: { formula: '∂(a−b)/∂b = −1', partial: ({ b }) => full(b.shape, -1, { dtype: b.dtype }) },
  },
});

export function sub(a: TensorLike, b: TensorLike): Tensor {
  return subOp.apply([toTensor(a), toTensor(b)], undefined);
}
