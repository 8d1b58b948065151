import { defineOp } from '../op.ts';
import { formatShape } from '../shape.ts';
import { Tensor, toTensor, type TensorLike } from '../tensor.ts';

// Y = Xᵀ (2-D)     ∂L/∂X = (∂L/∂Y)ᵀ
export const transposeOp = defineOp({
  name: 'transpose',
  inputs: ['x'],
  forward: ([x]) => {
    if (x.rank !== 2) throw new Error(`transpose: expected a 2-D tensor, got ${formatShape(x.shape)}`);
    const [m, n] = x.shape as [number, number];
    const X = x.data;
    const Y = new Float64Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) Y[j * m + i] = X[i * n + j]!;
    return new Tensor(Y, [n, m]);
  },
  derivatives: {
    x: { formula: '∂Yⱼᵢ/∂Xᵢⱼ = 1, so ∂L/∂X = (∂L/∂Y)ᵀ', vjp: ({ grad }) => transpose(grad) },
  },
});

export function transpose(x: TensorLike): Tensor {
  return transposeOp.apply([toTensor(x)], undefined);
}
