// The two products matmul's gradients need, ∂L/∂A = ∂L/∂C·Bᵀ and ∂L/∂B = Aᵀ·∂L/∂C, as ops that
// read the transposed operand in place (BLAS's gemm with a T operand) instead of making the
// transpose first: the same products summed in the same order, so the same bits. Each is
// closed under differentiation with matmul and the other, so gradients of gradients need
// nothing more. The batched matmul (stacks of matrices) has its pair too.
import { defineOp } from '../op.ts';
import { batchedMatmul, batchedMatmulKernel } from '../ops/batchedMatmul.ts';
import { matmul, matmulEntries, matmulKernel } from '../ops/matmul.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';

// C = A·Bᵀ (B [n,k] read transposed)    ∂L/∂A = ∂L/∂C · B    ∂L/∂B = (∂L/∂C)ᵀ · A
export const matmulNTOp = defineOp({
  name: 'matmulNT',
  inputs: ['a', 'b'],
  kernel: matmulKernel('matmulNT', 'A·Bᵀ'),
  derivatives: {
    a: {
      formula: '∂Cᵢⱼ/∂Aᵢₖ = Bⱼₖ, so ∂L/∂A = ∂L/∂C·B',
      vjp: ({ grad, b }) => matmul(grad, b),
      local: ({ b }) => b,
      jacobian: ({ a, b }) => matmulEntries('A·Bᵀ', a, b, 'a'),
    },
    b: {
      formula: '∂Cᵢⱼ/∂Bⱼₖ = Aᵢₖ, so ∂L/∂B = (∂L/∂C)ᵀ·A',
      vjp: ({ grad, a }) => matmulTN(grad, a),
      local: ({ a }) => a,
      jacobian: ({ a, b }) => matmulEntries('A·Bᵀ', a, b, 'b'),
    },
  },
});

// C = Aᵀ·B (A [k,m] read transposed)    ∂L/∂A = B · (∂L/∂C)ᵀ    ∂L/∂B = A · ∂L/∂C
export const matmulTNOp = defineOp({
  name: 'matmulTN',
  inputs: ['a', 'b'],
  kernel: matmulKernel('matmulTN', 'Aᵀ·B'),
  derivatives: {
    a: {
      formula: '∂Cᵢⱼ/∂Aₖᵢ = Bₖⱼ, so ∂L/∂A = B·(∂L/∂C)ᵀ',
      vjp: ({ grad, b }) => matmulNT(b, grad),
      local: ({ b }) => b,
      jacobian: ({ a, b }) => matmulEntries('Aᵀ·B', a, b, 'a'),
    },
    b: {
      formula: '∂Cᵢⱼ/∂Bₖⱼ = Aₖᵢ, so ∂L/∂B = A·∂L/∂C',
      vjp: ({ grad, a }) => matmul(a, grad),
      local: ({ a }) => a,
      jacobian: ({ a, b }) => matmulEntries('Aᵀ·B', a, b, 'b'),
    },
  },
});

/** A·Bᵀ for 2-D A [m,k] and B [n,k], without making Bᵀ. */
export function matmulNT(a: TensorLike, b: TensorLike): Tensor {
  return matmulNTOp.apply([toTensor(a), toTensor(b)], undefined);
}

/** Aᵀ·B for 2-D A [k,m] and B [k,n], without making Aᵀ. */
export function matmulTN(a: TensorLike, b: TensorLike): Tensor {
  return matmulTNOp.apply([toTensor(a), toTensor(b)], undefined);
}

// The same two for stacks of matrices (batch axes broadcast), the batched matmul's fast vjps.
// C = A·Bᵀ per batch    ∂L/∂A = ∂L/∂C · B    ∂L/∂B = (∂L/∂C)ᵀ · A
export const batchedMatmulNTOp = defineOp({
  name: 'matmulNT',
  inputs: ['a', 'b'],
  kernel: batchedMatmulKernel('matmulNT', 'A·Bᵀ'),
  derivatives: {
    a: { formula: '∂Cᵢⱼ/∂Aᵢₖ = Bⱼₖ per batch, so ∂L/∂A = ∂L/∂C·B', vjp: ({ grad, b }) => batchedMatmul(grad, b), local: ({ b }) => b },
    b: { formula: '∂Cᵢⱼ/∂Bⱼₖ = Aᵢₖ per batch, so ∂L/∂B = (∂L/∂C)ᵀ·A', vjp: ({ grad, a }) => batchedMatmulTN(grad, a), local: ({ a }) => a },
  },
});

// C = Aᵀ·B per batch    ∂L/∂A = B · (∂L/∂C)ᵀ    ∂L/∂B = A · ∂L/∂C
export const batchedMatmulTNOp = defineOp({
  name: 'matmulTN',
  inputs: ['a', 'b'],
  kernel: batchedMatmulKernel('matmulTN', 'Aᵀ·B'),
  derivatives: {
    a: { formula: '∂Cᵢⱼ/∂Aₖᵢ = Bₖⱼ per batch, so ∂L/∂A = B·(∂L/∂C)ᵀ', vjp: ({ grad, b }) => batchedMatmulNT(b, grad), local: ({ b }) => b },
    b: { formula: '∂Cᵢⱼ/∂Bₖⱼ = Aₖᵢ per batch, so ∂L/∂B = A·∂L/∂C', vjp: ({ grad, a }) => batchedMatmul(a, grad), local: ({ a }) => a },
  },
});

/** A·Bᵀ per batch for A [..., m, k] and B [..., n, k], without making Bᵀ. */
export function batchedMatmulNT(a: Tensor, b: Tensor): Tensor {
  return batchedMatmulNTOp.apply([a, b], undefined);
}

/** Aᵀ·B per batch for A [..., k, m] and B [..., k, n], without making Aᵀ. */
export function batchedMatmulTN(a: Tensor, b: Tensor): Tensor {
  return batchedMatmulTNOp.apply([a, b], undefined);
}
