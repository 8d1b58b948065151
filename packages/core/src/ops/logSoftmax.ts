import { defineOp } from '../op.ts';
import { toTensor, type Tensor, type TensorLike, type FloatArray } from '../tensor.ts';
import { exp } from './exp.ts';
import { mul } from './mul.ts';
import { alongAxisKernel } from './reduce.ts';
import { softmaxAxis } from './softmax.ts';
import { sub } from './sub.ts';
import { sumOver } from './sum.ts';

/** yᵢ = (xᵢ − m) − ln Σⱼ e^(xⱼ − m) along one slice, m its maximum: finite for logits of ±1000. */
function logSoftmaxSlice(out: FloatArray, X: FloatArray, base: number, offsets: Int32Array): void {
  const n = offsets.length;
  let m = -Infinity;
  for (let k = 0; k < n; k++) {
    const v = X[base + offsets[k]];
    if (v > m) m = v;
    else if (v !== v) m = NaN;
    if (m !== m) break;
  }
  let s = 0;
  for (let k = 0; k < n; k++) s += Math.exp(X[base + offsets[k]] - m);
  const logS = Math.log(s);
  for (let k = 0; k < n; k++) out[base + offsets[k]] = X[base + offsets[k]] - m - logS;
}

// yᵢ = xᵢ − ln Σⱼ e^(xⱼ) along an axis      ∂yᵢ/∂xⱼ = δᵢⱼ − softmax(x)ⱼ, so ∂L/∂x = g − e^y·Σⱼ gⱼ
export const logSoftmaxOp = defineOp({
  name: 'logSoftmax',
  inputs: ['x'],
  kernel: alongAxisKernel(logSoftmaxSlice),
  derivatives: {
    x: {
      formula: '∂yᵢ/∂xⱼ = δᵢⱼ − softmax(x)ⱼ = δᵢⱼ − e^(yⱼ)',
      vjp: ({ grad, result, attrs: { axis } }) => sub(grad, mul(exp(result), sumOver(grad, [axis], true))),
    },
  },
  describe: ({ axis }) => `logSoftmax(axis=${axis})`,
});

/** xᵢ − ln Σⱼ e^(xⱼ) along `axis` (default the last), stable for any finite logits. */
export function logSoftmax(x: TensorLike, axis = -1): Tensor {
  const t = toTensor(x);
  return logSoftmaxOp.apply([t], softmaxAxis('logSoftmax', t, axis));
}
