import { GradlabError } from '../errors.ts';
import { defineOp } from '../op.ts';
import { formatShape } from '../shape.ts';
import { toTensor, type Tensor, type TensorLike, type FloatArray } from '../tensor.ts';
import { mul } from './mul.ts';
import { alongAxisKernel, checkAxis, type AxisAttrs } from './reduce.ts';
import { sub } from './sub.ts';
import { sumOver } from './sum.ts';

/**
 * yᵢ = e^(xᵢ − m) / Σⱼ e^(xⱼ − m) along one slice, m its maximum: no exponential overflows,
 * so logits of ±1000 give finite probabilities. A slice holding NaN is NaN throughout.
 */
function softmaxSlice(out: FloatArray, X: FloatArray, base: number, offsets: Int32Array): void {
  const n = offsets.length;
  let m = -Infinity;
  for (let k = 0; k < n; k++) {
    const v = X[base + offsets[k]];
    if (v > m) m = v;
    else if (v !== v) m = NaN;
    if (m !== m) break;
  }
  let s = 0;
  for (let k = 0; k < n; k++) {
    const e = Math.exp(X[base + offsets[k]] - m);
    out[base + offsets[k]] = e;
    s += e;
  }
  for (let k = 0; k < n; k++) out[base + offsets[k]] /= s;
}

// yᵢ = e^(xᵢ) / Σⱼ e^(xⱼ) along an axis      ∂yᵢ/∂xⱼ = yᵢ(δᵢⱼ − yⱼ), so ∂L/∂x = y ⊙ (g − Σⱼ gⱼyⱼ)
export const softmaxOp = defineOp({
  name: 'softmax',
  inputs: ['x'],
  kernel: alongAxisKernel(softmaxSlice),
  derivatives: {
    x: {
      formula: '∂yᵢ/∂xⱼ = yᵢ(δᵢⱼ − yⱼ)',
      vjp: ({ grad, result, attrs: { axis } }) => mul(result, sub(grad, sumOver(mul(grad, result), [axis], true))),
    },
  },
  describe: ({ axis }) => `softmax(axis=${axis})`,
});

/** The axis of softmax and logSoftmax, checked; the error names the op and the shape. */
export function softmaxAxis(opName: string, x: Tensor, axis: number): AxisAttrs {
  if (x.rank === 0) throw new GradlabError(`${opName}: x must have at least one axis, got shape ${formatShape(x.shape)}`);
  return { axis: checkAxis(opName, x.shape, axis) };
}

/** e^(xᵢ)/Σⱼ e^(xⱼ) along `axis` (default the last), stable for any finite logits. */
export function softmax(x: TensorLike, axis = -1): Tensor {
  const t = toTensor(x);
  return softmaxOp.apply([t], softmaxAxis('softmax', t, axis));
}
