// The fused backward ops: each computes an activation's gradient dx = dy·f′ in one pass over
// its values, the same float operations, in the same order, as the teaching rule's ops
// (mul(dy, partial)), so swapping one for the other changes no bit (PyTorch's
// sigmoid_backward, tanh_backward, threshold_backward). Each has rules of its own, so
// gradients of gradients go through them.
import { defineOp } from '../op.ts';
import { add } from '../ops/add.ts';
import { zipKernel } from '../ops/kernels.ts';
import type { LeakyReluAttrs } from '../ops/leakyRelu.ts';
import { mul } from '../ops/mul.ts';
import { pow, type PowAttrs } from '../ops/pow.ts';
import { step } from '../ops/step.ts';
import { sub } from '../ops/sub.ts';
import { toTensor, zeros, type Tensor, type TensorLike } from '../tensor.ts';

// dx = dy·(y·(1−y)) given σ's result y        ∂dx/∂dy = y·(1−y)    ∂dx/∂y = dy·(1−2y)
export const sigmoidBackwardOp = defineOp({
  name: 'sigmoidBackward',
  inputs: ['dy', 'y'],
  kernel: zipKernel((dy, y) => dy * (y * (1 - y))),
  derivatives: {
    dy: { formula: '∂(dy·y(1−y))/∂dy = y·(1−y)', partial: ({ y }) => mul(y, sub(1, y)) },
    y: { formula: '∂(dy·y(1−y))/∂y = dy·(1−2y)', partial: ({ dy, y }) => mul(dy, sub(1, mul(2, y))) },
  },
});

// dx = dy·(1−y·y) given tanh's result y        ∂dx/∂dy = 1−y²    ∂dx/∂y = −2·dy·y
export const tanhBackwardOp = defineOp({
  name: 'tanhBackward',
  inputs: ['dy', 'y'],
  kernel: zipKernel((dy, y) => dy * (1 - y * y)),
  derivatives: {
    dy: { formula: '∂(dy·(1−y²))/∂dy = 1−y²', partial: ({ y }) => sub(1, mul(y, y)) },
    y: { formula: '∂(dy·(1−y²))/∂y = −2·dy·y', partial: ({ dy, y }) => mul(mul(-2, dy), y) },
  },
});

// dx = dy·[x>0]        ∂dx/∂dy = [x>0]    ∂dx/∂x = 0 (for x ≠ 0)
export const reluBackwardOp = defineOp({
  name: 'reluBackward',
  inputs: ['dy', 'x'],
  kernel: zipKernel((dy, x) => dy * (x > 0 ? 1 : 0)),
  derivatives: {
    dy: { formula: '∂(dy·[x>0])/∂dy = [x>0]', partial: ({ x }) => step(x) },
    x: { formula: '∂(dy·[x>0])/∂x = 0 (for x ≠ 0)', partial: ({ x }) => zeros(x.shape, { dtype: x.dtype }) },
  },
});

// dx = dy·(α + (1−α)·[x>0])        ∂dx/∂dy = α + (1−α)·[x>0]    ∂dx/∂x = 0 (for x ≠ 0)
export const leakyReluBackwardOp = defineOp({
  name: 'leakyReluBackward',
  inputs: ['dy', 'x'],
  kernel: zipKernel((dy, x, { slope }: LeakyReluAttrs) => dy * (slope + (1 - slope) * (x > 0 ? 1 : 0))),
  derivatives: {
    dy: { formula: '∂dx/∂dy = α + (1−α)·[x>0]', partial: ({ x, attrs: { slope } }) => add(slope, mul(1 - slope, step(x))) },
    x: { formula: '∂dx/∂x = 0 (for x ≠ 0)', partial: ({ x }) => zeros(x.shape, { dtype: x.dtype }) },
  },
  describe: ({ slope }) => `leakyReluBackward(α=${slope})`,
});

// dx = dy·(p·xᵖ⁻¹) (dy·0 for p = 0)        ∂dx/∂dy = p·xᵖ⁻¹    ∂dx/∂x = dy·p(p−1)·xᵖ⁻²
export const powBackwardOp = defineOp({
  name: 'powBackward',
  inputs: ['dy', 'x'],
  kernel: zipKernel((dy, x, { exponent }: PowAttrs) => (exponent === 0 ? dy * 0 : dy * (exponent * x ** (exponent - 1)))),
  derivatives: {
    dy: {
      formula: '∂(dy·p·xᵖ⁻¹)/∂dy = p·xᵖ⁻¹',
      partial: ({ x, attrs: { exponent } }) => (exponent === 0 ? zeros(x.shape, { dtype: x.dtype }) : mul(exponent, pow(x, exponent - 1))),
    },
    x: {
      formula: '∂(dy·p·xᵖ⁻¹)/∂x = dy·p(p−1)·xᵖ⁻²',
      partial: ({ dy, x, attrs: { exponent: p } }) =>
        p === 0 || p === 1 ? zeros(x.shape) : mul(dy, mul(p * (p - 1), pow(x, p - 2))),
    },
  },
  describe: ({ exponent }) => `powBackward(${exponent})`,
});

/** dy·σ′ given σ's result y: dy·(y·(1−y)). */
export function sigmoidBackward(dy: TensorLike, y: TensorLike): Tensor {
  return sigmoidBackwardOp.apply([toTensor(dy), toTensor(y)], undefined);
}

/** dy·tanh′ given tanh's result y: dy·(1−y·y). */
export function tanhBackward(dy: TensorLike, y: TensorLike): Tensor {
  return tanhBackwardOp.apply([toTensor(dy), toTensor(y)], undefined);
}

/** dy·relu′(x): dy·[x>0]. */
export function reluBackward(dy: TensorLike, x: TensorLike): Tensor {
  return reluBackwardOp.apply([toTensor(dy), toTensor(x)], undefined);
}

/** dy·leakyRelu′(x): dy·(α + (1−α)·[x>0]). */
export function leakyReluBackward(dy: TensorLike, x: TensorLike, slope: number): Tensor {
  return leakyReluBackwardOp.apply([toTensor(dy), toTensor(x)], { slope });
}

/** dy·(xᵖ)′: dy·(p·xᵖ⁻¹). */
export function powBackward(dy: TensorLike, x: TensorLike, exponent: number): Tensor {
  return powBackwardOp.apply([toTensor(dy), toTensor(x)], { exponent });
}
