// Comparisons: 1 where the relation holds, else 0 (NaN compares false, except that it is ≠).
// A comparison is piecewise constant, so no gradient flows through it: both inputs are marked
// not differentiable (as PyTorch, whose comparisons return tensors without grad).
import { defineOp } from '../op.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { zipKernel } from './kernels.ts';

const NO_GRADIENT = { notDifferentiable: 'a comparison is piecewise constant: no gradient flows through it' };

function comparison(name: string, f: (a: number, b: number) => number) {
  return defineOp({ name, inputs: ['a', 'b'], kernel: zipKernel(f), derivatives: { a: NO_GRADIENT, b: NO_GRADIENT } });
}

// y = [a > b], [a ≥ b], [a < b], [a ≤ b], [a = b]     (0/1, broadcast as numpy)
export const gtOp = comparison('gt', (a, b) => (a > b ? 1 : 0));
export const geOp = comparison('ge', (a, b) => (a >= b ? 1 : 0));
export const ltOp = comparison('lt', (a, b) => (a < b ? 1 : 0));
export const leOp = comparison('le', (a, b) => (a <= b ? 1 : 0));
export const eqOp = comparison('eq', (a, b) => (a === b ? 1 : 0));

/** 1 where a > b, else 0. */
export function gt(a: TensorLike, b: TensorLike): Tensor {
  return gtOp.apply([toTensor(a), toTensor(b)], undefined);
}

/** 1 where a ≥ b, else 0. */
export function ge(a: TensorLike, b: TensorLike): Tensor {
  return geOp.apply([toTensor(a), toTensor(b)], undefined);
}

/** 1 where a < b, else 0. */
export function lt(a: TensorLike, b: TensorLike): Tensor {
  return ltOp.apply([toTensor(a), toTensor(b)], undefined);
}

/** 1 where a ≤ b, else 0. */
export function le(a: TensorLike, b: TensorLike): Tensor {
  return leOp.apply([toTensor(a), toTensor(b)], undefined);
}

/** 1 where a = b, else 0 (NaN equals nothing). */
export function eq(a: TensorLike, b: TensorLike): Tensor {
  return eqOp.apply([toTensor(a), toTensor(b)], undefined);
}
