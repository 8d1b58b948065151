// Shared by the ops that move values without computing any (slice, permute, sliceScatter): the
// element of x that each result element reads, as a base offset and a stride per result axis.
import type { FloatArray } from '../tensor.ts';
import { sizeOf, type Shape } from '../shape.ts';

/** out[o] = X[base + Σₐ cₐ·strides[a]] for the multi-index c of o in `shape` (row-major). */
export function copyStrided(out: FloatArray, X: FloatArray, shape: Shape, base: number, strides: readonly number[]): void {
  const n = shape.length;
  const size = out.length;
  if (size === 0) return;
  const counter = new Int32Array(n);
  let src = base;
  for (let o = 0; o < size; o++) {
    out[o] = X[src];
    for (let ax = n - 1; ax >= 0; ax--) {
      counter[ax]++;
      src += strides[ax];
      if (counter[ax] < shape[ax]) break;
      src -= strides[ax] * counter[ax];
      counter[ax] = 0;
    }
  }
}

/** The flat index in X that each element of the result reads (for compiled code). */
export function stridedIndex(shape: Shape, base: number, strides: readonly number[]): Int32Array {
  const index = new Int32Array(sizeOf(shape));
  const n = shape.length;
  const counter = new Int32Array(n);
  let src = base;
  for (let o = 0; o < index.length; o++) {
    index[o] = src;
    for (let ax = n - 1; ax >= 0; ax--) {
      counter[ax]++;
      src += strides[ax];
      if (counter[ax] < shape[ax]) break;
      src -= strides[ax] * counter[ax];
      counter[ax] = 0;
    }
  }
  return index;
}
