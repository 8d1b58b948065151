import { defineOp } from '../op.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { mapKernel } from './kernels.ts';
import { step } from './step.ts';

// y = max(x, 0)    ∂y/∂x = [x > 0]   (0 at x = 0, as PyTorch)
export const reluOp = defineOp({
  name: 'relu',
  inputs: ['x'],
  kernel: mapKernel((x) => (x > 0 || x !== x ? x : 0)), // NaN stays NaN, as in PyTorch
  derivatives: {
    x: { formula: '∂y/∂x = [x>0]', partial: ({ x }) => step(x) },
  },
});

export function relu(x: TensorLike): Tensor {
  return reluOp.apply([toTensor(x)], undefined);
}
