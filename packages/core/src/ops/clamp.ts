import { describeValue, GradlabError } from '../errors.ts';
import { defineOp } from '../op.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { mapKernel } from './kernels.ts';
import { mul } from './mul.ts';
import { step } from './step.ts';
import { sub } from './sub.ts';

// y = min(max(x, lo), hi)      ∂y/∂x = [lo < x < hi]   (0 where the value is clipped)
export const clampOp = defineOp({
  name: 'clamp',
  inputs: ['x'],
  kernel: mapKernel((x, { min, max }: { min: number; max: number }) => (x < min ? min : x > max ? max : x)),
  derivatives: {
    x: {
      formula: '∂y/∂x = [min < x < max]',
      // [x − min > 0]·[max − x > 0]: exactly [min < x < max] in floating point too
      partial: ({ x, attrs: { min, max } }) => mul(step(sub(x, min)), step(sub(max, x))),
    },
  },
  describe: ({ min, max }) => `clamp(${min}, ${max})`,
});

/**
 * Clips every element into [min, max]; the gradient is 0 where an element was clipped. Either
 * bound may be left out (undefined), as PyTorch's `clamp(min=None)`: `clamp(x, undefined, 1)`.
 * NaN stays NaN.
 */
export function clamp(x: TensorLike, min: number | undefined, max?: number): Tensor {
  const lo = bound('min', min, -Infinity);
  const hi = bound('max', max, Infinity);
  if (lo > hi) throw new GradlabError(`clamp: invalid range [${lo}, ${hi}] (min > max)`);
  return clampOp.apply([toTensor(x)], { min: lo, max: hi });
}

function bound(name: string, value: unknown, missing: number): number {
  if (value === undefined) return missing;
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new GradlabError(`clamp: ${name} must be a number or undefined, got ${describeValue(value)}`);
  }
  return value;
}
