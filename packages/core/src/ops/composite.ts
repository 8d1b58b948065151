// Ops built from primitives: they need no derivative rule of their own.
import { GradlabError } from '../errors.ts';
import { broadcastShapes, formatShape } from '../shape.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { mul } from './mul.ts';
import { pow } from './pow.ts';
import { resolveAxes, sumOver } from './sum.ts';

/** a / b = a · b⁻¹ (a number divisor becomes a multiplication by its reciprocal). */
export function div(a: TensorLike, b: TensorLike): Tensor {
  if (typeof b === 'number') {
    if (b === 0) throw new GradlabError('div: division by the number 0');
    return mul(a, 1 / b);
  }
  broadcastShapes('div', toTensor(a).shape, b.shape); // a mismatch is div's, not mul's
  return mul(a, pow(b, -1));
}

/** Mean over all elements or along axes: sum / count. */
export function mean(x: TensorLike, axis?: number | readonly number[], options?: { keepDims?: boolean }): Tensor {
  const t = toTensor(x);
  const axes = resolveAxes('mean', t.shape, axis);
  let count = 1;
  for (const a of axes) count *= t.shape[a];
  if (count === 0) throw new GradlabError(`mean: no elements to average in ${formatShape(t.shape)}`);
  return mul(sumOver(t, axes, options?.keepDims ?? false), 1 / count);
}
