import { defineOp } from '../op.ts';
import { toTensor, type Tensor, type TensorLike, type FloatArray } from '../tensor.ts';
import { exp } from './exp.ts';
import { mul } from './mul.ts';
import { describeAxes, keepDimsOf, reduceAttrs, reduceKernel, type ReduceAttrs, type ReduceOptions } from './reduce.ts';
import { sub } from './sub.ts';

/**
 * ln Σ e^(xᵢ) over one slice, as m + ln Σ e^(xᵢ − m) with m the slice's maximum, so that no
 * exponential overflows (logits of ±1000 are fine); m is taken as 0 when it is ±∞ (all −∞
 * gives −∞, any +∞ gives +∞), and an empty slice gives −∞, as PyTorch.
 */
function logSumExpSlice(X: FloatArray, base: number, offsets: Int32Array): number {
  let m = -Infinity;
  for (let k = 0; k < offsets.length; k++) {
    const v = X[base + offsets[k]];
    if (v > m) m = v;
    else if (v !== v) return NaN;
  }
  if (m === Infinity || m === -Infinity) m = 0;
  let s = 0;
  for (let k = 0; k < offsets.length; k++) s += Math.exp(X[base + offsets[k]] - m);
  return Math.log(s) + m;
}

// y = ln Σᵢ e^(xᵢ)      ∂y/∂xᵢ = e^(xᵢ − y) = softmax(x)ᵢ
export const logSumExpOp = defineOp({
  name: 'logSumExp',
  inputs: ['x'],
  kernel: reduceKernel<ReduceAttrs>(logSumExpSlice),
  derivatives: {
    x: {
      formula: '∂(ln Σ eˣʲ)/∂xᵢ = e^(xᵢ − y) = softmax(x)ᵢ',
      vjp: ({ grad, x, result, attrs }) => mul(keepDimsOf(grad, x.shape, attrs), exp(sub(x, keepDimsOf(result, x.shape, attrs)))),
    },
  },
  describe: (attrs) => describeAxes('logSumExp', attrs),
});

/** ln Σ eˣ over all axes or along `axis` (a number or several), computed without overflow. */
export function logSumExp(x: TensorLike, axis?: number | readonly number[], options?: ReduceOptions): Tensor {
  const t = toTensor(x);
  return logSumExpOp.apply([t], reduceAttrs('logSumExp', t.shape, axis, options));
}
