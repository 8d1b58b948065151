// A user op defined like the built-in ones: forward and, beside it, the local-derivative rule
// written with gradlab's own ops, so gradients, second derivatives and pictures all work.
import { describe, expect, it } from 'vitest';
import {
  defineOp, explainGradient, grad, gradcheck, map, mean, sigmoid, sum, tensor, toDot, type Tensor,
  type TensorLike,
} from '../src/index.ts';
import { expectValues } from './helpers.ts';

// y = softplus(x) = ln(1 + eˣ)      ∂y/∂x = σ(x)
const softplusOp = defineOp({
  name: 'softplus',
  inputs: ['x'],
  // ln(1 + eˣ) = max(x, 0) + ln(1 + e^−|x|): no overflow for large |x|
  forward: ([x]) => map(x, (v) => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)))),
  derivatives: {
    x: { formula: '∂y/∂x = σ(x)', partial: ({ x }) => sigmoid(x) },
  },
});

function softplus(x: TensorLike): Tensor {
  return softplusOp.call(x);
}

const LN2 = 0.6931471805599453;
const LN3 = 1.0986122886681098;

describe('a user op: softplus', () => {
  it('computes ln(1 + eˣ), also for large |x|', () => {
    // ln 2, ln 4, ln(4/3), and ln(1 + e^±1000) = 1000, 0
    expectValues(softplus(tensor([0, LN3, -LN3, 1000, -1000])), [LN2, 2 * LN2, 2 * LN2 - LN3, 1000, 0]);
  });

  it('has gradient σ(x), second derivative σ(1−σ), and passes gradcheck of order 2', () => {
    const x = tensor([0, LN3, -LN3], { requiresGrad: true });
    const [d1] = grad(sum(softplus(x)), x, { createGraph: true });
    expectValues(d1, [0.5, 0.75, 0.25]);
    const [d2] = grad(sum(d1), x);
    expectValues(d2, [0.25, 3 / 16, 3 / 16]);
    const result = gradcheck((t) => softplus(t), [tensor([-2, -0.1, 0.4, 3], { requiresGrad: true })], { order: 2 });
    expect(result.passed).toBe(true);
  });

  it('appears in toDot with its formula and its local derivative', () => {
    const x = tensor([0, LN3], { requiresGrad: true, name: 'x' });
    const y = softplus(x);
    const loss = mean(y);
    loss.backward();
    const dot = toDot(loss);
    expect(dot).toContain(`n${y.id} [label="softplus\\nshape [2]\\nvalue [0.6931, 1.386]"`);
    expect(dot).toContain(`n${x.id} -> n${y.id} [label="x: ∂y/∂x = σ(x)\\n= [0.5, 0.75]"];`);
    expect(dot).toContain(`n${x.id} [label="x\\nshape [2]\\nvalue [0, 1.099]\\ngrad [0.25, 0.375]"`);
  });

  it('is explained by the chain rule like any built-in op', () => {
    const x = tensor([0, LN3], { requiresGrad: true, name: 'x' });
    const e = explainGradient(mean(softplus(x)), x, 1);
    expect(e.pathCount).toBe(1);
    expect(e.paths[0].steps.map((s) => s.formula)).toContain('∂y/∂x = σ(x)');
    expect(e.sum).toBeCloseTo(0.375, 15); // ½ · σ(ln 3)
    expect(e.gradient).toBeCloseTo(0.375, 15);
  });
});
