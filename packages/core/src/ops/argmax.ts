import { GradlabError } from '../errors.ts';
import { defineOp } from '../op.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { describeAxes, reduceAttrs, reduceKernel, requireSliceSize, type ReduceAttrs, type ReduceOptions } from './reduce.ts';

// argmax and argmin, one definition: y = the index of the largest (smallest) element of a slice,
// the first one on ties, the first NaN if there is one (as PyTorch)
//   no gradient: an index is piecewise constant
function argOp(name: 'argmax' | 'argmin', better: (v: number, m: number) => boolean) {
  return defineOp({
    name,
    inputs: ['x'],
    kernel: reduceKernel<ReduceAttrs>((X, base, offsets) => {
      let best = 0;
      let m = X[base + offsets[0]];
      if (m !== m) return 0;
      for (let k = 1; k < offsets.length; k++) {
        const v = X[base + offsets[k]];
        if (better(v, m)) {
          m = v;
          best = k;
        } else if (v !== v) return k;
      }
      return best;
    }),
    derivatives: {
      x: { notDifferentiable: 'an index is piecewise constant: no gradient flows through it' },
    },
    describe: (attrs) => describeAxes(name, attrs),
  });
}

export const argmaxOp = argOp('argmax', (v, m) => v > m);
export const argminOp = argOp('argmin', (v, m) => v < m);

function argIndex(op: typeof argmaxOp, x: TensorLike, axis: number | undefined, options: ReduceOptions | undefined): Tensor {
  const name = op.name;
  const t = toTensor(x);
  if (axis !== undefined && typeof axis !== 'number') throw new GradlabError(`${name}: axis must be one number, got ${JSON.stringify(axis)}`);
  const attrs = reduceAttrs(name, t.shape, axis, options);
  const which = name === 'argmax' ? 'maximum' : 'minimum';
  requireSliceSize(name, t.shape, attrs.axes, 1, `the index of the ${which} of no elements is undefined`);
  return op.apply([t], attrs);
}

/**
 * The index of the largest element (as a number in a float64 tensor): along `axis`, or over all
 * elements (the flat row-major index) when `axis` is undefined. The first one wins on ties.
 */
export function argmax(x: TensorLike, axis?: number, options?: ReduceOptions): Tensor {
  return argIndex(argmaxOp, x, axis, options);
}

/** The index of the smallest element, as `argmax` gives the largest. */
export function argmin(x: TensorLike, axis?: number, options?: ReduceOptions): Tensor {
  return argIndex(argminOp, x, axis, options);
}
