import { defineOp } from '../op.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { zipKernel } from './kernels.ts';

// y = a · b        ∂y/∂a = b, ∂y/∂b = a
export const mulOp = defineOp({
  name: 'mul',
  inputs: ['a', 'b'],
  kernel: zipKernel((a, b) => a * b),
  derivatives: {
    a: { formula: '∂(a·b)/∂a = b', partial: ({ b }) => b },
    b: { formula: '∂(a·b)/∂b = a', partial: ({ a }) => a },
  },
});

export function mul(a: TensorLike, b: TensorLike): Tensor {
  return mulOp.apply([toTensor(a), toTensor(b)], undefined);
}
