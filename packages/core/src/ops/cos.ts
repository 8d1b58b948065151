import { defineOp } from '../op.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { mapKernel } from './kernels.ts';
import { neg } from './neg.ts';
import { sin } from './sin.ts';

// y = cos x        ∂y/∂x = −sin x
export const cosOp = defineOp({
  name: 'cos',
  inputs: ['x'],
  kernel: mapKernel(Math.cos),
  derivatives: {
    x: { formula: '∂cos x/∂x = −sin x', partial: ({ x }) => neg(sin(x)) },
  },
});

export function cos(x: TensorLike): Tensor {
  return cosOp.apply([toTensor(x)], undefined);
}
