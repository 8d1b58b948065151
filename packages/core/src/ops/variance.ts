import { GradlabError } from '../errors.ts';
import { defineOp } from '../op.ts';
import { toTensor, type Tensor, type TensorLike, type FloatArray } from '../tensor.ts';
import { mean } from './composite.ts';
import { mul } from './mul.ts';
import {
  describeAxes, keepDimsOf, reduceAttrs, reduceKernel, requireSliceSize, sliceSize, type ReduceAttrs, type ReduceOptions,
} from './reduce.ts';
import { sub } from './sub.ts';

export interface VarianceAttrs extends ReduceAttrs {
  /** What n is reduced by in the divisor: 1 for the unbiased (sample) variance, 0 for the population's. */
  readonly correction: number;
}

export interface VarianceOptions extends ReduceOptions {
  /** Divide by n − 1 (true, the default, as PyTorch) or by n (false). */
  unbiased?: boolean;
}

/** Σ(xᵢ − x̄)²/(n − c) over one slice, in two passes (the mean first). */
export function varianceSlice(X: FloatArray, base: number, offsets: Int32Array, { correction }: VarianceAttrs): number {
  const n = offsets.length;
  let s = 0;
  for (let k = 0; k < n; k++) s += X[base + offsets[k]];
  const m = s / n;
  let q = 0;
  for (let k = 0; k < n; k++) {
    const d = X[base + offsets[k]] - m;
    q += d * d;
  }
  return q / (n - correction);
}

// y = Σ(xᵢ − x̄)²/(n − c)      ∂y/∂xᵢ = 2(xᵢ − x̄)/(n − c)   (c = 1 unbiased, 0 biased)
export const varianceOp = defineOp({
  name: 'variance',
  inputs: ['x'],
  kernel: reduceKernel<VarianceAttrs>(varianceSlice),
  derivatives: {
    x: {
      formula: '∂var/∂xᵢ = 2(xᵢ − x̄)/(n − c)',
      vjp: ({ grad, x, attrs }) => {
        const n = sliceSize(x.shape, attrs.axes);
        return mul(keepDimsOf(grad, x.shape, attrs), mul(2 / (n - attrs.correction), sub(x, mean(x, attrs.axes, { keepDims: true }))));
      },
    },
  },
  describe: (attrs) => describeAxes('variance', attrs, attrs.correction === 1 ? 'unbiased' : 'biased'),
});

/** The attributes of variance and std; an error (not NaN) when a slice is too small for the divisor. */
export function varianceAttrs(opName: string, x: Tensor, axis: number | readonly number[] | undefined, options?: VarianceOptions): VarianceAttrs {
  const unbiased = options?.unbiased ?? true;
  if (typeof unbiased !== 'boolean') throw new GradlabError(`${opName}: unbiased must be true or false, got ${JSON.stringify(unbiased)}`);
  const attrs = { ...reduceAttrs(opName, x.shape, axis, options), correction: unbiased ? 1 : 0 };
  requireSliceSize(
    opName, x.shape, attrs.axes, unbiased ? 2 : 1,
    unbiased ? 'the unbiased estimate needs at least 2 elements per slice (PyTorch would return NaN); pass unbiased: false' : 'needs at least 1 element per slice',
  );
  return attrs;
}

/**
 * The variance over all axes or along `axis` (a number or several): unbiased (÷(n−1), the
 * default, as PyTorch) or not (÷n). A slice too small for its divisor is an error, not NaN.
 */
export function variance(x: TensorLike, axis?: number | readonly number[], options?: VarianceOptions): Tensor {
  const t = toTensor(x);
  return varianceOp.apply([t], varianceAttrs('variance', t, axis, options));
}
