import { GradlabError } from '../errors.ts';
import { defineOp } from '../op.ts';
import { formatShape } from '../shape.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import type { GatherKernel } from './kernels.ts';
import { permuteOp } from './permute.ts';
import { checkAxis } from './reduce.ts';

/** Yⱼᵢ = Xᵢⱼ for a 2-D X [m,n]. */
const transposeKernel: GatherKernel<undefined> = {
  kind: 'gather',
  shape: (inputs) => {
    const x = inputs[0];
    if (x.rank !== 2) throw new GradlabError(`transpose: expected a 2-D tensor, got ${formatShape(x.shape)}`);
    return [x.shape[1], x.shape[0]];
  },
  run: (out, inputs) => {
    const x = inputs[0];
    const m = x.shape[0];
    const n = x.shape[1];
    const X = x.data;
    // in 16×16 blocks, so that the writes (m apart) stay in cache while a block is filled
    for (let i0 = 0; i0 < m; i0 += 16) {
      const i1 = Math.min(i0 + 16, m);
      for (let j0 = 0; j0 < n; j0 += 16) {
        const j1 = Math.min(j0 + 16, n);
        for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) out[j * m + i] = X[i * n + j];
      }
    }
  },
  index: ([x]) => {
    const [m, n] = x.shape as [number, number];
    const index = new Int32Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) index[j * m + i] = i * n + j;
    return index;
  },
};

// Y = Xᵀ (2-D)     ∂L/∂X = (∂L/∂Y)ᵀ
export const transposeOp = defineOp({
  name: 'transpose',
  inputs: ['x'],
  kernel: transposeKernel,
  derivatives: {
    x: { formula: '∂Yⱼᵢ/∂Xᵢⱼ = 1, so ∂L/∂X = (∂L/∂Y)ᵀ', vjp: ({ grad }) => transpose(grad) },
  },
});

/**
 * `transpose(x)`: the transpose of a 2-D x. `transpose(x, a, b)`: x with axes a and b swapped
 * (negative counts from the end), as PyTorch's `transpose(x, a, b)`: a `permute`, or, for the
 * two axes of a 2-D x, the 2-D transpose above.
 */
export function transpose(x: TensorLike, a?: number, b?: number): Tensor {
  const t = toTensor(x);
  if (a === undefined && b === undefined) return transposeOp.apply([t], undefined);
  if (a === undefined || b === undefined) {
    throw new GradlabError(`transpose: give both axes to swap or neither (for a 2-D x), got ${String(a)} and ${String(b)}`);
  }
  const i = checkAxis('transpose', t.shape, a);
  const j = checkAxis('transpose', t.shape, b);
  if (t.rank === 2 && i !== j) return transposeOp.apply([t], undefined);
  const axes = t.shape.map((_, k) => (k === i ? j : k === j ? i : k));
  return permuteOp.apply([t], { axes });
}
