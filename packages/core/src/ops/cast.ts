import { GradlabError } from '../errors.ts';
import { defineOp } from '../op.ts';
import { checkDType, toTensor, type DType, type Tensor, type TensorLike } from '../tensor.ts';
import { mapKernel } from './kernels.ts';

export interface CastAttrs {
  dtype: DType;
}

// y = x in another dtype (float64 → float32 rounds to nearest)     ∂L/∂x = ∂L/∂y in x's dtype
export const castOp = defineOp({
  name: 'cast',
  inputs: ['x'],
  kernel: { ...mapKernel<CastAttrs>((x) => x), dtype: (_, { dtype }) => dtype },
  derivatives: {
    x: { formula: '∂y/∂x = 1 (the gradient cast back to x\'s dtype)', vjp: ({ grad, x }) => cast(grad, x.dtype) },
  },
  describe: ({ dtype }) => `cast(${dtype})`,
});

/**
 * x with values of `dtype` ('float32' or 'float64'), as an op: gradients flow through it, cast
 * back. A tensor already of that dtype is returned as it is (PyTorch's `x.to(dtype)`).
 */
export function cast(x: TensorLike, dtype: DType): Tensor {
  if (typeof x !== 'number' && typeof x !== 'object') throw new GradlabError(`cast: x must be a tensor or a number, got ${typeof x}`);
  const to = checkDType('cast: dtype', dtype);
  const t = toTensor(x);
  return t.dtype === to ? t : castOp.apply([t], { dtype: to });
}
