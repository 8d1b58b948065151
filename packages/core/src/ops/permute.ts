import { GradlabError } from '../errors.ts';
import { defineOp } from '../op.ts';
import { formatShape, stridesOf } from '../shape.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import type { GatherKernel } from './kernels.ts';
import { copyStrided, stridedIndex } from './strided.ts';

interface PermuteAttrs {
  /** Axis k of y is axis axes[k] of x. */
  readonly axes: readonly number[];
}

const permuted = (x: Tensor, axes: readonly number[]) => axes.map((a) => x.shape[a]);
const strides = (x: Tensor, axes: readonly number[]) => {
  const s = stridesOf(x.shape);
  return axes.map((a) => s[a]);
};

/** y[c₀, c₁, …] = x[c at the places axes say]: each element of y reads one element of x. */
const permuteKernel: GatherKernel<PermuteAttrs> = {
  kind: 'gather',
  shape: ([x], { axes }) => permuted(x, axes),
  run: (out, [x], { axes }) => copyStrided(out, x.data, permuted(x, axes), 0, strides(x, axes)),
  index: ([x], { axes }) => stridedIndex(permuted(x, axes), 0, strides(x, axes)),
};

/** The permutation that undoes `axes`. */
function inverse(axes: readonly number[]): number[] {
  const inv = new Array<number>(axes.length);
  axes.forEach((a, k) => (inv[a] = k));
  return inv;
}

// y = x with its axes reordered (axis k of y is axis axes[k] of x)      ∂L/∂x = ∂L/∂y with the inverse order
export const permuteOp = defineOp({
  name: 'permute',
  inputs: ['x'],
  kernel: permuteKernel,
  derivatives: {
    x: { formula: '∂yⱼ/∂xᵢ = 1 where yⱼ is xᵢ: ∂L/∂x = permute(∂L/∂y, inverse)', vjp: ({ grad, attrs: { axes } }): Tensor => permuteOp.apply([grad], { axes: inverse(axes) }) },
  },
  describe: ({ axes }) => `permute(${axes.join(',')})`,
});

/** The axes of x reordered: axis k of the result is axis `axes[k]` of x (negative counts from the end). */
export function permute(x: TensorLike, axes: readonly number[]): Tensor {
  const t = toTensor(x);
  const r = t.rank;
  const list: readonly number[] = Array.isArray(axes) ? axes : [];
  const normal = list.map((a) => (typeof a === 'number' && a < 0 ? a + r : a));
  const ok = normal.length === r && normal.every((a) => Number.isInteger(a) && a >= 0 && a < r) && new Set(normal).size === r;
  if (!ok) {
    throw new GradlabError(`permute: axes ${JSON.stringify(axes)} are not an order of the ${r} axes of x ${formatShape(t.shape)}`);
  }
  return permuteOp.apply([t], { axes: normal });
}
