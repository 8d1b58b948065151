import { defineOp } from '../op.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { mapKernel } from './kernels.ts';
import { mul } from './mul.ts';
import { reciprocal } from './reciprocal.ts';

// y = √x           ∂y/∂x = 1/(2√x) = 1/(2y)
export const sqrtOp = defineOp({
  name: 'sqrt',
  inputs: ['x'],
  kernel: mapKernel(Math.sqrt),
  derivatives: {
    x: { formula: '∂√x/∂x = 1/(2√x) = 1/(2y)', partial: ({ result }) => mul(0.5, reciprocal(result)) },
  },
});

/** √x elementwise (NaN for x < 0; the gradient at 0 is Infinity, as PyTorch). */
export function sqrt(x: TensorLike): Tensor {
  return sqrtOp.apply([toTensor(x)], undefined);
}
