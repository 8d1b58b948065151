import { GradlabError } from '../errors.ts';
import { defineOp } from '../op.ts';
import { formatShape, stridesOf, type Shape } from '../shape.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import type { GatherKernel, KernelBase } from './kernels.ts';
import { copyStrided, stridedIndex } from './strided.ts';

/** Where a slice lies in x: per axis of x, its first index and step; `sliced` is its shape. */
export interface SliceAttrs {
  readonly starts: readonly number[];
  readonly steps: readonly number[];
  readonly sliced: Shape;
  /** x's shape (sliceScatter's result). */
  readonly full: Shape;
}

function base({ starts, full }: SliceAttrs): number {
  const strides = stridesOf(full);
  let b = 0;
  for (let a = 0; a < full.length; a++) b += starts[a] * strides[a];
  return b;
}

function steps({ steps: s, full }: SliceAttrs): number[] {
  return stridesOf(full).map((stride, a) => stride * s[a]);
}

/** y = x[start:end:step, …]: each element of y reads one element of x. */
const sliceKernel: GatherKernel<SliceAttrs> = {
  kind: 'gather',
  shape: (_, { sliced }) => sliced,
  run: (out, [x], attrs) => copyStrided(out, x.data, attrs.sliced, base(attrs), steps(attrs)),
  index: (_, attrs) => stridedIndex(attrs.sliced, base(attrs), steps(attrs)),
};

/** Where each element of the slice lies in x (row-major over the slice). */
export function sliceIndex(attrs: SliceAttrs): Int32Array {
  return stridedIndex(attrs.sliced, base(attrs), steps(attrs));
}

/** y = zeros of x's shape with the slice set to g: slice's adjoint. */
const sliceScatterKernel: KernelBase<SliceAttrs> & { readonly kind: 'sliceScatter' } = {
  kind: 'sliceScatter',
  shape: (_, { full }) => full,
  run: (out, [g], attrs) => {
    out.fill(0);
    const index = sliceIndex(attrs);
    const G = g.data;
    for (let o = 0; o < index.length; o++) out[index[o]] = G[o];
  },
};

const describeSlice = ({ starts, steps: s, sliced }: SliceAttrs): string =>
  starts.map((start, a) => `${start}:${sliced[a] > 0 ? start + (sliced[a] - 1) * s[a] + 1 : start}${s[a] === 1 ? '' : `:${s[a]}`}`).join(', ');

// y = x[start:end:step] (per axis)      ∂yⱼ/∂xᵢ = 1 where yⱼ is a copy of xᵢ: ∂L/∂x is ∂L/∂y put back in place, 0 elsewhere
export const sliceOp = defineOp({
  name: 'slice',
  inputs: ['x'],
  kernel: sliceKernel,
  derivatives: {
    x: { formula: '∂yⱼ/∂xᵢ = 1 if yⱼ is xᵢ: ∂L/∂x = ∂L/∂y in the slice, 0 elsewhere', vjp: ({ grad, attrs }): Tensor => sliceScatterOp.apply([grad], attrs) },
  },
  describe: (attrs) => `slice[${describeSlice(attrs)}]`,
});

// y = zeros of x's shape with y[slice] = g      ∂y/∂g = 1 in the slice: ∂L/∂g = (∂L/∂y)[slice]
export const sliceScatterOp = defineOp({
  name: 'sliceScatter',
  inputs: ['g'],
  kernel: sliceScatterKernel,
  derivatives: {
    g: { formula: '∂yᵢ/∂gⱼ = 1 where gⱼ is placed: ∂L/∂g = (∂L/∂y)[slice]', vjp: ({ grad, attrs }): Tensor => sliceOp.apply([grad], attrs) },
  },
  describe: (attrs) => `sliceScatter[${describeSlice(attrs)}] → ${formatShape(attrs.full)}`,
});

function checkIndices(name: string, values: readonly number[] | undefined, x: Tensor): void {
  if (values === undefined) return;
  if (!Array.isArray(values) || values.length > x.rank || values.some((v) => typeof v !== 'number' || !Number.isInteger(v))) {
    throw new GradlabError(
      `slice: ${name} must be integers, at most one per axis of x ${formatShape(x.shape)}, got ${JSON.stringify(values)}`,
    );
  }
}

/**
 * x[starts[0]:ends[0]:steps[0], starts[1]:ends[1]:steps[1], …] as in Python: one entry per
 * leading axis (the other axes whole), negative indices counting from the end, indices past
 * either end clamped, steps ≥ 1 (default 1).
 */
export function slice(x: TensorLike, starts: readonly number[], ends?: readonly number[], steps?: readonly number[]): Tensor {
  const t = toTensor(x);
  checkIndices('starts', starts, t);
  checkIndices('ends', ends, t);
  checkIndices('steps', steps, t);
  const first: number[] = [];
  const step: number[] = [];
  const sliced: number[] = [];
  t.shape.forEach((n, a) => {
    const s = steps?.[a] ?? 1;
    if (s < 1) throw new GradlabError(`slice: step ${s} for axis ${a} of x ${formatShape(t.shape)} must be at least 1`);
    const clamp = (i: number) => Math.min(Math.max(i < 0 ? i + n : i, 0), n);
    const begin = clamp(starts[a] ?? 0);
    const end = clamp(ends?.[a] ?? n);
    first.push(begin);
    step.push(s);
    sliced.push(end > begin ? Math.ceil((end - begin) / s) : 0);
  });
  return sliceOp.apply([t], { starts: first, steps: step, sliced, full: t.shape });
}

/** The slice of `x` from `start` to `end` (exclusive) along one axis (other axes whole). */
export function sliceAxis(x: Tensor, axis: number, start: number, end: number): Tensor {
  const starts = x.shape.map((_, a) => (a === axis ? start : 0));
  const sliced = x.shape.map((n, a) => (a === axis ? end - start : n));
  if (start === 0 && end === x.shape[axis]) return x; // the whole axis (compared by bounds: an empty x has every size)
  return sliceOp.apply([x], { starts, steps: x.shape.map(() => 1), sliced, full: x.shape });
}
