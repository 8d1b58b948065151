import { describeValue, GradlabError } from '../errors.ts';
import { defineOp } from '../op.ts';
import { formatShape, MAX_ELEMENTS } from '../shape.ts';
import type { Tensor } from '../tensor.ts';
import { badIndex, indexOffset, toIndexTensor, type IndexLike } from './indices.ts';
import type { KernelBase } from './kernels.ts';

interface OneHotAttrs {
  readonly classes: number;
}

/** y[…, c] = 1 if indices[…] = c, else 0. */
const oneHotKernel: KernelBase<OneHotAttrs> & { readonly kind: 'oneHot' } = {
  kind: 'oneHot',
  shape: ([indices], { classes }) => [...indices.shape, classes],
  run: (out, [indices], { classes }) => {
    out.fill(0);
    const I = indices.data;
    for (let o = 0; o < I.length; o++) {
      const c = indexOffset(I[o], classes, false);
      if (c < 0) badIndex('oneHot', 'indices', I[o], o, classes, false, `${classes} classes`);
      out[o * classes + c] = 1;
    }
  },
};

// y[…, c] = [indices[…] = c]      no gradient: the result is piecewise constant in the indices
export const oneHotOp = defineOp({
  name: 'oneHot',
  inputs: ['indices'],
  kernel: oneHotKernel,
  derivatives: {
    indices: { notDifferentiable: 'a class index only selects: no gradient flows into it' },
  },
  describe: ({ classes }) => `oneHot(${classes})`,
});

/**
 * One row of 0s and a 1 per index (PyTorch's `F.one_hot`, as float64): indices of any shape
 * (integers in 0 … classes−1) give shape [...indices.shape, classes]. `classes` defaults to
 * the largest index + 1. No gradient flows through it; in a compiled step it is recomputed from
 * the indices at every run.
 */
export function oneHot(indices: IndexLike, classes?: number): Tensor {
  const t = toIndexTensor('oneHot', 'indices', indices);
  let n: number;
  if (classes === undefined) {
    if (t.size === 0) throw new GradlabError('oneHot: cannot infer the number of classes from no indices; pass classes');
    // the largest index + 1; an index that is not one (NaN, 2.5, −1) is reported by the kernel
    let largest = 0;
    for (const v of t.data) if (v > largest) largest = v;
    if (largest === Infinity) throw new GradlabError(`oneHot: indices element ${t.data.indexOf(largest)} is Infinity, not a class index`);
    n = Math.floor(largest) + 1;
  } else {
    if (typeof classes !== 'number' || !Number.isInteger(classes) || classes < 1) {
      throw new GradlabError(`oneHot: classes must be an integer ≥ 1, got ${describeValue(classes)}`);
    }
    n = classes;
  }
  if (t.size * n > MAX_ELEMENTS) {
    throw new GradlabError(`oneHot: indices ${formatShape(t.shape)} with ${n} classes would have ${t.size * n} elements, more than the limit of ${MAX_ELEMENTS} (2^27)`);
  }
  return oneHotOp.apply([t], { classes: n });
}
