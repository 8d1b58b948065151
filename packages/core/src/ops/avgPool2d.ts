import { defineOp } from '../op.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import type { KernelBase } from './kernels.ts';
import { describeWindow, extent, poolWindow, type PoolOptions, type SpatialArg, type Window } from './window.ts';

export interface AvgPoolAttrs {
  readonly window: Window;
  /** Whether the padding's zeros count in each window's divisor (PyTorch's default, true). */
  readonly countIncludePad: boolean;
}

/**
 * Window o's divisor: its taps inside the padded input (the kernel size, except where ceil mode
 * lets a window reach past the padding), or with countIncludePad false its taps inside x.
 */
function divisorOf(win: Window, countIncludePad: boolean, y0: number, x0: number): number {
  if (countIncludePad) return (Math.min(y0 + win.kh, win.h + win.ph) - y0) * (Math.min(x0 + win.kw, win.w + win.pw) - x0);
  return (Math.min(y0 + win.kh, win.h) - Math.max(y0, 0)) * (Math.min(x0 + win.kw, win.w) - Math.max(x0, 0));
}

/** y[o] = (Σ of window o's elements, in row-major window order) / divisorₒ. */
const avgPoolKernel: KernelBase<AvgPoolAttrs> & { readonly kind: 'pool' } = {
  kind: 'pool',
  shape: ([x], { window: win }) => [x.shape[0], x.shape[1], win.oh, win.ow],
  run: (out, [x], { window: win, countIncludePad }) => {
    const { kh, kw, sh, sw, ph, pw, h, w, oh, ow } = win;
    const X = x.data;
    const planes = x.shape[0] * x.shape[1];
    let o = 0;
    for (let p = 0; p < planes; p++) {
      const base = p * h * w;
      for (let oy = 0; oy < oh; oy++) {
        const y0 = oy * sh - ph;
        for (let ox = 0; ox < ow; ox++) {
          const x0 = ox * sw - pw;
          let s = 0;
          for (let iy = Math.max(y0, 0); iy < Math.min(y0 + kh, h); iy++) {
            for (let ix = Math.max(x0, 0); ix < Math.min(x0 + kw, w); ix++) s += X[base + iy * w + ix];
          }
          out[o++] = s / divisorOf(win, countIncludePad, y0, x0);
        }
      }
    }
  },
};

type BackwardAttrs = AvgPoolAttrs & { readonly input: readonly number[] };

/** y = zeros of the input's shape, gₒ/divisorₒ added to every element of window o. */
const backwardKernel: KernelBase<BackwardAttrs> & { readonly kind: 'pool' } = {
  kind: 'pool',
  shape: (_, { input }) => input,
  run: (out, [g], { window: win, countIncludePad, input }) => {
    const { kh, kw, sh, sw, ph, pw, h, w, oh, ow } = win;
    const G = g.data;
    const planes = input[0] * input[1];
    out.fill(0);
    let o = 0;
    for (let p = 0; p < planes; p++) {
      const base = p * h * w;
      for (let oy = 0; oy < oh; oy++) {
        const y0 = oy * sh - ph;
        for (let ox = 0; ox < ow; ox++) {
          const x0 = ox * sw - pw;
          const v = G[o++] / divisorOf(win, countIncludePad, y0, x0);
          for (let iy = Math.max(y0, 0); iy < Math.min(y0 + kh, h); iy++) {
            for (let ix = Math.max(x0, 0); ix < Math.min(x0 + kw, w); ix++) out[base + iy * w + ix] += v;
          }
        }
      }
    }
  },
};

const describe = (name: string) => ({ window: win, countIncludePad }: AvgPoolAttrs) => {
  const settings = describeWindow(2, win, countIncludePad ? [] : ['countIncludePad=false'], [win.kh, win.kw]);
  return `${name}(${extent(2, win.kh, win.kw)}${settings ? `, ${settings}` : ''})`;
};

// y[o] = mean of window o of x      ∂yₒ/∂xᵢ = 1/divisorₒ for xᵢ in window o
export const avgPool2dOp = defineOp({
  name: 'avgPool2d',
  inputs: ['x'],
  kernel: avgPoolKernel,
  derivatives: {
    x: {
      formula: '∂yₒ/∂xᵢ = 1/divisorₒ if xᵢ is in window o, so ∂L/∂x = avgPool2dBackward(∂L/∂y): each ∂L/∂yₒ/divisorₒ spread over window o',
      vjp: ({ grad, x, attrs }): Tensor => avgPool2dBackwardOp.apply([grad], { ...attrs, input: x.shape }),
    },
  },
  describe: describe('avgPool2d'),
});

// y = each g[o]/divisor spread over window o      linear in g, whose adjoint is the pool: ∂L/∂g = avgPool2d(∂L/∂y)
export const avgPool2dBackwardOp = defineOp({
  name: 'avgPool2dBackward',
  inputs: ['g'],
  kernel: backwardKernel,
  derivatives: {
    g: {
      formula: '∂yᵢ/∂gₒ = 1/divisorₒ if xᵢ is in window o, so ∂L/∂g = avgPool2d(∂L/∂y)',
      vjp: ({ grad, attrs: { window, countIncludePad } }): Tensor => avgPool2dOp.apply([grad], { window, countIncludePad }),
    },
  },
  describe: (attrs: BackwardAttrs) => describe('avgPool2dBackward')(attrs),
});

export interface AvgPoolOptions extends PoolOptions {
  /** Whether padded zeros count in the divisor (default true, as PyTorch's count_include_pad). */
  countIncludePad?: boolean;
}

/**
 * 2-D average pooling as PyTorch's `avg_pool2d`: x [N, C, H, W] → [N, C, H′, W′], each value
 * the mean of its kernelSize window. With padding, the padded zeros count in the divisor
 * (kH·kW) unless `countIncludePad: false`, which divides by the taps inside x. With
 * `ceilMode`, a last window reaching past the padding divides by its taps inside the padded
 * input (as PyTorch).
 */
export function avgPool2d(x: TensorLike, kernelSize: SpatialArg, options?: AvgPoolOptions): Tensor {
  const t = toTensor(x);
  const window = poolWindow('avgPool2d', t.shape, kernelSize, options, 1);
  return avgPool2dOp.apply([t], { window, countIncludePad: options?.countIncludePad ?? true });
}
