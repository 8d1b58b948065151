import { GradlabError } from '../errors.ts';
import { defineOp } from '../op.ts';
import { broadcastAxes, broadcastIndex, broadcastShapes, checkShape, formatShape, sameShape, type Shape } from '../shape.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import type { GatherKernel } from './kernels.ts';
import { reshape } from './reshape.ts';
import { sum } from './sum.ts';

/** Each element of Y reads the element of X it is a copy of. */
const broadcastKernel: GatherKernel<{ shape: Shape }> = {
  kind: 'gather',
  shape: (_, { shape }) => shape,
  run: (out, [x], { shape }) => {
    const X = x.data;
    if (X.length === 1) out.fill(X[0]);
    else {
      const index = broadcastIndex(x.shape, shape);
      for (let i = 0; i < out.length; i++) out[i] = X[index[i]];
    }
  },
  index: ([x], { shape }) => broadcastIndex(x.shape, shape),
};

// Y = X repeated along broadcast axes     ∂L/∂X = Σ over the repeated axes of ∂L/∂Y
export const broadcastToOp = defineOp({
  name: 'broadcastTo',
  inputs: ['x'],
  kernel: broadcastKernel,
  derivatives: {
    x: { formula: '∂Yⱼ/∂Xᵢ = 1 for each copy j of xᵢ', vjp: ({ grad, x }) => sumTo(grad, x.shape) },
  },
  describe: ({ shape }) => `broadcastTo(${formatShape(shape)})`,
});

export function broadcastTo(x: TensorLike, shape: Shape): Tensor {
  const t = toTensor(x);
  checkShape('broadcastTo: shape', shape);
  const target = broadcastShapes('broadcastTo', t.shape, shape);
  if (!sameShape(target, shape)) {
    throw new GradlabError(`broadcastTo: cannot broadcast ${formatShape(t.shape)} to ${formatShape(shape)}`);
  }
  if (sameShape(t.shape, shape)) return t;
  return broadcastToOp.apply([t], { shape: [...shape] });
}

/** Undo broadcasting: sum `x` over the axes that broadcasting created or stretched to reach `shape`. */
export function sumTo(x: Tensor, shape: Shape): Tensor {
  if (sameShape(x.shape, shape)) return x;
  const axes = broadcastAxes(shape, x.shape);
  return reshape(sum(x, axes, { keepDims: true }), shape);
}
