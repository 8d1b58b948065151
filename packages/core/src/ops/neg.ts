import { defineOp } from '../op.ts';
import { full, toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { mapKernel } from './kernels.ts';

// y = −x           ∂y/∂x = −1
export const negOp = defineOp({
  name: 'neg',
  inputs: ['x'],
  kernel: mapKernel((x) => -x),
  derivatives: {
    x: { formula: '∂(−x)/∂x = −1', partial: ({ x }) => full(x.shape, -1, { dtype: x.dtype }) },
  },
});

export function neg(x: TensorLike): Tensor {
  return negOp.apply([toTensor(x)], undefined);
}
