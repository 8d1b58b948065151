// Hand probes for the reliability issue (13), as a hostile user would try them, on compile's
// guards, set(), and the ops added with them (ceilMode, padding 'same'/'valid', upsample).
// Each probe must end in one of two ways: a GradlabError whose message names the function, or a
// result checked against an independent computation (the eager step, a loop written here, or
// a value worked by hand). Never a raw TypeError/RangeError, never a wrong number.
import { describe, expect, it } from 'vitest';
import {
  avgPool2d, compile, conv1d, conv2d, convTranspose2d, createRng, GradlabError, maxPool2d, mul, ones, randn, sigmoid, tensor, upsample, zeros,
  type Tensor, type UpsampleOptions,
} from '../src/index.ts';
import { PlainSGD } from './helpers.ts';

type Probe = [name: string, run: () => unknown, expected: RegExp | ((result: unknown) => void)];

const x = tensor([[1, 2], [3, -1]]);
const lossOf = (y: Tensor) => mul(y, y).sum();
const close = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(b[i])));
};

/** A compiled linear step over w, run three times (record, verify, replay). */
function warmStep(w: () => Tensor, options: Parameters<typeof compile>[1] = {}) {
  const step = compile((xb: Tensor) => lossOf(xb.matmul(w())), options);
  for (let i = 0; i < 3; i++) step.run(x);
  return step;
}

/** The eager loss and gradient of the same linear step. */
function eager(w: Tensor): { loss: number; grad: number[] } {
  const p = tensor(Array.from(w.data), { shape: w.shape, requiresGrad: true });
  const loss = lossOf(x.matmul(p));
  loss.backward();
  return { loss: loss.item(), grad: Array.from(p.grad!.data) };
}

/** Max pooling by the definition, for [1,1,H,W] with ceilMode (PyTorch's rule), as a check. */
function maxPoolLoop(t: Tensor, k: number, s: number, p: number): number[] {
  const [, , h, w] = t.shape;
  const size = (n: number) => {
    let o = Math.ceil((n + 2 * p - k) / s) + 1;
    if ((o - 1) * s >= n + p) o--;
    return o;
  };
  const out: number[] = [];
  for (let oy = 0; oy < size(h); oy++) {
    for (let ox = 0; ox < size(w); ox++) {
      let m = -Infinity;
      for (let i = 0; i < k; i++) {
        for (let j = 0; j < k; j++) {
          const iy = oy * s - p + i;
          const ix = ox * s - p + j;
          if (iy >= 0 && iy < h && ix >= 0 && ix < w) m = Math.max(m, t.data[iy * w + ix]);
        }
      }
      out.push(m);
    }
  }
  return out;
}

const probes: Probe[] = [
  // ---- compile's guards --------------------------------------------------------------------
  ['a declared parameter replaced by one of another shape', () => {
    const model = { w: tensor([[0.5], [-1]], { requiresGrad: true }), namedParameters() { return [['w', this.w] as [string, Tensor]]; } };
    const step = warmStep(() => model.w, { parameters: model });
    model.w = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    return step.run(x);
  }, /compile: parameter 'w' \[2,1\] was replaced by another tensor \[2,2\]/],
  ['a declared parameter replaced, then put back: the replays go on, equal to eager', () => {
    const model = { w: tensor([[0.5], [-1]], { requiresGrad: true }), namedParameters() { return [['w', this.w] as [string, Tensor]]; } };
    const step = warmStep(() => model.w, { parameters: model });
    const kept = model.w;
    model.w = tensor([[9], [9]], { requiresGrad: true });
    expect(() => step.run(x)).toThrow(GradlabError);
    model.w = kept;
    return step.run(x).item();
  }, (loss) => expect(loss).toBe(eager(tensor([[0.5], [-1]])).loss)],
  ['a parameter frozen, then unfrozen: refused, then replayed as before', () => {
    const w = tensor([[0.5], [-1]], { requiresGrad: true });
    const step = warmStep(() => w);
    w.requiresGrad = false;
    expect(() => step.run(x)).toThrow(/no longer requires grad/);
    w.requiresGrad = true;
    step.run(x);
    return Array.from(w.grad!.data);
  }, (g) => expect(g).toEqual(eager(tensor([[0.5], [-1]])).grad)],
  ['captured data changed with set(): the replay reads the new values, as eager', () => {
    const w = tensor([[0.5], [-1]], { requiresGrad: true });
    const shift = tensor([1, 2]);
    const step = compile((xb: Tensor) => lossOf(xb.add(shift).matmul(w)));
    for (let i = 0; i < 3; i++) step.run(x);
    shift.set([-3, 4]);
    return step.run(x).item();
  }, (loss) => expect(loss).toBe(lossOf(x.add(tensor([-3, 4])).matmul(tensor([[0.5], [-1]]))).item())],
  ['a step fed its previous output (a fixed-point iteration)', () => {
    const w = tensor([[0.5, 0.1], [-0.2, 0.3]], { requiresGrad: true });
    const step = compile((h: Tensor) => ({ loss: lossOf(h.matmul(w)), next: sigmoid(h.matmul(w)) }));
    let h = tensor([[1, 2]]);
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) {
      const out = step.run(h);
      seen.push(out.loss.item());
      h = tensor(Array.from(out.next.data), { shape: [1, 2] });
    }
    let e = tensor([[1, 2]]);
    const want: number[] = [];
    for (let i = 0; i < 5; i++) {
      want.push(lossOf(e.matmul(w)).item());
      e = sigmoid(e.matmul(w));
    }
    return [seen, want];
  }, (r) => {
    const [seen, want] = r as number[][];
    expect(seen).toEqual(want);
  }],
  ['the values buffer swapped for one of the same length', () => {
    const w = tensor([[0.5], [-1]], { requiresGrad: true, name: 'w' });
    const step = warmStep(() => w);
    Object.defineProperty(w, 'data', { value: new Float64Array([7, 8]) });
    return step.run(x);
  }, /compile: parameter 'w' \[2,1\]: its values buffer \(\.data\) was replaced/],
  ['the shape array changed in place', () => {
    const w = tensor([[0.5, -1]], { requiresGrad: true, name: 'w' });
    const step = compile((xb: Tensor) => lossOf(xb.matmul(w.reshape([2, 1]))));
    for (let i = 0; i < 3; i++) step.run(x);
    (w.shape as number[])[0] = 2;
    (w.shape as number[])[1] = 1;
    return step.run(x);
  }, /compile: parameter 'w' was recorded with shape \[1,2\], now has \[2,1\]/],
  ['a captured constant that starts to require grad', () => {
    const w = tensor([[0.5], [-1]], { requiresGrad: true });
    const c = tensor([2], { name: 'c' });
    const step = compile((xb: Tensor) => lossOf(xb.matmul(w).mul(c)));
    for (let i = 0; i < 3; i++) step.run(x);
    c.requiresGrad = true;
    return step.run(x);
  }, /compile: 'c' \[1\] now requires grad/],
  ['an input that requires grad on a later run', () => ((w) => warmStep(() => w))(tensor([[1], [1]], { requiresGrad: true })).run(tensor([[1, 2], [3, -1]], { requiresGrad: true })),
    /compile: input 0 requires grad/],
  ['an input of another shape on a later run', () => ((w) => warmStep(() => w))(tensor([[1], [1]], { requiresGrad: true })).run(tensor([[1, 2]])), /compile: input 0 has shape \[1,2\]/],
  ['a declared list that shrinks', () => {
    const list = [tensor([[0.5], [-1]], { requiresGrad: true })];
    const step = warmStep(() => list[0], { parameters: () => list });
    list.pop();
    return step.run(x);
  }, /compile: the parameters now number 0, but the step was recorded with 1/],
  ['a declared source as a generator', () => {
    const w = tensor([[0.5], [-1]], { requiresGrad: true });
    const step = warmStep(() => w, {
      parameters: function* params() {
        yield w;
      },
    });
    return step.run(x).item();
  }, (loss) => expect(loss).toBe(eager(tensor([[0.5], [-1]])).loss)],
  ['a declared source that throws: its own error comes out, nothing recorded', () => {
    const w = tensor([[0.5], [-1]], { requiresGrad: true });
    const step = compile((xb: Tensor) => lossOf(xb.matmul(w)), {
      parameters: () => {
        throw new GradlabError('the model is gone');
      },
    });
    expect(() => step.run(x)).toThrow('the model is gone');
    return step.run(x);
  }, /the model is gone/],
  ['with an optimizer: a frozen parameter is not moved by the refused run', () => {
    const w = tensor([[0.5], [-1]], { requiresGrad: true });
    const step = warmStep(() => w, { optimizer: new PlainSGD([w], 0.1) });
    w.requiresGrad = false;
    const before = Array.from(w.data);
    try {
      step.run(x);
    } catch {
      /* refused */
    }
    return [before, Array.from(w.data)];
  }, (r) => {
    const [before, after] = r as number[][];
    expect(after).toEqual(before);
  }],

  // ---- set() ------------------------------------------------------------------------------------
  ['set() with a tensor of another shape', () => tensor([1, 2, 3, 4]).set(tensor([[1, 2], [3, 4]])), /set: values of shape \[2,2\] for a tensor of shape \[4\]/],
  ['set() with nested arrays of another shape', () => tensor([1, 2]).set([[1, 2], [3, 4]]), /set: values of shape \[2,2\] for a tensor of shape \[2\]/],
  ['set() with ragged nested arrays', () => tensor([[1, 2], [3, 4]]).set([[1, 2], [3]]), /set: ragged nested array/],
  ['set() with strings', () => tensor([1, 2]).set(['1', '2'] as unknown as number[]), /set: expected numbers, got string '1' at index 0/],
  ['set() with null', () => tensor([1, 2]).set(null as unknown as number[]), /set: expected a Tensor, nested arrays or an array of numbers, got null/],
  ['set() with a number on a tensor of shape [1]', () => tensor([1]).set(5), /set: values of shape \[\] for a tensor of shape \[1\]/],
  ['set() with a number on a scalar', () => Array.from(tensor(1).set(5).data), (v) => expect(v).toEqual([5])],
  ['set() with a boolean', () => tensor([1]).set(true as unknown as number[]), /set: expected a Tensor, nested arrays or an array of numbers, got boolean true/],
  ['set() with a typed array one too long', () => tensor([1, 2]).set(new Float32Array(3)), /set: 3 values for a tensor of shape \[2\] \(2 values\)/],
  ['set() of a scalar from a scalar tensor', () => Array.from(tensor(1).set(tensor(7)).data), (v) => expect(v).toEqual([7])],
  ['set() then backward through a graph that used the old values', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const y = mul(w, w).sum();
    w.set([3, 4]);
    return y.backward();
  }, /modified|changed in place/],

  // ---- pools with ceilMode ------------------------------------------------------------------
  ['maxPool2d ceilMode against the definition, kernel 3, stride 2, padding 1 on 6×7', () => {
    const t = randn([1, 1, 6, 7], createRng(1));
    return [Array.from(maxPool2d(t, 3, { stride: 2, padding: 1, ceilMode: true }).data), maxPoolLoop(t, 3, 2, 1)];
  }, (r) => expect((r as number[][])[0]).toEqual((r as number[][])[1])],
  ['maxPool2d ceilMode against the definition, kernel 2, stride 3 on 7×5', () => {
    const t = randn([1, 1, 7, 5], createRng(2));
    return [Array.from(maxPool2d(t, 2, { stride: 3, ceilMode: true }).data), maxPoolLoop(t, 2, 3, 0)];
  }, (r) => expect((r as number[][])[0]).toEqual((r as number[][])[1])],
  ['maxPool2d ceilMode with NaN in the partial window', () => Array.from(maxPool2d(tensor([[[[1, 2, NaN]]]]), [1, 2], { ceilMode: true }).data),
    (v) => expect(v).toEqual([2, NaN])],
  ["ceilMode 'yes'", () => maxPool2d(ones([1, 1, 4, 4]), 2, { ceilMode: 'yes' as unknown as boolean }), /maxPool2d: ceilMode must be true or false, got string 'yes'/],
  ['ceilMode with a kernel larger than the padded input', () => avgPool2d(ones([1, 1, 2, 2]), 3, { ceilMode: true }), /avgPool2d: the kernel 3×3 is larger than the padded input 2×2/],
  ['avgPool2d ceilMode, countIncludePad false: the mean of the taps inside', () => Array.from(avgPool2d(tensor([[[[1, 2, 3, 4, 5]]]]), [1, 2], { ceilMode: true, countIncludePad: false }).data),
    (v) => expect(v).toEqual([1.5, 3.5, 5])],
  ['avgPool2d ceilMode, padding 1: the last window stops at the padding', () => Array.from(avgPool2d(tensor([[[[1, 2, 3, 4]]]]), [1, 3], { stride: [1, 2], padding: [0, 1], ceilMode: true }).data),
    // windows start at −1, 1, 3: (0+1+2)/3, (2+3+4)/3, (4+0)/2 (the third reaches past the right padding)
    (v) => close(v as number[], [1, 3, 2])],

  // ---- padding 'same' and 'valid' -----------------------------------------------------------
  ["conv2d 'same' with stride [1,2]", () => conv2d(ones([1, 1, 4, 4]), ones([1, 1, 3, 3]), undefined, { padding: 'same', stride: [1, 2] }), /conv2d: padding 'same' needs stride 1/],
  ["conv2d 'SAME'", () => conv2d(ones([1, 1, 4, 4]), ones([1, 1, 3, 3]), undefined, { padding: 'SAME' as 'same' }), /conv2d: padding must be an integer ≥ 0, a pair of them, 'same' or 'valid', got string 'SAME'/],
  ["conv2d padding ['same', 'same']", () => conv2d(ones([1, 1, 4, 4]), ones([1, 1, 3, 3]), undefined, { padding: ['same', 'same'] as unknown as number[] }), /conv2d: padding must be an integer ≥ 0 or a pair of them/],
  ["conv2d 'same' on an empty batch", () => conv2d(zeros([0, 2, 3, 3]), ones([1, 2, 2, 2]), undefined, { padding: 'same' }).shape, (s) => expect(s).toEqual([0, 1, 3, 3])],
  ["conv2d 'same' with dilation 50 on a 2×2 input (padding far beyond the input)", () => Array.from(conv2d(tensor([[[[1, 2], [3, 4]]]]), ones([1, 1, 3, 3]), undefined, { padding: 'same', dilation: 50 }).data),
    // only the centre tap lands on x: y = x
    (v) => expect(v).toEqual([1, 2, 3, 4])],
  ["conv1d 'valid' with a kernel longer than x", () => conv1d(ones([1, 1, 3]), ones([1, 1, 4]), undefined, { padding: 'valid' }), /conv1d: the kernel 4 is larger than the padded input 3/],
  ["conv1d 'same' with an even kernel: the extra zero after", () => Array.from(conv1d(tensor([[[1, 2, 3]]]), tensor([[[1, 10]]]), undefined, { padding: 'same' }).data),
    (v) => expect(v).toEqual([21, 32, 3])],
  ["convTranspose2d refuses 'same' (as PyTorch)", () => convTranspose2d(ones([1, 1, 3, 3]), ones([1, 1, 1, 1]), undefined, { padding: 'same' as unknown as number }),
    /convTranspose2d: padding must be an integer ≥ 0 or a pair of them \(\[height, width\]\), got string 'same'/],
  ["'same' with groups that do not divide", () => conv2d(ones([1, 1, 3, 3]), ones([1, 1, 1, 1]), undefined, { padding: 'same', groups: 2 }), /conv2d: groups 2 must divide/],

  // ---- upsample -------------------------------------------------------------------------------
  ['upsample scaleFactor Infinity', () => upsample(ones([1, 1, 2, 2]), { scaleFactor: Infinity }), /upsample: scaleFactor must be a finite number > 0/],
  ['upsample size 1.5', () => upsample(ones([1, 1, 2, 2]), { size: 1.5 }), /upsample: size must be an integer ≥ 1/],
  ['upsample size [3] (one of two)', () => upsample(ones([1, 1, 2, 2]), { size: [3] }), /upsample: size must be an integer ≥ 1 or a pair of them/],
  ['upsample scaleFactor [2, NaN]', () => upsample(ones([1, 1, 2, 2]), { scaleFactor: [2, NaN] }), /upsample: scaleFactor must be a finite number > 0 or a pair of them \(\[height, width\]\), got \[2,NaN\]/],
  ['upsample alignCorners false with nearest (PyTorch refuses it too)', () => upsample(ones([1, 1, 2, 2]), { scaleFactor: 2, alignCorners: false }), /alignCorners can only be set with mode 'bilinear'/],
  ['upsample of [1,1,0,3]', () => upsample(zeros([1, 1, 0, 3]), { scaleFactor: 2 }), /upsample: x \[1,1,0,3\] has no values to interpolate/],
  ['upsample to 10⁹ columns: refused before allocating', () => upsample(ones([1, 1, 1, 1]), { size: [1, 1e9] }), /would have more than the limit/],
  ['upsample with no options (Tensor method)', () => ones([1, 1, 2, 2]).upsample(undefined as unknown as UpsampleOptions), /upsample: options must be an object/],
  ['upsample bilinear with a NaN: NaN wherever it is a tap, weight 0 included (as PyTorch)', () => {
    const y = upsample(tensor([[[[1, NaN, 3, 4]]]]), { size: [1, 8], mode: 'bilinear' });
    return Array.from(y.data).map(Number.isNaN);
  }, (v) => expect(v).toEqual([true, true, true, true, true, false, false, false])],
  ['upsample nearest by 3 of a 1×1 input', () => Array.from(upsample(tensor([[[[5]]]]), { scaleFactor: 3 }).data), (v) => expect(v).toEqual(Array(9).fill(5))],
  ['upsample bilinear to the same size is x (alignCorners either way)', () => {
    const t = randn([1, 2, 3, 4], createRng(3));
    return [t, upsample(t, { size: [3, 4], mode: 'bilinear' }), upsample(t, { size: [3, 4], mode: 'bilinear', alignCorners: true })];
  }, (r) => {
    const [t, a, b] = r as Tensor[];
    expect(Array.from(a.data)).toEqual(Array.from(t.data));
    expect(Array.from(b.data)).toEqual(Array.from(t.data));
  }],
];

describe('hand probes for issue 13: a GradlabError or a checked result, never silently wrong', () => {
  it.each(probes)('%s', (_, run, expected) => {
    if (expected instanceof RegExp) {
      let thrown: unknown = null;
      try {
        run();
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(GradlabError);
      expect((thrown as Error).message).toMatch(expected);
    } else {
      expected(run());
    }
  });

  it('counts', () => {
    expect(probes.length).toBeGreaterThanOrEqual(45);
  });
});
