import { defineOp } from '../op.ts';
import { toTensor, zeros, type Tensor, type TensorLike } from '../tensor.ts';
import { mapKernel, zipKernel } from './kernels.ts';
import { mul } from './mul.ts';

interface PowAttrs {
  exponent: number;
}

// y = xᵖ (p a number)        ∂y/∂x = p·xᵖ⁻¹
export const powOp = defineOp({
  name: 'pow',
  inputs: ['x'],
  kernel: mapKernel((x, { exponent }: PowAttrs) => x ** exponent),
  derivatives: {
    x: {
      formula: '∂(xᵖ)/∂x = p·xᵖ⁻¹',
      partial: ({ x, attrs: { exponent } }) => (exponent === 0 ? zeros(x.shape) : mul(exponent, pow(x, exponent - 1))),
      vjp: ({ grad, x, attrs: { exponent } }) => powBackward(grad, x, exponent),
    },
  },
  describe: ({ exponent }) => `pow(${exponent})`,
});

// pow's backward pass as one op, with the incoming gradient dy: dx = dy·(p·xᵖ⁻¹) (dy·0 for
// p = 0), the same float operations as mul(dy, mul(p, pow(x, p − 1)))
//   ∂dx/∂dy = p·xᵖ⁻¹        ∂dx/∂x = dy·p(p−1)·xᵖ⁻² (0 for p = 0 or 1)
export const powBackwardOp = defineOp({
  name: 'powBackward',
  inputs: ['dy', 'x'],
  kernel: zipKernel((dy, x, { exponent }: PowAttrs) => (exponent === 0 ? dy * 0 : dy * (exponent * x ** (exponent - 1)))),
  derivatives: {
    dy: {
      formula: '∂(dy·p·xᵖ⁻¹)/∂dy = p·xᵖ⁻¹',
      partial: ({ x, attrs: { exponent } }) => (exponent === 0 ? zeros(x.shape) : mul(exponent, pow(x, exponent - 1))),
      vjp: ({ grad, x, attrs: { exponent } }) => powBackward(grad, x, exponent),
    },
    x: {
      formula: '∂(dy·p·xᵖ⁻¹)/∂x = dy·p(p−1)·xᵖ⁻²',
      partial: ({ dy, x, attrs: { exponent: p } }) =>
        p === 0 || p === 1 ? zeros(x.shape) : mul(dy, mul(p * (p - 1), pow(x, p - 2))),
    },
  },
  describe: ({ exponent }) => `powBackward(${exponent})`,
});

export function pow(x: TensorLike, exponent: number): Tensor {
  if (typeof exponent !== 'number' || Number.isNaN(exponent)) {
    throw new Error(`pow: the exponent must be a number, got ${String(exponent)}`);
  }
  return powOp.apply([toTensor(x)], { exponent });
}

/** dy·(xᵖ)′: dy·(p·xᵖ⁻¹). */
export function powBackward(dy: TensorLike, x: TensorLike, exponent: number): Tensor {
  return powBackwardOp.apply([toTensor(dy), toTensor(x)], { exponent });
}
