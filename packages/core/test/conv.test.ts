// Convolution, pooling and dropout: first and second derivatives against finite differences,
// values against plain loops written from PyTorch's definitions, errors that name the op, the
// argument and the shapes, the graph's nodes and formulas, compiled steps bit-identical to eager
// ones (dropout included), and the Tensor methods. (Values and gradients against PyTorch are in
// ops-reference.test.ts.)
import { describe, expect, it } from 'vitest';
import {
  add, avgPool2d, compile, conv1d, conv2d, conv2dOps, defineOp, enableGrad, type ConvAttrs, convTranspose1d, convTranspose2d, createRng, dropout, dropoutMaskOp, edgeJacobian, explainGradient, flatten, grad, gradcheck,
  localDerivatives, logSoftmax, maxPool2d, mean, mul, ones, randn, sub, sum, tensor, trace, GradlabError, type ConvOptions, type GradcheckOptions,
  type Tensor,
} from '../src/index.ts';
import { expectValues, PlainSGD } from './helpers.ts';

const leaf = (shape: number[], seed: number) => randn(shape, createRng(seed), { requiresGrad: true });

// ---- plain loops from the definitions, to compare with ---------------------------------------------

interface Settings {
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  groups: number;
}

/** y[n,o,oy,ox] = Σ_c,i,j x[n, g·Cg + c, oy·s − p + i·d, ox·s − p + j·d]·w[o,c,i,j] (zero outside x). */
function naiveConv2d(x: Tensor, w: Tensor, { stride, padding, dilation, groups }: Settings): { shape: number[]; data: number[] } {
  const [N, C, H, W] = x.shape;
  const [O, Cg, KH, KW] = w.shape;
  const OH = Math.floor((H + 2 * padding[0] - dilation[0] * (KH - 1) - 1) / stride[0]) + 1;
  const OW = Math.floor((W + 2 * padding[1] - dilation[1] * (KW - 1) - 1) / stride[1]) + 1;
  const Og = O / groups;
  const data: number[] = [];
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++)
      for (let oy = 0; oy < OH; oy++)
        for (let ox = 0; ox < OW; ox++) {
          let s = 0;
          const g = Math.floor(o / Og);
          for (let c = 0; c < Cg; c++)
            for (let i = 0; i < KH; i++)
              for (let j = 0; j < KW; j++) {
                const iy = oy * stride[0] - padding[0] + i * dilation[0];
                const ix = ox * stride[1] - padding[1] + j * dilation[1];
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                s += x.data[((n * C + g * Cg + c) * H + iy) * W + ix] * w.data[((o * Cg + c) * KH + i) * KW + j];
              }
          data.push(s);
        }
  return { shape: [N, O, OH, OW], data };
}

function closeTo(actual: Tensor, expected: { shape: number[]; data: number[] }, tol = 1e-12): void {
  expect(actual.shape).toEqual(expected.shape);
  expected.data.forEach((v, i) => {
    if (!(Math.abs(actual.data[i] - v) <= tol * (1 + Math.abs(v)))) throw new Error(`element ${i}: ${actual.data[i]}, expected ${v}`);
  });
}

describe('conv2d against plain loops', () => {
  it('40 seeded random configurations: shapes, stride, padding, dilation, groups', () => {
    const random = createRng(2024);
    const pick = (lo: number, hi: number) => lo + random.int(hi - lo + 1);
    let checked = 0;
    for (let t = 0; t < 40; t++) {
      const groups = pick(1, 3);
      const cg = pick(1, 2);
      const og = pick(1, 3);
      const settings: Settings = {
        stride: [pick(1, 3), pick(1, 3)],
        padding: [pick(0, 2), pick(0, 2)],
        dilation: [pick(1, 2), pick(1, 2)],
        groups,
      };
      const kh = pick(1, 3);
      const kw = pick(1, 3);
      const h = Math.max(pick(1, 7), settings.dilation[0] * (kh - 1) + 1 - 2 * settings.padding[0]);
      const w = Math.max(pick(1, 7), settings.dilation[1] * (kw - 1) + 1 - 2 * settings.padding[1]);
      const x = randn([pick(1, 3), groups * cg, h, w], random);
      const weight = randn([groups * og, cg, kh, kw], random);
      const y = conv2d(x, weight, undefined, settings);
      closeTo(y, naiveConv2d(x, weight, settings));
      checked += y.size;
    }
    expect(checked).toBeGreaterThan(500);
  });

  it('by hand: a 2×2 difference kernel, with bias and padding', () => {
    const x = tensor([[[[1, 2, 3], [4, 5, 6], [7, 8, 10]]]]);
    const w = tensor([[[[1, 0], [0, -1]]]]);
    expectValues(conv2d(x, w), [[[[-4, -4], [-4, -5]]]]);
    expectValues(conv2d(x, w, tensor([0.5])), [[[[-3.5, -3.5], [-3.5, -4.5]]]]);
    expectValues(conv2d(x, w, undefined, { padding: 1 }).slice([0, 0, 0], [1, 1, 1]), [[[[-1, -2, -3, 0]]]]);
    expectValues(conv1d(tensor([[[1, 2, 4, 8]]]), tensor([[[1, -1]]]), tensor([10])), [[[9, 8, 6]]]);
  });

  it('the samples are taken in chunks: a batch larger than one chunk gives what each sample gives alone', () => {
    // K·P = 3·3·3·(30·30) values per sample: a 2^18-value chunk holds 10 samples, so 70 samples are 7 chunks
    const random = createRng(5);
    const x = randn([70, 3, 30, 30], random);
    const w = randn([4, 3, 3, 3], random);
    const y = conv2d(x, w, undefined, { padding: 1 });
    for (const n of [0, 9, 10, 33, 69]) {
      const alone = conv2d(x.slice([n], [n + 1]), w, undefined, { padding: 1 });
      expect(Array.from(y.slice([n], [n + 1]).data)).toEqual(Array.from(alone.data));
    }
  });

  it('conv1d is conv2d over a height of 1; convTranspose2d is the adjoint of conv2d: ⟨conv(x, w), g⟩ = ⟨x, convT(g, w)⟩', () => {
    const random = createRng(8);
    const x = randn([2, 4, 9], random);
    const w = randn([6, 2, 3], random);
    const options: ConvOptions = { stride: 2, padding: 1, dilation: 2, groups: 2 };
    const y1 = conv1d(x, w, undefined, options);
    const y2 = conv2d(x.reshape([2, 4, 1, 9]), w.reshape([6, 2, 1, 3]), undefined, { stride: [1, 2], padding: [0, 1], dilation: [1, 2], groups: 2 });
    expect(Array.from(y1.data)).toEqual(Array.from(y2.data));

    const x4 = randn([2, 4, 7, 6], random);
    const w4 = randn([6, 2, 3, 2], random);
    const settings = { stride: [2, 1], padding: [1, 0], dilation: [1, 2], groups: 2 } as const;
    const y = conv2d(x4, w4, undefined, settings);
    const g = randn(y.shape, random);
    // the transposed convolution of g, sized back to x4's 7×6 (outputPadding 0 gives 7 rows here)
    const back = convTranspose2d(g, w4, undefined, settings);
    expect(back.shape).toEqual(x4.shape);
    const lhs = mul(y, g).sum().item();
    const rhs = mul(x4, back).sum().item();
    expect(Math.abs(lhs - rhs)).toBeLessThan(1e-11 * Math.abs(lhs));
  });
});

// ---- derivatives -------------------------------------------------------------------------------------

interface Check {
  name: string;
  fn: (...xs: Tensor[]) => Tensor;
  inputs: () => Tensor[];
  options?: GradcheckOptions;
}

// squared after the op, so the second derivatives are not all zero (the ops are (bi)linear)
const checks: Check[] = [
  { name: 'conv2d with bias', fn: (x, w, b) => conv2d(x, w, b).square(), inputs: () => [leaf([2, 2, 4, 4], 1), leaf([3, 2, 2, 2], 2), leaf([3], 3)] },
  {
    name: 'conv2d stride [2,1], padding [1,2], dilation [1,2], groups 2',
    fn: (x, w, b) => conv2d(x, w, b, { stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 2 }).square(),
    inputs: () => [leaf([1, 4, 5, 4], 4), leaf([4, 2, 2, 2], 5), leaf([4], 6)],
  },
  {
    name: 'conv2d depthwise, stride 2 (last row unread)',
    fn: (x, w) => conv2d(x, w, undefined, { stride: 2, groups: 2 }).square(),
    inputs: () => [leaf([1, 2, 5, 5], 7), leaf([2, 1, 2, 2], 8)],
  },
  { name: 'conv1d with bias, stride 2, padding 1, dilation 2', fn: (x, w, b) => conv1d(x, w, b, { stride: 2, padding: 1, dilation: 2 }).square(), inputs: () => [leaf([2, 2, 7], 9), leaf([3, 2, 3], 10), leaf([3], 11)] },
  { name: 'conv1d groups 2', fn: (x, w) => conv1d(x, w, undefined, { groups: 2 }).sin(), inputs: () => [leaf([1, 4, 5], 12), leaf([2, 2, 2], 13)] },
  {
    name: 'convTranspose2d stride 2, padding 1, outputPadding 1, bias',
    fn: (x, w, b) => convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1 }).square(),
    inputs: () => [leaf([1, 2, 3, 3], 14), leaf([2, 3, 2, 2], 15), leaf([3], 16)],
  },
  { name: 'convTranspose1d groups 2, dilation 2', fn: (x, w) => convTranspose1d(x, w, undefined, { groups: 2, dilation: 2 }).square(), inputs: () => [leaf([2, 4, 3], 17), leaf([4, 1, 2], 18)] },
  {
    name: 'two conv2d layers with tanh between (the backward graph holds all three conv ops)',
    fn: (x, w1, w2) => conv2d(conv2d(x, w1, undefined, { padding: 1 }).tanh(), w2, undefined, { stride: 2 }).tanh(),
    inputs: () => [leaf([1, 1, 5, 5], 19), leaf([2, 1, 3, 3], 20), leaf([2, 2, 2, 2], 21)],
  },
  // distinct values: no ties, so the arg-max does not move within ±ε
  { name: 'maxPool2d kernel 2', fn: (x) => maxPool2d(x, 2).square(), inputs: () => [leaf([2, 2, 4, 4], 22)] },
  { name: 'maxPool2d kernel 3, stride 1, padding 1, dilation 2 (overlapping windows)', fn: (x) => maxPool2d(x, 3, { stride: 1, padding: 1, dilation: 2 }).square(), inputs: () => [leaf([1, 2, 5, 5], 23)] },
  { name: 'avgPool2d kernel 3, stride 2, padding 1', fn: (x) => avgPool2d(x, 3, { stride: 2, padding: 1 }).square(), inputs: () => [leaf([1, 2, 5, 5], 24)] },
  { name: 'avgPool2d kernel [2,3], countIncludePad false', fn: (x) => avgPool2d(x, [2, 3], { stride: 1, padding: 1, countIncludePad: false }).square(), inputs: () => [leaf([2, 1, 3, 4], 25)] },
  {
    name: 'conv2d → maxPool2d → avgPool2d',
    fn: (x, w) => avgPool2d(maxPool2d(conv2d(x, w, undefined, { padding: 1 }), 2), 2).square(),
    inputs: () => [leaf([1, 1, 4, 4], 26), leaf([2, 1, 3, 3], 27)],
  },
];

describe('gradcheck of order 1 and 2', () => {
  it.each(checks.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const result = gradcheck(c.fn, c.inputs(), { order: 2, ...c.options });
    expect(result.message).toMatch(/^passed/);
    expect(result.checked).toBeGreaterThan(0);
  });

  it('and fails for an op with conv2d’s kernel whose input rule forgets the dilation', () => {
    const x = leaf([1, 1, 5, 5], 30);
    const w = randn([1, 1, 2, 2], createRng(31));
    const { conv, convTranspose } = conv2dOps;
    const wrongConv = defineOp({
      name: 'wrongConv',
      inputs: ['x', 'w'],
      kernel: conv.spec.kernel,
      derivatives: {
        x: {
          formula: 'wrong: convTranspose2d without the dilation',
          vjp: ({ grad: g, w: weight, attrs }) => convTranspose.apply([g, weight], { ...attrs, window: { ...attrs.window, dh: 1, dw: 1 } }),
        },
        w: { notDifferentiable: 'not checked here' },
      },
    });
    const attrs = conv2d(x, w, undefined, { dilation: 2 }).attrs as ConvAttrs;
    expect(gradcheck((t) => conv.apply([t, w], attrs), [x]).passed).toBe(true);
    expect(gradcheck((t) => wrongConv.apply([t, w], attrs), [x]).passed).toBe(false);
  });

  it('the gradient of a gradient: ∂/∂w of ‖∂L/∂x‖² goes through convTranspose2d and its rule', () => {
    const x = leaf([1, 2, 4, 4], 32);
    const w = leaf([3, 2, 2, 2], 33);
    // (enableGrad: gradcheck evaluates f under noGrad for its finite differences)
    const f = (ws: Tensor) =>
      enableGrad(() => {
        const [gx] = grad(conv2d(x, ws, undefined, { stride: 2 }).square().sum(), [x], { createGraph: true });
        return gx.square().sum();
      });
    expect(gradcheck(f, [w]).message).toMatch(/^passed/);
    const [gx] = grad(conv2d(x, w, undefined, { stride: 2 }).square().sum(), [x], { createGraph: true });
    expect(trace(gx).map((n) => n.label)).toContain('convTranspose2d(stride=2)');
  });
});

describe('pooling', () => {
  it('maxPool2d sends the gradient to the first maximum of a window (row-major), as PyTorch', () => {
    const x = tensor([[[[1, 3, 3, 0], [3, 2, 1, 3], [0, 0, 5, 5], [0, 0, 5, 5]]]], { requiresGrad: true });
    const y = maxPool2d(x, 2);
    expectValues(y, [[[[3, 3], [0, 5]]]]);
    expectValues(grad(y.sum(), x)[0], [[[[0, 1, 1, 0], [0, 0, 0, 0], [1, 0, 1, 0], [0, 0, 0, 0]]]]);
    // overlapping windows that share their maximum add up there
    const z = tensor([[[[1, 2, 1], [2, 9, 2], [1, 2, 1]]]], { requiresGrad: true });
    expectValues(grad(maxPool2d(z, 2, { stride: 1 }).sum(), z)[0], [[[[0, 0, 0], [0, 4, 0], [0, 0, 0]]]]);
  });

  it('maxPool2d: NaN wins its window, padding never does, a window of −∞ gives −∞', () => {
    const x = tensor([[[[1, NaN], [2, 3]], [[-Infinity, -Infinity], [-Infinity, -Infinity]]]], { requiresGrad: true });
    const y = maxPool2d(x, 2);
    expect(Number.isNaN(y.data[0])).toBe(true);
    expect(y.data[1]).toBe(-Infinity);
    expectValues(grad(y.sum(), x)[0], [[[[0, 1], [0, 0]], [[1, 0], [0, 0]]]]);
    expectValues(maxPool2d(tensor([[[[-5, -6], [-7, -8]]]]), 2, { stride: 1, padding: 1 }), [[[[-5, -5, -6], [-5, -5, -6], [-7, -7, -8]]]]);
  });

  it('avgPool2d divides by the window size, or by the taps inside x with countIncludePad false', () => {
    const x = ones([1, 1, 2, 2]);
    expectValues(avgPool2d(x, 2, { padding: 1 }), [[[[0.25, 0.25], [0.25, 0.25]]]]);
    expectValues(avgPool2d(x, 2, { padding: 1, countIncludePad: false }), [[[[1, 1], [1, 1]]]]);
    expectValues(avgPool2d(tensor([[[[1, 2, 3], [4, 5, 6]]]]), [2, 3]), [[[[3.5]]]]);
  });
});

// ---- dropout -------------------------------------------------------------------------------------

describe('dropout', () => {
  it('zeroes each element with probability p, scales the others by 1/(1−p); the gradient is the mask', () => {
    const x = ones([200, 500], { requiresGrad: true });
    const y = dropout(x, 0.3, createRng(1));
    let zeros = 0;
    let scaled = 0;
    for (const v of y.data) {
      if (v === 0) zeros++;
      else if (v === 1 / 0.7) scaled++;
    }
    expect(zeros + scaled).toBe(y.size);
    // 100,000 draws: the fraction is within 1% of p (4.6 standard deviations), for this seed and any
    expect(Math.abs(zeros / y.size - 0.3)).toBeLessThan(0.01);
    expect(Math.abs(mean(y).item() - 1)).toBeLessThan(0.015);
    const [g] = grad(y.sum(), x);
    expect(Array.from(g.data)).toEqual(Array.from(y.data));
  });

  it('the same seed gives the same mask; another seed another; the generator moves on between calls', () => {
    const x = ones([4, 8]);
    const a = dropout(x, 0.5, createRng(7));
    const b = dropout(x, 0.5, createRng(7));
    const c = dropout(x, 0.5, createRng(8));
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(Array.from(a.data)).not.toEqual(Array.from(c.data));
    const rng = createRng(7);
    const first = dropout(x, 0.5, rng);
    const second = dropout(x, 0.5, rng);
    expect(Array.from(first.data)).toEqual(Array.from(a.data));
    expect(Array.from(second.data)).not.toEqual(Array.from(first.data));
    // uᵢ = rng.next() in element order, dropped when uᵢ < p
    const replay = createRng(7);
    expect(Array.from(a.data)).toEqual(Array.from({ length: 32 }, () => (replay.next() < 0.5 ? 0 : 2)));
  });

  it('is the identity with training: false or p = 0 (the same tensor, nothing drawn); p = 1 drops everything', () => {
    const x = tensor([1, 2, 3]);
    const rng = createRng(3);
    expect(dropout(x, 0.5, rng, { training: false })).toBe(x);
    expect(dropout(x, 0, rng)).toBe(x);
    expect(rng.next()).toBe(createRng(3).next());
    expectValues(dropout(x, 1, createRng(3)), [0, 0, 0]);
  });

  it('is a mul by a mask in the graph; the mask is made by an op of its own but needs no gradient', () => {
    const x = ones([2, 2], { requiresGrad: true });
    const y = dropout(x, 0.25, createRng(1));
    const mask = y.inputs[1];
    expect(trace(y).map((n) => n.label)).toEqual(['leaf#' + x.id, 'const#' + mask.id, 'mul']);
    expect(mask.requiresGrad).toBe(false);
    expect(dropoutMaskOp.label({ p: 0.25, rng: createRng(1) })).toBe('dropoutMask(p=0.25)');
  });
});

// ---- errors --------------------------------------------------------------------------------------

describe('errors name the op, the argument and the shapes', () => {
  const x = () => ones([2, 3, 5, 5]);
  const w = (shape = [4, 3, 3, 3]) => ones(shape);
  it.each([
    ['conv2d x rank', () => conv2d(ones([3, 5, 5]), w()), 'conv2d: x must be [N,C,H,W] (rank 4), got [3,5,5]'],
    ['conv2d w rank', () => conv2d(x(), ones([4, 3, 3])), 'conv2d: w must be [O,C/groups,kH,kW] (rank 4), got [4,3,3]'],
    ['conv2d channel mismatch', () => conv2d(x(), w([4, 2, 3, 3])), 'conv2d: x [2,3,5,5] has 3 channels, but w [4,2,3,3] takes 2 per group × 1 group = 2'],
    ['conv2d group mismatch (input channels)', () => conv2d(x(), w([4, 1, 3, 3]), undefined, { groups: 2 }), 'conv2d: groups 2 must divide the channels of x [2,3,5,5] (3)'],
    ['conv2d group mismatch (output channels)', () => conv2d(x(), w([5, 1, 3, 3]), undefined, { groups: 3 }), 'conv2d: groups 3 must divide the output channels of w [5,1,3,3] (5)'],
    ['conv2d channels per group', () => conv2d(ones([1, 4, 5, 5]), w([4, 4, 3, 3]), undefined, { groups: 2 }), 'conv2d: x [1,4,5,5] has 4 channels, but w [4,4,3,3] takes 4 per group × 2 groups = 8'],
    ['conv2d groups 0', () => conv2d(x(), w(), undefined, { groups: 0 }), 'conv2d: groups must be an integer ≥ 1, got 0'],
    ['conv2d kernel larger than the padded input', () => conv2d(x(), w([4, 3, 8, 3]), undefined, { padding: 1 }), 'conv2d: the kernel 8×3 is larger than the padded input 7×7 (x [2,3,5,5] with padding 1×1)'],
    ['conv2d dilated kernel too large', () => conv2d(x(), w(), undefined, { dilation: 3 }), 'conv2d: the kernel 3×3 (dilated to 7×7) is larger than the padded input 5×5 (x [2,3,5,5] with padding 0×0)'],
    ['conv2d stride 0', () => conv2d(x(), w(), undefined, { stride: 0 }), 'conv2d: stride must be an integer ≥ 1 or a pair of them ([height, width]), got 0'],
    ['conv2d stride 1.5', () => conv2d(x(), w(), undefined, { stride: [1, 1.5] }), 'conv2d: stride must be an integer ≥ 1 or a pair of them ([height, width]), got [1,1.5]'],
    ['conv2d negative padding', () => conv2d(x(), w(), undefined, { padding: -1 }), 'conv2d: padding must be an integer ≥ 0 or a pair of them ([height, width]), got -1'],
    ['conv2d bias shape', () => conv2d(x(), w(), ones([3])), 'conv2d: bias must be [4] (one value per output channel), got [3]'],
    ['conv2d empty kernel', () => conv2d(x(), w([4, 3, 0, 3])), 'conv2d: w [4,3,0,3] has an empty kernel (0×3)'],
    ['conv2d options', () => conv2d(x(), w(), undefined, 2 as unknown as ConvOptions), 'conv2d: options must be an object { stride, padding, dilation, groups }, got 2'],
    ['conv1d stride pair', () => conv1d(ones([1, 2, 5]), ones([1, 2, 2]), undefined, { stride: [1, 2] }), 'conv1d: stride must be an integer ≥ 1 (or a list of one), got [1,2]'],
    ['conv1d kernel too large', () => conv1d(ones([1, 2, 5]), ones([1, 2, 6])), 'conv1d: the kernel 6 is larger than the padded input 5 (x [1,2,5] with padding 0)'],
    ['conv1d x rank', () => conv1d(ones([2, 5]), ones([1, 2, 2])), 'conv1d: x must be [N,C,L] (rank 3), got [2,5]'],
    ['convTranspose2d channels', () => convTranspose2d(x(), w([4, 3, 3, 3])), 'convTranspose2d: x [2,3,5,5] has 3 channels, but w [4,3,3,3] takes 4 (its first axis)'],
    ['convTranspose2d outputPadding', () => convTranspose2d(x(), w([3, 2, 3, 3]), undefined, { stride: 2, outputPadding: 2 }), 'convTranspose2d: outputPadding 2 must be smaller than the stride (2) or the dilation (1)'],
    ['convTranspose2d empty output', () => convTranspose2d(ones([1, 1, 1, 1]), ones([1, 1, 1, 1]), undefined, { padding: 1 }), 'convTranspose2d: x [1,1,1,1] with w [1,1,1,1] gives an empty output (-1×-1); lower the padding'],
    ['maxPool2d rank', () => maxPool2d(ones([3, 4, 4]), 2), 'maxPool2d: x must be [N,C,H,W] (rank 4), got [3,4,4]'],
    ['maxPool2d kernel larger than the input', () => maxPool2d(x(), 6), 'maxPool2d: the kernel 6×6 is larger than the padded input 5×5 (x [2,3,5,5] with padding 0×0)'],
    ['maxPool2d padding more than half the kernel', () => maxPool2d(x(), 3, { padding: 2 }), 'maxPool2d: padding 2×2 must be at most half the kernel size 3×3 (as in PyTorch)'],
    ['maxPool2d kernelSize 0', () => maxPool2d(x(), 0), 'maxPool2d: kernelSize must be an integer ≥ 1 or a pair of them ([height, width]), got 0'],
    ['maxPool2d a window wholly in the padding', () => maxPool2d(ones([1, 1, 4, 4]), 2, { padding: 1, dilation: 5 }), 'maxPool2d: with dilation 5×5 a window of x [1,1,4,4] lies wholly in the padding'],
    ['avgPool2d stride', () => avgPool2d(x(), 2, { stride: [2] }), 'avgPool2d: stride must be an integer ≥ 1 or a pair of them ([height, width]), got [2]'],
    ['dropout p', () => dropout(x(), 1.5, createRng(1)), 'dropout: p must be a probability in [0, 1], got 1.5'],
    ['dropout rng', () => dropout(x(), 0.5, 7 as unknown as ReturnType<typeof createRng>), 'dropout: rng must be a RandomSource { next(): number } such as createRng(seed), got 7'],
  ])('%s', (_, fn, message) => {
    expect(fn).toThrow(GradlabError);
    expect(fn).toThrow(message);
    try {
      fn();
    } catch (e) {
      expect((e as Error).message).toBe(message);
    }
  });
});

// ---- the graph ----------------------------------------------------------------------------------

describe('the graph shows one node per op, with its formula', () => {
  it('conv2d, its bias add, the pools; and the rules of the three conv ops', () => {
    const x = leaf([1, 2, 6, 6], 40);
    const w = leaf([4, 1, 3, 3], 41);
    const b = leaf([4], 42);
    const y = conv2d(x, w, b, { stride: 2, padding: 1, groups: 2 });
    expect(trace(y).map((n) => n.label)).toEqual(['leaf#' + x.id, 'leaf#' + w.id, 'conv2d(stride=2, padding=1, groups=2)', 'leaf#' + b.id, 'reshape([1,4,1,1])', 'add']);
    const conv = y.inputs[0];
    expect(localDerivatives(conv).map((d) => [d.input, d.formula])).toEqual([
      ['x', '∂y[n,o,p]/∂x[n,c,i] = w[o,c,tap] where window p reads x[n,c,i] at that tap, so ∂L/∂x = convTranspose2d(∂L/∂y, w)'],
      ['w', '∂y[n,o,p]/∂w[o,c,tap] = x[n,c] at that tap of window p, so ∂L/∂w = conv2dWeight(x, ∂L/∂y) = Σₙ,ₚ ∂L/∂yₙₒₚ·x(tap of p)'],
    ]);
    const [gw] = grad(y.sum(), [w], { createGraph: true });
    expect(trace(gw).map((n) => n.label)).toContain('conv2dWeight(stride=2, padding=1, groups=2)');
    expect(trace(maxPool2d(x, 2, { stride: 1 })).map((n) => n.label)[1]).toBe('maxPool2d(2×2, stride=1)');
    expect(trace(avgPool2d(x, [2, 3], { padding: 1, countIncludePad: false })).map((n) => n.label)[1]).toBe('avgPool2d(2×3, padding=1, countIncludePad=false)');
    expect(trace(conv1d(x.reshape([1, 2, 36]), w.reshape([4, 1, 9]), undefined, { dilation: 2, groups: 2 })).map((n) => n.label)).toContain('conv1d(dilation=2, groups=2)');
  });
});

describe('the inspector probes the conv and pool rules element by element', () => {
  it('edgeJacobian of conv2d: each output reads x under the kernel; explainGradient through maxPool2d', () => {
    const x = tensor([[[[1, 2, 3], [4, 5, 6], [7, 8, 10]]]], { requiresGrad: true, name: 'x' });
    const w = tensor([[[[1, 0], [0, -1]]]], { requiresGrad: true, name: 'w' });
    const y = conv2d(x, w);
    // y[p] = x[p] − x[p + (1,1)]: ∂y/∂x is 1 at the window's first tap and −1 at its last
    expect(edgeJacobian(y, 0)).toEqual([[0, 0, 1], [0, 4, -1], [1, 1, 1], [1, 5, -1], [2, 3, 1], [2, 7, -1], [3, 4, 1], [3, 8, -1]]);
    // ∂y/∂w at output 3 (window at (1,1)): x[1,1], x[1,2], x[2,1], x[2,2]
    expect(edgeJacobian(y, 1).filter(([o]) => o === 3)).toEqual([[3, 0, 5], [3, 1, 6], [3, 2, 8], [3, 3, 10]]);
    const explained = explainGradient(maxPool2d(y, 2).sum(), x, [0, 0, 0, 0]).toString();
    expect(explained).toContain('path 1: sum ← maxPool2d(2×2)[0,0,0,0] ← conv2d[0,0,0,0] ← x[0,0,0,0]');
    expect(explained).toContain('difference = 0.00e+0');
  });
});

// ---- compile ------------------------------------------------------------------------------------

describe('compile: steps with convolution, pooling and dropout equal the eager steps bit for bit', () => {
  /** A small CNN on [N,1,8,8]: conv → tanh → maxPool → conv (groups 2) → avgPool → dense → logSoftmax cross-entropy. */
  function build() {
    const random = createRng(50);
    const p = {
      w1: randn([4, 1, 3, 3], random, { requiresGrad: true, std: 0.5 }),
      b1: randn([4], random, { requiresGrad: true, std: 0.1 }),
      w2: randn([6, 2, 2, 2], random, { requiresGrad: true, std: 0.5 }),
      w3: randn([10, 3], random, { requiresGrad: true, std: 0.3 }),
      c1: randn([2, 3, 3], random, { requiresGrad: true, std: 0.3 }),
    };
    return p;
  }
  type Params = ReturnType<typeof build>;
  function loss(p: Params, x: Tensor, y: Tensor, rng: ReturnType<typeof createRng> | null): Tensor {
    let h = conv2d(x, p.w1, p.b1, { padding: 1 }).tanh(); // [N,4,8,8]
    h = maxPool2d(h, 2); // [N,4,4,4]
    if (rng) h = dropout(h, 0.2, rng);
    h = conv2d(h, p.w2, undefined, { groups: 2, dilation: [1, 2], padding: [0, 1] }).tanh(); // [N,6,3,4]
    h = avgPool2d(h, [1, 2], { stride: 1, padding: [0, 1], countIncludePad: false }); // [N,6,3,5]
    const seq = conv1d(flatten(h, 2), p.c1, undefined, { stride: 3, groups: 2 }); // [N,6,15] → [N,2,5]
    const z = flatten(seq, 1).matmul(p.w3); // [N,3]
    return mean(mul(logSoftmax(z, 1), y).sum(1)).neg();
  }
  function data(batch: number, seed: number) {
    const random = createRng(seed);
    const x = randn([batch, 1, 8, 8], random);
    const y = tensor(Array.from({ length: batch }, () => {
      const c = random.int(3);
      return [0, 1, 2].map((k) => (k === c ? 1 : 0));
    }));
    return { x, y };
  }

  for (const [mode, batch, withDropout] of [['generated', 2, false], ['generated', 16, true], ['kernels', 4, true], ['generated', 1, true]] as const) {
    it(`${mode}, batch ${batch}${withDropout ? ', with dropout (fresh masks every step, as eager from the same seed)' : ''}`, () => {
      const eager = build();
      const compiled = build();
      const eagerRng = createRng(99);
      const compiledRng = createRng(99);
      const batches = [data(batch, 60), data(batch, 61)];
      const lr = 0.1;
      const eagerLosses: number[] = [];
      const list = (p: Params) => [p.w1, p.b1, p.w2, p.w3, p.c1];
      for (let s = 0; s < 6; s++) {
        const { x, y } = batches[s % 2];
        const l = loss(eager, x, y, withDropout ? eagerRng : null);
        const gs = grad(l, list(eager), { allowUnused: true });
        list(eager).forEach((t, k) => t.data.forEach((v, i) => (t.data[i] = v - lr * gs[k].data[i])));
        eagerLosses.push(l.item());
      }
      const params = list(compiled);
      const step = compile((x: Tensor, y: Tensor) => loss(compiled, x, y, withDropout ? compiledRng : null), { optimizer: new PlainSGD(params, lr), mode });
      const compiledLosses: number[] = [];
      for (let s = 0; s < 6; s++) {
        const { x, y } = batches[s % 2];
        compiledLosses.push(step.run(x, y).item());
      }
      expect(compiledLosses.every(Number.isFinite)).toBe(true);
      compiledLosses.forEach((l, s) => expect(Object.is(l, eagerLosses[s])).toBe(true));
      params.forEach((p, k) => p.data.forEach((v, i) => expect(Object.is(v, list(eager)[k].data[i])).toBe(true)));
      const program = step.describe();
      for (const op of ['conv2d(padding=1)', 'maxPool2dBackward', 'avgPool2dBackward', 'convTranspose2d', 'conv2dWeight', 'conv1dWeight']) expect(program).toContain(op);
      if (withDropout) expect(program).toContain('dropoutMask(p=0.2)');
      // and the losses of the steps differ: fresh batches, moved weights, fresh masks
      expect(new Set(compiledLosses).size).toBe(6);
    });
  }

  it('a decoder step (convTranspose2d with bias, stride 2, outputPadding 1; convTranspose1d) replays bit for bit', () => {
    for (const mode of ['generated', 'kernels'] as const) {
      const make = () => [randn([3, 2, 3, 3], createRng(75), { requiresGrad: true }), randn([2], createRng(76), { requiresGrad: true }), randn([2, 1, 2], createRng(77), { requiresGrad: true })];
      const f = ([w, b, v]: Tensor[], z: Tensor) => {
        const img = convTranspose2d(z, w, b, { stride: 2, padding: 1, outputPadding: 1 }).tanh(); // [2,2,6,6]
        return convTranspose1d(flatten(img, 2), v, undefined, { groups: 2, stride: 3 }).square().mean();
      };
      const z = randn([2, 3, 3, 3], createRng(78));
      const eager = make();
      const losses: number[] = [];
      for (let s = 0; s < 4; s++) {
        const l = f(eager, z);
        const gs = grad(l, eager);
        eager.forEach((p, k) => p.data.forEach((x, i) => (p.data[i] = x - 0.2 * gs[k].data[i])));
        losses.push(l.item());
      }
      const compiled = make();
      const step = compile((input: Tensor) => f(compiled, input), { optimizer: new PlainSGD(compiled, 0.2), mode });
      for (let s = 0; s < 4; s++) expect(Object.is(step.run(z).item(), losses[s])).toBe(true);
      compiled.forEach((p, k) => expect(Array.from(p.data)).toEqual(Array.from(eager[k].data)));
      expect(step.describe()).toContain('convTranspose2d(stride=2, padding=1)');
    }
  });

  it('without verification the second run replays directly, drawing the same masks', () => {
    const x = randn([3, 2, 4, 4], createRng(70));
    const run = (compiledStep: boolean, verify: boolean) => {
      const w = randn([2, 2, 3, 3], createRng(71), { requiresGrad: true });
      const rng = createRng(72);
      const f = (input: Tensor) => dropout(conv2d(input, w, undefined, { padding: 1 }), 0.5, rng).square().mean();
      const out: number[] = [];
      if (compiledStep) {
        const step = compile(f, { verify, optimizer: new PlainSGD([w], 0.1) });
        for (let s = 0; s < 4; s++) out.push(step.run(x).item(), ...w.data);
      } else {
        for (let s = 0; s < 4; s++) {
          const l = f(x);
          const [g] = grad(l, [w]);
          w.data.forEach((v, i) => (w.data[i] = v - 0.1 * g.data[i]));
          out.push(l.item(), ...w.data);
        }
      }
      return out;
    };
    const eager = run(false, true);
    expect(run(true, true)).toEqual(eager);
    expect(run(true, false)).toEqual(eager);
  });
});

// ---- the bias's broadcasting -------------------------------------------------------------------

describe("a channel bias's add and its gradient's sum run loops of their own, with the generic loops' bits", () => {
  it('[N,C,H,W] with [1,C,1,1] or [C,1,1], either side; sums over [0,2,3] and [0,3]', () => {
    const random = createRng(90);
    const y = randn([3, 4, 2, 5], random);
    const b = randn([4], random);
    const at = (n: number, c: number, i: number, j: number) => ((n * 4 + c) * 2 + i) * 5 + j;
    for (const shape of [[1, 4, 1, 1], [4, 1, 1]]) {
      const bias = b.reshape(shape);
      const plus = add(y, bias);
      const minus = sub(bias, y);
      for (let n = 0; n < 3; n++)
        for (let c = 0; c < 4; c++)
          for (let i = 0; i < 2; i++)
            for (let j = 0; j < 5; j++) {
              expect(Object.is(plus.data[at(n, c, i, j)], y.data[at(n, c, i, j)] + b.data[c])).toBe(true);
              expect(Object.is(minus.data[at(n, c, i, j)], b.data[c] - y.data[at(n, c, i, j)])).toBe(true);
            }
    }
    // a block in the middle of the axes: [1,2,5] against [3,4,2,5] is not one; [4,2,1] is, repeated 5 times
    const middle = randn([4, 2, 1], random);
    const z = mul(y, middle);
    for (let k = 0; k < y.size; k++) expect(Object.is(z.data[k], y.data[k] * middle.data[Math.floor(k / 5) % 8])).toBe(true);
    // sums: each cell 0 + its elements in y's order
    const overChannels = sum(y, [0, 2, 3]);
    const overTwo = sum(y, [0, 3]);
    for (let c = 0; c < 4; c++) {
      let s = 0;
      for (let n = 0; n < 3; n++) for (let i = 0; i < 2; i++) for (let j = 0; j < 5; j++) s += y.data[at(n, c, i, j)];
      expect(Object.is(overChannels.data[c], s)).toBe(true);
      for (let i = 0; i < 2; i++) {
        let t = 0;
        for (let n = 0; n < 3; n++) for (let j = 0; j < 5; j++) t += y.data[at(n, c, i, j)];
        expect(Object.is(overTwo.data[c * 2 + i], t)).toBe(true);
      }
    }
  });
});

// ---- methods ------------------------------------------------------------------------------------

describe('Tensor methods', () => {
  it('each method is the function of the same name', () => {
    const x = randn([1, 2, 5, 5], createRng(80));
    const w = randn([2, 2, 3, 3], createRng(81));
    const x1 = randn([1, 2, 5], createRng(82));
    const w1 = randn([2, 2, 3], createRng(83));
    const pairs: [Tensor, Tensor][] = [
      [x.conv2d(w, undefined, { padding: 1 }), conv2d(x, w, undefined, { padding: 1 })],
      [x1.conv1d(w1, tensor([1, 2])), conv1d(x1, w1, tensor([1, 2]))],
      [x.convTranspose2d(w, undefined, { stride: 2 }), convTranspose2d(x, w, undefined, { stride: 2 })],
      [x1.convTranspose1d(w1), convTranspose1d(x1, w1)],
      [x.maxPool2d(2, { stride: 1 }), maxPool2d(x, 2, { stride: 1 })],
      [x.avgPool2d(3, { padding: 1 }), avgPool2d(x, 3, { padding: 1 })],
      [x.dropout(0.5, createRng(1)), dropout(x, 0.5, createRng(1))],
    ];
    for (const [a, b] of pairs) {
      expect(a.shape).toEqual(b.shape);
      expect(Array.from(a.data)).toEqual(Array.from(b.data));
    }
  });
});
