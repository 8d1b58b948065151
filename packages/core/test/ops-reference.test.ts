// The ops against PyTorch (float64): every case of fixtures/ops-reference.json, written by
// fixtures/make_ops_fixture.py, gives the same result(s) and the same gradient of sum(y·w), to
// 1e-12 relative (plus 1e-14 absolute for values that are zero up to rounding). NaN must be
// NaN and ±Infinity exactly ±Infinity.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  abs, add, argmax, argmin, cos, elu, eq, erf, ge, gelu, grad, gt, le, logSoftmax, logSumExp, lt, max, maximum, min, minimum, mul,
  norm, prod, reciprocal, sin, softmax, softplus, sqrt, square, std, sum, tensor, variance, where, concat, flatten, permute,
  slice, split, squeeze, stack, unsqueeze, conv1d, conv2d, convTranspose1d, convTranspose2d, maxPool2d, avgPool2d, gather, index,
  pad, transpose, arange, linspace, eye, zerosLike, onesLike, fullLike, oneHot, matmul, upsample, type PadWidths, type Tensor,
} from '../src/index.ts';

type Num = number | 'NaN' | 'Infinity' | '-Infinity';
interface Encoded {
  shape: number[];
  data: Num[];
}
interface Args {
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
interface Case {
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
interface Fixture {
  torch: string;
  cases: Case[];
}

const RTOL = 1e-12;
const ATOL = 1e-14;

const fixture = JSON.parse(readFileSync(new URL('./fixtures/ops-reference.json', import.meta.url), 'utf8')) as Fixture;

function decode(v: Num): number {
  if (typeof v === 'number') return v;
  return v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : -Infinity;
}

function decodeTensor(e: Encoded, requiresGrad = false): Tensor {
  return tensor(Float64Array.from(e.data, decode), { shape: e.shape, requiresGrad });
}

const axisOf = (a: Args) => (a.axis === null ? undefined : a.axis);
const single = (a: Args) => (a.axis === null || a.axis === undefined ? undefined : (a.axis as number));

/** Each op of the fixture, as gradlab's function with the case's arguments. */
const OPS: Record<string, (xs: Tensor[], a: Args) => Tensor | Tensor[]> = {
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
  arange: (_, a) => (a.end === undefined ? arange(a.start!) : arange(a.start!, a.end, a.step)),
  linspace: (_, a) => linspace(a.start!, a.end!, a.steps as number),
  eye: (_, a) => eye(a.n!, a.m ?? undefined),
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

/** The first element outside tolerance, as a message; null when all match. */
function mismatch(what: string, got: Tensor, want: Encoded): string | null {
  if (JSON.stringify(got.shape) !== JSON.stringify(want.shape)) {
    return `${what}: shape [${got.shape.join(',')}], expected [${want.shape.join(',')}]`;
  }
  for (let i = 0; i < want.data.length; i++) {
    const w = decode(want.data[i]);
    const g = got.data[i];
    const ok = Number.isNaN(w) ? Number.isNaN(g) : Number.isFinite(w) ? Math.abs(g - w) <= RTOL * Math.abs(w) + ATOL : g === w;
    if (!ok) return `${what}: element ${i} is ${g}, PyTorch gives ${w} (difference ${Math.abs(g - w)})`;
  }
  return null;
}

function check(c: Case): string[] {
  const wrt = new Set(Object.keys(c.grads ?? {}).map(Number));
  const xs = c.inputs.map((e, i) => decodeTensor(e, wrt.has(i)));
  const result = OPS[c.op](xs, c.args);
  const ys = Array.isArray(result) ? result : [result];
  const wants = c.outs ?? [c.out!];
  const problems: string[] = [];
  if (ys.length !== wants.length) return [`${ys.length} results, PyTorch gives ${wants.length}`];
  ys.forEach((y, k) => {
    const m = mismatch(wants.length > 1 ? `result ${k}` : 'result', y, wants[k]);
    if (m) problems.push(m);
  });
  const ws = c.ws ?? (c.w ? [c.w] : []);
  if (ws.length && c.grads) {
    const inputs = [...wrt].map((i) => xs[i]);
    const loss = ys.map((y, k) => sum(mul(y, decodeTensor(ws[k])))).reduce((a, b) => add(a, b));
    const grads = grad(loss, inputs, { allowUnused: true });
    [...wrt].forEach((i, k) => {
      const m = mismatch(`∂/∂input ${i}`, grads[k], c.grads![String(i)]);
      if (m) problems.push(m);
    });
  }
  return problems;
}

describe(`ops against PyTorch ${fixture.torch} (float64)`, () => {
  it('the fixture covers every op', () => {
    expect(new Set(fixture.cases.map((c) => c.op))).toEqual(new Set(Object.keys(OPS)));
    expect(fixture.cases.length).toBeGreaterThanOrEqual(382);
  });

  const byOp = new Map<string, Case[]>();
  for (const c of fixture.cases) byOp.set(c.op, [...(byOp.get(c.op) ?? []), c]);
  for (const [op, cases] of byOp) {
    it.each(cases.map((c) => [c.name, c] as const))(`${op}: %s`, (_, c) => {
      expect(check(c)).toEqual([]);
    });
  }
});
