import { defineOp } from '../op.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import type { KernelBase } from './kernels.ts';
import { describeWindow, extent, poolWindow, type PoolOptions, type SpatialArg, type Window } from './window.ts';

export interface PoolAttrs {
  readonly window: Window;
}

let indices = new Int32Array(0);

/**
 * For each output element of a max pool over x [N, C, H, W], the flat index in x of its
 * window's maximum: the first maximum in row-major window order on ties; a NaN wins (the
 * last NaN), as in PyTorch; a window of −∞ only gives its first element. In scratch memory.
 */
function argmaxes(x: Tensor, win: Window): Int32Array {
  const { kh, kw, sh, sw, ph, pw, dh, dw, h, w, oh, ow } = win;
  const planes = x.shape[0] * x.shape[1];
  const count = planes * oh * ow;
  if (indices.length < count) indices = new Int32Array(Math.max(count, 2 * indices.length));
  const X = x.data;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        let best = -1;
        let m = -Infinity;
        for (let i = 0; i < kh; i++) {
          const iy = oy * sh - ph + i * dh;
          if (iy < 0 || iy >= h) continue;
          for (let j = 0; j < kw; j++) {
            const ix = ox * sw - pw + j * dw;
            if (ix < 0 || ix >= w) continue;
            const k = base + iy * w + ix;
            const v = X[k];
            if (best < 0) best = k;
            if (v > m || v !== v) {
              m = v;
              best = k;
            }
          }
        }
        indices[o++] = best;
      }
    }
  }
  return indices;
}

const pooledShape = ([x]: readonly Tensor[], { window: win }: PoolAttrs) => [x.shape[0], x.shape[1], win.oh, win.ow];

/** y[o] = x at the arg-max of window o. */
const maxPoolKernel: KernelBase<PoolAttrs> & { readonly kind: 'pool' } = {
  kind: 'pool',
  shape: pooledShape,
  run: (out, [x], { window: win }) => {
    const at = argmaxes(x, win);
    const X = x.data;
    for (let o = 0; o < out.length; o++) out[o] = X[at[o]];
  },
};

/** y = zeros of x's shape, g[o] added at the arg-max of window o of x. */
const scatterKernel: KernelBase<PoolAttrs> & { readonly kind: 'pool' } = {
  kind: 'pool',
  shape: ([, x]) => x.shape,
  run: (out, [g, x], { window: win }) => {
    out.fill(0);
    const at = argmaxes(x, win);
    const G = g.data;
    for (let o = 0; o < G.length; o++) out[at[o]] += G[o];
  },
};

/** y[o] = h at the arg-max of window o of x. */
const gatherKernel: KernelBase<PoolAttrs> & { readonly kind: 'pool' } = {
  kind: 'pool',
  shape: ([, x], attrs) => pooledShape([x], attrs),
  run: (out, [h, x], { window: win }) => {
    const at = argmaxes(x, win);
    const H = h.data;
    for (let o = 0; o < out.length; o++) out[o] = H[at[o]];
  },
};

const describe = (name: string) => ({ window: win }: PoolAttrs) => {
  const settings = describeWindow(2, win, [], [win.kh, win.kw]);
  return `${name}(${extent(2, win.kh, win.kw)}${settings ? `, ${settings}` : ''})`;
};

const WHERE = 'x only chooses where each value goes (piecewise constant): no gradient';

// y[o] = max of window o of x      ∂yₒ/∂xᵢ = 1 if xᵢ is the window's arg-max (the first max on ties), else 0
export const maxPool2dOp = defineOp({
  name: 'maxPool2d',
  inputs: ['x'],
  kernel: maxPoolKernel,
  derivatives: {
    x: {
      formula: '∂yₒ/∂xᵢ = 1 if xᵢ is the arg-max of window o (the first on ties), so ∂L/∂x = ∂L/∂y added at the arg-maxes',
      vjp: ({ grad, x, attrs }): Tensor => maxPool2dBackwardOp.apply([grad, x], attrs),
    },
  },
  describe: describe('maxPool2d'),
});

// y = g added at the arg-maxes of x's windows      linear in g: ∂L/∂g = (∂L/∂y) at the arg-maxes
export const maxPool2dBackwardOp = defineOp({
  name: 'maxPool2dBackward',
  inputs: ['g', 'x'],
  kernel: scatterKernel,
  derivatives: {
    g: {
      formula: '∂yᵢ/∂gₒ = 1 if xᵢ is the arg-max of window o, so ∂L/∂g = (∂L/∂y) read at the arg-maxes',
      vjp: ({ grad, x, attrs }): Tensor => maxPool2dGatherOp.apply([grad, x], attrs),
    },
    x: { notDifferentiable: WHERE },
  },
  describe: describe('maxPool2dBackward'),
});

// y[o] = h at the arg-max of window o of x      linear in h: ∂L/∂h = ∂L/∂y added at the arg-maxes
export const maxPool2dGatherOp = defineOp({
  name: 'maxPool2dGather',
  inputs: ['h', 'x'],
  kernel: gatherKernel,
  derivatives: {
    h: {
      formula: '∂yₒ/∂hᵢ = 1 if xᵢ is the arg-max of window o, so ∂L/∂h = ∂L/∂y added at the arg-maxes',
      vjp: ({ grad, x, attrs }): Tensor => maxPool2dBackwardOp.apply([grad, x], attrs),
    },
    x: { notDifferentiable: WHERE },
  },
  describe: describe('maxPool2dGather'),
});

export interface MaxPoolOptions extends PoolOptions {
  /** The spacing between a window's taps (default 1). */
  dilation?: SpatialArg;
}

/**
 * 2-D max pooling as PyTorch's `max_pool2d`: x [N, C, H, W] → [N, C, H′, W′], each value the
 * largest in its kernelSize window (padding counts as −∞). The gradient goes to the arg-max
 * only: on ties to the first maximum in row-major window order, as PyTorch does; a window
 * holding NaN gives NaN and sends its gradient to the NaN.
 */
export function maxPool2d(x: TensorLike, kernelSize: SpatialArg, options?: MaxPoolOptions): Tensor {
  const t = toTensor(x);
  return maxPool2dOp.apply([t], { window: poolWindow('maxPool2d', t.shape, kernelSize, options, options?.dilation ?? 1) });
}
