import { defineOp } from '../op.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { mapKernel } from './kernels.ts';
import { pow } from './pow.ts';

// y = ln x         ∂y/∂x = 1/x
export const logOp = defineOp({
  name: 'log',
  inputs: ['x'],
  kernel: mapKernel(Math.log),
  derivatives: {
    x: { formula: '∂(ln x)/∂x = 1/x', partial: ({ x }) => pow(x, -1) },
  },
});

export function log(x: TensorLike): Tensor {
  return logOp.apply([toTensor(x)], undefined);
}
