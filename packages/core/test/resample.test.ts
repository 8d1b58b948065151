// The pools' ceilMode, conv1d/conv2d padding 'same' and 'valid', and upsample (PyTorch's
// interpolate): values and gradients against PyTorch are in ops-reference.test.ts; here
// gradcheck of order 1 and 2, hand-computed values, the errors, the graph's labels and
// compiled steps equal to the eager steps bit for bit.
import { describe, expect, it } from 'vitest';
import {
  avgPool2d, compile, conv1d, conv2d, createRng, gradcheck, GradlabError, localDerivatives, maxPool2d, mean, ones, randn, tensor, trace,
  upsample, type Tensor, type UpsampleOptions,
} from '../src/index.ts';
import { PlainSGD } from './helpers.ts';

const leaf = (shape: number[], seed: number) => randn(shape, createRng(seed), { requiresGrad: true });

describe('gradcheck of order 1 and 2', () => {
  const checks: { name: string; fn: (...xs: Tensor[]) => Tensor; inputs: () => Tensor[] }[] = [
    { name: 'maxPool2d kernel 2, ceilMode', fn: (x) => maxPool2d(x, 2, { ceilMode: true }).square(), inputs: () => [leaf([1, 2, 5, 5], 1)] },
    { name: 'maxPool2d kernel 3, stride 2, padding 1, ceilMode', fn: (x) => maxPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true }).square(), inputs: () => [leaf([1, 1, 6, 6], 2)] },
    { name: 'avgPool2d kernel 2, ceilMode', fn: (x) => avgPool2d(x, 2, { ceilMode: true }).square(), inputs: () => [leaf([2, 1, 5, 5], 3)] },
    {
      name: 'avgPool2d kernel 3, stride 2, padding 1, ceilMode, countIncludePad false',
      fn: (x) => avgPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }).square(),
      inputs: () => [leaf([1, 2, 6, 6], 4)],
    },
    { name: "conv2d padding 'same', kernel [2,3] (extra row after)", fn: (x, w, b) => conv2d(x, w, b, { padding: 'same' }).square(), inputs: () => [leaf([1, 2, 4, 4], 5), leaf([3, 2, 2, 3], 6), leaf([3], 7)] },
    { name: "conv2d padding 'valid'", fn: (x, w) => conv2d(x, w, undefined, { padding: 'valid' }).tanh(), inputs: () => [leaf([1, 1, 4, 4], 8), leaf([2, 1, 3, 3], 9)] },
    { name: "conv1d padding 'same', kernel 4, dilation 2", fn: (x, w) => conv1d(x, w, undefined, { padding: 'same', dilation: 2 }).square(), inputs: () => [leaf([2, 2, 7], 10), leaf([2, 2, 4], 11)] },
    { name: 'upsample nearest, scaleFactor 2', fn: (x) => upsample(x, { scaleFactor: 2 }).square(), inputs: () => [leaf([1, 2, 2, 3], 12)] },
    { name: 'upsample nearest, size [5,4]', fn: (x) => upsample(x, { size: [5, 4] }).square(), inputs: () => [leaf([1, 1, 3, 3], 13)] },
    { name: 'upsample bilinear, scaleFactor 2', fn: (x) => upsample(x, { scaleFactor: 2, mode: 'bilinear' }).square(), inputs: () => [leaf([1, 2, 3, 3], 14)] },
    { name: 'upsample bilinear, size [5,7], alignCorners', fn: (x) => upsample(x, { size: [5, 7], mode: 'bilinear', alignCorners: true }).square(), inputs: () => [leaf([2, 1, 3, 4], 15)] },
    { name: 'upsample bilinear, scaleFactor 0.5 (shrinking)', fn: (x) => upsample(x, { scaleFactor: 0.5, mode: 'bilinear' }).square(), inputs: () => [leaf([1, 1, 6, 4], 16)] },
    {
      name: "a small decoder: conv2d 'same' → upsample bilinear → maxPool2d ceilMode",
      fn: (x, w) => maxPool2d(upsample(conv2d(x, w, undefined, { padding: 'same' }).tanh(), { scaleFactor: 1.5, mode: 'bilinear' }), 2, { ceilMode: true }).square(),
      inputs: () => [leaf([1, 1, 3, 3], 17), leaf([2, 1, 2, 2], 18)],
    },
  ];
  it.each(checks.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const result = gradcheck(c.fn, c.inputs(), { order: 2 });
    expect(result.message).toMatch(/^passed/);
    expect(result.checked).toBeGreaterThan(0);
  });
});

describe('values by hand', () => {
  const x = tensor([[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]]);
  it('ceilMode keeps the partial last window: max of what it covers, avg divided by its taps inside the padded input', () => {
    expect(maxPool2d(x, 2, { ceilMode: true }).toArray()).toEqual([[[[5, 6], [8, 9]]]]);
    expect(maxPool2d(x, 2).toArray()).toEqual([[[[5]]]]);
    expect(avgPool2d(x, 2, { ceilMode: true }).toArray()).toEqual([[[[3, 4.5], [7.5, 9]]]]);
    // with padding 1 the last window [2,4) of rows counts the padded row 3 but not row 4 (past the padding)
    expect(avgPool2d(x, 2, { padding: 1, stride: 2, ceilMode: true }).shape).toEqual([1, 1, 2, 2]);
    expect(avgPool2d(x, 3, { padding: 1, stride: 2, ceilMode: true }).toArray()).toEqual(
      avgPool2d(x, 3, { padding: 1, stride: 2 }).toArray(),
    );
  });
  it("padding 'same' keeps the size; 'valid' is no padding", () => {
    const w = ones([1, 1, 2, 2]);
    // 2×2 ones kernel, 1 zero after: y[i,j] = x[i,j] + x[i,j+1] + x[i+1,j] + x[i+1,j+1]
    expect(conv2d(x, w, undefined, { padding: 'same' }).toArray()).toEqual([[[[12, 16, 9], [24, 28, 15], [15, 17, 9]]]]);
    expect(conv2d(x, w, undefined, { padding: 'valid' }).toArray()).toEqual([[[[12, 16], [24, 28]]]]);
    expect(conv1d(tensor([[[1, 2, 3, 4]]]), ones([1, 1, 3]), undefined, { padding: 'same' }).toArray()).toEqual([[[3, 6, 9, 7]]]);
  });
  it('upsample: nearest repeats, bilinear interpolates (alignCorners: the corners coincide)', () => {
    const small = tensor([[[[1, 2], [3, 4]]]]);
    expect(upsample(small, { scaleFactor: 2 }).toArray()).toEqual([[[[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]]]);
    expect(upsample(small, { size: [3, 3], mode: 'bilinear', alignCorners: true }).toArray()).toEqual([[[[1, 1.5, 2], [2, 2.5, 3], [3, 3.5, 4]]]]);
    expect(upsample(small, { scaleFactor: 2, mode: 'bilinear' }).toArray()).toEqual([
      [[[1, 1.25, 1.75, 2], [1.5, 1.75, 2.25, 2.5], [2.5, 2.75, 3.25, 3.5], [3, 3.25, 3.75, 4]]],
    ]);
    expect(small.upsample({ scaleFactor: [1, 2] }).toArray()).toEqual([[[[1, 1, 2, 2], [3, 3, 4, 4]]]]);
  });
  it('nearest keeps ±Infinity and NaN where they are (no 0·∞)', () => {
    const y = upsample(tensor([[[[Infinity, 1], [NaN, -Infinity]]]]), { scaleFactor: 2 });
    expect(Array.from(y.data).slice(0, 4)).toEqual([Infinity, Infinity, 1, 1]);
    expect(Array.from(y.data).slice(8, 12)).toEqual([NaN, NaN, -Infinity, -Infinity]);
  });
});

describe('errors name the op, the argument and the value', () => {
  const x = () => ones([1, 2, 4, 4]);
  it.each([
    ['ceilMode not a boolean', () => maxPool2d(x(), 2, { ceilMode: 1 as unknown as boolean }), 'maxPool2d: ceilMode must be true or false, got 1'],
    ["padding 'same' with a stride", () => conv2d(x(), ones([1, 2, 3, 3]), undefined, { stride: 2, padding: 'same' }), "conv2d: padding 'same' needs stride 1 (as in PyTorch), got stride 2×2"],
    ['an unknown padding word', () => conv1d(ones([1, 2, 5]), ones([1, 2, 2]), undefined, { padding: 'full' as 'same' }), "conv1d: padding must be an integer ≥ 0, a pair of them, 'same' or 'valid', got string 'full'"],
    ['upsample rank', () => upsample(ones([2, 4, 4]), { scaleFactor: 2 }), 'upsample: x must be [N,C,H,W] (rank 4), got [2,4,4]'],
    ['upsample both size and scaleFactor', () => upsample(x(), { size: 8, scaleFactor: 2 }), 'upsample: give exactly one of size and scaleFactor'],
    ['upsample neither', () => upsample(x(), {}), 'upsample: give exactly one of size and scaleFactor'],
    ['upsample mode', () => upsample(x(), { scaleFactor: 2, mode: 'bicubic' as 'nearest' }), "upsample: mode must be 'nearest' or 'bilinear', got string 'bicubic'"],
    ['upsample alignCorners with nearest', () => upsample(x(), { scaleFactor: 2, alignCorners: true }), "upsample: alignCorners can only be set with mode 'bilinear' (as PyTorch)"],
    ['upsample size 0', () => upsample(x(), { size: [0, 3] }), 'upsample: size must be an integer ≥ 1 or a pair of them ([height, width]), got [0,3]'],
    ['upsample scaleFactor NaN', () => upsample(x(), { scaleFactor: NaN }), 'upsample: scaleFactor must be a finite number > 0 or a pair of them ([height, width]), got NaN'],
    ['upsample to nothing', () => upsample(x(), { scaleFactor: 0.1 }), 'upsample: scaleFactor 0.1×0.1 makes x [1,2,4,4] 0×0; the output needs at least one row and column'],
    ['upsample too large', () => upsample(x(), { size: [1e5, 1e5] }), 'upsample: the result [1,2,100000,100000] would have more than the limit of 134217728 (2^27) elements'],
    ['upsample options', () => upsample(x(), 2 as unknown as UpsampleOptions), 'upsample: options must be an object { size | scaleFactor, mode, alignCorners }, got 2'],
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

describe('the graph', () => {
  it('labels and formulas', () => {
    const x = leaf([1, 1, 5, 5], 30);
    expect(trace(maxPool2d(x, 2, { ceilMode: true })).map((n) => n.label)[1]).toBe('maxPool2d(2×2, ceilMode)');
    expect(trace(avgPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true })).map((n) => n.label)[1]).toBe('avgPool2d(3×3, stride=2, padding=1, ceilMode)');
    const y = upsample(x, { scaleFactor: 2, mode: 'bilinear', alignCorners: true });
    expect(trace(y).map((n) => n.label)[1]).toBe('upsample(scaleFactor=2, bilinear, alignCorners)');
    expect(trace(upsample(x, { size: [7, 6] })).map((n) => n.label)[1]).toBe('upsample(size=7×6, nearest)');
    expect(localDerivatives(y)[0].formula).toMatch(/∂L\/∂x = upsampleBackward\(∂L\/∂y\)/);
    // 'same' with an even kernel: PyTorch's extra zero after, as a pad node before the conv
    const labels = trace(conv2d(x, leaf([1, 1, 2, 2], 31), undefined, { padding: 'same' })).map((n) => n.label);
    expect(labels.some((l) => l.startsWith('pad'))).toBe(true);
    expect(labels).toContain('conv2d');
  });
});

describe('compile: a step with the new ops equals the eager step bit for bit', () => {
  function params() {
    const random = createRng(60);
    return [randn([3, 1, 2, 2], random, { requiresGrad: true, std: 0.5 }), randn([2, 3, 3, 3], random, { requiresGrad: true, std: 0.3 })];
  }
  const loss = ([w1, w2]: Tensor[], x: Tensor) => {
    let h = conv2d(x, w1, undefined, { padding: 'same' }).tanh(); // [N,3,5,5]
    h = maxPool2d(h, 2, { ceilMode: true }); // [N,3,3,3]
    h = upsample(h, { scaleFactor: 2, mode: 'bilinear' }); // [N,3,6,6]
    h = conv2d(h, w2, undefined, { padding: 'valid' }); // [N,2,4,4]
    h = avgPool2d(h, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }); // [N,2,2,2]
    return mean(upsample(h, { size: [3, 3] }).square());
  };
  it.each(['generated', 'kernels'] as const)('%s', (mode) => {
    const eager = params();
    const compiled = params();
    const step = compile((x: Tensor) => loss(compiled, x), { optimizer: new PlainSGD(compiled, 0.1), mode });
    const random = createRng(61);
    for (let s = 0; s < 5; s++) {
      const x = randn([2, 1, 5, 5], random);
      for (const p of eager) p.grad = null;
      const l = loss(eager, x);
      l.backward();
      for (const p of eager) {
        const d = p.data;
        const g = p.grad!.data;
        for (let k = 0; k < d.length; k++) d[k] -= 0.1 * g[k];
        p.markChanged();
      }
      expect(Object.is(step.run(x).item(), l.item())).toBe(true);
    }
    compiled.forEach((p, k) => expect(Array.from(p.data)).toEqual(Array.from(eager[k].data)));
    expect(step.describe()).toContain('upsampleBackward(scaleFactor=2, bilinear)');
  });
});
