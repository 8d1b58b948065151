import { defineOp } from '../op.ts';
import { formatShape, normalizeAxis, sizeOf, stridesOf, type Shape } from '../shape.ts';
import { Tensor, toTensor, type TensorLike } from '../tensor.ts';
import { broadcastTo } from './broadcastTo.ts';
import { reshape } from './reshape.ts';

export interface SumAttrs {
  /** The axes summed over, sorted; all of them for a full sum. */
  axes: readonly number[];
  /** Whether every axis is summed (the label then says `sum`). */
  all: boolean;
  keepDims: boolean;
}

function keptShape(shape: Shape, axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

function sumForward(x: Tensor, { axes, keepDims }: SumAttrs): Tensor {
  const kept = keptShape(x.shape, axes);
  const out = new Float64Array(sizeOf(kept));
  const X = x.data;
  if (out.length === 1) {
    let s = 0;
    for (let i = 0; i < X.length; i++) s += X[i];
    out[0] = s;
  } else {
    // walk the input in order; each element lands in the output cell with the summed axes at 0
    const inStrides = stridesOf(x.shape);
    const outStrides = stridesOf(kept);
    for (let i = 0; i < X.length; i++) {
      let rest = i;
      let o = 0;
      for (let ax = 0; ax < x.shape.length; ax++) {
        const c = Math.floor(rest / inStrides[ax]);
        rest -= c * inStrides[ax];
        if (kept[ax] !== 1) o += c * outStrides[ax];
      }
      out[o] += X[i];
    }
  }
  const shape = keepDims ? kept : x.shape.filter((_, i) => !axes.includes(i));
  return new Tensor(out, shape);
}

// y = Σᵢ xᵢ (over some axes)      ∂y/∂xᵢ = 1: the gradient is copied back along the summed axes
export const sumOp = defineOp({
  name: 'sum',
  inputs: ['x'],
  forward: ([x], attrs: SumAttrs) => sumForward(x, attrs),
  derivatives: {
    x: {
      formula: '∂(Σ xᵢ)/∂xᵢ = 1',
      vjp: ({ grad, x, attrs: { axes } }) => broadcastTo(reshape(grad, keptShape(x.shape, axes)), x.shape),
    },
  },
  describe: ({ axes, all, keepDims }) => 
    all && !keepDims ? 'sum' : `sum(${axes.length ? `axis=${axes.join(',')}` : 'no axes'}${keepDims ? ', keepDims' : ''})`,
});

/** Sum of all elements, or along `axis` (a number or several); `keepDims` keeps them as size 1. */
export function sum(x: TensorLike, axis?: number | readonly number[], options?: { keepDims?: boolean }): Tensor {
  const t = toTensor(x);
  const axes = resolveAxes('sum', t.shape, axis);
  return sumOp.apply([t], { axes, all: axes.length === t.rank, keepDims: options?.keepDims ?? false });
}

export function resolveAxes(opName: string, shape: Shape, axis: number | readonly number[] | undefined): number[] {
  if (axis === undefined) return shape.map((_, i) => i);
  const list = typeof axis === 'number' ? [axis] : [...axis];
  const axes = list.map((a) => normalizeAxis(opName, a, shape.length));
  if (new Set(axes).size !== axes.length) throw new Error(`${opName}: repeated axis in ${formatShape(list)}`);
  return axes.sort((a, b) => a - b);
}
