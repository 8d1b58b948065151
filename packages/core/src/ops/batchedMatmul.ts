// C = A·B for stacks of matrices: the last two axes of each operand are its matrices, the axes
// before them (the batch axes) broadcast as numpy's, and each result matrix is one call of the
// 2-D loop (matmulKernel.ts) on the matrices it pairs, read in place. `matmul` (matmul.ts)
// sends here every product that is not of two 2-D operands.
import { GradlabError } from '../errors.ts';
import { defineOp } from '../op.ts';
import { broadcastIndex, broadcastShapes, formatShape, sameShape, sizeOf, type Shape } from '../shape.ts';
import type { Tensor } from '../tensor.ts';
import type { KernelBase } from './kernels.ts';
import { matmulStrided, type MatmulForm } from './matmulKernel.ts';
import { transpose } from './transpose.ts';

/** The batch axes of an operand: all but its last two. */
const batchOf = (x: Tensor): Shape => x.shape.slice(0, -2);

/** The broadcast batch axes, the operands' shapes shown in the error as `[2,3,4] @ [3,4,5]ᵀ`. */
function batchShape(opName: string, form: MatmulForm, a: Tensor, b: Tensor): Shape {
  const [left, right] = form.split('·');
  const operands = `${formatShape(a.shape)}${left.slice(1)} @ ${formatShape(b.shape)}${right.slice(1)}`;
  if (a.rank < 2 || b.rank < 2) throw new GradlabError(`${opName}: ${operands}: both operands need at least 2 axes here`);
  const ka = form === 'Aᵀ·B' ? a.shape[a.rank - 2] : a.shape[a.rank - 1];
  const kb = form === 'A·Bᵀ' ? b.shape[b.rank - 1] : b.shape[b.rank - 2];
  if (ka !== kb) throw new GradlabError(`${opName}: ${operands}: inner dimensions differ (${ka} vs ${kb})`);
  const ba = batchOf(a);
  const bb = batchOf(b);
  if (sameShape(ba, bb)) return ba;
  try {
    return broadcastShapes(opName, ba, bb);
  } catch {
    throw new GradlabError(`${opName}: ${operands}: batch dimensions ${formatShape(ba)} and ${formatShape(bb)} do not broadcast`);
  }
}

/** m, k, n and the strides of A[i,p] and B[p,j] within one matrix of each operand (see MatmulLayout). */
function layout(form: MatmulForm, a: Tensor, b: Tensor) {
  const a0 = a.shape[a.rank - 2];
  const a1 = a.shape[a.rank - 1];
  const b0 = b.shape[b.rank - 2];
  const b1 = b.shape[b.rank - 1];
  if (form === 'A·B') return { m: a0, k: a1, n: b1, aRow: a1, aCol: 1, bRow: b1, bCol: 1 };
  if (form === 'A·Bᵀ') return { m: a0, k: a1, n: b0, aRow: a1, aCol: 1, bRow: 1, bCol: b1 };
  return { m: a1, k: a0, n: b1, aRow: 1, aCol: a1, bRow: b1, bCol: 1 };
}

/**
 * C[t] = A[t]·B[t] for each batch index t (row-major), A[t] and B[t] the matrices broadcasting
 * pairs with it. When B is one matrix for all and A's rows follow one another (A·B, A·Bᵀ), the
 * stack of A is one tall matrix and the product is one call: the same sums in the same order
 * (the loop's result does not depend on how its rows are blocked), with larger tiles.
 */
export function batchedMatmulKernel(opName: string, form: MatmulForm): KernelBase<undefined> & { readonly kind: 'batchedMatmul' } {
  return {
    kind: 'batchedMatmul',
    shape: ([a, b]) => {
      const { m, n } = layout(form, a, b);
      return [...batchShape(opName, form, a, b), m, n];
    },
    run: (out, [a, b]) => {
      const { m, k, n, aRow, aCol, bRow, bCol } = layout(form, a, b);
      const batch = batchShape(opName, form, a, b);
      const count = sizeOf(batch);
      const A = a.data;
      const B = b.data;
      const aSize = m * k;
      const bSize = k * n;
      const cSize = m * n;
      if (cSize === 0 || count === 0) return;
      const ba = batchOf(a);
      const bb = batchOf(b);
      if (form !== 'Aᵀ·B' && sizeOf(bb) === 1 && sameShape(ba, batch)) {
        matmulStrided(out, A, B, count * m, k, n, aRow, aCol, bRow, bCol);
        return;
      }
      const ai = sameShape(ba, batch) ? null : broadcastIndex(ba, batch);
      const bi = sameShape(bb, batch) ? null : broadcastIndex(bb, batch);
      for (let t = 0; t < count; t++) {
        const ao = (ai ? ai[t] : t) * aSize;
        const bo = (bi ? bi[t] : t) * bSize;
        matmulStrided(out.subarray(t * cSize, (t + 1) * cSize), A.subarray(ao, ao + aSize), B.subarray(bo, bo + bSize), m, k, n, aRow, aCol, bRow, bCol);
      }
    },
  };
}

// C[t] = A[t]·B[t] per batch index t      ∂L/∂A = ∂L/∂C·Bᵀ, ∂L/∂B = Aᵀ·∂L/∂C, per batch (the walk sums them over broadcast batch axes)
export const batchedMatmulOp = defineOp({
  name: 'matmul',
  inputs: ['a', 'b'],
  kernel: batchedMatmulKernel('matmul', 'A·B'),
  derivatives: {
    a: {
      formula: '∂Cᵢⱼ/∂Aᵢₖ = Bₖⱼ per batch, so ∂L/∂A = ∂L/∂C·Bᵀ (summed over broadcast batch axes)',
      vjp: ({ grad, b }) => batchedMatmul(grad, transpose(b, -1, -2)),
      local: ({ b }) => b,
    },
    b: {
      formula: '∂Cᵢⱼ/∂Bₖⱼ = Aᵢₖ per batch, so ∂L/∂B = Aᵀ·∂L/∂C (summed over broadcast batch axes)',
      vjp: ({ grad, a }) => batchedMatmul(transpose(a, -1, -2), grad),
      local: ({ a }) => a,
    },
  },
});

/** A·B for operands of rank ≥ 2, matrix by matrix over broadcast batch axes. */
export function batchedMatmul(a: Tensor, b: Tensor): Tensor {
  return batchedMatmulOp.apply([a, b], undefined);
}
