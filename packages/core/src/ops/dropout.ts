import { describeValue, GradlabError } from '../errors.ts';
import { defineOp } from '../op.ts';
import { toTensor, type RandomSource, type Tensor, type TensorLike } from '../tensor.ts';
import { draw } from './draws.ts';
import type { KernelBase } from './kernels.ts';
import { mul } from './mul.ts';

export interface DropoutAttrs {
  readonly p: number;
  readonly rng: RandomSource;
}

/** mᵢ = 0 with probability p (uᵢ < p, uᵢ drawn from rng in element order), else 1/(1−p). */
const maskKernel: KernelBase<DropoutAttrs> & { readonly kind: 'random' } = {
  kind: 'random',
  shape: ([x]) => x.shape,
  run: (out, _, { p, rng }) => {
    const scale = 1 / (1 - p);
    for (let i = 0; i < out.length; i++) out[i] = draw(rng) < p ? 0 : scale;
  },
};

// m = a fresh random mask of x's shape: 0 with probability p, 1/(1−p) otherwise. Only x's shape is read.
export const dropoutMaskOp = defineOp({
  name: 'dropoutMask',
  inputs: ['x'],
  kernel: maskKernel,
  derivatives: { x: { notDifferentiable: 'only x’s shape is read: the mask does not depend on its values' } },
  describe: ({ p }) => `dropoutMask(p=${p})`,
});

export interface DropoutOptions {
  /** false: the identity (evaluation); default true. */
  training?: boolean;
}

/**
 * Dropout, as PyTorch's `dropout`: in training, each element of x is zeroed with probability p
 * and the others scaled by 1/(1−p), so the expected value is x. y = x ⊙ m with m =
 * dropoutMask(x, p, rng): each uᵢ = rng.next() in element order, mᵢ = 0 if uᵢ < p, else
 * 1/(1−p); ∂y/∂x = m. The same seed gives the same masks; with `training: false` (or p = 0) y is x.
 */
export function dropout(x: TensorLike, p: number, rng: RandomSource, options?: DropoutOptions): Tensor {
  const t = toTensor(x);
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new GradlabError(`dropout: p must be a probability in [0, 1], got ${describeValue(p)}`);
  if (typeof rng !== 'object' || rng === null || typeof (rng).next !== 'function') {
    throw new GradlabError(`dropout: rng must be a RandomSource { next(): number } such as createRng(seed), got ${describeValue(rng)}`);
  }
  if (options?.training === false || p === 0) return t;
  return mul(t, dropoutMaskOp.apply([t], { p, rng }));
}
