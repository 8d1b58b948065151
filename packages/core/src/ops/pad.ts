import { describeValue, GradlabError } from '../errors.ts';
import { defineOp } from '../op.ts';
import { formatShape } from '../shape.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import type { KernelBase } from './kernels.ts';
import { sliceIndex, sliceOp, type SliceAttrs } from './slice.ts';

/** Per axis, how many values go before and after it: `[[before₀, after₀], [before₁, after₁], …]`. */
export type PadWidths = readonly (readonly [before: number, after: number])[];

interface PadAttrs {
  /** Where x lies in the result: a slice of it (the befores as starts, x's shape, steps of 1). */
  readonly inner: SliceAttrs;
  readonly value: number;
}

/** y = `value` everywhere, with x copied into the slice where it lies. */
const padKernel: KernelBase<PadAttrs> & { readonly kind: 'pad' } = {
  kind: 'pad',
  shape: (_, { inner }) => inner.full,
  run: (out, [x], { inner, value }) => {
    out.fill(value);
    const index = sliceIndex(inner);
    const X = x.data;
    for (let o = 0; o < index.length; o++) out[index[o]] = X[o];
  },
};

const describeWidths = ({ inner: { starts, sliced, full } }: PadAttrs) =>
  starts.map((before, a) => `${before},${full[a] - sliced[a] - before}`).join('; ');

// y = x with `value` around it      ∂yⱼ/∂xᵢ = 1 where yⱼ is xᵢ, 0 on the padding: ∂L/∂x = ∂L/∂y sliced where x lies
export const padOp = defineOp({
  name: 'pad',
  inputs: ['x'],
  kernel: padKernel,
  derivatives: {
    x: { formula: '∂yⱼ/∂xᵢ = 1 where yⱼ is xᵢ (0 on the padding): ∂L/∂x = ∂L/∂y sliced where x lies', vjp: ({ grad, attrs: { inner } }) => sliceOp.apply([grad], inner) },
  },
  describe: (attrs) => `pad[${describeWidths(attrs)}]${attrs.value === 0 ? '' : `(value=${attrs.value})`}`,
});

/**
 * x with `widths[a][0]` values before and `widths[a][1]` after it along each axis a, all set to
 * `value` (default 0): one [before, after] pair per axis, first axis first (numpy's `np.pad`
 * order; PyTorch's `F.pad` lists the last axis first instead). Widths are integers ≥ 0.
 */
export function pad(x: TensorLike, widths: PadWidths, value = 0): Tensor {
  const t = toTensor(x);
  const pairs = Array.isArray(widths) ? (widths as readonly unknown[]) : null;
  const valid =
    pairs !== null &&
    pairs.length === t.rank &&
    pairs.every((p) => Array.isArray(p) && p.length === 2 && p.every((w) => typeof w === 'number' && Number.isInteger(w) && w >= 0));
  if (!valid) {
    const got = pairs === null ? describeValue(widths) : JSON.stringify(widths);
    throw new GradlabError(`pad: widths must be ${t.rank} pairs [before, after] of integers ≥ 0, one per axis of x ${formatShape(t.shape)}, got ${got}`);
  }
  if (typeof value !== 'number') throw new GradlabError(`pad: value must be a number, got ${describeValue(value)}`);
  const inner: SliceAttrs = {
    starts: widths.map(([before]) => before),
    steps: t.shape.map(() => 1),
    sliced: t.shape,
    full: t.shape.map((d, a) => d + widths[a][0] + widths[a][1]),
  };
  return padOp.apply([t], { inner, value });
}
