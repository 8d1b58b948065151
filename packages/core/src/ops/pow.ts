import { GradlabError } from '../errors.ts';
import { defineOp } from '../op.ts';
import { toTensor, zeros, type Tensor, type TensorLike } from '../tensor.ts';
import { mapKernel } from './kernels.ts';
import { mul } from './mul.ts';

export interface PowAttrs {
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
      partial: ({ x, attrs: { exponent } }) => (exponent === 0 ? zeros(x.shape, { dtype: x.dtype }) : mul(exponent, pow(x, exponent - 1))),
    },
  },
  describe: ({ exponent }) => `pow(${exponent})`,
});

export function pow(x: TensorLike, exponent: number): Tensor {
  if (typeof exponent !== 'number' || Number.isNaN(exponent)) {
    throw new GradlabError(`pow: the exponent must be a number, got ${String(exponent)}`);
  }
  return powOp.apply([toTensor(x)], { exponent });
}
