// The backward walk: scalar expressions with fan-out (micrograd's tests, expected values derived
// by hand), .grad accumulation, zeroGrad, noGrad, detach, retained grads, grad(), seeds.
import { describe, expect, it } from 'vitest';
import {
  add, defineOp, div, grad, isGradEnabled, map, mul, noGrad, relu, sigmoid, sub, sum, tensor, trace, zeroGrad,
} from '../src/index.ts';
import { expectValues } from './helpers.ts';

const scalar = (v: number) => tensor(v, { requiresGrad: true });

describe('scalar expressions (micrograd)', () => {
  it('sanity check: fan-out, relu and products', () => {
    const x = scalar(-4);
    const z = add(add(mul(2, x), 2), x); // z = 3x + 2 = −10
    const q = add(relu(z), mul(z, x)); // relu(z) = 0, so q = zx = 3x² + 2x = 40
    const h = relu(mul(z, z)); // z² = 100 > 0, so h = (3x + 2)²
    const y = add(add(h, q), mul(q, x)); // y = h + q(1 + x) = 100 + 40·(−3) = −20
    y.backward();
    expect(y.item()).toBe(-20);
    // dy/dx = 6z + (6x + 2)(1 + x) + q = −60 + (−22)(−3) + 40 = 46
    expect(x.grad!.item()).toBe(46);
  });

  it('more ops: pow, division by numbers, a number divided by a tensor', () => {
    const a = scalar(-4);
    const b = scalar(2);
    let c = add(a, b);
    let d = add(mul(a, b), b.pow(3));
    c = add(c, add(c, 1));
    c = add(c, add(add(1, c), a.neg()));
    d = add(d, add(mul(d, 2), relu(add(b, a))));
    d = add(d, add(mul(3, d), relu(sub(b, a))));
    const e = sub(c, d);
    const f = e.pow(2);
    let g = div(f, 2);
    g = add(g, div(10, f));
    g.backward();
    // By hand: c = 3a + 4b + 3 = −1; a + b < 0 and b − a > 0, so
    // d = 12(ab + b³) + (b − a) = 6; e = c − d = −7; f = 49; g = f/2 + 10/f.
    // ∂e/∂a = 3 − 12b + 1 = −20; ∂e/∂b = 4 − 12(a + 3b²) − 1 = −93; ∂g/∂e = (1/2 − 10/f²)·2e.
    const dgde = (0.5 - 10 / 49 ** 2) * 2 * -7;
    expect(g.item()).toBeCloseTo(24.5 + 10 / 49, 12);
    expect(a.grad!.item()).toBeCloseTo(dgde * -20, 10);
    expect(b.grad!.item()).toBeCloseTo(dgde * -93, 10);
    // the published micrograd/PyTorch numbers
    expect(g.item()).toBeCloseTo(24.7041, 4);
    expect(a.grad!.item()).toBeCloseTo(138.8338, 4);
    expect(b.grad!.item()).toBeCloseTo(645.5773, 4);
  });

  it('a node used by two ops gets the sum of both contributions', () => {
    const x = scalar(3);
    const y = add(mul(x, x), mul(x, 4)); // y = x² + 4x, dy/dx = 2x + 4
    y.backward();
    expect(x.grad!.item()).toBe(10);
  });
});

describe('.grad bookkeeping', () => {
  it('accumulates across two backward calls (PyTorch semantics)', () => {
    const x = scalar(2);
    mul(x, x).backward(); // 2x = 4
    expect(x.grad!.item()).toBe(4);
    mul(x, 3).backward(); // + 3
    expect(x.grad!.item()).toBe(7);
  });

  it('zeroGrad and Tensor.zeroGrad clear it, so the next backward starts from 0', () => {
    const x = scalar(2);
    const w = scalar(5);
    mul(x, w).backward();
    expect([x.grad!.item(), w.grad!.item()]).toEqual([5, 2]);
    zeroGrad([x, w]);
    expect(x.grad).toBeNull();
    expect(w.grad).toBeNull();
    mul(x, w).backward();
    expect(x.grad!.item()).toBe(5);
    x.zeroGrad();
    expect(x.grad).toBeNull();
  });

  it('.grad is a copy: later accumulation does not change an earlier gradient object', () => {
    const x = scalar(1);
    add(x, 1).backward();
    const first = x.grad!;
    add(x, 1).backward();
    expect(first.item()).toBe(1);
    expect(x.grad!.item()).toBe(2);
  });

  it('leaves that do not require grad get no .grad', () => {
    const x = scalar(2);
    const c = tensor(3);
    mul(x, c).backward();
    expect(c.grad).toBeNull();
    expect(x.grad!.item()).toBe(3);
  });

  it('intermediates keep no .grad by default', () => {
    const x = scalar(2);
    const h = mul(x, 3);
    mul(h, h).backward();
    expect(h.grad).toBeNull();
    expect(x.grad!.item()).toBe(36); // d(9x²)/dx = 18x
  });

  it('retainGrad() keeps one intermediate gradient', () => {
    const x = scalar(2);
    const h = mul(x, 3).retainGrad();
    const k = add(h, 1);
    mul(k, h).backward(); // L = (h + 1)h, dL/dh = 2h + 1 = 13
    expect(h.grad!.item()).toBe(13);
    expect(k.grad).toBeNull();
  });

  it('backward({ retainGrads: true }) keeps every intermediate gradient', () => {
    const x = scalar(2);
    const h = mul(x, 3);
    const k = add(h, 1);
    const loss = mul(k, h);
    loss.backward(undefined, { retainGrads: true });
    expect(loss.grad!.item()).toBe(1);
    expect(k.grad!.item()).toBe(6); // ∂L/∂k = h
    expect(h.grad!.item()).toBe(13); // ∂L/∂h = k + h
    expect(x.grad!.item()).toBe(39);
  });
});

describe('noGrad and detach', () => {
  it('noGrad records nothing', () => {
    const x = scalar(2);
    const y = noGrad(() => {
      expect(isGradEnabled()).toBe(false);
      return sigmoid(mul(x, 3));
    });
    expect(isGradEnabled()).toBe(true);
    expect(y.requiresGrad).toBe(false);
    expect(y.op).toBeNull();
    expect(y.inputs).toHaveLength(0);
    expect(y.item()).toBeCloseTo(1 / (1 + Math.exp(-6)), 15);
    expect(() => y.backward()).toThrow('backward: this tensor does not require grad');
  });

  it('noGrad restores recording after an exception', () => {
    expect(() =>
      noGrad(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(isGradEnabled()).toBe(true);
  });

  it('detach cuts the history: the detached branch contributes no gradient', () => {
    const x = scalar(3);
    const d = x.detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.isLeaf).toBe(true);
    expect(d.item()).toBe(3);
    mul(x, d).backward(); // d/dx (x · const) = const = 3, not 2x = 6
    expect(x.grad!.item()).toBe(3);
  });
});

describe('grad()', () => {
  it('returns ∂out/∂input without touching .grad', () => {
    const x = scalar(3);
    const w = scalar(-2);
    const [gx, gw] = grad(mul(x, w), [x, w]);
    expect(gx.item()).toBe(-2);
    expect(gw.item()).toBe(3);
    expect(x.grad).toBeNull();
    expect(w.grad).toBeNull();
  });

  it('sums several outputs', () => {
    const x = scalar(3);
    const [g] = grad([mul(x, x), mul(x, 5)], x); // 2x + 5
    expect(g.item()).toBe(11);
  });

  it('throws for an unused input unless allowUnused, which gives zeros', () => {
    const x = scalar(3);
    const unused = tensor([1, 2], { requiresGrad: true });
    const y = mul(x, 2);
    expect(() => grad(y, [x, unused])).toThrow(
      'grad: input 1 ([2]) is not reached from the outputs through differentiable inputs (pass allowUnused: true for zeros)',
    );
    const [gx, gu] = grad(y, [x, unused], { allowUnused: true });
    expect(gx.item()).toBe(2);
    expectValues(gu, [0, 0]);
  });

  it('takes explicit seeds for non-scalar outputs', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const [g] = grad(mul(x, x), x, { seeds: [tensor([1, 0, -1])] });
    expectValues(g, [2, 0, -6]);
  });
});

describe('a rule that walks a graph of its own (trace, grad)', () => {
  // 3x² + x², with h = x² a node of both the outer walk and the rule's own walks
  function run(createGraph: boolean) {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = mul(x, x);
    const triple = defineOp({
      name: 'triple',
      inputs: ['x'],
      forward: ([t]) => map(t, (v) => 3 * v),
      derivatives: {
        x: {
          formula: '∂y/∂x = 3',
          vjp: ({ grad: g }) => {
            expect(trace(h)).toHaveLength(2); // x and x·x
            // with createGraph the rule records, so it may even differentiate: ∂(2x²)/∂x = 4x
            if (createGraph) expectValues(grad(sum(mul(h, 2)), x)[0], [4, 8]);
            return mul(g, 3);
          },
        },
      },
    });
    add(sum(triple.apply([h], undefined)), sum(h)).backward(undefined, { createGraph });
    return x.grad!;
  }

  it('leaves the outer walk intact, though the inner ones visit the same nodes', () => {
    expectValues(run(false), [8, 16]); // 8x
    expectValues(run(true), [8, 16]);
  });
});

describe('seeds', () => {
  it('a non-scalar backward without a seed throws', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(() => mul(x, 2).backward()).toThrow(
      'backward: the output has shape [2]; a non-scalar output needs an explicit seed (∂L/∂output) of that shape',
    );
  });

  it('a seed of the wrong shape throws', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(() => mul(x, 2).backward(tensor([1, 1, 1]))).toThrow(
      'backward: the seed has shape [3] but the output has shape [2]',
    );
  });

  it('an explicit seed tensor is ∂L/∂output (a vector–Jacobian product)', () => {
    const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const y = mul(x, x);
    y.backward(tensor([[1, 0.5], [0, -1]]));
    expectValues(x.grad!, [[2, 2], [0, -8]]); // seed · 2x
  });

  it('a number seed scales a scalar output', () => {
    const x = scalar(3);
    mul(x, x).backward(0.5);
    expect(x.grad!.item()).toBe(3);
  });

  it('backward from a leaf gives the seed itself', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.backward(tensor([4, 5]));
    expectValues(x.grad!, [4, 5]);
  });
});

describe('broadcast gradients are summed back to the input shape', () => {
  it('[2,3] + [3] and [2,3] · [2,1]', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    const b = tensor([1, 1, 1], { requiresGrad: true });
    const s = tensor([[2], [-1]], { requiresGrad: true });
    sum(mul(add(x, b), s)).backward();
    expectValues(x.grad!, [[2, 2, 2], [-1, -1, -1]]);
    expectValues(b.grad!, [1, 1, 1]); // Σ over rows of s
    expectValues(s.grad!, [[9], [18]]); // row sums of x + b
  });

  it('a scalar tensor operand gets the sum of all contributions', () => {
    const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const k = scalar(2);
    sum(sub(x, k)).backward();
    expect(k.grad!.shape).toEqual([]);
    expect(k.grad!.item()).toBe(-4);
  });
});
