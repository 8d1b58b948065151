import { GradlabError } from '../errors.ts';
import { defineOp } from '../op.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { add } from './add.ts';
import { mapKernel } from './kernels.ts';
import { mul } from './mul.ts';
import { step } from './step.ts';

export interface LeakyReluAttrs {
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
    },
  },
  describe: ({ slope }) => `leakyRelu(α=${slope})`,
});

export function leakyRelu(x: TensorLike, slope = 0.01): Tensor {
  if (!Number.isFinite(slope)) throw new GradlabError(`leakyRelu: the slope must be a finite number, got ${slope}`);
  return leakyReluOp.apply([toTensor(x)], { slope });
}
