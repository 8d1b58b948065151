import { defineOp } from '../op.ts';
import { toTensor, zeros, type Tensor, type TensorLike } from '../tensor.ts';
import { mapKernel } from './kernels.ts';

// y = [x > 0] (Heaviside step; relu's derivative)      ∂y/∂x = 0 (wherever it exists)
export const stepOp = defineOp({
  name: 'step',
  inputs: ['x'],
  kernel: mapKernel((x) => (x > 0 ? 1 : 0)),
  derivatives: {
    x: { formula: '∂[x>0]/∂x = 0 (for x ≠ 0)', partial: ({ x }) => zeros(x.shape, { dtype: x.dtype }) },
  },
});

export function step(x: TensorLike): Tensor {
  return stepOp.apply([toTensor(x)], undefined);
}
