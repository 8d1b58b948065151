import { GradlabError } from '../errors.ts';
import { formatShape } from '../shape.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { concat } from './concat.ts';
import { checkAxis } from './reduce.ts';
import { unsqueeze } from './squeeze.ts';

/**
 * The tensors, all of one shape, joined along a new axis at `axis` (default 0): each gets an
 * axis of size 1 there (unsqueeze), then they are concatenated along it.
 */
export function stack(tensors: readonly TensorLike[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new GradlabError('stack: expected a non-empty list of tensors');
  const xs = tensors.map(toTensor);
  const shape = xs[0].shape;
  if (xs.some((x) => formatShape(x.shape) !== formatShape(shape))) {
    throw new GradlabError(`stack: the tensors must all have one shape, got ${xs.map((x) => formatShape(x.shape)).join(', ')}`);
  }
  const a = checkAxis('stack', [...shape, 1], axis);
  return concat(xs.map((x) => unsqueeze(x, a)), a);
}
