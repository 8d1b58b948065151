// squeeze and unsqueeze only change the shape, not the order of the elements: each is a
// reshape (whose rule, ∂L/∂x = ∂L/∂y reshaped back, is theirs).
import { GradlabError } from '../errors.ts';
import { formatShape } from '../shape.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { checkAxis, reductionAxes } from './reduce.ts';
import { reshape } from './reshape.ts';

/** x without its axes of size 1 (all of them, or those given, which must have size 1). */
export function squeeze(x: TensorLike, axis?: number | readonly number[]): Tensor {
  const t = toTensor(x);
  const axes = axis === undefined ? t.shape.flatMap((d, a) => (d === 1 ? [a] : [])) : reductionAxes('squeeze', t.shape, axis);
  for (const a of axes) {
    if (t.shape[a] !== 1) throw new GradlabError(`squeeze: axis ${a} of x ${formatShape(t.shape)} has size ${t.shape[a]}, not 1`);
  }
  return reshape(t, t.shape.filter((_, a) => !axes.includes(a)));
}

/** x with a new axis of size 1 inserted at `axis` (−1 appends it; range −(rank+1) … rank). */
export function unsqueeze(x: TensorLike, axis: number): Tensor {
  const t = toTensor(x);
  const a = checkAxis('unsqueeze', [...t.shape, 1], axis);
  const shape = [...t.shape];
  shape.splice(a, 0, 1);
  return reshape(t, shape);
}
