import { defineOp } from '../op.ts';
import { formatShape, sizeOf, type Shape } from '../shape.ts';
import { Tensor, toTensor, type TensorLike } from '../tensor.ts';

// Y = X viewed with another shape (same elements, same order)     ∂L/∂X = ∂L/∂Y reshaped back
export const reshapeOp = defineOp({
  name: 'reshape',
  inputs: ['x'],
  forward: ([x], { shape }: { shape: Shape }) => new Tensor(x.data.slice(), shape),
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
      throw new Error(`reshape: cannot reshape ${formatShape(t.shape)} to ${formatShape(shape)}`);
    }
    target[unknown] = t.size / known;
  }
  if (target.some((d) => !Number.isInteger(d) || d < 0) || sizeOf(target) !== t.size) {
    throw new Error(`reshape: cannot reshape ${formatShape(t.shape)} (${t.size} elements) to ${formatShape(shape)}`);
  }
  return reshapeOp.apply([t], { shape: target });
}
