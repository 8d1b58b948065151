import { GradlabError } from '../errors.ts';
import { defineOp } from '../op.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { describeAxes, reduceAttrs, reduceKernel, requireSliceSize, type ReduceAttrs, type ReduceOptions } from './reduce.ts';

// y = the index of the smallest element of a slice (the first one on ties; the first NaN, as PyTorch)
//   no gradient: an index is piecewise constant
export const argminOp = defineOp({
  name: 'argmin',
  inputs: ['x'],
  kernel: reduceKernel<ReduceAttrs>((X, base, offsets) => {
    let best = 0;
    let m = X[base + offsets[0]];
    if (m !== m) return 0;
    for (let k = 1; k < offsets.length; k++) {
      const v = X[base + offsets[k]];
      if (v < m) {
        m = v;
        best = k;
      } else if (v !== v) return k;
    }
    return best;
  }),
  derivatives: {
    x: { notDifferentiable: 'an index is piecewise constant: no gradient flows through it' },
  },
  describe: (attrs) => describeAxes('argmin', attrs),
});

/**
 * The index of the smallest element (as a number in a float64 tensor): along `axis`, or over all
 * elements (the flat row-major index) when `axis` is undefined. The first one wins on ties.
 */
export function argmin(x: TensorLike, axis?: number, options?: ReduceOptions): Tensor {
  const t = toTensor(x);
  if (axis !== undefined && typeof axis !== 'number') throw new GradlabError(`argmin: axis must be one number, got ${JSON.stringify(axis)}`);
  const attrs = reduceAttrs('argmin', t.shape, axis, options);
  requireSliceSize('argmin', t.shape, attrs.axes, 1, 'the index of the minimum of no elements is undefined');
  return argminOp.apply([t], attrs);
}
