// The PyTorch ops fixture (fixtures/ops-reference.json, written by fixtures/make_ops_fixture.py)
// and gradlab's function for each of its ops, shared by the tests that read it: against PyTorch
// in float64 (ops-reference.test.ts) and float32 against float64 (dtype.test.ts).
import { readFileSync } from 'node:fs';
import {
  abs, argmax, argmin, cos, elu, eq, erf, ge, gelu, gt, le, logSoftmax, logSumExp, lt, max, maximum, min, minimum,
  norm, prod, reciprocal, sin, softmax, softplus, sqrt, square, std, variance, where, concat, flatten, permute,
  slice, split, squeeze, stack, unsqueeze, conv1d, conv2d, convTranspose1d, convTranspose2d, maxPool2d, avgPool2d, gather, index,
  pad, transpose, arange, linspace, eye, zerosLike, onesLike, fullLike, oneHot, matmul, upsample, type DType, type PadWidths, type Tensor,
} from '../src/index.ts';

export type Num = number | 'NaN' | 'Infinity' | '-Infinity';
export interface Encoded {
  shape: number[];
  data: Num[];
}
export interface Args {
  axis?: number | number[] | null;
  keepDims?: boolean;
  unbiased?: boolean;
  p?: Num;
  alpha?: number;
  approximate?: 'none' | 'tanh';
  axes?: number[];
  startAxis?: number;
  endAxis?: number;
  sizes?: number | number[];
  starts?: number[];
  ends?: number[];
  steps?: number[] | number | null;
  widths?: [number, number][];
  value?: number;
  a?: number;
  b?: number;
  start?: number;
  end?: number;
  step?: number;
  n?: number;
  m?: number | null;
  classes?: number | null;
  stride?: number | number[] | null;
  padding?: number | number[] | 'same' | 'valid';
  dilation?: number | number[];
  groups?: number;
  bias?: boolean;
  outputPadding?: number | number[];
  kernelSize?: number | number[];
  countIncludePad?: boolean;
  ceilMode?: boolean;
  size?: number | number[] | null;
  scaleFactor?: number | number[] | null;
  mode?: 'nearest' | 'bilinear';
  alignCorners?: boolean | null;
}
export interface Case {
  op: string;
  name: string;
  args: Args;
  inputs: Encoded[];
  /** The result, or (split) the results. */
  out?: Encoded;
  outs?: Encoded[];
  w?: Encoded;
  ws?: Encoded[];
  grads?: Record<string, Encoded>;
}
export interface Fixture {
  torch: string;
  cases: Case[];
}

export const fixture = JSON.parse(readFileSync(new URL('./fixtures/ops-reference.json', import.meta.url), 'utf8')) as Fixture;

export function decode(v: Num): number {
  if (typeof v === 'number') return v;
  return v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : -Infinity;
}

const axisOf = (a: Args) => (a.axis === null ? undefined : a.axis);
const single = (a: Args) => (a.axis === null || a.axis === undefined ? undefined : (a.axis as number));

/** Each op of the fixture, as gradlab's function with the case's arguments (and the dtype, for the ops that make tensors from numbers). */
export const OPS: Record<string, (xs: Tensor[], a: Args, dtype?: DType) => Tensor | Tensor[]> = {
  abs: ([x]) => abs(x),
  sqrt: ([x]) => sqrt(x),
  square: ([x]) => square(x),
  reciprocal: ([x]) => reciprocal(x),
  sin: ([x]) => sin(x),
  cos: ([x]) => cos(x),
  softplus: ([x]) => softplus(x),
  erf: ([x]) => erf(x),
  gelu: ([x], a) => gelu(x, { approximate: a.approximate }),
  elu: ([x], a) => elu(x, a.alpha),
  maximum: ([a, b]) => maximum(a, b),
  minimum: ([a, b]) => minimum(a, b),
  gt: ([a, b]) => gt(a, b),
  ge: ([a, b]) => ge(a, b),
  lt: ([a, b]) => lt(a, b),
  le: ([a, b]) => le(a, b),
  eq: ([a, b]) => eq(a, b),
  where: ([c, a, b]) => where(c, a, b),
  max: ([x], a) => max(x, axisOf(a), { keepDims: a.keepDims }),
  min: ([x], a) => min(x, axisOf(a), { keepDims: a.keepDims }),
  argmax: ([x], a) => argmax(x, single(a), { keepDims: a.keepDims }),
  argmin: ([x], a) => argmin(x, single(a), { keepDims: a.keepDims }),
  logSumExp: ([x], a) => logSumExp(x, axisOf(a), { keepDims: a.keepDims }),
  variance: ([x], a) => variance(x, axisOf(a), { keepDims: a.keepDims, unbiased: a.unbiased }),
  std: ([x], a) => std(x, axisOf(a), { keepDims: a.keepDims, unbiased: a.unbiased }),
  prod: ([x], a) => prod(x, axisOf(a), { keepDims: a.keepDims }),
  norm: ([x], a) => norm(x, decode(a.p!), axisOf(a), { keepDims: a.keepDims }),
  softmax: ([x], a) => softmax(x, single(a)),
  logSoftmax: ([x], a) => logSoftmax(x, single(a)),
  squeeze: ([x], a) => squeeze(x, axisOf(a)),
  unsqueeze: ([x], a) => unsqueeze(x, a.axis as number),
  flatten: ([x], a) => flatten(x, a.startAxis, a.endAxis),
  permute: ([x], a) => permute(x, a.axes!),
  concat: (xs, a) => concat(xs, a.axis as number),
  stack: (xs, a) => stack(xs, a.axis as number),
  split: ([x], a) => split(x, a.sizes!, a.axis as number),
  slice: ([x], a) => slice(x, a.starts!, a.ends, (a.steps as number[] | null) ?? undefined),
  gather: ([x, i], a) => gather(x, a.axis as number, i),
  index: ([x, i], a) => index(x, i, a.axis as number),
  pad: ([x], a) => pad(x, a.widths as PadWidths, a.value),
  transpose: ([x], a) => transpose(x, a.a, a.b),
  arange: (_, a, dtype) => (a.end === undefined ? arange(a.start!, undefined, 1, { dtype }) : arange(a.start!, a.end, a.step, { dtype })),
  linspace: (_, a, dtype) => linspace(a.start!, a.end!, a.steps as number, { dtype }),
  eye: (_, a, dtype) => eye(a.n!, a.m ?? undefined, { dtype }),
  zerosLike: ([x]) => zerosLike(x),
  onesLike: ([x]) => onesLike(x),
  fullLike: ([x], a) => fullLike(x, a.value!),
  oneHot: ([i], a) => oneHot(i, a.classes ?? undefined),
  matmul: ([x, y]) => matmul(x, y),
  conv2d: ([x, w, b], a) => conv2d(x, w, b, convOptions(a)),
  conv1d: ([x, w, b], a) => conv1d(x, w, b, convOptions(a)),
  convTranspose2d: ([x, w, b], a) => convTranspose2d(x, w, b, { ...convOptions(a), padding: poolPadding(a), outputPadding: a.outputPadding }),
  convTranspose1d: ([x, w, b], a) => convTranspose1d(x, w, b, { ...convOptions(a), padding: poolPadding(a), outputPadding: a.outputPadding }),
  maxPool2d: ([x], a) => maxPool2d(x, a.kernelSize!, { stride: a.stride ?? undefined, padding: poolPadding(a), dilation: a.dilation, ceilMode: a.ceilMode }),
  avgPool2d: ([x], a) => avgPool2d(x, a.kernelSize!, { stride: a.stride ?? undefined, padding: poolPadding(a), countIncludePad: a.countIncludePad, ceilMode: a.ceilMode }),
  upsample: ([x], a) =>
    upsample(x, { size: a.size ?? undefined, scaleFactor: a.scaleFactor ?? undefined, mode: a.mode, alignCorners: a.alignCorners ?? undefined }),
};

/** A number padding (pools and transposed convolutions take no 'same' or 'valid'). */
function poolPadding(a: Args): number | number[] | undefined {
  if (typeof a.padding === 'string') throw new Error(`no string padding here, got '${a.padding}'`);
  return a.padding;
}

function convOptions(a: Args) {
  return { stride: a.stride ?? undefined, padding: a.padding, dilation: a.dilation, groups: a.groups };
}
