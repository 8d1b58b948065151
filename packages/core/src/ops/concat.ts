import { GradlabError } from '../errors.ts';
import { defineOp, type Op } from '../op.ts';
import { formatShape, type Shape } from '../shape.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import type { KernelBase } from './kernels.ts';
import { checkAxis } from './reduce.ts';
import { sliceAxis } from './slice.ts';

interface ConcatAttrs {
  readonly axis: number;
  /** Where each input starts along the axis, and (last) the result's size along it. */
  readonly offsets: readonly number[];
}

function concatShape(inputs: readonly Tensor[], axis: number): Shape {
  const first = inputs[0].shape;
  let total = 0;
  for (const x of inputs) {
    const fits = x.rank === first.length && x.shape.every((d, a) => a === axis || d === first[a]);
    if (!fits) {
      throw new GradlabError(
        `concat: shapes ${inputs.map((t) => formatShape(t.shape)).join(', ')} differ outside axis ${axis} ` +
          `(all must be [${first.map((d, a) => (a === axis ? '*' : d)).join(',')}])`,
      );
    }
    total += x.shape[axis];
  }
  return first.map((d, a) => (a === axis ? total : d));
}

/** Each input's rows (the axis and the axes after it) copied after the previous input's, block by block. */
const concatKernel: KernelBase<ConcatAttrs> & { readonly kind: 'concat' } = {
  kind: 'concat',
  shape: (inputs, { axis }) => concatShape(inputs, axis),
  run: (out, inputs, { axis }) => {
    const shape = inputs[0].shape;
    let outer = 1;
    for (let a = 0; a < axis; a++) outer *= shape[a];
    let inner = 1;
    for (let a = axis + 1; a < shape.length; a++) inner *= shape[a];
    let total = 0;
    for (const x of inputs) total += x.shape[axis];
    let offset = 0;
    for (const x of inputs) {
      const block = x.shape[axis] * inner;
      const X = x.data;
      for (let o = 0; o < outer; o++) {
        const to = o * total * inner + offset;
        for (let k = 0; k < block; k++) out[to + k] = X[o * block + k];
      }
      offset += block;
    }
  },
};

/** concat of n tensors: one op per count of inputs (x0, x1, …), made when first needed. */
const byCount = new Map<number, Op<string, ConcatAttrs>>();

function concatOp(n: number): Op<string, ConcatAttrs> {
  let op = byCount.get(n);
  if (!op) {
    const names = Array.from({ length: n }, (_, i) => `x${i}`);
    // y = [x₀ x₁ …] along an axis      ∂L/∂xₖ = the part of ∂L/∂y where xₖ was placed
    const derivatives = Object.fromEntries(
      names.map((name, i) => [
        name,
        {
          formula: `∂L/∂${name} = ∂L/∂y sliced where ${name} was placed`,
          vjp: ({ grad, attrs: { axis, offsets } }: { grad: Tensor; attrs: ConcatAttrs }) => sliceAxis(grad, axis, offsets[i], offsets[i + 1]),
        },
      ]),
    );
    op = defineOp<string, ConcatAttrs>({
      name: 'concat',
      inputs: names,
      kernel: concatKernel,
      derivatives,
      describe: ({ axis }) => `concat(axis=${axis})`,
    });
    byCount.set(n, op);
  }
  return op;
}

/** The tensors joined along `axis` (default 0); their other dimensions must agree. */
export function concat(tensors: readonly TensorLike[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new GradlabError('concat: expected a non-empty list of tensors');
  const xs = tensors.map(toTensor);
  const a = checkAxis('concat', xs[0].shape, axis);
  concatShape(xs, a);
  const offsets = [0];
  for (const x of xs) offsets.push(offsets[offsets.length - 1] + x.shape[a]);
  return concatOp(xs.length).apply(xs, { axis: a, offsets });
}
