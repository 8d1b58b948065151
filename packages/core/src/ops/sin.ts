import { defineOp } from '../op.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { cos } from './cos.ts';
import { mapKernel } from './kernels.ts';

// y = sin x        ∂y/∂x = cos x
export const sinOp = defineOp({
  name: 'sin',
  inputs: ['x'],
  kernel: mapKernel(Math.sin),
  derivatives: {
    x: { formula: '∂sin x/∂x = cos x', partial: ({ x }) => cos(x) },
  },
});

export function sin(x: TensorLike): Tensor {
  return sinOp.apply([toTensor(x)], undefined);
}
