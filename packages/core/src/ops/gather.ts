import { GradlabError } from '../errors.ts';
import { defineOp } from '../op.ts';
import { formatShape, stridesOf, type Shape } from '../shape.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { badIndex, indexOffset, toIndexTensor, type IndexLike } from './indices.ts';
import type { KernelBase } from './kernels.ts';
import { checkAxis } from './reduce.ts';
import { stridedIndex } from './strided.ts';

interface GatherAttrs {
  readonly axis: number;
}

interface ScatterAttrs extends GatherAttrs {
  /** The result's shape: that of the x gathered from. */
  readonly shape: Shape;
}

/**
 * For each element o of `index` (row-major), where it reads in a tensor of shape `shape` except
 * along `axis`: the index value times that axis's stride is added to it.
 */
function offsets(indexShape: Shape, shape: Shape, axis: number): { base: Int32Array; stride: number; n: number } {
  const strides = stridesOf(shape);
  return { base: stridedIndex(indexShape, 0, strides.map((s, d) => (d === axis ? 0 : s))), stride: strides[axis], n: shape[axis] };
}

const NO_NEGATIVE = false; // torch.gather refuses negative indices

function gatherShape(opName: string, shape: Shape, index: Tensor, axis: number): Shape {
  if (index.rank !== shape.length) {
    throw new GradlabError(`${opName}: index ${formatShape(index.shape)} must have the rank of x ${formatShape(shape)} (${shape.length})`);
  }
  for (let d = 0; d < shape.length; d++) {
    if (d !== axis && index.shape[d] > shape[d]) {
      throw new GradlabError(
        `${opName}: index ${formatShape(index.shape)} is larger than x ${formatShape(shape)} along axis ${d} ` +
          `(${index.shape[d]} > ${shape[d]}); only along axis ${axis} may it be larger`,
      );
    }
  }
  return index.shape;
}

/** y[c] = x[c with c[axis] replaced by index[c]]. */
const gatherKernel: KernelBase<GatherAttrs> & { readonly kind: 'gatherAxis' } = {
  kind: 'gatherAxis',
  shape: ([x, index], { axis }, opName) => gatherShape(opName, x.shape, index, axis),
  run: (out, [x, index], { axis }) => {
    const { base, stride, n } = offsets(index.shape, x.shape, axis);
    const X = x.data;
    const I = index.data;
    for (let o = 0; o < out.length; o++) {
      const p = indexOffset(I[o], n, NO_NEGATIVE);
      if (p < 0) badIndex('gather', 'index', I[o], o, n, NO_NEGATIVE, `axis ${axis} of x ${formatShape(x.shape)}`);
      out[o] = X[base[o] + stride * p];
    }
  },
};

/** y = zeros of the shape, then y[c with c[axis] replaced by index[c]] += g[c], in row-major order of c. */
const scatterAddKernel: KernelBase<ScatterAttrs> & { readonly kind: 'scatterAdd' } = {
  kind: 'scatterAdd',
  shape: ([g, index], { axis, shape }, opName) => {
    if (formatShape(g.shape) !== formatShape(index.shape)) {
      throw new GradlabError(`${opName}: g ${formatShape(g.shape)} and index ${formatShape(index.shape)} must have one shape`);
    }
    gatherShape(opName, shape, index, axis);
    return shape;
  },
  run: (out, [g, index], { axis, shape }) => {
    out.fill(0);
    const { base, stride, n } = offsets(index.shape, shape, axis);
    const G = g.data;
    const I = index.data;
    for (let o = 0; o < G.length; o++) {
      const p = indexOffset(I[o], n, NO_NEGATIVE);
      if (p < 0) badIndex('scatterAdd', 'index', I[o], o, n, NO_NEGATIVE, `axis ${axis} of ${formatShape(shape)}`);
      out[base[o] + stride * p] += G[o];
    }
  },
};

const NOT_DIFFERENTIABLE = { notDifferentiable: 'an index only selects: no gradient flows into it' };

// y[c] = x[c with c[axis] = index[c]]      ∂yₒ/∂xₚ = 1 where element o reads p: ∂L/∂x = scatterAdd(∂L/∂y)
export const gatherOp = defineOp({
  name: 'gather',
  inputs: ['x', 'index'],
  kernel: gatherKernel,
  derivatives: {
    x: {
      formula: '∂yₒ/∂xₚ = 1 where yₒ reads xₚ: ∂L/∂x = ∂L/∂y scattered back, added where indices repeat',
      vjp: ({ grad, x, index, attrs: { axis } }): Tensor => scatterAddOp.apply([grad, index], { axis, shape: x.shape }),
    },
    index: NOT_DIFFERENTIABLE,
  },
  describe: ({ axis }) => `gather(axis=${axis})`,
});

// y = 0, y[c with c[axis] = index[c]] += g[c]      ∂yₚ/∂gₒ = 1 where gₒ is added into yₚ: ∂L/∂g = gather(∂L/∂y)
export const scatterAddOp = defineOp({
  name: 'scatterAdd',
  inputs: ['g', 'index'],
  kernel: scatterAddKernel,
  derivatives: {
    g: {
      formula: '∂yₚ/∂gₒ = 1 where gₒ is added into yₚ: ∂L/∂g = gather(∂L/∂y)',
      vjp: ({ grad, index, attrs: { axis } }): Tensor => gatherOp.apply([grad, index], { axis }),
    },
    index: NOT_DIFFERENTIABLE,
  },
  describe: ({ axis, shape }) => `scatterAdd(axis=${axis}) → ${formatShape(shape)}`,
});

/**
 * PyTorch's `torch.gather`: y has the shape of `index` (of x's rank; along axes other than
 * `axis` no larger than x), and y[i][j][k] = x[index[i][j][k]][j][k] for axis 0 (likewise for the
 * others). Indices are integers in 0 … n−1 (n the size of x along `axis`; negative ones are
 * refused, as PyTorch refuses them); a repeated index gathers a value twice, and its gradient adds.
 */
export function gather(x: TensorLike, axis: number, index: IndexLike): Tensor {
  const t = toTensor(x);
  if (t.rank === 0) throw new GradlabError(`gather: x must have at least one axis, got shape ${formatShape(t.shape)}`);
  const a = checkAxis('gather', t.shape, axis);
  return gatherOp.apply([t, toIndexTensor('gather', 'index', index)], { axis: a });
}
