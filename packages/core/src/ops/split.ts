import { GradlabError } from '../errors.ts';
import { formatShape } from '../shape.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { checkAxis } from './reduce.ts';
import { sliceAxis } from './slice.ts';

/**
 * x cut along `axis` (default 0) into pieces, as PyTorch's split: `sizes` a number gives pieces
 * of that size (the last one smaller if it does not divide), a list gives the pieces' sizes
 * (which must add up to the axis's size). Each piece is a slice of x.
 */
export function split(x: TensorLike, sizes: number | readonly number[], axis = 0): Tensor[] {
  const t = toTensor(x);
  const a = checkAxis('split', t.shape, axis);
  const n = t.shape[a];
  let pieces: number[];
  if (typeof sizes === 'number') {
    if (!Number.isInteger(sizes) || sizes < 1) throw new GradlabError(`split: a piece size must be an integer ≥ 1, got ${sizes}`);
    pieces = [];
    for (let start = 0; start < n; start += sizes) pieces.push(Math.min(sizes, n - start));
    if (n === 0) pieces.push(0);
  } else {
    pieces = [...sizes];
    const total = pieces.reduce((s, k) => s + k, 0);
    if (pieces.some((k) => !Number.isInteger(k) || k < 0) || total !== n) {
      throw new GradlabError(`split: sizes ${JSON.stringify(sizes)} must be integers ≥ 0 adding up to ${n}, the size of axis ${a} of x ${formatShape(t.shape)}`);
    }
  }
  const out: Tensor[] = [];
  let start = 0;
  for (const k of pieces) {
    out.push(sliceAxis(t, a, start, start + k));
    start += k;
  }
  return out;
}
