// Every op: forward values against hand-computed numbers, gradients against central finite
// differences (one line per case), and gradcheck itself failing on a deliberately wrong rule.
import { describe, expect, it } from 'vitest';
import {
  add, broadcastTo, clamp, defineOp, div, exp, gradcheck, leakyRelu, log, map, matmul, mean, mul, neg, pow, relu,
  reshape, sigmoid, step, sub, sum, tanh, tensor, transpose,
} from '../src/index.ts';
import { checkOpCase, expectValues, opCase } from './helpers.ts';

const A = [[1, 2, 3], [4, 5, 6]]; // [2,3]
const B = [[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 10], [11, 12]]]; // [2,3,2]
const LN2 = 0.6931471805599453;
const LN3 = 1.0986122886681098;
const E = 2.718281828459045;

const elementwise = [
  opCase('add [2,3]+[2,3]', (a, b) => add(a, b), [A, [[10, 20, 30], [40, 50, 60]]], [[11, 22, 33], [44, 55, 66]]),
  opCase('add [2,3]+[3]', (a, b) => add(a, b), [A, [10, 20, 30]], [[11, 22, 33], [14, 25, 36]]),
  opCase('add [1,3]+[2,1]', (a, b) => add(a, b), [[[1, 2, 3]], [[10], [20]]], [[11, 12, 13], [21, 22, 23]]),
  opCase('add [2,3]+number', (a) => add(a, 0.5), [A], [[1.5, 2.5, 3.5], [4.5, 5.5, 6.5]]),
  opCase('add number+[2]', (a) => add(2, a), [[1, -1]], [3, 1]),
  opCase('sub [2,3]-[3]', (a, b) => sub(a, b), [A, [0.5, 1, 2]], [[0.5, 1, 1], [3.5, 4, 4]]),
  opCase('sub [1,3]-[2,1]', (a, b) => sub(a, b), [[[1, 2, 3]], [[10], [20]]], [[-9, -8, -7], [-19, -18, -17]]),
  opCase('sub number-[2]', (a) => sub(1, a), [[0.25, 3]], [0.75, -2]),
  opCase('mul [2,3]*[2,3]', (a, b) => mul(a, b), [A, [[-1, 0.5, 2], [3, -2, 1]]], [[-1, 1, 6], [12, -10, 6]]),
  opCase('mul [2,3]*[2,1]', (a, b) => mul(a, b), [A, [[2], [-1]]], [[2, 4, 6], [-4, -5, -6]]),
  opCase('mul [2,3]*[] (scalar tensor)', (a, b) => mul(a, b), [A, 3], [[3, 6, 9], [12, 15, 18]]),
  opCase('mul [1,3]*[2,1]', (a, b) => mul(a, b), [[[1, 2, 3]], [[2], [-1]]], [[2, 4, 6], [-1, -2, -3]]),
  opCase('mul [3]*number', (a) => mul(a, -2), [[1, 2, 3]], [-2, -4, -6]),
  opCase('mul x*x (one tensor twice)', (a) => mul(a, a), [[1, -2, 3]], [1, 4, 9]),
  opCase('div [2,3]/[3]', (a, b) => div(a, b), [A, [1, 2, 4]], [[1, 1, 0.75], [4, 2.5, 1.5]]),
  opCase('div [2,3]/[2,1]', (a, b) => div(a, b), [A, [[2], [4]]], [[0.5, 1, 1.5], [1, 1.25, 1.5]]),
  opCase('div [2,3]/number', (a) => div(a, 4), [A], [[0.25, 0.5, 0.75], [1, 1.25, 1.5]]),
  opCase('div number/[3]', (a) => div(1, a), [[1, 2, 4]], [1, 0.5, 0.25]),
  opCase('neg', (a) => neg(a), [[1, -2, 0.5]], [-1, 2, -0.5]),
  opCase('pow 2', (a) => pow(a, 2), [[1, -2, 3]], [1, 4, 9]),
  opCase('pow 3', (a) => pow(a, 3), [[-1, 2, 0.5]], [-1, 8, 0.125]),
  opCase('pow 0.5', (a) => pow(a, 0.5), [[4, 9, 0.25]], [2, 3, 0.5]),
  opCase('pow -1', (a) => pow(a, -1), [[2, -4, 0.5]], [0.5, -0.25, 2]),
  opCase('pow 0', (a) => pow(a, 0), [[2, -3]], [1, 1]),
  opCase('exp', (a) => exp(a), [[0, 1, -1, LN2]], [1, E, 1 / E, 2]),
  opCase('log', (a) => log(a), [[1, E, 4, 0.5]], [0, 1, 2 * LN2, -LN2]),
  opCase('sigmoid', (a) => sigmoid(a), [[0, LN3, -LN3, 2]], [0.5, 0.75, 0.25, 0.8807970779778823]),
  opCase('tanh', (a) => tanh(a), [[0, LN2, LN3, -LN3]], [0, 0.6, 0.8, -0.8]),
  opCase('relu', (a) => relu(a), [[-2, -0.5, 0.5, 3]], [0, 0, 0.5, 3]),
  opCase('leakyRelu default slope 0.01', (a) => leakyRelu(a), [[-2, 3]], [-0.02, 3]),
  opCase('leakyRelu slope 0.2', (a) => leakyRelu(a, 0.2), [[-2, -0.5, 1.5]], [-0.4, -0.1, 1.5]),
  opCase('step', (a) => step(a), [[-1, -0.5, 2]], [0, 0, 1]),
  opCase('clamp(-1, 2)', (a) => clamp(a, -1, 2), [[-3, -0.5, 1.5, 4]], [-1, -0.5, 1.5, 2]),
];

const structural = [
  opCase('matmul [2,3]@[3,2]', (a, b) => matmul(a, b), [A, [[1, 0], [0, 1], [1, -1]]], [[4, -1], [10, -1]]),
  opCase('matmul [1,2]@[2,3]', (a, b) => matmul(a, b), [[[1, 2]], A], [[9, 12, 15]]),
  opCase('matmul [3,1]@[1,2] (outer product)', (a, b) => matmul(a, b), [[[1], [2], [3]], [[1, -1]]], [[1, -1], [2, -2], [3, -3]]),
  opCase('transpose [2,3]', (a) => transpose(a), [A], [[1, 4], [2, 5], [3, 6]]),
  opCase('reshape [2,3] to [3,2]', (a) => reshape(a, [3, 2]), [A], [[1, 2], [3, 4], [5, 6]]),
  opCase('reshape [2,3] to [-1]', (a) => reshape(a, [-1]), [A], [1, 2, 3, 4, 5, 6]),
  opCase('reshape [2,3] to [3,-1]', (a) => reshape(a, [3, -1]), [A], [[1, 2], [3, 4], [5, 6]]),
  opCase('reshape [2,3] to [1,-1,2]', (a) => reshape(a, [1, -1, 2]), [A], [[[1, 2], [3, 4], [5, 6]]]),
  opCase('reshape [1,1] to []', (a) => reshape(a, []), [[[5]]], 5),
  opCase('sum all', (a) => sum(a), [A], 21),
  opCase('sum all keepDims', (a) => sum(a, undefined, { keepDims: true }), [A], [[21]]),
  opCase('sum axis 0', (a) => sum(a, 0), [A], [5, 7, 9]),
  opCase('sum axis 1', (a) => sum(a, 1), [A], [6, 15]),
  opCase('sum axis -1', (a) => sum(a, -1), [A], [6, 15]),
  opCase('sum axis 0 keepDims', (a) => sum(a, 0, { keepDims: true }), [A], [[5, 7, 9]]),
  opCase('sum axis 1 keepDims', (a) => sum(a, 1, { keepDims: true }), [A], [[6], [15]]),
  opCase('sum axes [0,2] of [2,3,2]', (a) => sum(a, [0, 2]), [B], [18, 26, 34]),
  opCase('sum axes [-1,0] of [2,3,2]', (a) => sum(a, [-1, 0]), [B], [18, 26, 34]),
  opCase('sum axes [0,2] keepDims', (a) => sum(a, [0, 2], { keepDims: true }), [B], [[[18], [26], [34]]]),
  opCase('mean all', (a) => mean(a), [A], 3.5),
  opCase('mean axis 0', (a) => mean(a, 0), [A], [2.5, 3.5, 4.5]),
  opCase('mean axis -1', (a) => mean(a, -1), [A], [2, 5]),
  opCase('mean axis 1 keepDims', (a) => mean(a, 1, { keepDims: true }), [A], [[2], [5]]),
  opCase('mean axes [0,2] of [2,3,2]', (a) => mean(a, [0, 2]), [B], [4.5, 6.5, 8.5]),
  opCase('mean all keepDims of [2,3,2]', (a) => mean(a, undefined, { keepDims: true }), [B], [[[6.5]]]),
  opCase('broadcastTo [3] to [2,3]', (a) => broadcastTo(a, [2, 3]), [[1, 2, 3]], [[1, 2, 3], [1, 2, 3]]),
  opCase('broadcastTo [2,1] to [2,3]', (a) => broadcastTo(a, [2, 3]), [[[1], [2]]], [[1, 1, 1], [2, 2, 2]]),
  opCase('broadcastTo [] to [2,2]', (a) => broadcastTo(a, [2, 2]), [7], [[7, 7], [7, 7]]),
  opCase('broadcastTo [1,3] to [2,1,3]', (a) => broadcastTo(a, [2, 1, 3]), [[[1, 2, 3]]], [[[1, 2, 3]], [[1, 2, 3]]]),
];

// Several ops together: broadcasting inside a graph, gradients summed back through the walk.
const composed = [
  opCase('mean((x·w + b)²), w [3], b [2,1]', (x, w, b) => mean(pow(add(mul(x, w), b), 2)), [A, [0.5, -1, 2], [[1], [-2]]],
    // rows: x·w = [0.5,-2,6] + 1 → [1.5,-1,7]; [2,-5,12] − 2 → [0,-7,10]; squares 2.25+1+49+0+49+100 = 201.25
    201.25 / 6),
  opCase('sigmoid(x @ W) · 2 − 1', (x, w) => sub(mul(sigmoid(matmul(x, w)), 2), 1), [[[LN3, 0]], [[1, 0], [0, 1]]],
    [[0.5, 0]]), // σ(ln 3)·2 − 1 = 0.5, σ(0)·2 − 1 = 0
];

describe('ops: forward values and gradcheck', () => {
  it.each(elementwise)('$name', checkOpCase);
  it.each(structural)('$name', checkOpCase);
  it.each(composed)('$name', checkOpCase);
});

describe('ops: derivative conventions at kinks and clipped values', () => {
  const gradOf = (f: (x: ReturnType<typeof tensor>) => ReturnType<typeof tensor>, values: number[]) => {
    const x = tensor(values, { requiresGrad: true });
    sum(f(x)).backward();
    return Array.from(x.grad!.data);
  };

  it('relu′(0) = 0 and step(0) = 0 (PyTorch convention)', () => {
    expect(gradOf(relu, [-1, 0, 2])).toEqual([0, 0, 1]);
    expectValues(step(tensor([-1, 0, 2])), [0, 0, 1]);
  });

  it('leakyRelu′ is the slope below 0 and 1 above', () => {
    expect(gradOf((x) => leakyRelu(x, 0.2), [-3, 4])).toEqual([0.2, 1]);
  });

  it('clamp passes the gradient only where the value is not clipped', () => {
    expect(gradOf((x) => clamp(x, -1, 2), [-3, -0.5, 1.5, 4])).toEqual([0, 1, 1, 0]);
  });

  it('pow 0 has gradient 0', () => {
    expect(gradOf((x) => pow(x, 0), [2, -3])).toEqual([0, 0]);
  });
});

describe('ops: numerical safety of sigmoid', () => {
  const extremes = [1e3, -1e3, 745, -745, 710, -710];

  it('gives finite values and finite gradients for ±1e3, ±745, ±710', () => {
    const x = tensor(extremes, { requiresGrad: true });
    const y = sigmoid(x);
    sum(y).backward();
    for (let i = 0; i < extremes.length; i++) {
      expect(Number.isFinite(y.data[i])).toBe(true);
      expect(y.data[i]).toBeGreaterThanOrEqual(0);
      expect(y.data[i]).toBeLessThanOrEqual(1);
      expect(Number.isFinite(x.grad!.data[i])).toBe(true);
      expect(x.grad!.data[i]).toBeGreaterThanOrEqual(0);
      expect(x.grad!.data[i]).toBeLessThan(1e-300);
    }
  });

  it('is exactly 1 and 0 at ±1e3, with gradient exactly 0', () => {
    const x = tensor([1e3, -1e3], { requiresGrad: true });
    const y = sigmoid(x);
    sum(y).backward();
    expect(Array.from(y.data)).toEqual([1, 0]);
    expect(x.grad!.data[0]).toBe(0);
    expect(x.grad!.data[1]).toBe(0);
  });

  it('is correct around 0', () => {
    // σ(0) = 1/2, σ(±ln 3) = 3/4, 1/4; σ′(0) = 1/4, σ′(ln 3) = 3/16
    const x = tensor([0, LN3, -LN3, 1e-8], { requiresGrad: true });
    const y = sigmoid(x);
    sum(y).backward();
    expectValues(y, [0.5, 0.75, 0.25, 0.5 + 0.25e-8]);
    expectValues(x.grad!, [0.25, 3 / 16, 3 / 16, 0.25]);
  });
});

describe('gradcheck catches a wrong rule', () => {
  // square's true derivative is 2x; this rule says 3x
  const brokenSquare = defineOp({
    name: 'brokenSquare',
    inputs: ['x'],
    forward: ([x]) => map(x, (v) => v * v),
    derivatives: { x: { formula: '∂y/∂x = 3x (wrong)', partial: ({ x }) => mul(3, x) } },
  });

  it('fails and reports the element with the largest error', () => {
    const x = tensor([1, -2, 0.5], { requiresGrad: true });
    const result = gradcheck((t) => brokenSquare.apply([t], undefined), [x]);
    expect(result.passed).toBe(false);
    // the error at element j is |3xⱼ − 2xⱼ| = |xⱼ|: largest at x₁ = −2
    expect(result.worst).toMatchObject({ input: 0, index: 1, output: 1, order: 1 });
    expect(result.worst!.analytical).toBeCloseTo(-6, 9);
    expect(result.worst!.numerical).toBeCloseTo(-4, 6);
    expect(result.maxError).toBeCloseTo(2, 6);
    expect(result.message).toMatch(/^FAILED: 9 elements, .* input 0 \[3\] element 1, output element 1 \(order 1\)/);
  });

  it('passes once the rule is right', () => {
    const square = defineOp({
      name: 'square',
      inputs: ['x'],
      forward: ([x]) => map(x, (v) => v * v),
      derivatives: { x: { formula: '∂y/∂x = 2x', partial: ({ x }) => mul(2, x) } },
    });
    const result = gradcheck((t) => square.apply([t], undefined), [tensor([1, -2, 0.5], { requiresGrad: true })]);
    expect(result.passed).toBe(true);
    expect(result.maxError).toBeLessThan(1e-6);
    expect(result.checked).toBe(9);
    // with nothing failing, `worst` is still the element with the largest error
    expect(result.worst!.error).toBe(result.maxError);
  });

  it('fails on a wrong second derivative only with order 2', () => {
    // first derivative right (2x) but built from a constant copy, so its own derivative is 0, not 2
    const detachedSquare = defineOp({
      name: 'detachedSquare',
      inputs: ['x'],
      forward: ([x]) => map(x, (v) => v * v),
      derivatives: { x: { formula: '∂y/∂x = 2x (as a constant)', partial: ({ x }) => map(x, (v) => 2 * v) } },
    });
    const x = tensor([1, -2], { requiresGrad: true });
    const f = (t: ReturnType<typeof tensor>) => detachedSquare.apply([t], undefined);
    expect(gradcheck(f, [x]).passed).toBe(true);
    const second = gradcheck(f, [x], { order: 2 });
    expect(second.passed).toBe(false);
    expect(second.worst).toMatchObject({ order: 2, analytical: 0 });
    expect(second.worst!.numerical).toBeCloseTo(2, 4);
  });
});
