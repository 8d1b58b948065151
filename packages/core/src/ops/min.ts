import { defineOp } from '../op.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { eq } from './compare.ts';
import { div } from './composite.ts';
import { mul } from './mul.ts';
import { describeAxes, keepDimsOf, reduceAttrs, reduceKernel, requireSliceSize, type ReduceAttrs, type ReduceOptions } from './reduce.ts';
import { sumOver } from './sum.ts';

// y = min over a slice (NaN if the slice holds a NaN)
//   ∂y/∂xᵢ = [xᵢ = y] / #{j : xⱼ = y}: the gradient goes to the smallest element, shared evenly by ties
export const minOp = defineOp({
  name: 'min',
  inputs: ['x'],
  kernel: reduceKernel<ReduceAttrs>((X, base, offsets) => {
    let m = Infinity;
    for (let k = 0; k < offsets.length; k++) {
      const v = X[base + offsets[k]];
      if (v < m) m = v;
      else if (v !== v) return NaN;
    }
    return m;
  }),
  derivatives: {
    x: {
      formula: '∂min/∂xᵢ = [xᵢ = min] / (number of ties)',
      vjp: ({ grad, x, result, attrs }) => {
        const wins = eq(x, keepDimsOf(result, x.shape, attrs));
        return mul(keepDimsOf(grad, x.shape, attrs), div(wins, sumOver(wins, attrs.axes, true)));
      },
    },
  },
  describe: (attrs) => describeAxes('min', attrs),
});

/**
 * The smallest element, over all axes or along `axis` (a number or several); `keepDims` keeps
 * the reduced axes as 1s. NaN if a slice holds NaN (as PyTorch's amin); ties share the gradient.
 */
export function min(x: TensorLike, axis?: number | readonly number[], options?: ReduceOptions): Tensor {
  const t = toTensor(x);
  const attrs = reduceAttrs('min', t.shape, axis, options);
  requireSliceSize('min', t.shape, attrs.axes, 1, 'the minimum of no elements is undefined');
  return minOp.apply([t], attrs);
}
