// ONNX export of convolution, pooling, the statistics, gelu, comparisons and the index ops:
// each exported function runs in onnxruntime (onnxruntime-node, CPU) and must give gradlab's own
// outputs, float64 to 1e-12 and float32 to 1e-5. onnxruntime has no float64 Conv, ConvTranspose,
// AveragePool or Erf, so the float64 files spell those out: they are checked the same way.
import {
  argmax, argmin, avgPool2d, conv1d, conv2d, convTranspose1d, convTranspose2d, createRng, dropout, eq, gather, ge, gelu, gt, index,
  le, linspace, lt, maxPool2d, oneHot, pad, randn, step, tensor, upsample, where, type Tensor,
} from '@gradlab/core';
import { describe, expect, it } from 'vitest';
import * as core from '@gradlab/core';
import * as fast from '@gradlab/core/fast';
import { exportOnnx, ONNX_EXPORTABLE_OPS, ONNX_NOT_EXPORTABLE } from '../src/export/index.ts';
import { Embedding, Flatten, Linear, Module } from '../src/index.ts';
import { compare, maxDiff, runOnnx, TOLERANCE } from './onnx-runtime.ts';

const DTYPES = ['float64', 'float32'] as const;
const rng = createRng(7);
const images = randn([2, 4, 7, 6], rng); // [N, C, H, W]
const signals = randn([3, 4, 11], rng); // [N, C, L]
/** Weights of a shape: the same values at every call (a case's function runs once to export, once to compare). */
const w2 = (shape: readonly number[]): Tensor => randn(shape, createRng(shape.reduce((seed, d) => seed * 31 + d, 1)), { std: 0.5 });

describe('exportOnnx: convolution', () => {
  const cases: [string, Tensor, (t: Tensor) => Tensor][] = [
    ['conv2d 3×3 with bias', images, (t) => conv2d(t, w2([3, 4, 3, 3]), w2([3]))],
    ['conv2d stride 2, padding 1', images, (t) => conv2d(t, w2([5, 4, 3, 3]), undefined, { stride: 2, padding: 1 })],
    ['conv2d stride [1,2], padding [2,1], dilation [2,1]', images, (t) => conv2d(t, w2([3, 4, 3, 2]), w2([3]), { stride: [1, 2], padding: [2, 1], dilation: [2, 1] })],
    ['conv2d groups 2, kernel 2×3', images, (t) => conv2d(t, w2([6, 2, 2, 3]), w2([6]), { groups: 2, padding: [0, 1] })],
    ['conv2d depthwise (groups = channels), dilation 2', images, (t) => conv2d(t, w2([4, 1, 2, 2]), undefined, { groups: 4, dilation: 2, padding: 1 })],
    ['conv1d stride 2, padding 1, dilation 2, groups 2', signals, (t) => conv1d(t, w2([6, 2, 3]), w2([6]), { stride: 2, padding: 1, dilation: 2, groups: 2 })],
    ['conv1d kernel 1', signals, (t) => conv1d(t, w2([2, 4, 1]))],
    ["conv2d padding 'same', kernel 4×3 (an odd total: the extra zero after, as a Pad)", images, (t) => conv2d(t, w2([3, 4, 4, 3]), w2([3]), { padding: 'same' })],
    ["conv1d padding 'same', kernel 2, dilation 3", signals, (t) => conv1d(t, w2([2, 4, 2]), undefined, { padding: 'same', dilation: 3 })],
    ['convTranspose2d 3×3 with bias', images, (t) => convTranspose2d(t, w2([4, 3, 3, 3]), w2([3]))],
    ['convTranspose2d stride 2, padding 1, outputPadding 1', images, (t) => convTranspose2d(t, w2([4, 2, 3, 3]), w2([2]), { stride: 2, padding: 1, outputPadding: 1 })],
    ['convTranspose2d stride [2,3], dilation [1,2], groups 2', images, (t) => convTranspose2d(t, w2([4, 3, 2, 3]), w2([6]), { stride: [2, 3], dilation: [1, 2], groups: 2 })],
    ['convTranspose2d padding beyond the kernel (the spread is cropped)', images, (t) => convTranspose2d(t, w2([4, 2, 3, 3]), undefined, { stride: 2, padding: 3 })],
    ['convTranspose1d stride 3, padding 1, outputPadding 2, groups 4', signals, (t) => convTranspose1d(t, w2([4, 1, 4]), w2([4]), { stride: 3, padding: 1, outputPadding: 2, groups: 4 })],
  ];
  for (const [name, x, fn] of cases) {
    for (const dtype of DTYPES) {
      it(`${name} (${dtype})`, async () => {
        expect(await compare(fn, x, dtype)).toBeLessThan(TOLERANCE[dtype]);
      });
    }
  }

  it('the exported convolution takes any batch size (traced with one image)', async () => {
    const w = w2([3, 4, 3, 3]);
    const fn = (t: Tensor): Tensor => conv2d(t, w, undefined, { padding: 1 });
    for (const dtype of DTYPES) {
      const bytes = exportOnnx(fn, { inputShape: [1, 4, 7, 6], dtype });
      const got = await runOnnx(bytes, images, dtype);
      expect(got.dims).toEqual([2, 3, 7, 6]);
      expect(maxDiff(got.data, fn(images).data)).toBeLessThan(TOLERANCE[dtype]);
    }
  });
});

describe('exportOnnx: pooling', () => {
  const cases: [string, (t: Tensor) => Tensor][] = [
    ['maxPool2d 2×2', (t) => maxPool2d(t, 2)],
    ['maxPool2d 3×3, stride 2, padding 1', (t) => maxPool2d(t, 3, { stride: 2, padding: 1 })],
    ['maxPool2d 2×3, stride 1, dilation 2', (t) => maxPool2d(t, [2, 3], { stride: 1, dilation: 2 })],
    ['avgPool2d 2×2', (t) => avgPool2d(t, 2)],
    ['avgPool2d 3×3, stride 2, padding 1 (padding counts)', (t) => avgPool2d(t, 3, { stride: 2, padding: 1 })],
    ['avgPool2d 3×2, stride [1,2], padding 1, countIncludePad false', (t) => avgPool2d(t, [3, 2], { stride: [1, 2], padding: 1, countIncludePad: false })],
    ['maxPool2d 2×2, stride 1, ceilMode that adds no window', (t) => maxPool2d(t, 2, { stride: 1, ceilMode: true })],
    ['avgPool2d 2×2, stride 1, ceilMode that adds no window', (t) => avgPool2d(t, 2, { stride: 1, ceilMode: true })],
  ];
  for (const [name, fn] of cases) {
    for (const dtype of DTYPES) {
      it(`${name} (${dtype})`, async () => {
        expect(await compare(fn, images, dtype)).toBeLessThan(TOLERANCE[dtype]);
      });
    }
  }

  it('a ceilMode that adds a last, partial window is refused, not exported with other sizes', () => {
    const shape = [1, ...images.shape.slice(1)];
    expect(() => exportOnnx((t: Tensor) => maxPool2d(t, 2, { ceilMode: true }), { inputShape: shape })).toThrow(
      /exportOnnx: maxPool2d with ceilMode gives \[4, 3\] windows where floor mode gives \[3, 3\]/,
    );
    expect(() => exportOnnx((t: Tensor) => avgPool2d(t, 2, { ceilMode: true }), { inputShape: shape })).toThrow(/avgPool2d with ceilMode/);
  });
});

describe('exportOnnx: upsample (PyTorch interpolate; float32 as Resize, float64 as Gathers of the taps)', () => {
  const cases: [string, (t: Tensor) => Tensor][] = [
    ['nearest, scaleFactor 2', (t) => upsample(t, { scaleFactor: 2 })],
    ['nearest, scaleFactor 3 (src = ⌊dst·fround(1/3)⌋)', (t) => upsample(t, { scaleFactor: 3 })],
    ['nearest, scaleFactor [1.5, 2.5]', (t) => upsample(t, { scaleFactor: [1.5, 2.5] })],
    ['nearest, scaleFactor [7/6, 5/3] (not exact in float32)', (t) => upsample(t, { scaleFactor: [7 / 6, 5 / 3] })],
    ['bilinear, scaleFactor 10/3', (t) => upsample(t, { scaleFactor: 10 / 3, mode: 'bilinear' })],
    ['nearest, size [5, 13] (rows shrink, columns grow)', (t) => upsample(t, { size: [5, 13] })],
    ['nearest, size [11, 17]', (t) => upsample(t, { size: [11, 17] })],
    ['bilinear, scaleFactor 2', (t) => upsample(t, { scaleFactor: 2, mode: 'bilinear' })],
    ['bilinear, scaleFactor 0.5 (shrinks)', (t) => upsample(t, { scaleFactor: 0.5, mode: 'bilinear' })],
    ['bilinear, size [10, 4]', (t) => upsample(t, { size: [10, 4], mode: 'bilinear' })],
    ['bilinear, alignCorners, size [13, 11]', (t) => upsample(t, { size: [13, 11], mode: 'bilinear', alignCorners: true })],
    ['bilinear, alignCorners, scaleFactor 1.7', (t) => upsample(t, { scaleFactor: 1.7, mode: 'bilinear', alignCorners: true })],
    ['bilinear, size 1 (one output pixel: PyTorch reads the middle, so not Resize)', (t) => upsample(t, { size: 1, mode: 'bilinear' })],
    ['bilinear, size [4, 1]', (t) => upsample(t, { size: [4, 1], mode: 'bilinear' })],
    ['bilinear, alignCorners, size [1, 5]', (t) => upsample(t, { size: [1, 5], mode: 'bilinear', alignCorners: true })],
  ];
  for (const [name, fn] of cases) {
    for (const dtype of DTYPES) {
      it(`${name} (${dtype})`, async () => {
        expect(await compare(fn, images, dtype)).toBeLessThan(TOLERANCE[dtype]);
      });
    }
  }

  it('a scale factor whose float32 rounding would change Resize\'s size (7·fround(31/7) < 31) is written as Gathers', async () => {
    const fn = (t: Tensor): Tensor => upsample(t, { scaleFactor: [31 / 7, 1], mode: 'bilinear' });
    const bytes = exportOnnx(fn, { inputShape: images.shape, dtype: 'float32' });
    expect(Buffer.from(bytes).includes(Buffer.from('Resize'))).toBe(false);
    expect(await compare(fn, images, 'float32')).toBeLessThan(TOLERANCE.float32);
    expect(Buffer.from(exportOnnx((t) => upsample(t, { scaleFactor: 2 }), { inputShape: images.shape, dtype: 'float32' })).includes(Buffer.from('Resize'))).toBe(true);
  });

  it('a conv → upsample decoder takes any batch size (traced with one image)', async () => {
    const w = w2([3, 4, 3, 3]);
    const fn = (t: Tensor): Tensor => upsample(conv2d(t, w, undefined, { padding: 1 }), { scaleFactor: 2, mode: 'bilinear' }).relu();
    for (const dtype of DTYPES) {
      const got = await runOnnx(exportOnnx(fn, { inputShape: [1, 4, 7, 6], dtype }), images, dtype);
      expect(got.dims).toEqual([2, 3, 14, 12]);
      expect(maxDiff(got.data, fn(images).data)).toBeLessThan(TOLERANCE[dtype]);
    }
  });
});

describe('exportOnnx: cast', () => {
  const fn = (t: Tensor): Tensor => t.float().mul(3).add(1).double().add(t.mul(0.1));
  const x = randn([3, 5], createRng(4));
  it('all float32 (dtype float32): the cast to float64 is the identity', async () => {
    expect(await compare(fn, x, 'float32')).toBeLessThan(TOLERANCE.float32);
  });

  it('all float64 (dtype float64): the cast rounds, the float32 ops after it compute in float64', async () => {
    const diff = await compare(fn, x, 'float64');
    expect(diff).toBeGreaterThan(0);
    expect(diff).toBeLessThan(1e-6);
  });

  it('without dtype each value keeps its own: a float32 stretch between Casts, exactly as gradlab', async () => {
    const bytes = exportOnnx(fn, { inputShape: [3, 5] });
    const got = await runOnnx(bytes, x, 'float64');
    expect(maxDiff(got.data, fn(x).data)).toBe(0);
    // the float32 stretch is really float32: a float64 graph would not round
    expect(maxDiff(got.data, x.mul(3).add(1).add(x.mul(0.1)).data)).toBeGreaterThan(1e-9);
  });
});

/** A small CNN from core ops and nn's Flatten and Linear: conv → relu → maxPool → conv → avgPool → flatten → linear → softmax. */
class SmallCnn extends Module {
  readonly w1: Tensor;
  readonly b1: Tensor;
  readonly w2: Tensor;
  readonly flatten = new Flatten();
  readonly head: Linear;
  constructor(seed: number) {
    super();
    const r = createRng(seed);
    this.w1 = this.registerParameter('w1', randn([4, 1, 3, 3], r, { std: 0.5, requiresGrad: true }));
    this.b1 = this.registerParameter('b1', randn([4], r, { std: 0.1, requiresGrad: true }));
    this.w2 = this.registerParameter('w2', randn([6, 4, 3, 3], r, { std: 0.3, requiresGrad: true }));
    this.head = this.addModule('head', new Linear(6 * 2 * 2, 3, { seed }));
  }
  forward(x: Tensor): Tensor {
    const h = maxPool2d(conv2d(x, this.w1, this.b1, { padding: 1 }).relu(), 2);
    const g = avgPool2d(conv2d(h, this.w2, undefined, { padding: 1 }).gelu(), 2);
    return this.head.forward(this.flatten.forward(g)).softmax(-1);
  }
}

describe('exportOnnx: a small CNN end to end', () => {
  const batch = randn([5, 1, 8, 8], createRng(3));
  for (const dtype of DTYPES) {
    it(`conv → relu → maxPool → conv → gelu → avgPool → flatten → linear → softmax (${dtype}): traced with 1 image, run on 5`, async () => {
      const model = new SmallCnn(11);
      const bytes = exportOnnx(model, { inputShape: [1, 1, 8, 8], dtype });
      const got = await runOnnx(bytes, batch, dtype);
      const want = model.forward(batch);
      expect(got.dims).toEqual([5, 3]);
      expect(maxDiff(got.data, want.data)).toBeLessThan(TOLERANCE[dtype]);
      // the same class for every image
      const classes = (values: ArrayLike<number>) => Array.from({ length: 5 }, (_, i) => argmax(tensor(Array.from(values).slice(3 * i, 3 * i + 3))).data[0]);
      expect(classes(got.data)).toEqual(classes(want.data));
    });
  }
});

describe('exportOnnx: statistics, gelu, comparisons, indices', () => {
  const x = tensor([
    [0.5, -1.25, 2, 0.1, 3.5],
    [-0.3, 0.7, -2.5, 1.5, 0.2],
    [1.1, 0.2, -0.4, -0.9, -4],
  ]);
  const table = randn([6, 3], rng);
  const cases: [string, (t: Tensor) => Tensor][] = [
    ['variance and std over axes, unbiased or not', (t) => t.variance(1, { keepDims: true }).add(t.std(0)).add(t.variance(undefined, { unbiased: false })).add(t.std([0, 1]))],
    ['gelu (erf form)', (t) => gelu(t.mul(2))],
    ['gelu (tanh form)', (t) => gelu(t.mul(2), { approximate: 'tanh' })],
    ['where with gt, ge, lt, le, eq, step (the masks follow the input)', (t) =>
      where(gt(t, 0.2), t.mul(2), t.neg()).add(ge(t, 0.5)).add(lt(t, -0.3)).add(le(t, 0.1)).add(eq(t, 0.2)).add(step(t)).add(where(t, 1, 2))],
    ['argmax and argmin, along an axis and flat', (t) => argmax(t, 1).add(argmin(t, 0, { keepDims: true }).sum()).add(argmax(t)).add(argmin(t, undefined, { keepDims: true }).reshape([]))],
    ['norm, prod, logSumExp', (t) => t.norm(2, 1).add(t.prod(0).sum()).add(t.logSumExp(1))],
    ['pad with a value', (t) => pad(t, [[1, 0], [2, 3]], 0.5)],
    ['gather (torch.gather) along axis 1', (t) => gather(t, 1, [[4, 0], [1, 1], [3, 2]])],
    ['dropout off (training: false) is the identity', (t) => dropout(t, 0.5, createRng(1), { training: false }).mul(2)],
  ];
  for (const [name, fn] of cases) {
    for (const dtype of DTYPES) {
      it(`${name} (${dtype})`, async () => {
        expect(await compare(fn, x, dtype, { dynamicBatch: false })).toBeLessThan(TOLERANCE[dtype]);
      });
    }
  }

  for (const dtype of DTYPES) {
    it(`index, oneHot and nn's Embedding read the input as class indices (${dtype})`, async () => {
      const ids = tensor([5, 0, 2, 2, 4]);
      expect(await compare((t) => index(table, t), ids, dtype)).toBeLessThan(TOLERANCE[dtype]);
      expect(await compare((t) => oneHot(t, 6).matmul(table), ids, dtype)).toBeLessThan(TOLERANCE[dtype]);
      // nn's Embedding looks up with eq (which records no graph) and a matmul
      expect(await compare(new Embedding(6, 3, { seed: 2 }), ids, dtype)).toBeLessThan(TOLERANCE[dtype]);
    });
  }

  it('erf spelled out for float64 agrees with gradlab over -7 … 7 and keeps NaN and ±Infinity', async () => {
    const xs = linspace(-7, 7, 4001);
    expect(await compare((t) => t.erf(), xs, 'float64')).toBeLessThan(1e-14);
    const special = tensor([NaN, Infinity, -Infinity, 0, 30]);
    const got = await runOnnx(exportOnnx((t) => t.erf(), { inputShape: [5] }), special, 'float64');
    expect(got.data).toEqual([NaN, 1, -1, 0, 1]);
  });

  it("every op of @gradlab/core is exported, or refused with a reason (a new op must choose)", () => {
    const ops = new Set<string>();
    for (const value of [...Object.values(core), ...Object.values(fast)]) {
      // conv1dOps and conv2dOps hold three ops each
      const candidates = value instanceof core.Op ? [value] : typeof value === 'object' && value !== null ? Object.values(value) : [];
      for (const op of candidates) if (op instanceof core.Op) ops.add(op.name);
    }
    expect(ops.size).toBeGreaterThan(60);
    const undecided = [...ops].filter((op) => !ONNX_EXPORTABLE_OPS.includes(op) && !(op in ONNX_NOT_EXPORTABLE));
    expect(undecided).toEqual([]);
    expect(Object.keys(ONNX_NOT_EXPORTABLE).filter((op) => !ops.has(op))).toEqual([]);
  });

  it('refuses upsampleBackward and assign with their reasons', () => {
    expect(ONNX_NOT_EXPORTABLE.upsampleBackward).toMatch(/computes a gradient/);
    expect(ONNX_NOT_EXPORTABLE.assign).toMatch(/writes a buffer in place.*only in training; export the model in eval mode/);
  });

  it('lists every op it maps', () => {
    for (const op of ['cast', 'upsample', 'conv1d', 'conv2d', 'convTranspose1d', 'convTranspose2d', 'maxPool2d', 'avgPool2d', 'variance', 'std', 'gelu', 'where', 'gt', 'ge', 'lt', 'le', 'eq', 'step', 'argmax', 'argmin', 'norm', 'prod', 'logSumExp', 'pad', 'gather', 'index', 'oneHot']) {
      expect(ONNX_EXPORTABLE_OPS).toContain(op);
    }
  });
});
