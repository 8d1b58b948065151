import { defineOp } from '../op.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { mapKernel } from './kernels.ts';
import { neg } from './neg.ts';
import { square } from './square.ts';

// y = 1/x          ∂y/∂x = −1/x² = −y²
export const reciprocalOp = defineOp({
  name: 'reciprocal',
  inputs: ['x'],
  kernel: mapKernel((x) => 1 / x),
  derivatives: {
    x: { formula: '∂(1/x)/∂x = −1/x² = −y²', partial: ({ result }) => neg(square(result)) },
  },
});

/** 1/x elementwise (±Infinity at 0, as IEEE division). */
export function reciprocal(x: TensorLike): Tensor {
  return reciprocalOp.apply([toTensor(x)], undefined);
}
