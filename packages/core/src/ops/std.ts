import { defineOp } from '../op.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { eq } from './compare.ts';
import { mean } from './composite.ts';
import { mul } from './mul.ts';
import { reciprocal } from './reciprocal.ts';
import { describeAxes, keepDimsOf, reduceKernel, sliceSize } from './reduce.ts';
import { sub } from './sub.ts';
import { varianceAttrs, varianceSlice, type VarianceAttrs, type VarianceOptions } from './variance.ts';
import { where } from './where.ts';

// y = √(Σ(xᵢ − x̄)²/(n − c))      ∂y/∂xᵢ = (xᵢ − x̄)/((n − c)·y)   (0 where y = 0, as PyTorch)
export const stdOp = defineOp({
  name: 'std',
  inputs: ['x'],
  kernel: reduceKernel<VarianceAttrs>((X, base, offsets, attrs) => Math.sqrt(varianceSlice(X, base, offsets, attrs))),
  derivatives: {
    x: {
      formula: '∂std/∂xᵢ = (xᵢ − x̄)/((n − c)·std)',
      vjp: ({ grad, x, result, attrs }) => {
        const n = sliceSize(x.shape, attrs.axes);
        const y = keepDimsOf(result, x.shape, attrs);
        const scale = where(eq(y, 0), 0, reciprocal(mul(n - attrs.correction, y)));
        return mul(mul(keepDimsOf(grad, x.shape, attrs), scale), sub(x, mean(x, attrs.axes, { keepDims: true })));
      },
    },
  },
  describe: (attrs) => describeAxes('std', attrs, attrs.correction === 1 ? 'unbiased' : 'biased'),
});

/** The standard deviation, √variance, with the same axes and options as `variance`. */
export function std(x: TensorLike, axis?: number | readonly number[], options?: VarianceOptions): Tensor {
  const t = toTensor(x);
  return stdOp.apply([t], varianceAttrs('std', t, axis, options));
}
