import { GradlabError } from '../errors.ts';
import { defineOp } from '../op.ts';
import { formatShape, type Shape } from '../shape.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { badIndex, indexOffset, toIndexTensor, type IndexLike } from './indices.ts';
import type { KernelBase } from './kernels.ts';
import { checkAxis } from './reduce.ts';

interface IndexAttrs {
  readonly axis: number;
}

interface IndexAddAttrs extends IndexAttrs {
  /** The result's shape: that of the x indexed. */
  readonly shape: Shape;
}

/** How many elements come before `axis` (outer) and after it (inner, one slice's block). */
function blocks(shape: Shape, axis: number): { outer: number; inner: number } {
  let outer = 1;
  for (let a = 0; a < axis; a++) outer *= shape[a];
  let inner = 1;
  for (let a = axis + 1; a < shape.length; a++) inner *= shape[a];
  return { outer, inner };
}

function checkIndices(opName: string, indices: Tensor): void {
  if (indices.rank > 1) throw new GradlabError(`${opName}: indices must be a list (1-D), got shape ${formatShape(indices.shape)}`);
}

const NEGATIVE = true; // as x[indices] in Python, −1 is the last slice

/** y = x with the slices along `axis` taken in the order `indices` lists them. */
const indexKernel: KernelBase<IndexAttrs> & { readonly kind: 'index' } = {
  kind: 'index',
  shape: ([x, indices], { axis }, opName) => {
    checkIndices(opName, indices);
    return x.shape.map((d, a) => (a === axis ? indices.size : d));
  },
  run: (out, [x, indices], { axis }) => {
    const { outer, inner } = blocks(x.shape, axis);
    const n = x.shape[axis];
    const k = indices.size;
    const X = x.data;
    const I = indices.data;
    for (let j = 0; j < k; j++) {
      const p = indexOffset(I[j], n, NEGATIVE);
      if (p < 0) badIndex('index', 'indices', I[j], j, n, NEGATIVE, `axis ${axis} of x ${formatShape(x.shape)}`);
      for (let o = 0; o < outer; o++) {
        const from = (o * n + p) * inner;
        const to = (o * k + j) * inner;
        for (let i = 0; i < inner; i++) out[to + i] = X[from + i];
      }
    }
  },
};

/** y = zeros of the shape, then slice indices[j] along `axis` += slice j of g, for j in order. */
const indexAddKernel: KernelBase<IndexAddAttrs> & { readonly kind: 'indexAdd' } = {
  kind: 'indexAdd',
  shape: ([g, indices], { axis, shape }, opName) => {
    checkIndices(opName, indices);
    const expected = shape.map((d, a) => (a === axis ? indices.size : d));
    if (formatShape(g.shape) !== formatShape(expected)) {
      throw new GradlabError(`${opName}: g ${formatShape(g.shape)} must be ${formatShape(expected)} for ${indices.size} indices along axis ${axis} of ${formatShape(shape)}`);
    }
    return shape;
  },
  run: (out, [g, indices], { axis, shape }) => {
    out.fill(0);
    const { outer, inner } = blocks(shape, axis);
    const n = shape[axis];
    const k = indices.size;
    const G = g.data;
    const I = indices.data;
    for (let j = 0; j < k; j++) {
      const p = indexOffset(I[j], n, NEGATIVE);
      if (p < 0) badIndex('indexAdd', 'indices', I[j], j, n, NEGATIVE, `axis ${axis} of ${formatShape(shape)}`);
      for (let o = 0; o < outer; o++) {
        const to = (o * n + p) * inner;
        const from = (o * k + j) * inner;
        for (let i = 0; i < inner; i++) out[to + i] += G[from + i];
      }
    }
  },
};

const NOT_DIFFERENTIABLE = { notDifferentiable: 'an index only selects: no gradient flows into it' };

// y = x[…, indices, …] (whole slices along an axis)      ∂L/∂x = ∂L/∂y's slices added back where they were taken
export const indexOp = defineOp({
  name: 'index',
  inputs: ['x', 'indices'],
  kernel: indexKernel,
  derivatives: {
    x: {
      formula: '∂yⱼ/∂x_indices[j] = 1 (slice by slice): ∂L/∂x = slices of ∂L/∂y added back where they were taken',
      vjp: ({ grad, x, indices, attrs: { axis } }): Tensor => indexAddOp.apply([grad, indices], { axis, shape: x.shape }),
    },
    indices: NOT_DIFFERENTIABLE,
  },
  describe: ({ axis }) => `index(axis=${axis})`,
});

// y = 0, y[…, indices[j], …] += g[…, j, …]      ∂L/∂g = index(∂L/∂y, indices)
export const indexAddOp = defineOp({
  name: 'indexAdd',
  inputs: ['g', 'indices'],
  kernel: indexAddKernel,
  derivatives: {
    g: {
      formula: '∂y_indices[j]/∂gⱼ = 1 (slice by slice): ∂L/∂g = index(∂L/∂y, indices)',
      vjp: ({ grad, indices, attrs: { axis } }): Tensor => indexOp.apply([grad, indices], { axis }),
    },
    indices: NOT_DIFFERENTIABLE,
  },
  describe: ({ axis, shape }) => `indexAdd(axis=${axis}) → ${formatShape(shape)}`,
});

/**
 * The slices of x along `axis` (default 0) that `indices` lists, in that order (PyTorch's
 * `index_select`, or `x[indices]` for axis 0): a list of integers, negative ones counting from
 * the end as in Python. A slice listed twice is copied twice, and its gradient adds.
 */
export function index(x: TensorLike, indices: IndexLike, axis = 0): Tensor {
  const t = toTensor(x);
  if (t.rank === 0) throw new GradlabError(`index: x must have at least one axis, got shape ${formatShape(t.shape)}`);
  const a = checkAxis('index', t.shape, axis);
  return indexOp.apply([t, toIndexTensor('index', 'indices', indices)], { axis: a });
}
