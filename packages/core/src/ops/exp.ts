import { defineOp } from '../op.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { mapKernel } from './kernels.ts';

// y = eˣ           ∂y/∂x = eˣ = y
export const expOp = defineOp({
  name: 'exp',
  inputs: ['x'],
  kernel: mapKernel(Math.exp),
  derivatives: {
    x: { formula: '∂y/∂x = eˣ = y', partial: ({ result }) => result },
  },
});

export function exp(x: TensorLike): Tensor {
  return expOp.apply([toTensor(x)], undefined);
}
