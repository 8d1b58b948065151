// sin and cos in one file: each is the other's derivative.
import { defineOp } from '../op.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { mapKernel } from './kernels.ts';
import { neg } from './neg.ts';

// y = sin x        ∂y/∂x = cos x
export const sinOp = defineOp({
  name: 'sin',
  inputs: ['x'],
  kernel: mapKernel(Math.sin),
  derivatives: {
    x: { formula: '∂sin x/∂x = cos x', partial: ({ x }) => cos(x) },
  },
});

// y = cos x        ∂y/∂x = −sin x
export const cosOp = defineOp({
  name: 'cos',
  inputs: ['x'],
  kernel: mapKernel(Math.cos),
  derivatives: {
    x: { formula: '∂cos x/∂x = −sin x', partial: ({ x }) => neg(sin(x)) },
  },
});

export function sin(x: TensorLike): Tensor {
  return sinOp.apply([toTensor(x)], undefined);
}

export function cos(x: TensorLike): Tensor {
  return cosOp.apply([toTensor(x)], undefined);
}
