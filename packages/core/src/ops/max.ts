import { defineOp } from '../op.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { eq } from './compare.ts';
import { div } from './composite.ts';
import { mul } from './mul.ts';
import { describeAxes, keepDimsOf, reduceAttrs, reduceKernel, requireSliceSize, type ReduceAttrs, type ReduceOptions } from './reduce.ts';
import { sumOver } from './sum.ts';

// y = max over a slice (NaN if the slice holds a NaN)
//   ∂y/∂xᵢ = [xᵢ = y] / #{j : xⱼ = y}: the gradient goes to the largest element, shared evenly by ties
export const maxOp = defineOp({
  name: 'max',
  inputs: ['x'],
  kernel: reduceKernel<ReduceAttrs>((X, base, offsets) => {
    let m = -Infinity;
    for (let k = 0; k < offsets.length; k++) {
      const v = X[base + offsets[k]];
      if (v > m) m = v;
      else if (v !== v) return NaN;
    }
    return m;
  }),
  derivatives: {
    x: {
      formula: '∂max/∂xᵢ = [xᵢ = max] / (number of ties)',
      vjp: ({ grad, x, result, attrs }) => {
        const wins = eq(x, keepDimsOf(result, x.shape, attrs));
        return mul(keepDimsOf(grad, x.shape, attrs), div(wins, sumOver(wins, attrs.axes, true)));
      },
    },
  },
  describe: (attrs) => describeAxes('max', attrs),
});

/**
 * The largest element, over all axes or along `axis` (a number or several); `keepDims` keeps
 * the reduced axes as 1s. NaN if a slice holds NaN (as PyTorch's amax); ties share the gradient.
 */
export function max(x: TensorLike, axis?: number | readonly number[], options?: ReduceOptions): Tensor {
  const t = toTensor(x);
  const attrs = reduceAttrs('max', t.shape, axis, options);
  requireSliceSize('max', t.shape, attrs.axes, 1, 'the maximum of no elements is undefined');
  return maxOp.apply([t], attrs);
}
