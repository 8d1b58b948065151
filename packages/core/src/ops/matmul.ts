import { defineOp, type JacobianEntry } from '../op.ts';
import { formatShape } from '../shape.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import type { MatmulKernel } from './kernels.ts';
import { matmulInto } from './matmulKernel.ts';
import { transpose } from './transpose.ts';

/** C = A·B for row-major [m,k]·[k,n]: the loop is in matmulKernel.ts. */
const matmulKernel: MatmulKernel<undefined> = {
  kind: 'matmul',
  shape: (inputs) => {
    const a = inputs[0];
    const b = inputs[1];
    if (a.rank !== 2 || b.rank !== 2) {
      throw new Error(`matmul: ${formatShape(a.shape)} @ ${formatShape(b.shape)}: both operands must be 2-D`);
    }
    if (a.shape[1] !== b.shape[0]) {
      throw new Error(`matmul: ${formatShape(a.shape)} @ ${formatShape(b.shape)}: inner dimensions differ (${a.shape[1]} vs ${b.shape[0]})`);
    }
    return [a.shape[0], b.shape[1]];
  },
  run: (out, inputs) => {
    const a = inputs[0];
    const b = inputs[1];
    matmulInto(out, a.data, b.data, a.shape[0], a.shape[1], b.shape[1]);
  },
};

/** Element-level structure: Cᵢⱼ depends on Aᵢₖ (through Bₖⱼ) and on Bₖⱼ (through Aᵢₖ), for every k. */
function matmulEntries(a: Tensor, b: Tensor, wrt: 'a' | 'b'): JacobianEntry[] {
  const [m, k] = a.shape as [number, number];
  const n = b.shape[1];
  const entries: JacobianEntry[] = [];
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++)
      for (let p = 0; p < k; p++) {
        entries.push(wrt === 'a' ? [i * n + j, i * k + p, b.data[p * n + j]] : [i * n + j, p * n + j, a.data[i * k + p]]);
      }
  return entries;
}

// C = A·B    ∂L/∂A = ∂L/∂C · Bᵀ    ∂L/∂B = Aᵀ · ∂L/∂C    (∂Cᵢⱼ/∂Aᵢₖ = Bₖⱼ, ∂Cᵢⱼ/∂Bₖⱼ = Aᵢₖ)
export const matmulOp = defineOp({
  name: 'matmul',
  inputs: ['a', 'b'],
  kernel: matmulKernel,
  derivatives: {
    a: {
      formula: '∂Cᵢⱼ/∂Aᵢₖ = Bₖⱼ, so ∂L/∂A = ∂L/∂C·Bᵀ',
      vjp: ({ grad, b }) => matmul(grad, transpose(b)),
      local: ({ b }) => b,
      jacobian: ({ a, b }) => matmulEntries(a, b, 'a'),
    },
    b: {
      formula: '∂Cᵢⱼ/∂Bₖⱼ = Aᵢₖ, so ∂L/∂B = Aᵀ·∂L/∂C',
      vjp: ({ grad, a }) => matmul(transpose(a), grad),
      local: ({ a }) => a,
      jacobian: ({ a, b }) => matmulEntries(a, b, 'b'),
    },
  },
});

export function matmul(a: TensorLike, b: TensorLike): Tensor {
  return matmulOp.apply([toTensor(a), toTensor(b)], undefined);
}
