// Shapes, strides and numpy-style broadcasting.
import { describeValue, GradlabError } from './errors.ts';

/**
 * The most values one tensor may hold: 2²⁷ (134,217,728 float64 values, 1 GiB). Shapes are
 * checked against it before anything is allocated, so a mistyped size fails at once instead of
 * filling memory for minutes.
 */
export const MAX_ELEMENTS = 2 ** 27;

export type Shape = readonly number[];

/**
 * Checks a shape given by a user (`where` names the function and argument): an array of
 * integers ≥ 0 whose product is at most MAX_ELEMENTS. Returns a copy.
 */
export function checkShape(where: string, shape: unknown): number[] {
  if (!Array.isArray(shape)) throw new GradlabError(`${where}: a shape must be an array of dimensions, got ${describeValue(shape)}`);
  let size = 1;
  for (let i = 0; i < shape.length; i++) {
    const d: unknown = shape[i];
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new GradlabError(`${where}: dimension ${i} of shape ${formatList(shape)} must be an integer ≥ 0, got ${describeValue(d)}`);
    }
    size *= d;
  }
  if (size > MAX_ELEMENTS) {
    throw new GradlabError(`${where} ${formatList(shape)} has ${size} elements, more than the limit of ${MAX_ELEMENTS} (2^27)`);
  }
  return [...(shape as number[])];
}

function formatList(shape: readonly unknown[]): string {
  return shape.length > 8 ? `[${shape.slice(0, 8).map(String).join(',')},…] (rank ${shape.length})` : `[${shape.map(String).join(',')}]`;
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Row-major strides: stride[i] = product of the dims after i. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** numpy broadcasting: align from the right; each pair of dims must be equal or one of them 1. */
export function broadcastShapes(opName: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new GradlabError(
        `${opName}: cannot broadcast ${formatShape(a)} with ${formatShape(b)} (dimension ${i}: ${da} vs ${db})`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * For every element of `outShape`, the flat index of the element of `inShape` it reads when
 * `inShape` is broadcast to `outShape`. Used by elementwise ops and by the inspector.
 */
export function broadcastIndex(inShape: Shape, outShape: Shape): Int32Array {
  const outSize = sizeOf(outShape);
  const map = new Int32Array(outSize);
  const n = outShape.length;
  const offset = n - inShape.length;
  const inStrides = stridesOf(inShape);
  // stride of each output axis in the input (0 where the input is broadcast)
  const stride = new Array<number>(n).fill(0);
  for (let i = 0; i < inShape.length; i++) stride[offset + i] = inShape[i] === 1 ? 0 : inStrides[i];
  const counter = new Array<number>(n).fill(0);
  let src = 0;
  for (let o = 0; o < outSize; o++) {
    map[o] = src;
    for (let ax = n - 1; ax >= 0; ax--) {
      counter[ax]++;
      src += stride[ax];
      if (counter[ax] < outShape[ax]) break;
      src -= stride[ax] * counter[ax];
      counter[ax] = 0;
    }
  }
  return map;
}

/** The axes of `outShape` that were created or stretched when broadcasting `inShape` to it. */
export function broadcastAxes(inShape: Shape, outShape: Shape): number[] {
  const axes: number[] = [];
  const offset = outShape.length - inShape.length;
  for (let i = 0; i < outShape.length; i++) {
    if (i < offset || (inShape[i - offset] === 1 && outShape[i] !== 1)) axes.push(i);
  }
  return axes;
}

/** Normalise an axis argument (negative counts from the end) and check it. */
export function normalizeAxis(opName: string, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(axis) || a < 0 || a >= rank) {
    throw new GradlabError(`${opName}: axis ${axis} is out of range for a tensor of rank ${rank}`);
  }
  return a;
}
