// Shared by the reductions (max, min, argmax, logSumExp, variance, std, prod, norm) and by the
// ops that work along one axis (softmax, logSoftmax): which axes an op reduces, the result's
// shape, where each slice's elements are, and the gradient's shape put back to the input's.
import { GradlabError } from '../errors.ts';
import { formatShape, sizeOf, stridesOf, type Shape } from '../shape.ts';
import type { Tensor, FloatArray } from '../tensor.ts';
import type { KernelBase } from './kernels.ts';
import { reshape } from './reshape.ts';

/** The attributes every reduction has: the axes reduced (sorted), and whether to keep them as 1s. */
export interface ReduceAttrs {
  readonly axes: readonly number[];
  /** Whether every axis is reduced (the label then omits the axes). */
  readonly all: boolean;
  readonly keepDims: boolean;
}

/** Options of the reductions: `keepDims` keeps each reduced axis as a dimension of size 1. */
export interface ReduceOptions {
  keepDims?: boolean;
}

/** An axis argument checked against a shape (negative counts from the end); the error names op and shape. */
export function checkAxis(opName: string, shape: Shape, axis: number): number {
  const rank = shape.length;
  const a = axis < 0 ? axis + rank : axis;
  if (typeof axis !== 'number' || !Number.isInteger(axis) || a < 0 || a >= rank) {
    throw new GradlabError(
      `${opName}: axis ${String(axis)} is out of range for x of shape ${formatShape(shape)} ` +
        `(rank ${rank}: axes ${rank === 0 ? 'none' : `-${rank}…${rank - 1}`})`,
    );
  }
  return a;
}

/** The axes to reduce over, sorted: all of them when `axis` is undefined. */
export function reductionAxes(opName: string, shape: Shape, axis: number | readonly number[] | undefined): number[] {
  if (axis === undefined) return shape.map((_, i) => i);
  const list = typeof axis === 'number' ? [axis] : [...axis];
  const axes = list.map((a) => checkAxis(opName, shape, a));
  if (new Set(axes).size !== axes.length) {
    throw new GradlabError(`${opName}: axis ${formatShape(list)} repeats an axis of x ${formatShape(shape)}`);
  }
  return axes.sort((a, b) => a - b);
}

/** How many elements each reduced slice has. */
export function sliceSize(shape: Shape, axes: readonly number[]): number {
  let n = 1;
  for (const a of axes) n *= shape[a];
  return n;
}

/** Throws unless every slice has at least `min` elements (max of nothing, variance of one value). */
export function requireSliceSize(opName: string, shape: Shape, axes: readonly number[], min: number, why: string): void {
  const n = sliceSize(shape, axes);
  if (n < min) {
    const over = axes.length === shape.length ? 'all axes' : `axis ${axes.join(',')}`;
    throw new GradlabError(`${opName}: ${why}; x of shape ${formatShape(shape)} has ${n} element${n === 1 ? '' : 's'} per slice over ${over}`);
  }
}

/** The shape with the reduced axes kept as 1s. */
export function keptShape(shape: Shape, axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

/** The result's shape of a reduction. */
export function reducedShape(shape: Shape, { axes, keepDims }: ReduceAttrs): number[] {
  return keepDims ? keptShape(shape, axes) : shape.filter((_, i) => !axes.includes(i));
}

/** A reduction's result (or its gradient) with the reduced axes as 1s, so that it broadcasts against x. */
export function keepDimsOf(t: Tensor, xShape: Shape, { axes, keepDims }: ReduceAttrs): Tensor {
  return keepDims ? t : reshape(t, keptShape(xShape, axes));
}

/**
 * Where the slices are: slice o's elements are at `bases[o] + offsets[k]`, k = 0 … n−1, in
 * row-major order of the reduced axes; the slices are in row-major order of the other axes
 * (the order of the result's elements).
 */
export interface Slices {
  readonly bases: Int32Array;
  readonly offsets: Int32Array;
}

function offsetsAlong(shape: Shape, strides: readonly number[], axes: readonly number[]): Int32Array {
  const dims = axes.map((a) => shape[a]);
  const steps = axes.map((a) => strides[a]);
  const n = sizeOf(dims);
  const out = new Int32Array(n);
  const counter = new Array<number>(dims.length).fill(0);
  let offset = 0;
  for (let i = 0; i < n; i++) {
    out[i] = offset;
    for (let k = dims.length - 1; k >= 0; k--) {
      counter[k]++;
      offset += steps[k];
      if (counter[k] < dims[k]) break;
      offset -= steps[k] * counter[k];
      counter[k] = 0;
    }
  }
  return out;
}

const slicesCache = new Map<string, Slices>();

/** The slices of a tensor of `shape` along `axes` (remembered for the last shapes seen). */
export function slicesOf(shape: Shape, axes: readonly number[]): Slices {
  const key = `${shape.join(',')}|${axes.join(',')}`;
  let slices = slicesCache.get(key);
  if (!slices) {
    const strides = stridesOf(shape);
    const others = shape.map((_, i) => i).filter((i) => !axes.includes(i));
    slices = { bases: offsetsAlong(shape, strides, others), offsets: offsetsAlong(shape, strides, axes) };
    if (slicesCache.size >= 64) slicesCache.delete(slicesCache.keys().next().value!);
    slicesCache.set(key, slices);
  }
  return slices;
}

/** One number from one slice of X: its elements are X[base + offsets[k]]. */
export type SliceReducer<A> = (X: FloatArray, base: number, offsets: Int32Array, attrs: A) => number;

/**
 * The kernel of a reduction: each result element is `reduce` over its slice. Compiled programs
 * call `run` (the kind 'reduce' is not one codegen unrolls).
 */
export function reduceKernel<A extends ReduceAttrs>(reduce: SliceReducer<A>): KernelBase<A> & { readonly kind: 'reduce' } {
  return {
    kind: 'reduce',
    shape: ([x], attrs) => reducedShape(x.shape, attrs),
    run: (out, [x], attrs) => {
      const { bases, offsets } = slicesOf(x.shape, attrs.axes);
      const X = x.data;
      for (let o = 0; o < bases.length; o++) out[o] = reduce(X, bases[o], offsets, attrs);
    },
  };
}

/** The attributes of an op along one axis (softmax, logSoftmax). */
export interface AxisAttrs {
  readonly axis: number;
}

/** Writes one slice of the result: out[base + offsets[k]] from X[base + offsets[k]]. */
export type SliceMap = (out: FloatArray, X: FloatArray, base: number, offsets: Int32Array) => void;

/** The kernel of an op that maps each slice along `axis` to a slice of the same shape. */
export function alongAxisKernel(map: SliceMap): KernelBase<AxisAttrs> & { readonly kind: 'alongAxis' } {
  return {
    kind: 'alongAxis',
    shape: ([x]) => x.shape,
    run: (out, [x], { axis }) => {
      const { bases, offsets } = slicesOf(x.shape, [axis]);
      const X = x.data;
      for (let o = 0; o < bases.length; o++) map(out, X, bases[o], offsets);
    },
  };
}

/** The attributes of a reduction over `axis` (all axes when undefined), checked against x's shape. */
export function reduceAttrs(opName: string, shape: Shape, axis: number | readonly number[] | undefined, options?: ReduceOptions): ReduceAttrs {
  const axes = reductionAxes(opName, shape, axis);
  return { axes, all: axes.length === shape.length, keepDims: options?.keepDims ?? false };
}

/** A reduction's label: `max`, `max(axis=1)`, `max(axis=0,2, keepDims)`, with `extra` first: `norm(p=2)`. */
export function describeAxes(name: string, { axes, all, keepDims }: ReduceAttrs, extra = ''): string {
  const parts: string[] = [];
  if (extra) parts.push(extra);
  if (!all) parts.push(`axis=${axes.join(',')}`);
  if (keepDims) parts.push('keepDims');
  return parts.length ? `${name}(${parts.join(', ')})` : name;
}
