import { defineOp } from '../op.ts';
import { broadcastAxes, broadcastIndex, broadcastShapes, formatShape, sameShape, type Shape } from '../shape.ts';
import { Tensor, toTensor, type TensorLike } from '../tensor.ts';
import { reshape } from './reshape.ts';
import { sum } from './sum.ts';

// Y = X repeated along broadcast axes     ∂L/∂X = Σ over the repeated axes of ∂L/∂Y
export const broadcastToOp = defineOp({
  name: 'broadcastTo',
  inputs: ['x'],
  forward: ([x], { shape }: { shape: Shape }) => {
    const index = broadcastIndex(x.shape, shape);
    const out = new Float64Array(index.length);
    for (let i = 0; i < out.length; i++) out[i] = x.data[index[i]]!;
    return new Tensor(out, shape);
  },
  derivatives: {
    x: { formula: '∂Yⱼ/∂Xᵢ = 1 for each copy j of xᵢ', vjp: ({ grad, x }) => sumTo(grad, x.shape) },
  },
  describe: ({ shape }) => `broadcastTo(${formatShape(shape)})`,
});

export function broadcastTo(x: TensorLike, shape: Shape): Tensor {
  const t = toTensor(x);
  const target = broadcastShapes('broadcastTo', t.shape, shape);
  if (!sameShape(target, shape)) {
    throw new Error(`broadcastTo: cannot broadcast ${formatShape(t.shape)} to ${formatShape(shape)}`);
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
