import { GradlabError } from '../errors.ts';
import { defineOp, type JacobianEntry } from '../op.ts';
import { formatShape } from '../shape.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { batchedMatmul } from './batchedMatmul.ts';
import type { MatmulKernel, MatmulLayout } from './kernels.ts';
import { matmulStrided, type MatmulForm } from './matmulKernel.ts';
import { reshape } from './reshape.ts';
import { transpose } from './transpose.ts';

export type { MatmulForm };

// C = A·B for 2-D operands. The loop is in matmulKernel.ts; it reads its operands through
// strides, so the faster gradient ops A·Bᵀ and Aᵀ·B (fast/matmul.ts) share it. `matmul` sends
// products of other ranks to batchedMatmul.ts, with PyTorch's rules for vectors.

type Form = MatmulForm;

/** m, k, n and the strides at which the loop reads A[i,p] and B[p,j] (see MatmulLayout). */
function layoutOf(form: Form, a: Tensor, b: Tensor): MatmulLayout {
  const [a0, a1] = a.shape as [number, number];
  const [b0, b1] = b.shape as [number, number];
  if (form === 'A·B') return { m: a0, k: a1, n: b1, aRow: a1, aCol: 1, bRow: b1, bCol: 1 };
  if (form === 'A·Bᵀ') return { m: a0, k: a1, n: b0, aRow: a1, aCol: 1, bRow: 1, bCol: b1 };
  return { m: a1, k: a0, n: b1, aRow: 1, aCol: a1, bRow: b1, bCol: 1 };
}

export function matmulKernel(name: string, form: Form): MatmulKernel<undefined> {
  const [left, right] = form.split('·');
  const operands = (a: Tensor, b: Tensor) => `${formatShape(a.shape)}${left.slice(1)} @ ${formatShape(b.shape)}${right.slice(1)}`;
  const innerA = form === 'Aᵀ·B' ? 0 : 1; // the axis of A summed over
  const innerB = form === 'A·Bᵀ' ? 1 : 0; // the axis of B summed over
  return {
    kind: 'matmul',
    shape: (inputs) => {
      const a = inputs[0];
      const b = inputs[1];
      if (a.rank !== 2 || b.rank !== 2) throw new GradlabError(`${name}: ${operands(a, b)}: both operands must be 2-D`);
      if (a.shape[innerA] !== b.shape[innerB]) {
        throw new GradlabError(`${name}: ${operands(a, b)}: inner dimensions differ (${a.shape[innerA]} vs ${b.shape[innerB]})`);
      }
      return [a.shape[1 - innerA], b.shape[1 - innerB]];
    },
    // the strides of layoutOf, passed without making an object per call
    run: (out, inputs) => {
      const a = inputs[0].shape;
      const b = inputs[1].shape;
      const A = inputs[0].data;
      const B = inputs[1].data;
      if (form === 'A·B') matmulStrided(out, A, B, a[0], a[1], b[1], a[1], 1, b[1], 1);
      else if (form === 'A·Bᵀ') matmulStrided(out, A, B, a[0], a[1], b[0], a[1], 1, 1, b[1]);
      else matmulStrided(out, A, B, a[1], a[0], b[1], 1, a[1], b[1], 1);
    },
    layout: (inputs) => layoutOf(form, inputs[0], inputs[1]),
  };
}

/**
 * Element-level structure: Cᵢⱼ = Σₚ A[i,p]·B[p,j], so ∂Cᵢⱼ/∂A[i,p] = B[p,j] and ∂Cᵢⱼ/∂B[p,j] =
 * A[i,p], for every p (A[i,p] and B[p,j] stored where the layout says).
 */
export function matmulEntries(form: Form, a: Tensor, b: Tensor, wrt: 'a' | 'b'): JacobianEntry[] {
  const { m, k, n, aRow, aCol, bRow, bCol } = layoutOf(form, a, b);
  const entries: JacobianEntry[] = [];
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++)
      for (let p = 0; p < k; p++) {
        const ai = i * aRow + p * aCol;
        const bi = p * bRow + j * bCol;
        entries.push(wrt === 'a' ? [i * n + j, ai, b.data[bi]] : [i * n + j, bi, a.data[ai]]);
      }
  return entries;
}

// C = A·B    ∂L/∂A = ∂L/∂C · Bᵀ    ∂L/∂B = Aᵀ · ∂L/∂C    (∂Cᵢⱼ/∂Aᵢₖ = Bₖⱼ, ∂Cᵢⱼ/∂Bₖⱼ = Aᵢₖ)
export const matmulOp = defineOp({
  name: 'matmul',
  inputs: ['a', 'b'],
  kernel: matmulKernel('matmul', 'A·B'),
  derivatives: {
    a: {
      formula: '∂Cᵢⱼ/∂Aᵢₖ = Bₖⱼ, so ∂L/∂A = ∂L/∂C·Bᵀ',
      vjp: ({ grad, b }) => matmul(grad, transpose(b)),
      local: ({ b }) => b,
      jacobian: ({ a, b }) => matmulEntries('A·B', a, b, 'a'),
    },
    b: {
      formula: '∂Cᵢⱼ/∂Bₖⱼ = Aᵢₖ, so ∂L/∂B = Aᵀ·∂L/∂C',
      vjp: ({ grad, a }) => matmul(transpose(a), grad),
      local: ({ a }) => a,
      jacobian: ({ a, b }) => matmulEntries('A·B', a, b, 'b'),
    },
  },
});

/**
 * A·B with PyTorch's `matmul` rules: two 2-D operands [m,k]·[k,n] give [m,n] (the op above);
 * a 1-D operand is a row (on the left) or a column (on the right) vector, its added axis removed
 * from the result ([k]·[k] is a scalar, [m,k]·[k] is [m]); operands of more axes are stacks of
 * matrices whose batch axes (all but the last two) broadcast: [2,1,m,k]·[3,k,n] is [2,3,m,n].
 */
export function matmul(a: TensorLike, b: TensorLike): Tensor {
  const x = toTensor(a);
  const y = toTensor(b);
  if (x.rank === 2 && y.rank === 2) return matmulOp.apply([x, y], undefined);
  const operands = `${formatShape(x.shape)} @ ${formatShape(y.shape)}`;
  if (x.rank === 0 || y.rank === 0) throw new GradlabError(`matmul: ${operands}: both operands need at least one axis (use mul for a scalar)`);
  const ka = x.shape[x.rank - 1];
  const kb = y.shape[y.rank === 1 ? 0 : y.rank - 2];
  if (ka !== kb) throw new GradlabError(`matmul: ${operands}: inner dimensions differ (${ka} vs ${kb})`);
  // a vector becomes a matrix of one row (left) or one column (right), and loses that axis after
  const left = x.rank === 1 ? reshape(x, [1, ka]) : x;
  const right = y.rank === 1 ? reshape(y, [kb, 1]) : y;
  const c = left.rank === 2 && right.rank === 2 ? matmulOp.apply([left, right], undefined) : batchedMatmul(left, right);
  if (x.rank > 1 && y.rank > 1) return c;
  const shape = c.shape.filter((_, i) => !((x.rank === 1 && i === c.rank - 2) || (y.rank === 1 && i === c.rank - 1)));
  return reshape(c, shape);
}
