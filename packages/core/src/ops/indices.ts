// Integer arguments held in tensors: the indices of gather, index and oneHot. gradlab's
// tensors are float64, so an index is a float64 value that must be an integer; it is checked
// where it is read (in the kernel), so a compiled step whose indices change between runs
// checks them each run too.
import { describeValue, GradlabError } from '../errors.ts';
import { tensor, Tensor, type NestedArray, type NumericArray } from '../tensor.ts';

/** Indices as a tensor (of integer values), nested arrays of integers, or a typed array. */
export type IndexLike = Tensor | NestedArray | NumericArray;

/** The indices as a tensor (a tensor passes through; arrays are read as by `tensor()`). */
export function toIndexTensor(opName: string, argName: string, indices: IndexLike): Tensor {
  if (indices instanceof Tensor) return indices;
  if (typeof indices !== 'number' && !Array.isArray(indices) && !ArrayBuffer.isView(indices)) {
    throw new GradlabError(`${opName}: ${argName} must be a tensor or (nested) arrays of integers, got ${describeValue(indices)}`);
  }
  try {
    return tensor(indices);
  } catch (e) {
    if (e instanceof GradlabError) throw new GradlabError(`${opName}: ${argName}: ${e.message}`);
    throw e;
  }
}

/** Index value `v` into an axis of size `n` as an offset in [0, n), or −1 if it is not valid: an integer in [0, n), or with `negative` also in [−n, 0) counting from the end. */
export function indexOffset(v: number, n: number, negative: boolean): number {
  if (v >= 0 && v < n) return Number.isInteger(v) ? v : -1;
  if (negative && v < 0 && v >= -n && Number.isInteger(v)) return v + n;
  return -1;
}

/** The error for index value `v`, element `at` of the indices, which `indexOffset` refused. */
export function badIndex(opName: string, argName: string, v: number, at: number, n: number, negative: boolean, where: string): never {
  const range = n === 0 ? 'none, it is empty' : negative ? `-${n}…${n - 1}` : `0…${n - 1}`;
  const what = Number.isInteger(v) ? 'out of range' : 'not an integer';
  throw new GradlabError(`${opName}: ${argName} element ${at} is ${v}, ${what} (indices into ${where}: ${range})`);
}
