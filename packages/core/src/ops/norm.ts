import { GradlabError } from '../errors.ts';
import { defineOp } from '../op.ts';
import { formatShape } from '../shape.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { abs } from './abs.ts';
import { eq } from './compare.ts';
import { max } from './max.ts';
import { mul } from './mul.ts';
import { reciprocal } from './reciprocal.ts';
import { describeAxes, keepDimsOf, reduceAttrs, reduceKernel, type ReduceAttrs, type ReduceOptions } from './reduce.ts';
import { sumOver } from './sum.ts';
import { where } from './where.ts';

// y = ‖x‖₂ = √(Σ xᵢ²)      ∂y/∂xᵢ = xᵢ/‖x‖₂   (0 where ‖x‖₂ = 0, as PyTorch)
export const norm2Op = defineOp({
  name: 'norm',
  inputs: ['x'],
  kernel: reduceKernel<ReduceAttrs>((X, base, offsets) => {
    let s = 0;
    for (let k = 0; k < offsets.length; k++) {
      const v = X[base + offsets[k]];
      s += v * v;
    }
    return Math.sqrt(s);
  }),
  derivatives: {
    x: {
      formula: '∂‖x‖₂/∂xᵢ = xᵢ/‖x‖₂',
      vjp: ({ grad, x, result, attrs }) => {
        const y = keepDimsOf(result, x.shape, attrs);
        return mul(mul(keepDimsOf(grad, x.shape, attrs), where(eq(y, 0), 0, reciprocal(y))), x);
      },
    },
  },
  describe: (attrs) => describeAxes('norm', attrs, 'p=2'),
});

/**
 * The vector p-norm over all axes or along `axis` (a number or several): p = 2 (default),
 * √Σxᵢ² (an op of its own); p = 1, Σ|xᵢ| (sum of abs); p = Infinity, max |xᵢ| (max of abs).
 */
export function norm(x: TensorLike, p = 2, axis?: number | readonly number[], options?: ReduceOptions): Tensor {
  const t = toTensor(x);
  const attrs = reduceAttrs('norm', t.shape, axis, options);
  if (p === 2) return norm2Op.apply([t], attrs);
  if (p === 1) return sumOver(abs(t), attrs.axes, attrs.keepDims);
  if (p === Infinity) {
    if (t.size === 0 || attrs.axes.some((a) => t.shape[a] === 0)) {
      throw new GradlabError(`norm: the ∞-norm of no elements is undefined (x of shape ${formatShape(t.shape)})`);
    }
    return max(abs(t), attrs.axes, attrs);
  }
  throw new GradlabError(`norm: p must be 1, 2 or Infinity, got ${String(p)}`);
}
