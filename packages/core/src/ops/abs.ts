import { defineOp } from '../op.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { gt, lt } from './compare.ts';
import { mapKernel } from './kernels.ts';
import { sub } from './sub.ts';

// y = |x|          ∂y/∂x = sign(x) = [x>0] − [x<0]   (0 at x = 0, and at NaN, as PyTorch)
export const absOp = defineOp({
  name: 'abs',
  inputs: ['x'],
  kernel: mapKernel(Math.abs),
  derivatives: {
    x: { formula: '∂|x|/∂x = sign(x) = [x>0] − [x<0]', partial: ({ x }) => sub(gt(x, 0), lt(x, 0)) },
  },
});

export function abs(x: TensorLike): Tensor {
  return absOp.apply([toTensor(x)], undefined);
}
