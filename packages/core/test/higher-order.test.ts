// Higher-order derivatives: the local-derivative rules are written with gradlab's own ops, so
// grad(..., { createGraph: true }) gives a gradient that can itself be differentiated.
import { describe, expect, it } from 'vitest';
import { exp, grad, gradcheck, log, matmul, mean, mul, pow, sigmoid, sum, tanh, tensor, type Tensor } from '../src/index.ts';
import { expectValues } from './helpers.ts';

const sig = (x: number) => 1 / (1 + Math.exp(-x));

/** f′ and f″ of an elementwise f at `values`: grad of Σf, then grad of Σf′ (createGraph both times). */
function derivatives(f: (x: Tensor) => Tensor, values: number[]): { first: Tensor; second: Tensor } {
  const x = tensor(values, { requiresGrad: true });
  const [first] = grad(sum(f(x)), x, { createGraph: true });
  const [second] = grad(sum(first), x, { createGraph: true });
  return { first, second };
}

const closedForms: {
  name: string;
  f: (x: Tensor) => Tensor;
  at: number[];
  d1: (x: number) => number;
  d2: (x: number) => number;
}[] = [
  // σ′ = σ(1−σ), σ″ = σ(1−σ)(1−2σ)
  { name: 'sigmoid', f: sigmoid, at: [-3, -0.5, 0, 0.7, 2], d1: (x) => sig(x) * (1 - sig(x)), d2: (x) => sig(x) * (1 - sig(x)) * (1 - 2 * sig(x)) },
  // tanh′ = 1 − tanh², tanh″ = −2 tanh (1 − tanh²)
  { name: 'tanh', f: tanh, at: [-2, -0.3, 0, 0.4, 1.5], d1: (x) => 1 - Math.tanh(x) ** 2, d2: (x) => -2 * Math.tanh(x) * (1 - Math.tanh(x) ** 2) },
  // exp″ = exp
  { name: 'exp', f: exp, at: [-2, 0, 0.5, 3], d1: Math.exp, d2: Math.exp },
  // log′ = 1/x, log″ = −1/x²
  { name: 'log', f: log, at: [0.25, 1, 2, 10], d1: (x) => 1 / x, d2: (x) => -1 / x ** 2 },
  // (x³)′ = 3x², (x³)″ = 6x
  { name: 'x³', f: (x) => pow(x, 3), at: [-2, -0.5, 0, 1, 3], d1: (x) => 3 * x ** 2, d2: (x) => 6 * x },
];

describe('second derivatives against closed forms', () => {
  it.each(closedForms)('$name', ({ f, at, d1, d2 }) => {
    const { first, second } = derivatives(f, at);
    expectValues(first, at.map(d1));
    expectValues(second, at.map(d2));
  });

  it('x³ has third derivative 6 everywhere', () => {
    const x = tensor([-1, 0.5, 2], { requiresGrad: true });
    const [d1] = grad(sum(pow(x, 3)), x, { createGraph: true });
    const [d2] = grad(sum(d1), x, { createGraph: true });
    const [d3] = grad(sum(d2), x, { allowUnused: true });
    expectValues(d3, [6, 6, 6]);
  });

  it('backward({ createGraph: true }) leaves a .grad that can be differentiated again', () => {
    const x = tensor(1.5, { requiresGrad: true });
    tanh(x).backward(undefined, { createGraph: true });
    const g = x.grad!;
    expect(g.requiresGrad).toBe(true);
    const [g2] = grad(g, x);
    const t = Math.tanh(1.5);
    expect(g.item()).toBeCloseTo(1 - t * t, 12);
    expect(g2.item()).toBeCloseTo(-2 * t * (1 - t * t), 12);
  });

  it('without createGraph the gradient is a constant', () => {
    const x = tensor([0.5], { requiresGrad: true });
    const [g] = grad(sum(sigmoid(x)), x);
    expect(g.requiresGrad).toBe(false);
    expect(g.op).toBeNull();
  });

  it('a mixed second derivative: ∂²(x·y)/∂x∂y = 1', () => {
    const x = tensor(3, { requiresGrad: true });
    const y = tensor(-2, { requiresGrad: true });
    const [dx] = grad(mul(x, y), x, { createGraph: true });
    expect(dx.item()).toBe(-2);
    const [dxy] = grad(dx, y);
    expect(dxy.item()).toBe(1);
  });
});

describe('gradcheck with order 2', () => {
  const cases: { name: string; fn: (...xs: Tensor[]) => Tensor; inputs: Tensor[] }[] = [
    { name: 'sigmoid', fn: (x) => sigmoid(x), inputs: [tensor([-1.5, 0.2, 2], { requiresGrad: true })] },
    { name: 'tanh', fn: (x) => tanh(x), inputs: [tensor([-1, 0.3, 1.2], { requiresGrad: true })] },
    { name: 'log', fn: (x) => log(x), inputs: [tensor([0.5, 1, 3], { requiresGrad: true })] },
    { name: 'x³', fn: (x) => pow(x, 3), inputs: [tensor([-1, 0.5, 2], { requiresGrad: true })] },
    {
      name: 'mean(sigmoid(x @ W)²)',
      fn: (x, w) => mean(pow(sigmoid(matmul(x, w)), 2)),
      inputs: [tensor([[0.5, -1], [2, 0.3]], { requiresGrad: true }), tensor([[0.1, -0.4, 0.7], [0.9, 0.2, -0.3]], { requiresGrad: true })],
    },
  ];

  it.each(cases)('$name', ({ fn, inputs }) => {
    const result = gradcheck(fn, inputs, { order: 2 });
    expect(result.message).toMatch(/^passed/);
    expect(result.passed).toBe(true);
  });
});
