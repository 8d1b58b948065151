// Sliding windows over the spatial axes of NCHW (or NCL) tensors: what convolution and pooling
// share. Output position (oy, ox) reads the taps (i, j) of its window at input row
// oy·sh − ph + i·dh and column ox·sw − pw + j·dw; taps outside the input read the padding.
// A 1-D op (NCL) is the 2-D case with height 1: kh = sh = dh = 1, ph = 0.
import { describeValue, GradlabError } from '../errors.ts';
import { formatShape, type Shape } from '../shape.ts';

/** 1 for NCL tensors (conv1d), 2 for NCHW (conv2d, pools). */
export type Spatial = 1 | 2;

/** A number for every spatial axis, or one per axis: `3` or `[3, 5]` (2-D), `3` or `[3]` (1-D). */
export type SpatialArg = number | readonly number[];

/** Where the windows lie: kernel extent, stride, padding and dilation per axis, and the sizes. */
export interface Window {
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
  readonly ph: number;
  readonly pw: number;
  readonly dh: number;
  readonly dw: number;
  /** The input's height and width (1-D: 1 and its length). */
  readonly h: number;
  readonly w: number;
  /** The output's height and width. */
  readonly oh: number;
  readonly ow: number;
  /** A pool's ceil mode: the sizes rounded up, the last windows reaching past the padding. */
  readonly ceilMode?: boolean;
}

/**
 * A per-axis argument as [height, width] (1-D: [neutral, value]): a non-negative integer
 * (at least `min`), or a list of one per spatial axis. The error names op, argument and value.
 */
export function spatialPair(opName: string, arg: string, value: SpatialArg, spatial: Spatial, min: number, neutral: number): [number, number] {
  const ok = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min;
  if (ok(value)) return spatial === 2 ? [value, value] : [neutral, value];
  if (Array.isArray(value) && value.length === spatial && value.every(ok)) {
    return spatial === 2 ? [value[0], value[1]] : [neutral, value[0]];
  }
  const what = `an integer ≥ ${min}`;
  const shown = Array.isArray(value) ? `[${value.map((v) => describeValue(v)).join(',')}]` : describeValue(value);
  throw new GradlabError(
    `${opName}: ${arg} must be ${what}${spatial === 2 ? ' or a pair of them ([height, width])' : ` (or a list of one)`}, got ${shown}`,
  );
}

/** `3×5` (2-D) or `5` (1-D). */
export function extent(spatial: Spatial, h: number, w: number): string {
  return spatial === 2 ? `${h}×${w}` : `${w}`;
}

/**
 * The number of window positions along one axis: ⌊(n + 2p − d(k−1) − 1)/s⌋ + 1, or with
 * `ceil` ⌈…⌉ + 1 less the last window if it would start past the input and the left padding
 * ((out − 1)·s ≥ n + p), as PyTorch's ceil_mode.
 */
export function outputSize(n: number, k: number, s: number, p: number, d: number, ceil = false): number {
  const span = n + 2 * p - d * (k - 1) - 1;
  if (!ceil) return Math.floor(span / s) + 1;
  const out = Math.ceil(span / s) + 1;
  return (out - 1) * s >= n + p ? out - 1 : out;
}

/** The settings of a windowed op, per axis as [height, width]. */
export interface WindowSettings {
  kernel: readonly [number, number];
  stride: readonly [number, number];
  padding: readonly [number, number];
  dilation: readonly [number, number];
}

/**
 * The windows over x's spatial axes (its last `spatial` axes). Throws, naming op and shapes,
 * when the dilated kernel is larger than the padded input.
 */
export function windowOver(opName: string, x: Shape, spatial: Spatial, { kernel, stride, padding, dilation }: WindowSettings): Window {
  const h = spatial === 2 ? x[x.length - 2] : 1;
  const w = x[x.length - 1];
  const [kh, kw] = kernel;
  const [dh, dw] = dilation;
  const [ph, pw] = padding;
  const effH = dh * (kh - 1) + 1;
  const effW = dw * (kw - 1) + 1;
  if (effH > h + 2 * ph || effW > w + 2 * pw) {
    const dilated = dh === 1 && dw === 1 ? '' : ` (dilated to ${extent(spatial, effH, effW)})`;
    throw new GradlabError(
      `${opName}: the kernel ${extent(spatial, kh, kw)}${dilated} is larger than the padded input ` +
        `${extent(spatial, h + 2 * ph, w + 2 * pw)} (x ${formatShape(x)} with padding ${extent(spatial, ph, pw)})`,
    );
  }
  const [sh, sw] = stride;
  return { kh, kw, sh, sw, ph, pw, dh, dw, h, w, oh: outputSize(h, kh, sh, ph, dh), ow: outputSize(w, kw, sw, pw, dw) };
}

/**
 * `stride=2, padding=1`: the settings that differ from the defaults, for a graph label (the
 * default stride is 1 for convolutions, the kernel size for pools).
 */
export function describeWindow(spatial: Spatial, win: Window, extra: readonly string[] = [], stride: readonly [number, number] = [1, 1]): string {
  const parts: string[] = [];
  const add = (name: string, a: number, b: number, neutralA: number, neutralB = neutralA) => {
    if (a !== neutralA || b !== neutralB) parts.push(`${name}=${spatial === 2 && a !== b ? `(${a},${b})` : b}`);
  };
  add('stride', win.sh, win.sw, stride[0], stride[1]);
  add('padding', win.ph, win.pw, 0);
  add('dilation', win.dh, win.dw, 1);
  if (win.ceilMode) parts.push('ceilMode');
  return [...parts, ...extra].join(', ');
}

/** The options of the pools: stride defaults to the kernel size, as in PyTorch. */
export interface PoolOptions {
  /** The step between windows (default: the kernel size). */
  stride?: SpatialArg;
  /** Padding on both sides of each spatial axis, at most half the kernel size (default 0). */
  padding?: SpatialArg;
  /**
   * Round the output size up instead of down (default false), as PyTorch's ceil_mode: the last
   * window may then reach past the padding (those taps are ignored), but must start inside the
   * input or the left padding.
   */
  ceilMode?: boolean;
}

/**
 * The windows of a 2-D pool over x [N, C, H, W], with PyTorch's checks: padding at most half
 * the kernel, the dilated kernel within the padded input, and every window over some input.
 */
export function poolWindow(opName: string, x: Shape, kernelSize: SpatialArg, options: PoolOptions | undefined, dilationArg: SpatialArg): Window {
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw new GradlabError(`${opName}: options must be an object { stride, padding, … }, got ${describeValue(options)}`);
  }
  if (x.length !== 4) throw new GradlabError(`${opName}: x must be [N,C,H,W] (rank 4), got ${formatShape(x)}`);
  const kernel = spatialPair(opName, 'kernelSize', kernelSize, 2, 1, 1);
  const stride = options?.stride === undefined ? kernel : spatialPair(opName, 'stride', options.stride, 2, 1, 1);
  const padding = spatialPair(opName, 'padding', options?.padding ?? 0, 2, 0, 0);
  const dilation = spatialPair(opName, 'dilation', dilationArg, 2, 1, 1);
  if (padding[0] > Math.floor(kernel[0] / 2) || padding[1] > Math.floor(kernel[1] / 2)) {
    throw new GradlabError(
      `${opName}: padding ${extent(2, ...padding)} must be at most half the kernel size ${extent(2, ...kernel)} (as in PyTorch)`,
    );
  }
  const ceilMode = options?.ceilMode ?? false;
  if (typeof ceilMode !== 'boolean') throw new GradlabError(`${opName}: ceilMode must be true or false, got ${describeValue(ceilMode)}`);
  const floored = windowOver(opName, x, 2, { kernel, stride, padding, dilation });
  const win: Window = ceilMode
    ? {
        ...floored,
        ceilMode,
        oh: outputSize(floored.h, floored.kh, floored.sh, floored.ph, floored.dh, true),
        ow: outputSize(floored.w, floored.kw, floored.sw, floored.pw, floored.dw, true),
      }
    : floored;
  const reaches = (n: number, outputs: number, k: number, s: number, p: number, d: number) => {
    for (let o = 0; o < outputs; o++) {
      let hit = false;
      for (let i = 0; i < k && !hit; i++) hit = o * s - p + i * d >= 0 && o * s - p + i * d < n;
      if (!hit) return false;
    }
    return true;
  };
  if (!reaches(win.h, win.oh, win.kh, win.sh, win.ph, win.dh) || !reaches(win.w, win.ow, win.kw, win.sw, win.pw, win.dw)) {
    throw new GradlabError(`${opName}: with dilation ${extent(2, win.dh, win.dw)} a window of x ${formatShape(x)} lies wholly in the padding`);
  }
  return win;
}
