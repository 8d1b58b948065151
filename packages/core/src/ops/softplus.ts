import { defineOp } from '../op.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { mapKernel } from './kernels.ts';
import { sigmoid } from './sigmoid.ts';

/** ln(1 + eˣ) with no exponential overflowing: x + ln(1 + e⁻ˣ) for x > 0. */
export function softplusScalar(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

// y = ln(1 + eˣ)   ∂y/∂x = eˣ/(1 + eˣ) = σ(x)
export const softplusOp = defineOp({
  name: 'softplus',
  inputs: ['x'],
  kernel: mapKernel(softplusScalar),
  derivatives: {
    x: { formula: '∂ln(1+eˣ)/∂x = σ(x)', partial: ({ x }) => sigmoid(x) },
  },
});

/**
 * ln(1 + eˣ), exact to rounding for every x (PyTorch's default threshold returns x itself for
 * x > 20, which differs by less than e⁻²⁰ ≈ 2·10⁻⁹); 1000 gives 1000, −1000 gives 0.
 */
export function softplus(x: TensorLike): Tensor {
  return softplusOp.apply([toTensor(x)], undefined);
}
