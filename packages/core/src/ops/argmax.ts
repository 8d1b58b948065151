import { GradlabError } from '../errors.ts';
import { defineOp } from '../op.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { describeAxes, reduceAttrs, reduceKernel, requireSliceSize, type ReduceAttrs, type ReduceOptions } from './reduce.ts';

// y = the index of the largest element of a slice (the first one on ties; the first NaN, as PyTorch)
//   no gradient: an index is piecewise constant
export const argmaxOp = defineOp({
  name: 'argmax',
  inputs: ['x'],
  kernel: reduceKernel<ReduceAttrs>((X, base, offsets) => {
    let best = 0;
    let m = X[base + offsets[0]];
    if (m !== m) return 0;
    for (let k = 1; k < offsets.length; k++) {
      const v = X[base + offsets[k]];
      if (v > m) {
        m = v;
        best = k;
      } else if (v !== v) return k;
    }
    return best;
  }),
  derivatives: {
    x: { notDifferentiable: 'an index is piecewise constant: no gradient flows through it' },
  },
  describe: (attrs) => describeAxes('argmax', attrs),
});

/**
 * The index of the largest element (as a number in a float64 tensor): along `axis`, or over all
 * elements (the flat row-major index) when `axis` is undefined. The first one wins on ties.
 */
export function argmax(x: TensorLike, axis?: number, options?: ReduceOptions): Tensor {
  const t = toTensor(x);
  if (axis !== undefined && typeof axis !== 'number') throw new GradlabError(`argmax: axis must be one number, got ${JSON.stringify(axis)}`);
  const attrs = reduceAttrs('argmax', t.shape, axis, options);
  requireSliceSize('argmax', t.shape, attrs.axes, 1, 'the index of the maximum of no elements is undefined');
  return argmaxOp.apply([t], attrs);
}
