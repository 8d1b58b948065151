import { defineOp } from '../op.ts';
import { toTensor, zeros, type Tensor, type TensorLike } from '../tensor.ts';
import { add } from './add.ts';
import { mapKernel, zipKernel } from './kernels.ts';
import { mul } from './mul.ts';
import { step } from './step.ts';

interface LeakyReluAttrs {
  slope: number;
}

// y = x for x > 0, αx otherwise     ∂y/∂x = α + (1−α)·[x>0]
export const leakyReluOp = defineOp({
  name: 'leakyRelu',
  inputs: ['x'],
  kernel: mapKernel((x, { slope }: LeakyReluAttrs) => (x > 0 ? x : slope * x)),
  derivatives: {
    x: {
      formula: '∂y/∂x = α + (1−α)·[x>0]',
      partial: ({ x, attrs: { slope } }) => add(slope, mul(1 - slope, step(x))),
      vjp: ({ grad, x, attrs: { slope } }) => leakyReluBackward(grad, x, slope),
    },
  },
  describe: ({ slope }) => `leakyRelu(α=${slope})`,
});

// leakyRelu's backward pass as one op, with the incoming gradient dy: dx = dy·(α + (1−α)·[x>0]),
// the same float operations as mul(dy, add(α, mul(1 − α, step(x))))
//   ∂dx/∂dy = α + (1−α)·[x>0]        ∂dx/∂x = 0 (for x ≠ 0)
export const leakyReluBackwardOp = defineOp({
  name: 'leakyReluBackward',
  inputs: ['dy', 'x'],
  kernel: zipKernel((dy, x, { slope }: LeakyReluAttrs) => dy * (slope + (1 - slope) * (x > 0 ? 1 : 0))),
  derivatives: {
    dy: {
      formula: '∂dx/∂dy = α + (1−α)·[x>0]',
      partial: ({ x, attrs: { slope } }) => add(slope, mul(1 - slope, step(x))),
      vjp: ({ grad, x, attrs: { slope } }) => leakyReluBackward(grad, x, slope),
    },
    x: { formula: '∂dx/∂x = 0 (for x ≠ 0)', partial: ({ x }) => zeros(x.shape) },
  },
  describe: ({ slope }) => `leakyReluBackward(α=${slope})`,
});

export function leakyRelu(x: TensorLike, slope = 0.01): Tensor {
  if (!Number.isFinite(slope)) throw new Error(`leakyRelu: the slope must be a finite number, got ${slope}`);
  return leakyReluOp.apply([toTensor(x)], { slope });
}

/** dy·leakyRelu′(x): dy·(α + (1−α)·[x>0]). */
export function leakyReluBackward(dy: TensorLike, x: TensorLike, slope: number): Tensor {
  return leakyReluBackwardOp.apply([toTensor(dy), toTensor(x)], { slope });
}
