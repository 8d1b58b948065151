import { defineOp } from '../op.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { eq } from './compare.ts';
import { div } from './composite.ts';
import { mul } from './mul.ts';
import { describeAxes, keepDimsOf, reduceAttrs, reduceKernel, type ReduceAttrs, type ReduceOptions } from './reduce.ts';
import { sub } from './sub.ts';
import { sumOver } from './sum.ts';
import { where } from './where.ts';

// y = Πᵢ xᵢ      ∂y/∂xᵢ = Π_{j≠i} xⱼ (the product of the others; y/xᵢ where no element is 0)
export const prodOp = defineOp({
  name: 'prod',
  inputs: ['x'],
  kernel: reduceKernel<ReduceAttrs>((X, base, offsets) => {
    let p = 1;
    for (let k = 0; k < offsets.length; k++) p *= X[base + offsets[k]];
    return p;
  }),
  derivatives: {
    x: {
      formula: '∂(Π xⱼ)/∂xᵢ = Π_{j≠i} xⱼ',
      vjp: ({ grad, x, attrs }) => mul(keepDimsOf(grad, x.shape, attrs), productOfOthers(x, attrs.axes)),
    },
  },
  describe: (attrs) => describeAxes('prod', attrs),
});

/**
 * Π_{j≠i} xⱼ within each slice, written so that zeros need no division by 0 and the result is
 * exact to first order (so prod's second derivatives are exact too). With P the product of the
 * slice's nonzero elements, S the sum of its zero elements (0, but its gradient reaches each
 * zero) and z its number of zeros:
 *   xᵢ ≠ 0:  (P/xᵢ)·(1 if z = 0, S if z = 1, else 0)
 *   xᵢ = 0:  P·(1 if z = 1, S − xᵢ if z = 2, else 0)
 */
function productOfOthers(x: Tensor, axes: readonly number[]): Tensor {
  const isZero = eq(x, 0);
  const zeros = sumOver(isZero, axes, true);
  const nonzero = where(isZero, 1, x);
  const P = prod(nonzero, axes, { keepDims: true });
  const S = sumOver(where(isZero, x, 0), axes, true);
  const ifNonzero = mul(div(P, nonzero), where(eq(zeros, 0), 1, where(eq(zeros, 1), S, 0)));
  const ifZero = mul(P, where(eq(zeros, 1), 1, where(eq(zeros, 2), sub(S, x), 0)));
  return where(isZero, ifZero, ifNonzero);
}

/** The product of the elements over all axes or along `axis` (a number or several); 1 for none. */
export function prod(x: TensorLike, axis?: number | readonly number[], options?: ReduceOptions): Tensor {
  const t = toTensor(x);
  return prodOp.apply([t], reduceAttrs('prod', t.shape, axis, options));
}
