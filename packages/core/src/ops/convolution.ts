// conv1d, conv2d, convTranspose1d, convTranspose2d: PyTorch's functions of the same names
// (torch.nn.functional), with their arguments checked. The ops and their rules are in conv.ts.
import { describeValue, GradlabError } from '../errors.ts';
import { formatShape } from '../shape.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { add } from './add.ts';
import { conv1dOps, conv2dOps, type ConvAttrs } from './conv.ts';
import { pad } from './pad.ts';
import { reshape } from './reshape.ts';
import { extent, spatialPair, windowOver, type Spatial, type SpatialArg, type Window } from './window.ts';

export interface ConvOptions {
  /** The step between windows, per spatial axis (default 1). */
  stride?: SpatialArg;
  /**
   * Zeros added on both sides of each spatial axis (default 0); 'valid' is 0; 'same' (stride 1
   * only) pads so that the output has the input's size: dilation·(k − 1) zeros per axis, half
   * before, the odd one after (right, bottom), as PyTorch.
   */
  padding?: SpatialArg | 'same' | 'valid';
  /** The spacing between a kernel's taps (default 1). */
  dilation?: SpatialArg;
  /** Channels split into this many groups, each convolved with its own filters (default 1). */
  groups?: number;
}

export interface ConvTransposeOptions extends Omit<ConvOptions, 'padding'> {
  /** Removed from both sides of each output axis (default 0). */
  padding?: SpatialArg;
  /** Added to one side of each output axis, to pick among the sizes a strided conv maps to one (default 0). */
  outputPadding?: SpatialArg;
}

const LAYOUT = { 1: ['[N,C,L]', '[O,C/groups,k]'], 2: ['[N,C,H,W]', '[O,C/groups,kH,kW]'] } as const;
const TRANSPOSED_W = { 1: '[C,O/groups,k]', 2: '[C,O/groups,kH,kW]' } as const;

function checkRank(opName: string, arg: string, t: Tensor, rank: number, layout: string): void {
  if (t.rank !== rank) throw new GradlabError(`${opName}: ${arg} must be ${layout} (rank ${rank}), got ${formatShape(t.shape)}`);
}

function checkOptions(opName: string, options: unknown): void {
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw new GradlabError(`${opName}: options must be an object { stride, padding, dilation, groups }, got ${describeValue(options)}`);
  }
}

function checkGroups(opName: string, groups: unknown, channels: readonly [string, number][]): number {
  if (typeof groups !== 'number' || !Number.isInteger(groups) || groups < 1) {
    throw new GradlabError(`${opName}: groups must be an integer ≥ 1, got ${describeValue(groups)}`);
  }
  for (const [what, n] of channels) {
    if (n % groups !== 0) throw new GradlabError(`${opName}: groups ${groups} must divide the ${what} (${n})`);
  }
  return groups;
}

/** The kernel's extent [kh, kw] from w's trailing axes; an empty kernel is an error. */
function kernelOf(opName: string, w: Tensor, spatial: Spatial): [number, number] {
  const kh = spatial === 2 ? w.shape[2] : 1;
  const kw = w.shape[w.rank - 1];
  if (kh < 1 || kw < 1) throw new GradlabError(`${opName}: w ${formatShape(w.shape)} has an empty kernel (${extent(spatial, kh, kw)})`);
  return [kh, kw];
}

function withBias(opName: string, y: Tensor, bias: TensorLike | undefined, spatial: Spatial): Tensor {
  if (bias === undefined || bias === null) return y;
  const b = toTensor(bias);
  const channels = y.shape[1];
  if (b.rank !== 1 || b.shape[0] !== channels) {
    throw new GradlabError(`${opName}: bias must be [${channels}] (one value per output channel), got ${formatShape(b.shape)}`);
  }
  return add(y, reshape(b, spatial === 2 ? [1, channels, 1, 1] : [1, channels, 1]));
}

function convolve(opName: string, spatial: Spatial, xIn: TensorLike, wIn: TensorLike, bias: TensorLike | undefined, options: ConvOptions | undefined): Tensor {
  checkOptions(opName, options);
  const x = toTensor(xIn);
  const w = toTensor(wIn);
  const [xLayout, wLayout] = LAYOUT[spatial];
  checkRank(opName, 'x', x, spatial + 2, xLayout);
  checkRank(opName, 'w', w, spatial + 2, wLayout);
  const c = x.shape[1];
  const groups = checkGroups(opName, options?.groups ?? 1, [
    [`channels of x ${formatShape(x.shape)}`, c],
    [`output channels of w ${formatShape(w.shape)}`, w.shape[0]],
  ]);
  if (w.shape[1] * groups !== c) {
    throw new GradlabError(
      `${opName}: x ${formatShape(x.shape)} has ${c} channels, but w ${formatShape(w.shape)} takes ` +
        `${w.shape[1]} per group × ${groups} group${groups === 1 ? '' : 's'} = ${w.shape[1] * groups}`,
    );
  }
  const kernel = kernelOf(opName, w, spatial);
  const stride = spatialPair(opName, 'stride', options?.stride ?? 1, spatial, 1, 1);
  const dilation = spatialPair(opName, 'dilation', options?.dilation ?? 1, spatial, 1, 1);
  const paddingArg = options?.padding ?? 0;
  let padded = x;
  let padding: [number, number];
  if (paddingArg === 'valid') padding = [0, 0];
  else if (paddingArg === 'same') {
    if (stride[0] !== 1 || stride[1] !== 1) {
      throw new GradlabError(`${opName}: padding 'same' needs stride 1 (as in PyTorch), got stride ${extent(spatial, ...stride)}`);
    }
    // dilation·(k − 1) zeros per axis: ⌊half⌋ before and after, the odd one more after
    const total = [dilation[0] * (kernel[0] - 1), dilation[1] * (kernel[1] - 1)];
    padding = [Math.floor(total[0] / 2), Math.floor(total[1] / 2)];
    const extra = [total[0] % 2, total[1] % 2];
    if (extra[0] + extra[1] > 0) {
      const widths: [number, number][] = [[0, 0], [0, 0], [0, extra[1]]];
      if (spatial === 2) widths.splice(2, 0, [0, extra[0]]);
      padded = pad(x, widths);
    }
  } else if (typeof paddingArg === 'string') {
    throw new GradlabError(`${opName}: padding must be an integer ≥ 0, a pair of them, 'same' or 'valid', got ${describeValue(paddingArg)}`);
  } else padding = spatialPair(opName, 'padding', paddingArg, spatial, 0, 0);
  const window = windowOver(opName, padded.shape, spatial, { kernel, stride, padding, dilation });
  const attrs: ConvAttrs = { spatial, window, groups };
  const ops = spatial === 2 ? conv2dOps : conv1dOps;
  return withBias(opName, ops.conv.apply([padded, w], attrs), bias, spatial);
}

/**
 * 2-D convolution as PyTorch's `conv2d` (a cross-correlation): x [N, C, H, W], w [O, C/groups,
 * kH, kW], bias [O] → [N, O, H′, W′] with H′ = ⌊(H + 2·padding − dilation·(kH − 1) − 1)/stride⌋ + 1.
 * stride, padding and dilation are a number or [height, width].
 */
export function conv2d(x: TensorLike, w: TensorLike, bias?: TensorLike, options?: ConvOptions): Tensor {
  return convolve('conv2d', 2, x, w, bias, options);
}

/** 1-D convolution as PyTorch's `conv1d`: x [N, C, L], w [O, C/groups, k], bias [O] → [N, O, L′]. */
export function conv1d(x: TensorLike, w: TensorLike, bias?: TensorLike, options?: ConvOptions): Tensor {
  return convolve('conv1d', 1, x, w, bias, options);
}

function convolveTransposed(
  opName: string,
  spatial: Spatial,
  xIn: TensorLike,
  wIn: TensorLike,
  bias: TensorLike | undefined,
  options: ConvTransposeOptions | undefined,
): Tensor {
  checkOptions(opName, options);
  const x = toTensor(xIn);
  const w = toTensor(wIn);
  checkRank(opName, 'x', x, spatial + 2, LAYOUT[spatial][0]);
  checkRank(opName, 'w', w, spatial + 2, TRANSPOSED_W[spatial]);
  const c = x.shape[1];
  const groups = checkGroups(opName, options?.groups ?? 1, [[`channels of x ${formatShape(x.shape)}`, c]]);
  if (w.shape[0] !== c) {
    throw new GradlabError(`${opName}: x ${formatShape(x.shape)} has ${c} channels, but w ${formatShape(w.shape)} takes ${w.shape[0]} (its first axis)`);
  }
  const [kh, kw] = kernelOf(opName, w, spatial);
  const [sh, sw] = spatialPair(opName, 'stride', options?.stride ?? 1, spatial, 1, 1);
  const [ph, pw] = spatialPair(opName, 'padding', options?.padding ?? 0, spatial, 0, 0);
  const [dh, dw] = spatialPair(opName, 'dilation', options?.dilation ?? 1, spatial, 1, 1);
  const [oph, opw] = spatialPair(opName, 'outputPadding', options?.outputPadding ?? 0, spatial, 0, 0);
  for (const [o, s, d] of [[oph, sh, dh], [opw, sw, dw]]) {
    if (o >= s && o >= d) throw new GradlabError(`${opName}: outputPadding ${o} must be smaller than the stride (${s}) or the dilation (${d})`);
  }
  // x is what a convolution of the result would give: oh, ow are x's spatial size
  const oh = spatial === 2 ? x.shape[2] : 1;
  const ow = x.shape[x.rank - 1];
  const h = (oh - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1;
  const wd = (ow - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1;
  if (h < 1 || wd < 1 || oh < 1 || ow < 1) {
    throw new GradlabError(`${opName}: x ${formatShape(x.shape)} with w ${formatShape(w.shape)} gives an empty output (${extent(spatial, h, wd)}); lower the padding`);
  }
  const window: Window = { kh, kw, sh, sw, ph, pw, dh, dw, h, w: wd, oh, ow };
  const attrs: ConvAttrs = { spatial, window, groups };
  const ops = spatial === 2 ? conv2dOps : conv1dOps;
  return withBias(opName, ops.convTranspose.apply([x, w], attrs), bias, spatial);
}

/**
 * The transposed 2-D convolution, as PyTorch's `conv_transpose2d`: x [N, C, H, W], w [C,
 * O/groups, kH, kW], bias [O] → [N, O, H′, W′], H′ = (H − 1)·stride − 2·padding +
 * dilation·(kH − 1) + outputPadding + 1. It is conv2d's gradient with respect to its input.
 */
export function convTranspose2d(x: TensorLike, w: TensorLike, bias?: TensorLike, options?: ConvTransposeOptions): Tensor {
  return convolveTransposed('convTranspose2d', 2, x, w, bias, options);
}

/** The transposed 1-D convolution, as PyTorch's `conv_transpose1d`: x [N, C, L], w [C, O/groups, k] → [N, O, L′]. */
export function convTranspose1d(x: TensorLike, w: TensorLike, bias?: TensorLike, options?: ConvTransposeOptions): Tensor {
  return convolveTransposed('convTranspose1d', 1, x, w, bias, options);
}
