import { defineOp, type JacobianEntry } from '../op.ts';
import { formatShape } from '../shape.ts';
import { Tensor, toTensor, type TensorLike } from '../tensor.ts';
import { transpose } from './transpose.ts';

/** C = A·B for row-major [m,k]·[k,n]; i-k-j loop order so the inner loop is contiguous. */
function matmulForward(a: Tensor, b: Tensor): Tensor {
  if (a.rank !== 2 || b.rank !== 2) {
    throw new Error(`matmul: ${formatShape(a.shape)} @ ${formatShape(b.shape)}: both operands must be 2-D`);
  }
  const [m, k] = a.shape as [number, number];
  const [k2, n] = b.shape as [number, number];
  if (k !== k2) {
    throw new Error(`matmul: ${formatShape(a.shape)} @ ${formatShape(b.shape)}: inner dimensions differ (${k} vs ${k2})`);
  }
  const A = a.data;
  const B = b.data;
  const C = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const row = i * n;
    for (let p = 0; p < k; p++) {
      const aip = A[i * k + p];
      const brow = p * n;
      for (let j = 0; j < n; j++) C[row + j] += aip * B[brow + j];
    }
  }
  return new Tensor(C, [m, n]);
}

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
  forward: ([a, b]) => matmulForward(a, b),
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
