import { defineOp } from '../op.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { mapKernel } from './kernels.ts';
import { mul } from './mul.ts';
import { sub } from './sub.ts';

// y = tanh x       ∂y/∂x = 1 − tanh²x = 1 − y²
export const tanhOp = defineOp({
  name: 'tanh',
  inputs: ['x'],
  kernel: mapKernel(Math.tanh),
  derivatives: {
    x: { formula: '∂y/∂x = 1−y²', partial: ({ result }) => sub(1, mul(result, result)) },
  },
});

export function tanh(x: TensorLike): Tensor {
  return tanhOp.apply([toTensor(x)], undefined);
}
