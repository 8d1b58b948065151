// upsample: PyTorch's `interpolate` for NCHW tensors, nearest and bilinear. Each output value
// is a fixed weighted sum of at most four input values, the weights set by the sizes alone:
//   y[oy, ox] = Σ a_r(oy)·b_c(ox)·x[r, c]      (r among the row taps of oy, c the column taps of ox)
// so the op is linear in x, and its adjoint (the gradient) spreads each ∂L/∂y back with the
// same weights; the adjoint's own adjoint is upsample again, so second derivatives need nothing more.
import { describeValue, GradlabError } from '../errors.ts';
import { defineOp } from '../op.ts';
import { formatShape, MAX_ELEMENTS } from '../shape.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import type { KernelBase } from './kernels.ts';

/** For each output position along one axis: the two input taps and their weights (nearest: one tap, weight 1). */
export interface Taps {
  readonly i0: Int32Array;
  readonly i1: Int32Array;
  readonly l0: Float64Array;
  readonly l1: Float64Array;
}

export interface UpsampleAttrs {
  readonly mode: 'nearest' | 'bilinear';
  readonly alignCorners: boolean;
  /** The input's [N, C, H, W] and the output's height and width. */
  readonly input: readonly number[];
  readonly oh: number;
  readonly ow: number;
  /** The scale factors as given (for the label), or null when a size was given. */
  readonly scaleFactor: readonly [number, number] | null;
  readonly rows: Taps;
  readonly cols: Taps;
}

/**
 * The taps of one axis, as PyTorch computes them. Nearest: src = ⌊dst·scale⌋ in float32
 * arithmetic (scale = 1/scaleFactor, or in/out), at most n − 1. Bilinear: src = scale·(dst + ½) − ½
 * (at least 0), or with alignCorners src = dst·(n − 1)/(out − 1); taps ⌊src⌋ and the next (within
 * the input), weights 1 − λ and λ = src − ⌊src⌋.
 */
function tapsOf(mode: 'nearest' | 'bilinear', alignCorners: boolean, n: number, out: number, scaleFactor: number | null): Taps {
  const i0 = new Int32Array(out);
  const i1 = new Int32Array(out);
  const l0 = new Float64Array(out);
  const l1 = new Float64Array(out);
  if (mode === 'nearest') {
    const scale = Math.fround(scaleFactor !== null ? 1 / scaleFactor : n / out);
    for (let o = 0; o < out; o++) {
      const src = out === n ? o : out === 2 * n ? o >> 1 : Math.min(Math.floor(Math.fround(o * scale)), n - 1);
      i0[o] = src;
      i1[o] = src;
      l0[o] = 1;
    }
    return { i0, i1, l0, l1 };
  }
  const scale = alignCorners ? (out > 1 ? (n - 1) / (out - 1) : 0) : scaleFactor !== null ? 1 / scaleFactor : n / out;
  for (let o = 0; o < out; o++) {
    let src = alignCorners ? scale * o : scale * (o + 0.5) - 0.5;
    if (src < 0) src = 0;
    const at = Math.min(Math.floor(Math.fround(src)), n - 1);
    const lambda = Math.min(Math.max(src - at, 0), 1);
    i0[o] = at;
    i1[o] = at < n - 1 ? at + 1 : at;
    l0[o] = 1 - lambda;
    l1[o] = lambda;
  }
  return { i0, i1, l0, l1 };
}

/** y[p, oy, ox] = nearest: x at (row tap, column tap); bilinear: (x₀₀b₀ + x₀₁b₁)a₀ + (x₁₀b₀ + x₁₁b₁)a₁. */
const upsampleKernel: KernelBase<UpsampleAttrs> & { readonly kind: 'resample' } = {
  kind: 'resample',
  shape: (_, { input, oh, ow }) => [input[0], input[1], oh, ow],
  run: (out, [x], { mode, input, oh, ow, rows, cols }) => {
    const h = input[2];
    const w = input[3];
    const planes = input[0] * input[1];
    const X = x.data;
    let o = 0;
    for (let p = 0; p < planes; p++) {
      const base = p * h * w;
      for (let oy = 0; oy < oh; oy++) {
        const r0 = base + rows.i0[oy] * w;
        if (mode === 'nearest') {
          for (let ox = 0; ox < ow; ox++) out[o++] = X[r0 + cols.i0[ox]];
          continue;
        }
        const r1 = base + rows.i1[oy] * w;
        const a0 = rows.l0[oy];
        const a1 = rows.l1[oy];
        for (let ox = 0; ox < ow; ox++) {
          const c0 = cols.i0[ox];
          const c1 = cols.i1[ox];
          const b0 = cols.l0[ox];
          const b1 = cols.l1[ox];
          out[o++] = (X[r0 + c0] * b0 + X[r0 + c1] * b1) * a0 + (X[r1 + c0] * b0 + X[r1 + c1] * b1) * a1;
        }
      }
    }
  },
};

/** y = zeros of x's shape, each gₒ added at its taps with their weights (a₀b₀, a₀b₁, a₁b₀, a₁b₁). */
const backwardKernel: KernelBase<UpsampleAttrs> & { readonly kind: 'resample' } = {
  kind: 'resample',
  shape: (_, { input }) => input,
  run: (out, [g], { mode, input, oh, ow, rows, cols }) => {
    const h = input[2];
    const w = input[3];
    const planes = input[0] * input[1];
    const G = g.data;
    out.fill(0);
    let o = 0;
    for (let p = 0; p < planes; p++) {
      const base = p * h * w;
      for (let oy = 0; oy < oh; oy++) {
        const r0 = base + rows.i0[oy] * w;
        if (mode === 'nearest') {
          for (let ox = 0; ox < ow; ox++) out[r0 + cols.i0[ox]] += G[o++];
          continue;
        }
        const r1 = base + rows.i1[oy] * w;
        const a0 = rows.l0[oy];
        const a1 = rows.l1[oy];
        for (let ox = 0; ox < ow; ox++) {
          const c0 = cols.i0[ox];
          const c1 = cols.i1[ox];
          const b0 = cols.l0[ox];
          const b1 = cols.l1[ox];
          const v = G[o++];
          out[r0 + c0] += a0 * b0 * v;
          out[r0 + c1] += a0 * b1 * v;
          out[r1 + c0] += a1 * b0 * v;
          out[r1 + c1] += a1 * b1 * v;
        }
      }
    }
  },
};

const describe = (name: string) => ({ mode, alignCorners, scaleFactor, oh, ow }: UpsampleAttrs): string => {
  const how = scaleFactor ? `scaleFactor=${scaleFactor[0] === scaleFactor[1] ? scaleFactor[0] : `(${scaleFactor[0]},${scaleFactor[1]})`}` : `size=${oh}×${ow}`;
  return `${name}(${how}, ${mode}${alignCorners ? ', alignCorners' : ''})`;
};

// y = A·x with A the interpolation weights      ∂yₒ/∂xᵢ = the weight of tap i in output o
export const upsampleOp = defineOp({
  name: 'upsample',
  inputs: ['x'],
  kernel: upsampleKernel,
  derivatives: {
    x: {
      formula: '∂yₒ/∂xᵢ = aᵣ(oy)·b꜀(ox) if xᵢ = x[r, c] is a tap of output o, so ∂L/∂x = upsampleBackward(∂L/∂y) = Aᵀ·∂L/∂y',
      vjp: ({ grad, attrs }): Tensor => upsampleBackwardOp.apply([grad], attrs),
    },
  },
  describe: describe('upsample'),
});

// y = Aᵀ·g: each gₒ spread over its taps with their weights      linear in g: ∂L/∂g = A·∂L/∂y = upsample(∂L/∂y)
export const upsampleBackwardOp = defineOp({
  name: 'upsampleBackward',
  inputs: ['g'],
  kernel: backwardKernel,
  derivatives: {
    g: {
      formula: '∂yᵢ/∂gₒ = the weight of tap i in output o, so ∂L/∂g = upsample(∂L/∂y)',
      vjp: ({ grad, attrs }): Tensor => upsampleOp.apply([grad], attrs),
    },
  },
  describe: describe('upsampleBackward'),
});

export interface UpsampleOptions {
  /** The output's [height, width] (or one number for both). Give this or scaleFactor. */
  size?: number | readonly number[];
  /** The output is ⌊H·s⌋ × ⌊W·s⌋ (one number, or [sH, sW]); the taps use 1/s, as PyTorch without recompute_scale_factor. */
  scaleFactor?: number | readonly number[];
  /** 'nearest' (the default) or 'bilinear'. */
  mode?: 'nearest' | 'bilinear';
  /** Bilinear only: the corner pixels' centres of input and output coincide (default false). */
  alignCorners?: boolean;
}

/** A number or one per spatial axis, each checked by `ok`; as [height, width]. */
function pairOf(what: string, value: unknown, ok: (v: unknown) => v is number, must: string): [number, number] {
  if (ok(value)) return [value, value];
  if (Array.isArray(value) && value.length === 2 && value.every(ok)) return [value[0], value[1]];
  const shown = Array.isArray(value) ? `[${value.map((v) => describeValue(v)).join(',')}]` : describeValue(value);
  throw new GradlabError(`upsample: ${what} must be ${must} or a pair of them ([height, width]), got ${shown}`);
}

/**
 * Resizes x [N, C, H, W] as PyTorch's `F.interpolate(x, size | scale_factor, mode,
 * align_corners)`: `upsample(x, { scaleFactor: 2 })` (nearest), `upsample(x, { size: [5, 7],
 * mode: 'bilinear', alignCorners: true })`. It may shrink as well (size or scaleFactor < 1).
 */
export function upsample(x: TensorLike, options: UpsampleOptions): Tensor {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new GradlabError(`upsample: options must be an object { size | scaleFactor, mode, alignCorners }, got ${describeValue(options)}`);
  }
  const t = toTensor(x);
  if (t.rank !== 4) throw new GradlabError(`upsample: x must be [N,C,H,W] (rank 4), got ${formatShape(t.shape)}`);
  const { size, scaleFactor, mode = 'nearest', alignCorners } = options;
  if (mode !== 'nearest' && mode !== 'bilinear') throw new GradlabError(`upsample: mode must be 'nearest' or 'bilinear', got ${describeValue(mode)}`);
  if (alignCorners !== undefined) {
    if (typeof alignCorners !== 'boolean') throw new GradlabError(`upsample: alignCorners must be true or false, got ${describeValue(alignCorners)}`);
    if (mode === 'nearest') throw new GradlabError("upsample: alignCorners can only be set with mode 'bilinear' (as PyTorch)");
  }
  if ((size === undefined) === (scaleFactor === undefined)) {
    throw new GradlabError('upsample: give exactly one of size and scaleFactor');
  }
  const [, , h, w] = t.shape;
  if (h === 0 || w === 0) throw new GradlabError(`upsample: x ${formatShape(t.shape)} has no values to interpolate along its spatial axes`);
  let oh: number;
  let ow: number;
  let scales: [number, number] | null = null;
  if (size !== undefined) {
    [oh, ow] = pairOf('size', size, (v): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1, 'an integer ≥ 1');
  } else {
    scales = pairOf('scaleFactor', scaleFactor, (v): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0, 'a finite number > 0');
    oh = Math.floor(h * scales[0]);
    ow = Math.floor(w * scales[1]);
    if (oh < 1 || ow < 1) {
      throw new GradlabError(`upsample: scaleFactor ${scales[0]}×${scales[1]} makes x ${formatShape(t.shape)} ${oh}×${ow}; the output needs at least one row and column`);
    }
  }
  if (t.shape[0] * t.shape[1] * oh * ow > MAX_ELEMENTS || oh > MAX_ELEMENTS || ow > MAX_ELEMENTS) {
    throw new GradlabError(`upsample: the result [${t.shape[0]},${t.shape[1]},${oh},${ow}] would have more than the limit of ${MAX_ELEMENTS} (2^27) elements`);
  }
  const align = alignCorners ?? false;
  const attrs: UpsampleAttrs = {
    mode,
    alignCorners: align,
    input: t.shape,
    oh,
    ow,
    scaleFactor: scales,
    rows: tapsOf(mode, align, h, oh, scales && scales[0]),
    cols: tapsOf(mode, align, w, ow, scales && scales[1]),
  };
  return upsampleOp.apply([t], attrs);
}
