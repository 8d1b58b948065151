// Kernels: the loops that compute an op's result into a buffer. The eager ops run them into the
// buffer their result hook gives (op.ts); a compiled program (compile.ts) replays them into buffers allocated once.
//
// Elementwise kernels take the op's scalar function, e.g. (a, b) => a + b. One loop that calls
// many different functions is slow in V8: its call site sees them all, so none is inlined. So
// each kernel gets its own copy of its loops, generated once per op from the sources below
// (generate.ts); where code generation is not allowed, shared loops compute the same numbers.
import { generate } from '../generate.ts';
import { resultDType, type KernelBase } from '../op.ts';

export type { KernelBase };
import { broadcastIndex, broadcastShapes, sameShape, sizeOf, type Shape } from '../shape.ts';
import { allocate, Tensor, type FloatArray } from '../tensor.ts';

/** y[i] = f(x[i]) */
export interface MapKernel<A> extends KernelBase<A> {
  readonly kind: 'map';
  readonly f: (x: number, attrs: A) => number;
}

/** y = f(a, b) elementwise, with numpy broadcasting. */
export interface ZipKernel<A> extends KernelBase<A> {
  readonly kind: 'zip';
  readonly f: (a: number, b: number, attrs: A) => number;
}

/**
 * Where a matmul reads its operands: C [m,n] = A·B with A[i,p] = a[i·aRow + p·aCol] and
 * B[p,j] = b[p·bRow + j·bCol], so a transposed operand is read in place.
 */
export interface MatmulLayout {
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly aRow: number;
  readonly aCol: number;
  readonly bRow: number;
  readonly bCol: number;
}

/** C = A·B, each Cᵢⱼ summed as ((0 + Aᵢ₀B₀ⱼ) + Aᵢ₁B₁ⱼ) + … in order of k. */
export interface MatmulKernel<A> extends KernelBase<A> {
  readonly kind: 'matmul';
  layout(inputs: readonly Tensor[]): MatmulLayout;
}

/** y[cell[i]] += x[i] over i in increasing order, every cell starting from 0 (a sum over axes). */
export interface SumKernel<A> extends KernelBase<A> {
  readonly kind: 'sum';
  cells(inputs: readonly Tensor[], attrs: A): Int32Array;
}

/** y[o] = x[index[o]]: the values moved, none computed (transpose, reshape, broadcastTo). */
export interface GatherKernel<A> extends KernelBase<A> {
  readonly kind: 'gather';
  index(inputs: readonly Tensor[], attrs: A): Int32Array;
}

export type Kernel<A> = MapKernel<A> | ZipKernel<A> | MatmulKernel<A> | SumKernel<A> | GatherKernel<A>;

// ---- per-kernel copies of the loops ------------------------------------------------------------

type MapLoop = (out: FloatArray, x: FloatArray, attrs: never) => void;
interface ZipLoops {
  same(out: FloatArray, a: FloatArray, b: FloatArray, attrs: unknown): void;
  scalarB(out: FloatArray, a: FloatArray, b: number, attrs: unknown): void;
  scalarA(out: FloatArray, a: number, b: FloatArray, attrs: unknown): void;
  /** b repeats along the leading axes: b's elements are the last axes of the result. */
  rowsB(out: FloatArray, a: FloatArray, b: FloatArray, attrs: unknown): void;
  rowsA(out: FloatArray, a: FloatArray, b: FloatArray, attrs: unknown): void;
  /** b's elements are a block of the result's axes, each repeated `inner` times in a row (a bias [1,C,1,1]). */
  blockB(out: FloatArray, a: FloatArray, b: FloatArray, inner: number, attrs: unknown): void;
  blockA(out: FloatArray, a: FloatArray, b: FloatArray, inner: number, attrs: unknown): void;
  indexed(out: FloatArray, a: FloatArray, b: FloatArray, ai: Int32Array, bi: Int32Array, attrs: unknown): void;
}

const MAP_SOURCE = `return function map(out, x, attrs) {
  for (let i = 0; i < out.length; i++) out[i] = f(x[i], attrs);
};`;

const ZIP_SOURCE = `return {
  same(out, a, b, attrs) { for (let i = 0; i < out.length; i++) out[i] = f(a[i], b[i], attrs); },
  scalarB(out, a, b, attrs) { for (let i = 0; i < out.length; i++) out[i] = f(a[i], b, attrs); },
  scalarA(out, a, b, attrs) { for (let i = 0; i < out.length; i++) out[i] = f(a, b[i], attrs); },
  rowsB(out, a, b, attrs) {
    const m = b.length;
    for (let r = 0; r < out.length; r += m) for (let j = 0; j < m; j++) out[r + j] = f(a[r + j], b[j], attrs);
  },
  rowsA(out, a, b, attrs) {
    const m = a.length;
    for (let r = 0; r < out.length; r += m) for (let j = 0; j < m; j++) out[r + j] = f(a[j], b[r + j], attrs);
  },
  blockB(out, a, b, inner, attrs) {
    const m = b.length;
    for (let r = 0; r < out.length; ) for (let j = 0; j < m; j++) { const v = b[j]; for (let k = 0; k < inner; k++, r++) out[r] = f(a[r], v, attrs); }
  },
  blockA(out, a, b, inner, attrs) {
    const m = a.length;
    for (let r = 0; r < out.length; ) for (let j = 0; j < m; j++) { const v = a[j]; for (let k = 0; k < inner; k++, r++) out[r] = f(v, b[r], attrs); }
  },
  indexed(out, a, b, ai, bi, attrs) { for (let i = 0; i < out.length; i++) out[i] = f(a[ai[i]], b[bi[i]], attrs); },
};`;

type Scalar1 = (x: number, attrs: never) => number;
type Scalar2 = (a: number, b: number, attrs: never) => number;

function mapLoop(f: Scalar1): MapLoop {
  const specialised = generate<(f: Scalar1) => MapLoop>(['f'], MAP_SOURCE);
  if (specialised) return specialised(f);
  return (out, x, attrs) => {
    for (let i = 0; i < out.length; i++) out[i] = f(x[i], attrs);
  };
}

function zipLoops(f: Scalar2): ZipLoops {
  const specialised = generate<(f: Scalar2) => ZipLoops>(['f'], ZIP_SOURCE);
  if (specialised) return specialised(f);
  const g = f as (a: number, b: number, attrs: unknown) => number;
  return {
    same: (out, a, b, attrs) => { for (let i = 0; i < out.length; i++) out[i] = g(a[i], b[i], attrs); },
    scalarB: (out, a, b, attrs) => { for (let i = 0; i < out.length; i++) out[i] = g(a[i], b, attrs); },
    scalarA: (out, a, b, attrs) => { for (let i = 0; i < out.length; i++) out[i] = g(a, b[i], attrs); },
    rowsB: (out, a, b, attrs) => {
      const m = b.length;
      for (let r = 0; r < out.length; r += m) for (let j = 0; j < m; j++) out[r + j] = g(a[r + j], b[j], attrs);
    },
    rowsA: (out, a, b, attrs) => {
      const m = a.length;
      for (let r = 0; r < out.length; r += m) for (let j = 0; j < m; j++) out[r + j] = g(a[j], b[r + j], attrs);
    },
    blockB: (out, a, b, inner, attrs) => {
      const m = b.length;
      for (let r = 0; r < out.length; ) for (let j = 0; j < m; j++) for (let k = 0; k < inner; k++, r++) out[r] = g(a[r], b[j], attrs);
    },
    blockA: (out, a, b, inner, attrs) => {
      const m = a.length;
      for (let r = 0; r < out.length; ) for (let j = 0; j < m; j++) for (let k = 0; k < inner; k++, r++) out[r] = g(a[j], b[r], attrs);
    },
    indexed: (out, a, b, ai, bi, attrs) => { for (let i = 0; i < out.length; i++) out[i] = g(a[ai[i]], b[bi[i]], attrs); },
  };
}

// ---- elementwise kernels -------------------------------------------------------------------------

/** The kernel of an elementwise op of one input: y[i] = f(x[i], attrs). */
export function mapKernel<A = undefined>(f: (x: number, attrs: A) => number): MapKernel<A> {
  const loop = mapLoop(f);
  return {
    kind: 'map',
    f,
    shape: (inputs) => inputs[0].shape,
    run: (out, inputs, attrs) => loop(out, inputs[0].data, attrs as never),
  };
}

/** Whether `small`, without leading 1s, is the last axes of `shape` (it repeats along the others). */
function isTrailing(small: Shape, shape: Shape): boolean {
  let s = 0;
  while (s < small.length && small[s] === 1) s++;
  const offset = shape.length - (small.length - s);
  if (offset < 0) return false;
  for (let i = s; i < small.length; i++) if (small[i] !== shape[offset + i - s]) return false;
  return true;
}

/**
 * When `small`'s axes other than 1s are one block of `shape`'s axes (aligned to the right, 1s
 * around it: a bias [1,C,1,1] against [N,C,H,W]), the product of the axes after the block:
 * each of small's elements repeats that many times in a row. 0 otherwise.
 */
function blockInner(small: Shape, shape: Shape): number {
  const offset = shape.length - small.length;
  if (offset < 0) return 0;
  let first = -1;
  let last = -1;
  for (let i = 0; i < small.length; i++) {
    if (small[i] === 1) continue;
    if (first < 0) first = i;
    last = i;
  }
  if (first < 0) return 0;
  for (let i = first; i <= last; i++) if (small[i] !== shape[offset + i]) return 0;
  let inner = 1;
  for (let i = offset + last + 1; i < shape.length; i++) inner *= shape[i];
  return inner;
}

/** The broadcast shape of a and b, without allocating in the common cases (same shape, a scalar). */
function zipShape(opName: string, a: Tensor, b: Tensor): Shape {
  if (sameShape(a.shape, b.shape)) return a.shape;
  if (b.size === 1 && b.rank <= a.rank) return a.shape;
  if (a.size === 1 && a.rank <= b.rank) return b.shape;
  return broadcastShapes(opName, a.shape, b.shape);
}

/** The kernel of an elementwise op of two inputs, broadcast numpy-style: y = f(a, b, attrs). */
export function zipKernel<A = undefined>(f: (a: number, b: number, attrs: A) => number): ZipKernel<A> {
  const loops = zipLoops(f);
  return {
    kind: 'zip',
    f,
    shape: (inputs, _, opName) => zipShape(opName, inputs[0], inputs[1]),
    run: (out, inputs, attrs) => {
      const a = inputs[0];
      const b = inputs[1];
      const A = a.data;
      const B = b.data;
      const n = out.length;
      // an operand with as many elements as the result is read in the result's order
      if (A.length === n && B.length === n) loops.same(out, A, B, attrs);
      else if (A.length === n && B.length === 1) loops.scalarB(out, A, B[0], attrs);
      else if (B.length === n && A.length === 1) loops.scalarA(out, A[0], B, attrs);
      else {
        const shape = broadcastShapes('zip', a.shape, b.shape);
        if (A.length === n && isTrailing(b.shape, shape)) loops.rowsB(out, A, B, attrs);
        else if (B.length === n && isTrailing(a.shape, shape)) loops.rowsA(out, A, B, attrs);
        else if (A.length === n && blockInner(b.shape, shape) > 0) loops.blockB(out, A, B, blockInner(b.shape, shape), attrs);
        else if (B.length === n && blockInner(a.shape, shape) > 0) loops.blockA(out, A, B, blockInner(a.shape, shape), attrs);
        else loops.indexed(out, A, B, broadcastIndex(a.shape, shape), broadcastIndex(b.shape, shape), attrs);
      }
    },
  };
}

// ---- float32 results -----------------------------------------------------------------------------

let scratch = new Float64Array(0);

/**
 * A float64 buffer of exactly n values (contents undefined), for a kernel that sums into its
 * result: a float32 result gets float64 sums rounded once, as the matmul's dot products are
 * (kernels do not run concurrently, so one buffer serves them all).
 */
export function float64Scratch(n: number): Float64Array {
  if (scratch.length < n) scratch = new Float64Array(Math.max(n, 2 * scratch.length));
  return scratch.subarray(0, n);
}

// ---- the public helpers for user ops ----------------------------------------------------------

const BOTH = [true, true];

/** y[i] = f(x[i]): a fresh tensor of x's dtype (for the forward of a user op). */
export function map(x: Tensor, f: (v: number) => number): Tensor {
  const out = allocate(x.size, x.dtype);
  const xs = x.data;
  for (let i = 0; i < out.length; i++) out[i] = f(xs[i]);
  return new Tensor(out, x.shape);
}

/** y = f(a, b) elementwise, broadcasting a and b to a common shape: a fresh tensor (dtype as an op's, `resultDType`). */
export function zip(opName: string, a: Tensor, b: Tensor, f: (a: number, b: number) => number): Tensor {
  const shape = sameShape(a.shape, b.shape) ? a.shape : broadcastShapes(opName, a.shape, b.shape);
  const out = allocate(sizeOf(shape), resultDType([a, b], BOTH));
  const ad = a.data;
  const bd = b.data;
  if (ad.length === out.length && bd.length === out.length) {
    for (let i = 0; i < out.length; i++) out[i] = f(ad[i], bd[i]);
  } else {
    const ai = broadcastIndex(a.shape, shape);
    const bi = broadcastIndex(b.shape, shape);
    for (let i = 0; i < out.length; i++) out[i] = f(ad[ai[i]], bd[bi[i]]);
  }
  return new Tensor(out, shape);
}
