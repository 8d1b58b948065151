import { defineOp } from '../op.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { mapKernel } from './kernels.ts';
import { mul } from './mul.ts';

// y = x²           ∂y/∂x = 2x
export const squareOp = defineOp({
  name: 'square',
  inputs: ['x'],
  kernel: mapKernel((x) => x * x),
  derivatives: {
    x: { formula: '∂(x²)/∂x = 2x', partial: ({ x }) => mul(2, x) },
  },
});

export function square(x: TensorLike): Tensor {
  return squareOp.apply([toTensor(x)], undefined);
}
