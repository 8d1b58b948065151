import { GradlabError } from '../errors.ts';
import { defineOp } from '../op.ts';
import { broadcastIndex, broadcastShapes, formatShape, sameShape, type Shape } from '../shape.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { eq } from './compare.ts';
import type { KernelBase } from './kernels.ts';
import { sub } from './sub.ts';

/** The broadcast shape of cond, a and b; the error names all three. */
function whereShape(opName: string, c: Shape, a: Shape, b: Shape): Shape {
  if (sameShape(c, a) && sameShape(a, b)) return a;
  try {
    return broadcastShapes(opName, broadcastShapes(opName, c, a), b);
  } catch {
    throw new GradlabError(`${opName}: cannot broadcast cond ${formatShape(c)}, a ${formatShape(a)} and b ${formatShape(b)} to one shape`);
  }
}

/** y[i] = cond[i] ≠ 0 ? a[i] : b[i], the three broadcast numpy-style. */
const whereKernel: KernelBase<undefined> & { readonly kind: 'where' } = {
  kind: 'where',
  shape: ([c, a, b], _, opName) => whereShape(opName, c.shape, a.shape, b.shape),
  run: (out, [c, a, b]) => {
    const C = c.data;
    const A = a.data;
    const B = b.data;
    const n = out.length;
    if (C.length === n && A.length === n && B.length === n) {
      for (let i = 0; i < n; i++) out[i] = C[i] !== 0 ? A[i] : B[i];
      return;
    }
    const shape = whereShape('where', c.shape, a.shape, b.shape);
    const ci = broadcastIndex(c.shape, shape);
    const ai = broadcastIndex(a.shape, shape);
    const bi = broadcastIndex(b.shape, shape);
    for (let i = 0; i < n; i++) out[i] = C[ci[i]] !== 0 ? A[ai[i]] : B[bi[i]];
  },
};

// y = a where cond ≠ 0, else b      ∂y/∂a = [cond ≠ 0], ∂y/∂b = [cond = 0]; cond gets no gradient
export const whereOp = defineOp({
  name: 'where',
  inputs: ['cond', 'a', 'b'],
  kernel: whereKernel,
  derivatives: {
    cond: { notDifferentiable: 'the condition only selects: no gradient flows into it' },
    a: { formula: '∂y/∂a = [cond ≠ 0]', partial: ({ cond }) => sub(1, eq(cond, 0)) },
    b: { formula: '∂y/∂b = [cond = 0]', partial: ({ cond }) => eq(cond, 0) },
  },
});

/**
 * a where cond is true (≠ 0; NaN counts as true, as in C and numpy), else b; the three broadcast
 * to one shape. No gradient flows into cond; the branch not taken gets gradient 0.
 */
export function where(cond: TensorLike, a: TensorLike, b: TensorLike): Tensor {
  return whereOp.apply([toTensor(cond), toTensor(a), toTensor(b)], undefined);
}
