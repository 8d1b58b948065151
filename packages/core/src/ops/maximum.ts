import { defineOp } from '../op.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { eq, gt, lt } from './compare.ts';
import { zipKernel } from './kernels.ts';
import { mul } from './mul.ts';
import { sub } from './sub.ts';

// y = max(a, b) elementwise (NaN if either is NaN)
//   ∂y/∂a = 1 − [a<b] − ½[a=b]: 1 where a wins, ½ on a tie, 0 where b wins (1 beside a NaN, as PyTorch)
export const maximumOp = defineOp({
  name: 'maximum',
  inputs: ['a', 'b'],
  kernel: zipKernel((a, b) => Math.max(a, b)),
  derivatives: {
    a: { formula: '∂max(a,b)/∂a = 1 − [a<b] − ½[a=b]', partial: ({ a, b }) => sub(sub(1, lt(a, b)), mul(0.5, eq(a, b))) },
    b: { formula: '∂max(a,b)/∂b = 1 − [a>b] − ½[a=b]', partial: ({ a, b }) => sub(sub(1, gt(a, b)), mul(0.5, eq(a, b))) },
  },
});

/** The larger of a and b, element by element (broadcast as numpy); ties split the gradient evenly. */
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  return maximumOp.apply([toTensor(a), toTensor(b)], undefined);
}
