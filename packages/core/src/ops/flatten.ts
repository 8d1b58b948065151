import { GradlabError } from '../errors.ts';
import { formatShape } from '../shape.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { checkAxis } from './reduce.ts';
import { reshape } from './reshape.ts';

/**
 * x with axes startAxis … endAxis (default 0 … −1) merged into one, as PyTorch's flatten; a
 * reshape, so its rule is reshape's. A scalar becomes shape [1].
 */
export function flatten(x: TensorLike, startAxis = 0, endAxis = -1): Tensor {
  const t = toTensor(x);
  if (t.rank === 0) return reshape(t, [1]);
  const start = checkAxis('flatten', t.shape, startAxis);
  const end = checkAxis('flatten', t.shape, endAxis);
  if (start > end) {
    throw new GradlabError(`flatten: startAxis ${startAxis} comes after endAxis ${endAxis} for x of shape ${formatShape(t.shape)}`);
  }
  let merged = 1;
  for (let a = start; a <= end; a++) merged *= t.shape[a];
  return reshape(t, [...t.shape.slice(0, start), merged, ...t.shape.slice(end + 1)]);
}
