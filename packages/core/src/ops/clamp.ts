import { defineOp } from '../op.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { map } from './kernels.ts';

// y = min(max(x, lo), hi)      ∂y/∂x = [lo < x < hi]   (0 where the value is clipped)
export const clampOp = defineOp({
  name: 'clamp',
  inputs: ['x'],
  forward: ([x], { min, max }: { min: number; max: number }) => map(x, (v) => (v < min ? min : v > max ? max : v)),
  derivatives: {
    x: {
      formula: '∂y/∂x = [min < x < max]',
      partial: ({ x, attrs: { min, max } }) => map(x, (v) => (v > min && v < max ? 1 : 0)),
    },
  },
  describe: ({ min, max }) => `clamp(${min}, ${max})`,
});

/** Clips every element into [min, max]; the gradient is 0 where an element was clipped. */
export function clamp(x: TensorLike, min: number, max: number): Tensor {
  if (Number.isNaN(min) || Number.isNaN(max) || min > max) {
    throw new Error(`clamp: invalid range [${min}, ${max}]`);
  }
  return clampOp.apply([toTensor(x)], { min, max });
}
