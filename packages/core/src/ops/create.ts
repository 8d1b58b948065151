// Tensors made from numbers alone (ranges, the identity) or from another tensor's shape. Each is
// a fresh leaf with no history; in a compiled step it is a constant (it depends on no values).
import { describeValue, GradlabError } from '../errors.ts';
import { MAX_ELEMENTS } from '../shape.ts';
import { allocate, checkDType, full, Tensor, toTensor, type DType, type TensorLike, type TensorOptions } from '../tensor.ts';

function finite(where: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new GradlabError(`${where}: ${name} must be a finite number, got ${describeValue(v)}`);
  return v;
}

function dtypeOf(where: string, options: TensorOptions | undefined): DType {
  return options?.dtype === undefined ? 'float64' : checkDType(`${where}: options.dtype`, options.dtype);
}

function count(where: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new GradlabError(`${where}: ${name} must be an integer ≥ 0, got ${describeValue(v)}`);
  if (v > MAX_ELEMENTS) throw new GradlabError(`${where}: ${name} ${v} is more than the limit of ${MAX_ELEMENTS} (2^27) elements`);
  return v;
}

/**
 * start, start + step, start + 2·step, … up to `end` (excluded), as PyTorch's `arange`:
 * `arange(end)` counts from 0; `step` (default 1) may be negative but not 0, and must go from
 * start towards end (else an error, as PyTorch). Element i is start + i·step.
 */
export function arange(start: number, end?: number, step = 1, options?: TensorOptions): Tensor {
  const from = end === undefined ? 0 : finite('arange', 'start', start);
  const to = end === undefined ? finite('arange', 'end', start) : finite('arange', 'end', end);
  finite('arange', 'step', step);
  if (step === 0) throw new GradlabError('arange: step must not be 0');
  if ((to - from) * step < 0) {
    throw new GradlabError(`arange: a step of ${step} never goes from ${from} to ${to} (the step's sign must be that of end − start)`);
  }
  const n = Math.ceil((to - from) / step);
  if (n > MAX_ELEMENTS) throw new GradlabError(`arange: ${from} to ${to} by ${step} would have ${n} elements, more than the limit of ${MAX_ELEMENTS} (2^27)`);
  const data = allocate(n, dtypeOf('arange', options));
  for (let i = 0; i < n; i++) data[i] = from + i * step;
  return new Tensor(data, [n], options);
}

/**
 * `steps` values evenly spaced from start to end, both included (PyTorch's `linspace`). As
 * PyTorch computes them: with h = (end − start)/(steps − 1), the first half is start + i·h and
 * the second half end − (steps − 1 − i)·h, so both ends are exact.
 */
export function linspace(start: number, end: number, steps: number, options?: TensorOptions): Tensor {
  finite('linspace', 'start', start);
  finite('linspace', 'end', end);
  const n = count('linspace', 'steps', steps);
  const data = allocate(n, dtypeOf('linspace', options));
  if (n === 1) data[0] = start;
  else if (n > 1) {
    const h = (end - start) / (n - 1);
    const half = Math.floor(n / 2);
    for (let i = 0; i < n; i++) data[i] = i < half ? start + h * i : end - h * (n - 1 - i);
  }
  return new Tensor(data, [n], options);
}

/** The n×m identity (m defaults to n): 1 on the diagonal, 0 elsewhere. */
export function eye(n: number, m?: number, options?: TensorOptions): Tensor {
  const rows = count('eye', 'n', n);
  const cols = m === undefined ? rows : count('eye', 'm', m);
  if (rows * cols > MAX_ELEMENTS) throw new GradlabError(`eye: [${rows},${cols}] would have ${rows * cols} elements, more than the limit of ${MAX_ELEMENTS} (2^27)`);
  const data = allocate(rows * cols, dtypeOf('eye', options));
  for (let i = 0; i < Math.min(rows, cols); i++) data[i * cols + i] = 1;
  return new Tensor(data, [rows, cols], options);
}

function shapeOf(where: string, x: TensorLike): readonly number[] {
  if (!(x instanceof Tensor) && typeof x !== 'number') throw new GradlabError(`${where}: x must be a tensor or a number, got ${describeValue(x)}`);
  return toTensor(x).shape;
}

/** The options with x's dtype unless they name one (as PyTorch's `*_like`). */
function likeOptions(x: TensorLike, options: TensorOptions | undefined): TensorOptions | undefined {
  return x instanceof Tensor && options?.dtype === undefined && x.dtype !== 'float64' ? { ...options, dtype: x.dtype } : options;
}

/** Zeros of x's shape (and, unless options.dtype says otherwise, x's dtype). */
export function zerosLike(x: TensorLike, options?: TensorOptions): Tensor {
  return full(shapeOf('zerosLike', x), 0, likeOptions(x, options));
}

/** Ones of x's shape (and dtype). */
export function onesLike(x: TensorLike, options?: TensorOptions): Tensor {
  return full(shapeOf('onesLike', x), 1, likeOptions(x, options));
}

/** `value` everywhere, in x's shape (and dtype). */
export function fullLike(x: TensorLike, value: number, options?: TensorOptions): Tensor {
  if (typeof value !== 'number') throw new GradlabError(`fullLike: value must be a number, got ${describeValue(value)}`);
  return full(shapeOf('fullLike', x), value, likeOptions(x, options));
}
