import { GradlabError } from '../errors.ts';
import { defineOp } from '../op.ts';
import { formatShape, sizeOf, type Shape } from '../shape.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import type { GatherKernel } from './kernels.ts';

/** The same values in the same order: a copy. */
const reshapeKernel: GatherKernel<{ shape: Shape }> = {
  kind: 'gather',
  shape: (_, { shape }) => shape,
  run: (out, inputs) => {
    const X = inputs[0].data;
    for (let i = 0; i < out.length; i++) out[i] = X[i];
  },
  index: ([x]) => Int32Array.from({ length: x.size }, (_, i) => i),
};

// Y = X viewed with another shape (same elements, same order)     ∂L/∂X = ∂L/∂Y reshaped back
export const reshapeOp = defineOp({
  name: 'reshape',
  inputs: ['x'],
  kernel: reshapeKernel,
  derivatives: {
    x: { formula: '∂Yᵢ/∂Xᵢ = 1 (same elements)', vjp: ({ grad, x }) => reshape(grad, x.shape) },
  },
  describe: ({ shape }) => `reshape(${formatShape(shape)})`,
});

/** Reshape; one dimension may be -1 (inferred). */
export function reshape(x: TensorLike, shape: Shape): Tensor {
  const t = toTensor(x);
  const target = [...shape];
  const unknown = target.indexOf(-1);
  if (unknown >= 0) {
    const known = sizeOf(target.filter((_, i) => i !== unknown));
    if (known === 0 || t.size % known !== 0) {
      throw new GradlabError(`reshape: cannot reshape ${formatShape(t.shape)} to ${formatShape(shape)}`);
    }
    target[unknown] = t.size / known;
  }
  if (target.some((d) => !Number.isInteger(d) || d < 0) || sizeOf(target) !== t.size) {
    throw new GradlabError(`reshape: cannot reshape ${formatShape(t.shape)} (${t.size} elements) to ${formatShape(shape)}`);
  }
  return reshapeOp.apply([t], { shape: target });
}
