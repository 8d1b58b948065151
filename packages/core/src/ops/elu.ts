import { GradlabError } from '../errors.ts';
import { defineOp } from '../op.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { exp } from './exp.ts';
import { le } from './compare.ts';
import { mapKernel } from './kernels.ts';
import { mul } from './mul.ts';
import { where } from './where.ts';

interface EluAttrs {
  alpha: number;
}

// y = x for x > 0, α(eˣ − 1) otherwise      ∂y/∂x = 1 for x > 0, α·eˣ for x ≤ 0 (α at 0, as PyTorch)
export const eluOp = defineOp({
  name: 'elu',
  inputs: ['x'],
  kernel: mapKernel((x, { alpha }: EluAttrs) => (x > 0 ? x : alpha * Math.expm1(x))),
  derivatives: {
    x: {
      formula: '∂y/∂x = 1 (x > 0), α·eˣ (x ≤ 0)',
      partial: ({ x, attrs: { alpha } }) => where(le(x, 0), mul(alpha, exp(x)), 1),
    },
  },
  describe: ({ alpha }) => (alpha === 1 ? 'elu' : `elu(α=${alpha})`),
});

/** The exponential linear unit with scale α for negative inputs (default 1). */
export function elu(x: TensorLike, alpha = 1): Tensor {
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) throw new GradlabError(`elu: alpha must be a finite number, got ${String(alpha)}`);
  return eluOp.apply([toTensor(x)], { alpha });
}
