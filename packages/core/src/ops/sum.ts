import { GradlabError } from '../errors.ts';
import { defineOp } from '../op.ts';
import { formatShape, normalizeAxis, sameShape, stridesOf, type Shape } from '../shape.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { broadcastToOp } from './broadcastTo.ts';
import { float64Scratch, type SumKernel } from './kernels.ts';
import { reshapeOp } from './reshape.ts';

export interface SumAttrs {
  /** The axes summed over, sorted; all of them for a full sum. */
  axes: readonly number[];
  /** Whether every axis is summed (the label then says `sum`). */
  all: boolean;
  keepDims: boolean;
}

/** The shape of a full sum (shared: shapes are never changed in place). */
const SCALAR: Shape = [];

function keptShape(shape: Shape, axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

/** For each element of x, in order, the output cell it is added to (the summed axes set to 0). */
function sumCells(shape: Shape, axes: readonly number[]): Int32Array {
  const kept = keptShape(shape, axes);
  const inStrides = stridesOf(shape);
  const outStrides = stridesOf(kept);
  const size = shape.reduce((n, d) => n * d, 1);
  const cells = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    let rest = i;
    let o = 0;
    for (let ax = 0; ax < shape.length; ax++) {
      const c = Math.floor(rest / inStrides[ax]);
      rest -= c * inStrides[ax];
      if (kept[ax] !== 1) o += c * outStrides[ax];
    }
    cells[i] = o;
  }
  return cells;
}

/** When the axes not summed are one block of x's axes: the sizes of the axes before and after it; else null. */
function keptBlock(shape: Shape, axes: readonly number[]): { outer: number; inner: number } | null {
  let first = -1;
  let last = -1;
  for (let i = 0; i < shape.length; i++) {
    if (axes.includes(i)) continue;
    if (first < 0) first = i;
    else if (i !== last + 1) return null;
    last = i;
  }
  if (first < 0) return null;
  let outer = 1;
  for (let i = 0; i < first; i++) outer *= shape[i];
  let inner = 1;
  for (let i = last + 1; i < shape.length; i++) inner *= shape[i];
  return { outer, inner };
}

/** Each output cell is 0 + its elements in the input's order (the fast paths add in that order too). */
const sumKernel: SumKernel<SumAttrs> = {
  kind: 'sum',
  shape: ([x], { axes, all, keepDims }) =>
    keepDims ? keptShape(x.shape, axes) : all ? SCALAR : x.shape.filter((_, i) => !axes.includes(i)),
  run: (result, [x], { axes }) => {
    // a float32 result gets the float64 sums, each rounded once (as matmul's)
    const out = result instanceof Float64Array ? result : float64Scratch(result.length);
    const X = x.data;
    if (out.length === 1) {
      let s = 0;
      for (let i = 0; i < X.length; i++) s += X[i];
      out[0] = s;
    } else if (x.rank === 2 && axes.length === 1) {
      const [m, n] = x.shape as [number, number];
      if (axes[0] === 1) {
        for (let r = 0; r < m; r++) {
          let s = 0;
          for (let j = 0; j < n; j++) s += X[r * n + j];
          out[r] = s;
        }
      } else {
        out.fill(0);
        for (let r = 0; r < m; r++) for (let j = 0; j < n; j++) out[j] += X[r * n + j];
      }
    } else if (keptBlock(x.shape, axes)) {
      // the kept axes are one block (a bias's gradient, [N,C,H,W] summed to C): out[m] += x[o, m, k] in x's order
      const { outer, inner } = keptBlock(x.shape, axes)!;
      const mid = out.length;
      out.fill(0);
      for (let o = 0, i = 0; o < outer; o++) {
        for (let m = 0; m < mid; m++) {
          let s = out[m];
          for (let k = 0; k < inner; k++, i++) s += X[i];
          out[m] = s;
        }
      }
    } else {
      out.fill(0);
      const cells = sumCells(x.shape, axes);
      for (let i = 0; i < X.length; i++) out[cells[i]] += X[i];
    }
    if (out !== result) result.set(out);
  },
  cells: ([x], { axes }) => sumCells(x.shape, axes),
};

// y = Σᵢ xᵢ (over some axes)      ∂y/∂xᵢ = 1: the gradient is copied back along the summed axes
export const sumOp = defineOp({
  name: 'sum',
  inputs: ['x'],
  kernel: sumKernel,
  derivatives: {
    x: {
      formula: '∂(Σ xᵢ)/∂xᵢ = 1',
      vjp: ({ grad, x, attrs: { axes, keepDims } }) => {
        // the summed axes put back (as 1s), then the gradient copied along them
        const kept = keepDims ? grad : reshapeOp.apply([grad], { shape: keptShape(x.shape, axes) });
        return sameShape(kept.shape, x.shape) ? kept : broadcastToOp.apply([kept], { shape: x.shape });
      },
    },
  },
  describe: ({ axes, all, keepDims }) => 
    all && !keepDims ? 'sum' : `sum(${axes.length ? `axis=${axes.join(',')}` : 'no axes'}${keepDims ? ', keepDims' : ''})`,
});

/** Sum of all elements, or along `axis` (a number or several); `keepDims` keeps them as size 1. */
export function sum(x: TensorLike, axis?: number | readonly number[], options?: { keepDims?: boolean }): Tensor {
  const t = toTensor(x);
  return sumOver(t, resolveAxes('sum', t.shape, axis), options?.keepDims ?? false);
}

/** The sum over axes already checked and sorted (as resolveAxes gives them). */
export function sumOver(t: Tensor, axes: readonly number[], keepDims: boolean): Tensor {
  return sumOp.apply([t], { axes, all: axes.length === t.rank, keepDims });
}

/** [0, 1, …, rank − 1] for each rank, made once (attributes are never changed). */
const allAxes: number[][] = [];

export function resolveAxes(opName: string, shape: Shape, axis: number | readonly number[] | undefined): readonly number[] {
  if (axis === undefined) return (allAxes[shape.length] ??= shape.map((_, i) => i));
  const list = typeof axis === 'number' ? [axis] : [...axis];
  const axes = list.map((a) => normalizeAxis(opName, a, shape.length));
  if (new Set(axes).size !== axes.length) throw new GradlabError(`${opName}: repeated axis in ${formatShape(list)}`);
  return axes.sort((a, b) => a - b);
}
