// The loops of convolution (conv.ts has the ops and their rules). All three products go
// through the matmul loop (matmulKernel.ts, WebAssembly SIMD tiles where available) on the
// im2col matrix of the input: for a group of Cg channels and a chunk of b samples,
//
//   cols [K, b·P],  K = Cg·kh·kw (rows: channel, tap row, tap column),  P = oh·ow
//   cols[(c,i,j), n·P + (oy,ox)] = x[n, c, oy·sh − ph + i·dh, ox·sw − pw + j·dw]  (0 in the padding)
//
//   conv:            y_g [Og, b·P]  = w_g [Og, K] · cols
//   convTranspose:   cols′ [K, b·P] = w_gᵀ · g_g [Og, b·P],  then col2im adds cols′ back into x's shape
//   convWeight:      ∂w_gᵀ [K, Og]  = cols · g_gᵀ [b·P, Og], summed over the chunks
//
// Samples are taken in chunks so the scratch matrices stay near 2^18 values; the scratch is
// kept between calls (one set for the module: kernels do not run concurrently). A float32 result
// gets float32 scratch, so its products run in the float32 loop (summed in float32).
import { matmulStrided } from './matmulKernel.ts';
import type { FloatArray } from '../tensor.ts';
import type { Window } from './window.ts';

const CHUNK = 1 << 18;
const scratch: FloatArray[] = [];

/** Scratch buffer `slot` with room for `size` values of out's dtype (contents undefined). */
function buffer(slot: number, size: number, out: FloatArray): FloatArray {
  const at = out instanceof Float32Array ? slot + 3 : slot;
  let b = scratch[at];
  if (!b || b.length < size) {
    const length = Math.max(size, 2 * (b?.length ?? 0));
    b = out instanceof Float32Array ? new Float32Array(length) : new Float64Array(length);
    scratch[at] = b;
  }
  return b;
}

/** How many samples a chunk holds when one sample needs `perSample` values of scratch. */
function chunkOf(n: number, perSample: number): number {
  return Math.max(1, Math.min(n, Math.floor(CHUNK / Math.max(1, perSample))));
}

/** Fills cols [K, b·P] for samples n0 … n0+b−1 and channels c0 … c0+cg−1 of X [N, C, h, w]. */
function im2col(cols: FloatArray, X: FloatArray, n0: number, b: number, c0: number, cg: number, C: number, win: Window): void {
  const { kh, kw, sh, sw, ph, pw, dh, dw, h, w, oh, ow } = win;
  const P = oh * ow;
  const span = b * P;
  const plane = h * w;
  let r = 0;
  for (let c = 0; c < cg; c++) {
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++, r++) {
        const dx = j * dw - pw;
        for (let n = 0; n < b; n++) {
          const src = ((n0 + n) * C + c0 + c) * plane;
          let o = r * span + n * P;
          for (let oy = 0; oy < oh; oy++) {
            const iy = oy * sh - ph + i * dh;
            if (iy < 0 || iy >= h) {
              for (let ox = 0; ox < ow; ox++) cols[o++] = 0;
              continue;
            }
            const row = src + iy * w;
            for (let ox = 0, ix = dx; ox < ow; ox++, ix += sw) cols[o++] = ix >= 0 && ix < w ? X[row + ix] : 0;
          }
        }
      }
    }
  }
}

/** The adjoint of im2col: adds each value of cols into the element of out [N, C, h, w] it was read from. */
function col2im(out: FloatArray, cols: FloatArray, n0: number, b: number, c0: number, cg: number, C: number, win: Window): void {
  const { kh, kw, sh, sw, ph, pw, dh, dw, h, w, oh, ow } = win;
  const P = oh * ow;
  const span = b * P;
  const plane = h * w;
  let r = 0;
  for (let c = 0; c < cg; c++) {
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++, r++) {
        const dx = j * dw - pw;
        for (let n = 0; n < b; n++) {
          const dst = ((n0 + n) * C + c0 + c) * plane;
          let o = r * span + n * P;
          for (let oy = 0; oy < oh; oy++, o += ow) {
            const iy = oy * sh - ph + i * dh;
            if (iy < 0 || iy >= h) continue;
            const row = dst + iy * w;
            for (let ox = 0, ix = dx; ox < ow; ox++, ix += sw) if (ix >= 0 && ix < w) out[row + ix] += cols[o + ox];
          }
        }
      }
    }
  }
}

/** The sizes of one convolution: batch, channels in and out, groups, and the windows. */
export interface ConvSizes {
  readonly n: number;
  readonly c: number;
  readonly o: number;
  readonly groups: number;
  readonly win: Window;
}

/** y [N, O, oh, ow] = x [N, C, h, w] ⋆ w [O, C/groups, kh, kw] (PyTorch's conv2d, without bias). */
export function convForward(out: FloatArray, X: FloatArray, Wt: FloatArray, { n: N, c: C, o: O, groups, win }: ConvSizes): void {
  const cg = C / groups;
  const og = O / groups;
  const K = cg * win.kh * win.kw;
  const P = win.oh * win.ow;
  const nb = chunkOf(N, Math.max(K, og) * P);
  const cols = buffer(0, K * nb * P, out);
  const y = buffer(1, og * nb * P, out);
  for (let n0 = 0; n0 < N; n0 += nb) {
    const b = Math.min(nb, N - n0);
    const span = b * P;
    for (let g = 0; g < groups; g++) {
      im2col(cols, X, n0, b, g * cg, cg, C, win);
      matmulStrided(y, Wt.subarray(g * og * K, (g + 1) * og * K), cols.subarray(0, K * span), og, K, span, K, 1);
      for (let o = 0; o < og; o++) {
        for (let n = 0; n < b; n++) {
          const src = o * span + n * P;
          const dst = ((n0 + n) * O + g * og + o) * P;
          for (let q = 0; q < P; q++) out[dst + q] = y[src + q];
        }
      }
    }
  }
}

/**
 * x′ [N, C, h, w] = the adjoint of convolution with w applied to G [N, O, oh, ow]: each x′
 * element sums G·w over the windows that read it (PyTorch's conv_transpose2d; conv's ∂L/∂x).
 */
export function convTransposeForward(out: FloatArray, G: FloatArray, Wt: FloatArray, { n: N, c: C, o: O, groups, win }: ConvSizes): void {
  out.fill(0);
  const cg = C / groups;
  const og = O / groups;
  const K = cg * win.kh * win.kw;
  const P = win.oh * win.ow;
  const nb = chunkOf(N, Math.max(K, og) * P);
  const cols = buffer(0, K * nb * P, out);
  const gathered = buffer(1, og * nb * P, out);
  for (let n0 = 0; n0 < N; n0 += nb) {
    const b = Math.min(nb, N - n0);
    const span = b * P;
    for (let g = 0; g < groups; g++) {
      // this group's G as [Og, b·P]
      for (let o = 0; o < og; o++) {
        for (let n = 0; n < b; n++) {
          const src = ((n0 + n) * O + g * og + o) * P;
          const dst = o * span + n * P;
          for (let q = 0; q < P; q++) gathered[dst + q] = G[src + q];
        }
      }
      // w_g [Og, K] read transposed in place: A[r, o] = w_g[o·K + r]
      matmulStrided(cols, Wt.subarray(g * og * K, (g + 1) * og * K), gathered.subarray(0, og * span), K, og, span, 1, K);
      col2im(out, cols, n0, b, g * cg, cg, C, win);
    }
  }
}

/**
 * w′ [O, C/groups, kh, kw] = Σ over samples and positions of G [N, O, oh, ow] times the input
 * X [N, C, h, w] at each tap: conv's ∂L/∂w (PyTorch's torch.nn.grad.conv2d_weight).
 */
export function convWeightForward(out: FloatArray, X: FloatArray, G: FloatArray, { n: N, c: C, o: O, groups, win }: ConvSizes): void {
  out.fill(0);
  const cg = C / groups;
  const og = O / groups;
  const K = cg * win.kh * win.kw;
  const P = win.oh * win.ow;
  const nb = chunkOf(N, Math.max(K, og) * P);
  const cols = buffer(0, K * nb * P, out);
  const gT = buffer(1, og * nb * P, out);
  const product = buffer(2, K * og, out);
  for (let n0 = 0; n0 < N; n0 += nb) {
    const b = Math.min(nb, N - n0);
    const span = b * P;
    for (let g = 0; g < groups; g++) {
      im2col(cols, X, n0, b, g * cg, cg, C, win);
      // this group's G as [b·P, Og]
      for (let n = 0; n < b; n++) {
        for (let o = 0; o < og; o++) {
          const src = ((n0 + n) * O + g * og + o) * P;
          for (let q = 0, dst = n * P * og + o; q < P; q++, dst += og) gT[dst] = G[src + q];
        }
      }
      matmulStrided(product, cols.subarray(0, K * span), gT.subarray(0, span * og), K, span, og, span, 1);
      for (let o = 0; o < og; o++) {
        const row = (g * og + o) * K;
        for (let r = 0; r < K; r++) out[row + r] += product[r * og + o];
      }
    }
  }
}
