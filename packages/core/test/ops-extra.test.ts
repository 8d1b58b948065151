// The elementwise ops, reductions, softmax family and shape ops beyond the MLP's: first and second
// derivatives against finite differences, errors that name the op and the shapes, stability at
// extreme logits, NaN, the inspector's view of them, compiled steps, and the Tensor methods.
// (Their values and gradients against PyTorch are in ops-reference.test.ts.)
import { describe, expect, it } from 'vitest';
import {
  abs, argmax, argmin, compile, concat, cos, defineOp, flatten, permute, slice, split, squeeze, stack, unsqueeze, edgeJacobian, elu, eq, erf, ge, gelu, grad, gradcheck, gt, le, localDerivatives, logSoftmax,
  logSumExp, lt, max, maximum, mean, min, minimum, mul, norm, prod, randn, reciprocal, sin, softmax, softmaxOp, softplus, sqrt, square, std,
  tensor, toDot, trace, variance, where, type GradcheckOptions, type Tensor,
} from '../src/index.ts';
import { expectValues, PlainSGD, rng } from './helpers.ts';

const leaf = (value: number[] | number[][] | number[][][]) => tensor(value, { requiresGrad: true });

// smooth points: no ties, no zeros where an op has a kink, inside every op's domain
const X23 = () => leaf([[0.31, -1.22, 2.03], [0.74, 1.13, -0.45]]);
const POS23 = () => leaf([[0.31, 1.22, 2.03], [0.74, 1.13, 0.45]]);
const X234 = () => randn([2, 3, 4], rng(7), { requiresGrad: true });

interface Check {
  name: string;
  fn: (...xs: Tensor[]) => Tensor;
  inputs: () => Tensor[];
  options?: GradcheckOptions;
}

const checks: Check[] = [
  { name: 'abs', fn: (x) => abs(x), inputs: () => [X23()] },
  { name: 'sqrt', fn: (x) => sqrt(x), inputs: () => [POS23()] },
  { name: 'square', fn: (x) => square(x), inputs: () => [X23()] },
  { name: 'reciprocal', fn: (x) => reciprocal(x), inputs: () => [X23()] },
  { name: 'sin', fn: (x) => sin(x), inputs: () => [X23()] },
  { name: 'cos', fn: (x) => cos(x), inputs: () => [X23()] },
  { name: 'softplus', fn: (x) => softplus(x), inputs: () => [X23()] },
  { name: 'erf', fn: (x) => erf(x), inputs: () => [X23()] },
  { name: 'gelu', fn: (x) => gelu(x), inputs: () => [X23()] },
  { name: "gelu(approximate='tanh')", fn: (x) => gelu(x, { approximate: 'tanh' }), inputs: () => [X23()] },
  { name: 'elu', fn: (x) => elu(x), inputs: () => [X23()] },
  { name: 'elu α=0.3', fn: (x) => elu(x, 0.3), inputs: () => [X23()] },
  { name: 'maximum [2,3] [3]', fn: (a, b) => maximum(a, b), inputs: () => [X23(), leaf([0.1, -0.2, 0.5])] },
  { name: 'minimum [2,1] [3]', fn: (a, b) => minimum(a, b), inputs: () => [leaf([[0.3], [-0.4]]), leaf([0.1, -0.2, 0.5])] },
  {
    name: 'where [2,3] cond, [2,3] a, [3] b',
    fn: (a, b) => where(tensor([[1, 0, 1], [0, 0, 1]]), a, b),
    inputs: () => [X23(), leaf([0.1, -0.2, 0.5])],
  },
  { name: 'where(x > 0, x², sin x) (composed)', fn: (x) => where(gt(x, 0), square(x), sin(x)), inputs: () => [X23()] },
  { name: 'max all', fn: (x) => max(x), inputs: () => [X23()] },
  { name: 'max axis 1 keepDims', fn: (x) => max(x, 1, { keepDims: true }), inputs: () => [X23()] },
  { name: 'max axes [0,2] of [2,3,4]', fn: (x) => max(x, [0, 2]), inputs: () => [X234()] },
  { name: 'min axis -2', fn: (x) => min(x, -2), inputs: () => [X23()] },
  { name: 'logSumExp all', fn: (x) => logSumExp(x), inputs: () => [X23()] },
  { name: 'logSumExp axis -1 keepDims of [2,3,4]', fn: (x) => logSumExp(x, -1, { keepDims: true }), inputs: () => [X234()] },
  { name: 'variance unbiased all', fn: (x) => variance(x), inputs: () => [X23()] },
  { name: 'variance biased axis 1', fn: (x) => variance(x, 1, { unbiased: false }), inputs: () => [X23()] },
  { name: 'variance axes [0,2] keepDims', fn: (x) => variance(x, [0, 2], { keepDims: true }), inputs: () => [X234()] },
  { name: 'std unbiased axis 0', fn: (x) => std(x, 0), inputs: () => [X23()] },
  { name: 'std biased all', fn: (x) => std(x, undefined, { unbiased: false }), inputs: () => [X234()] },
  { name: 'prod all', fn: (x) => prod(x), inputs: () => [X23()] },
  { name: 'prod axis 1', fn: (x) => prod(x, 1), inputs: () => [X23()] },
  { name: 'prod axes [0,2] of [2,3,4]', fn: (x) => prod(x, [0, 2]), inputs: () => [X234()] },
  // prod is a polynomial: smooth at zeros too, where its rule avoids dividing by them
  { name: 'prod axis 1 with 1, 2 and 3 zeros per row', fn: (x) => prod(x, 1), inputs: () => [leaf([[0.5, 0, 1.5, -2], [0, 0.7, 0, 1.2], [0, 0, 0.3, 0]])] },
  { name: 'prod all with one zero', fn: (x) => prod(x), inputs: () => [leaf([[0.5, 0, 1.5], [-2, 0.7, 1.1]])] },
  { name: 'norm p=2 all', fn: (x) => norm(x), inputs: () => [X23()] },
  { name: 'norm p=2 axis 1 keepDims', fn: (x) => norm(x, 2, 1, { keepDims: true }), inputs: () => [X23()] },
  { name: 'norm p=1 axis 0', fn: (x) => norm(x, 1, 0), inputs: () => [X23()] },
  { name: 'norm p=∞ axis -1 of [2,3,4]', fn: (x) => norm(x, Infinity, -1), inputs: () => [X234()] },
  { name: 'softmax axis -1', fn: (x) => softmax(x), inputs: () => [X23()] },
  { name: 'softmax axis 1 of [2,3,4]', fn: (x) => softmax(x, 1), inputs: () => [X234()] },
  { name: 'logSoftmax axis 0', fn: (x) => logSoftmax(x, 0), inputs: () => [X23()] },
  { name: 'logSoftmax axis -1 of [2,3,4]', fn: (x) => logSoftmax(x, -1), inputs: () => [X234()] },
  { name: 'slice [2,3,4] 0:2, 1:, ::2', fn: (x) => slice(x, [0, 1, 0], [2, 3, 4], [1, 1, 2]).square(), inputs: () => [X234()] },
  { name: 'slice of a slice (sliceScatter of sliceScatter in order 2)', fn: (x) => slice(slice(x, [-2], [3]), [0, 1]).sin(), inputs: () => [X23()] },
  { name: 'permute [2,0,1]', fn: (x) => permute(x, [2, 0, 1]).square(), inputs: () => [X234()] },
  { name: 'concat axis 1 of three', fn: (a, b) => concat([a, b, a.sin()], 1).square(), inputs: () => [X23(), leaf([[1, 2], [3, 4]])] },
  { name: 'stack axis -1', fn: (a, b) => stack([a, b], -1).square(), inputs: () => [X23(), POS23()] },
  { name: 'split [1,2] axis 1, pieces used differently', fn: (x) => { const [p, q] = split(x, [1, 2], 1); return q.mul(p.sin()); }, inputs: () => [X23()] },
  { name: 'squeeze, unsqueeze, flatten', fn: (x) => flatten(unsqueeze(squeeze(unsqueeze(x, 0)), -1), 1).square(), inputs: () => [X234()] },
];

describe('gradcheck of order 1 and 2 at smooth points', () => {
  it.each(checks.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const result = gradcheck(c.fn, c.inputs(), { order: 2, ...c.options });
    expect(result.message).toMatch(/^passed/);
    expect(result.checked).toBeGreaterThan(0);
  });

  it('and fails for an op of the same kind whose rule is wrong (softmax without its −Σ term)', () => {
    const wrongSoftmax = defineOp({
      name: 'wrongSoftmax',
      inputs: ['x'],
      kernel: softmaxOp.spec.kernel,
      derivatives: { x: { formula: 'wrong: ∂L/∂x = y ⊙ g', vjp: ({ grad, result }) => mul(result, grad) } },
    });
    const result = gradcheck((t) => wrongSoftmax.apply([t], { axis: 1 }), [X23()]);
    expect(result.passed).toBe(false);
    expect(result.message).toMatch(/^FAILED/);
  });
});

describe('values by hand', () => {
  it('elementwise', () => {
    expectValues(abs(tensor([-2, 0, 3])), [2, 0, 3]);
    expectValues(sqrt(tensor([4, 0.25])), [2, 0.5]);
    expectValues(square(tensor([-3, 0.5])), [9, 0.25]);
    expectValues(reciprocal(tensor([4, -0.5])), [0.25, -2]);
    expectValues(sin(tensor([0, Math.PI / 2])), [0, 1]);
    expectValues(cos(tensor([0, Math.PI])), [1, -1]);
    expectValues(softplus(tensor([0, 1000, -1000])), [Math.LN2, 1000, 0]);
    expectValues(erf(tensor([0, 0.5, -1, 2])), [0, 0.5204998778130465, -0.8427007929497149, 0.9953222650189527]);
    expectValues(gelu(tensor([0, 1, -1])), [0, 0.8413447460685429, -0.15865525393145707]);
    expectValues(gelu(tensor([1]), { approximate: 'tanh' }), [0.8411919906082768]);
    expectValues(elu(tensor([2, -1]), 2), [2, 2 * (Math.exp(-1) - 1)]);
    expectValues(maximum(tensor([[1, 5]]), tensor([[3], [4]])), [[3, 5], [4, 5]]);
    expectValues(minimum(tensor([1, 5]), 2), [1, 2]);
    expectValues(where(tensor([1, 0, 2]), tensor([1, 2, 3]), -1), [1, -1, 3]);
    expectValues(gt(tensor([1, 2, 3]), 2), [0, 0, 1]);
    expectValues(ge(tensor([1, 2, 3]), 2), [0, 1, 1]);
    expectValues(lt(tensor([1, 2, 3]), 2), [1, 0, 0]);
    expectValues(le(tensor([1, 2, 3]), 2), [1, 1, 0]);
    expectValues(eq(tensor([1, 2, NaN]), tensor([1, 3, NaN])), [1, 0, 0]);
  });

  it('reductions', () => {
    const x = tensor([[1, 5, 2], [7, -1, 7]]);
    expectValues(max(x), 7);
    expectValues(max(x, 0), [7, 5, 7]);
    expectValues(min(x, 1, { keepDims: true }), [[1], [-1]]);
    expectValues(argmax(x), 3); // the first 7, flat
    expectValues(argmax(x, 1), [1, 0]);
    expectValues(argmin(x, 0, { keepDims: true }), [[0, 1, 0]]);
    expectValues(logSumExp(tensor([0, Math.log(3)])), Math.log(4));
    expectValues(variance(tensor([1, 2, 3, 4])), 5 / 3);
    expectValues(variance(tensor([1, 2, 3, 4]), 0, { unbiased: false }), 1.25);
    expectValues(std(tensor([[2, 4], [0, 0]]), 1, { unbiased: false }), [1, 0]);
    expectValues(prod(x, 1), [10, -49]);
    expectValues(prod(tensor([])), 1);
    expectValues(norm(tensor([3, -4])), 5);
    expectValues(norm(tensor([3, -4]), 1), 7);
    expectValues(norm(tensor([3, -4]), Infinity), 4);
    expectValues(softmax(tensor([0, Math.log(3)])), [0.25, 0.75]);
    expectValues(logSoftmax(tensor([0, Math.log(3)])), [Math.log(0.25), Math.log(0.75)]);
  });

  it('ties share the gradient evenly: max, min, maximum, minimum, the ∞-norm', () => {
    const x = leaf([[2, 2, 1], [3, 3, 3]]);
    expectValues(grad(max(x, 1).sum(), x)[0], [[0.5, 0.5, 0], [1 / 3, 1 / 3, 1 / 3]]);
    expectValues(grad(max(x), x)[0], [[0, 0, 0], [1 / 3, 1 / 3, 1 / 3]]);
    expectValues(grad(min(x), x)[0], [[0, 0, 1], [0, 0, 0]]);
    const a = leaf([1, 2, 3]);
    const b = leaf([1, 1, 4]);
    const [ga, gb] = grad(maximum(a, b).sum(), [a, b]);
    expectValues(ga, [0.5, 1, 0]);
    expectValues(gb, [0.5, 0, 1]);
    const [ma, mb] = grad(minimum(a, b).sum(), [a, b]);
    expectValues(ma, [0.5, 0, 1]);
    expectValues(mb, [0.5, 1, 0]);
    const v = leaf([3, -3, 1]);
    expectValues(grad(norm(v, Infinity), v)[0], [0.5, -0.5, 0]);
  });

  it('no gradient into comparisons, argmax/argmin or where’s condition', () => {
    const x = leaf([1, -2, 3]);
    // their results are constants, as in PyTorch: no graph, so no gradient can be asked through them
    for (const t of [gt(x, 0), argmax(x), argmin(x), eq(x, 1)]) expect(t.requiresGrad).toBe(false);
    expect(() => grad(gt(x, 0).sum(), x)).toThrow('grad: output 0 does not require grad');
    expectValues(grad(x.sum().add(argmax(x)), x)[0], [1, 1, 1]);
    const c = leaf([1, 0, 1]);
    const [gc, gx] = grad(where(c, x, 0).sum(), [c, x], { allowUnused: true });
    expectValues(gc, [0, 0, 0]);
    expectValues(gx, [1, 0, 1]);
    expect(localDerivatives(where(c, x, 0))[0]).toMatchObject({ input: 'cond', kind: 'not differentiable' });
  });

  it('sqrt at 0 gives an infinite gradient, std and the 2-norm of constants a zero one (as PyTorch)', () => {
    const z = leaf([0, 4]);
    expect(Array.from(grad(sqrt(z).sum(), z)[0].data)).toEqual([Infinity, 0.25]);
    const c = leaf([[1.5, 1.5, 1.5]]);
    expectValues(grad(std(c, 1).sum(), c)[0], [[0, 0, 0]]);
    const o = leaf([0, 0]);
    expectValues(grad(norm(o), o)[0], [0, 0]);
  });
});

describe('stability and NaN', () => {
  const logits = [[1000, -1000, 0], [-1000, -1000, -1000], [1000, 999, 998]];

  it('softmax, logSoftmax and logSumExp at logits of ±1000: finite values and gradients', () => {
    const x = leaf(logits);
    const w = tensor([[1, 2, 3], [-1, 0.5, 2], [0.3, -0.7, 1.1]]);
    for (const f of [(t: Tensor) => softmax(t), (t: Tensor) => logSoftmax(t), (t: Tensor) => logSumExp(t, 1)]) {
      const y = f(x);
      expect(y.data.every(Number.isFinite)).toBe(true);
      const [g] = grad(mul(y, y.rank === 1 ? tensor([1, 2, 3]) : w).sum(), x);
      expect(g.data.every(Number.isFinite)).toBe(true);
    }
    expectValues(softmax(tensor(logits)), [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3], [0.6652409557748219, 0.24472847105479767, 0.09003057317038046]]);
    expectValues(logSumExp(tensor(logits), 1), [1000, -1000 + Math.log(3), 1000.4076059644439]);
    expectValues(logSoftmax(tensor(logits)).max(), 0);
  });

  it('NaN propagates: max, min, logSumExp, softmax, maximum, variance, prod, norm', () => {
    const x = tensor([[1, NaN, 3], [2, 5, 4]]);
    for (const y of [max(x, 1), min(x, 1), logSumExp(x, 1), variance(x, 1), std(x, 1), prod(x, 1), norm(x, 2, 1), norm(x, Infinity, 1)]) {
      expect(Number.isNaN(y.data[0])).toBe(true);
      expect(Number.isFinite(y.data[1])).toBe(true);
    }
    expect(Array.from(softmax(x).data.subarray(0, 3)).every(Number.isNaN)).toBe(true);
    expect(Array.from(softmax(x).data.subarray(3)).every(Number.isFinite)).toBe(true);
    expect(Number.isNaN(max(x).item())).toBe(true);
    expect(argmax(x).item()).toBe(1); // NaN counts as the largest, as PyTorch
    expect(Array.from(maximum(tensor([NaN, 1]), tensor([0, NaN])).data).every(Number.isNaN)).toBe(true);
    // the ∞-norm is max(abs(x)): its gradient is NaN throughout a slice holding NaN (PyTorch 1.13 gives 0)
    const v = leaf([[1, NaN, 2], [1, 2, 2]]);
    const [g] = grad(norm(v, Infinity, 1).sum(), v);
    expect(Array.from(g.data.subarray(0, 3)).every(Number.isNaN)).toBe(true);
    expectValues(tensor(Array.from(g.data.subarray(3))), [0, 0.5, 0.5]);
  });
});

describe('errors name the op, the argument and the shapes', () => {
  const x = () => tensor([[1, 2, 3], [4, 5, 6]]);
  it.each([
    ['max axis out of range', () => max(x(), 2), 'max: axis 2 is out of range for x of shape [2,3] (rank 2: axes -2…1)'],
    ['min negative axis out of range', () => min(x(), -3), 'min: axis -3 is out of range for x of shape [2,3] (rank 2: axes -2…1)'],
    ['logSumExp non-integer axis', () => logSumExp(x(), 0.5), 'logSumExp: axis 0.5 is out of range for x of shape [2,3] (rank 2: axes -2…1)'],
    ['prod repeated axis', () => prod(x(), [1, -1]), 'prod: axis [1,-1] repeats an axis of x [2,3]'],
    ['softmax axis', () => softmax(x(), 2), 'softmax: axis 2 is out of range for x of shape [2,3] (rank 2: axes -2…1)'],
    ['logSoftmax of a scalar', () => logSoftmax(tensor(3)), 'logSoftmax: x must have at least one axis, got shape []'],
    ['argmax with several axes', () => argmax(x(), [0, 1] as unknown as number), 'argmax: axis must be one number, got [0,1]'],
    ['max of an empty slice', () => max(tensor([[], []]), 1), 'max: the maximum of no elements is undefined; x of shape [2,0] has 0 elements per slice over axis 1'],
    ['argmin of nothing', () => argmin(tensor([])), 'argmin: the index of the minimum of no elements is undefined; x of shape [0] has 0 elements per slice over all axes'],
    ['norm ∞ of nothing', () => norm(tensor([[], []]), Infinity, 1), 'norm: the ∞-norm of no elements is undefined (x of shape [2,0])'],
    ['norm p', () => norm(x(), 3), 'norm: p must be 1, 2 or Infinity, got 3'],
    [
      'unbiased variance of one element',
      () => variance(tensor([[1], [2]]), 1),
      'variance: the unbiased estimate needs at least 2 elements per slice (PyTorch would return NaN); pass unbiased: false; x of shape [2,1] has 1 element per slice over axis 1',
    ],
    [
      'unbiased std of one element',
      () => std(tensor([5])),
      'std: the unbiased estimate needs at least 2 elements per slice (PyTorch would return NaN); pass unbiased: false; x of shape [1] has 1 element per slice over all axes',
    ],
    ['biased variance of nothing', () => variance(tensor([]), 0, { unbiased: false }), 'variance: needs at least 1 element per slice; x of shape [0] has 0 elements per slice over all axes'],
    ['maximum shapes', () => maximum(x(), tensor([1, 2])), 'maximum: cannot broadcast [2,3] with [2] (dimension 1: 3 vs 2)'],
    ['gt shapes', () => gt(x(), tensor([[1], [2], [3]])), 'gt: cannot broadcast [2,3] with [3,1] (dimension 0: 2 vs 3)'],
    ['where shapes', () => where(tensor([1, 0]), x(), 0), 'where: cannot broadcast cond [2], a [2,3] and b [] to one shape'],
    ['gelu approximate', () => gelu(x(), { approximate: 'fast' as 'tanh' }), `gelu: approximate must be 'none' or 'tanh', got "fast"`],
    ['elu alpha', () => elu(x(), NaN), 'elu: alpha must be a finite number, got NaN'],
    ['slice non-integer start', () => slice(x(), [0.5]), 'slice: starts must be integers, at most one per axis of x [2,3], got [0.5]'],
    ['slice too many ends', () => slice(x(), [0], [1, 2, 3]), 'slice: ends must be integers, at most one per axis of x [2,3], got [1,2,3]'],
    ['slice step 0', () => slice(x(), [0, 0], [2, 3], [1, 0]), 'slice: step 0 for axis 1 of x [2,3] must be at least 1'],
    ['permute not a permutation', () => permute(x(), [0, 0]), 'permute: axes [0,0] are not an order of the 2 axes of x [2,3]'],
    ['permute too few axes', () => permute(x(), [1]), 'permute: axes [1] are not an order of the 2 axes of x [2,3]'],
    ['concat shapes', () => concat([x(), tensor([[1, 2]])], 1), 'concat: shapes [2,3], [1,2] differ outside axis 1 (all must be [2,*])'],
    ['concat ranks', () => concat([x(), tensor([1, 2, 3])]), 'concat: shapes [2,3], [3] differ outside axis 0 (all must be [*,3])'],
    ['concat axis', () => concat([x(), x()], 2), 'concat: axis 2 is out of range for x of shape [2,3] (rank 2: axes -2…1)'],
    ['concat of nothing', () => concat([]), 'concat: expected a non-empty list of tensors'],
    ['stack shapes', () => stack([x(), tensor([1, 2, 3])]), 'stack: the tensors must all have one shape, got [2,3], [3]'],
    ['split sizes', () => split(x(), [1, 1], 1), 'split: sizes [1,1] must be integers ≥ 0 adding up to 3, the size of axis 1 of x [2,3]'],
    ['split piece size', () => split(x(), 0), 'split: a piece size must be an integer ≥ 1, got 0'],
    ['squeeze an axis of size 3', () => squeeze(x(), 1), 'squeeze: axis 1 of x [2,3] has size 3, not 1'],
    ['unsqueeze axis', () => unsqueeze(x(), 3), 'unsqueeze: axis 3 is out of range for x of shape [2,3,1] (rank 3: axes -3…2)'],
    ['flatten order', () => flatten(tensor([[[1]]]), 2, 1), 'flatten: startAxis 2 comes after endAxis 1 for x of shape [1,1,1]'],
    ['variance unbiased flag', () => variance(x(), 1, { unbiased: 1 as unknown as boolean }), 'variance: unbiased must be true or false, got 1'],
  ])('%s', (_, fn, message) => {
    expect(fn).toThrow(message);
    try {
      fn();
    } catch (e) {
      expect((e as Error).message).toBe(message);
    }
  });
});

describe('the graph shows one node per op, with its formula', () => {
  it('softmax is one node; its local derivative is yᵢ(δᵢⱼ − yⱼ), probed element by element', () => {
    const x = leaf([[0.5, -1, 2]]);
    const y = softmax(x);
    const loss = mul(y, tensor([[1, 2, 3]])).sum();
    expect(trace(loss).map((n) => n.label)).toEqual(['leaf#' + x.id, 'softmax(axis=1)', expect.stringMatching(/^const#/), 'mul', 'sum']);
    expect(localDerivatives(y)).toEqual([{ input: 'x', formula: '∂yᵢ/∂xⱼ = yᵢ(δᵢⱼ − yⱼ)', kind: 'none', value: null }]);
    const J = edgeJacobian(y, 0);
    const s = y.data;
    expect(J).toHaveLength(9);
    for (const [o, i, v] of J) expect(v).toBeCloseTo(s[o] * ((o === i ? 1 : 0) - s[i]), 15);
    expect(toDot(loss)).toContain('∂yᵢ/∂xⱼ = yᵢ(δᵢⱼ − yⱼ)');
  });

  it.each([
    ['logSoftmax', (t: Tensor) => logSoftmax(t), 'logSoftmax(axis=1)', '∂yᵢ/∂xⱼ = δᵢⱼ − softmax(x)ⱼ = δᵢⱼ − e^(yⱼ)'],
    ['max', (t: Tensor) => max(t, 1), 'max(axis=1)', '∂max/∂xᵢ = [xᵢ = max] / (number of ties)'],
    ['logSumExp', (t: Tensor) => logSumExp(t), 'logSumExp', '∂(ln Σ eˣʲ)/∂xᵢ = e^(xᵢ − y) = softmax(x)ᵢ'],
    ['variance', (t: Tensor) => variance(t, -1, { keepDims: true }), 'variance(unbiased, axis=1, keepDims)', '∂var/∂xᵢ = 2(xᵢ − x̄)/(n − c)'],
    ['std', (t: Tensor) => std(t, undefined, { unbiased: false }), 'std(biased)', '∂std/∂xᵢ = (xᵢ − x̄)/((n − c)·std)'],
    ['prod', (t: Tensor) => prod(t), 'prod', '∂(Π xⱼ)/∂xᵢ = Π_{j≠i} xⱼ'],
    ['norm', (t: Tensor) => norm(t, 2, 1), 'norm(p=2, axis=1)', '∂‖x‖₂/∂xᵢ = xᵢ/‖x‖₂'],
    ['gelu tanh', (t: Tensor) => gelu(t, { approximate: 'tanh' }), "gelu(approximate='tanh')", '∂y/∂x = ½(1+t) + ½x(1−t²)·√(2/π)(1+3·0.044715x²), t = tanh(√(2/π)(x+0.044715x³))'],
    ['elu', (t: Tensor) => elu(t, 0.5), 'elu(α=0.5)', '∂y/∂x = 1 (x > 0), α·eˣ (x ≤ 0)'],
    ['abs', (t: Tensor) => abs(t), 'abs', '∂|x|/∂x = sign(x) = [x>0] − [x<0]'],
  ])('%s: node %s', (_, f, label, formula) => {
    const x = leaf([[0.5, -1, 2]]);
    const y = f(x);
    expect(trace(y).map((n) => n.label)).toEqual(['leaf#' + x.id, label]);
    expect(localDerivatives(y)[0].formula).toBe(formula);
  });

  it('elementwise rules give the inspector their partials: maximum on a tie is ½', () => {
    const y = maximum(leaf([1, 2]), leaf([1, 3]));
    const [da, db] = localDerivatives(y);
    expect(da.kind).toBe('elementwise');
    expect(Array.from(da.value!.data)).toEqual([0.5, 0]);
    expect(Array.from(db.value!.data)).toEqual([0.5, 1]);
  });
});

describe('compile: steps with the new ops equal the eager step bit for bit', () => {
  /** A 3-class classifier: gelu hidden layer, logSoftmax cross-entropy, and penalty terms using the other ops. */
  function build(seed: number) {
    const random = rng(seed);
    const W1 = randn([4, 16], random, { requiresGrad: true, std: 0.5 });
    const W2 = randn([16, 3], random, { requiresGrad: true, std: 0.5 });
    const b = randn([3], random, { requiresGrad: true, std: 0.1 });
    return [W1, W2, b];
  }
  function loss([W1, W2, b]: Tensor[], x: Tensor, y: Tensor): Tensor {
    const h = gelu(x.matmul(W1));
    const z = elu(h, 0.5).matmul(W2).add(b);
    const nll = mean(mul(logSoftmax(z, 1), y).sum(1)).neg();
    const p = softmax(z, -1);
    const extras = [
      max(z, 1).sub(min(z, 1)).mean(),
      logSumExp(z, 1).mean(),
      variance(h, 0).mean(),
      std(z, undefined, { unbiased: false }),
      norm(W1, 2, 0).mean(),
      norm(W2, 1),
      norm(h, Infinity, 1).mean(),
      prod(p.add(0.5), 1).mean(),
      where(gt(z, 0), square(z), abs(z)).mean(),
      maximum(z, 0.1).sub(minimum(z, -0.1)).mean(),
      softplus(z).mean(),
      sqrt(square(b).add(1)).sum(),
      sin(z).mul(cos(z)).mean(),
      reciprocal(square(z).add(1)).mean(),
      gelu(z, { approximate: 'tanh' }).mean(),
      erf(z).mean(),
    ];
    return extras.reduce((acc, t) => acc.add(t.mul(0.01)), nll);
  }
  function data(batch: number, seed: number) {
    const random = rng(seed);
    const x = randn([batch, 4], random);
    const labels = Array.from({ length: batch }, () => Math.floor(random.next() * 3));
    const y = tensor(labels.map((c) => [0, 1, 2].map((k) => (k === c ? 1 : 0))));
    return { x, y };
  }

  for (const [mode, batch] of [['generated', 3], ['generated', 32], ['kernels', 8]] as const) {
    it(`${mode}, batch ${batch}`, () => {
      const eagerParams = build(1);
      const compiledParams = build(1);
      const batches = [data(batch, 2), data(batch, 3)];
      const lr = 0.05;
      const eagerLosses: number[] = [];
      for (let s = 0; s < 12; s++) {
        const { x, y } = batches[s % 2];
        const l = loss(eagerParams, x, y);
        const gs = grad(l, eagerParams);
        eagerParams.forEach((p, k) => p.data.forEach((v, i) => (p.data[i] = v - lr * gs[k].data[i])));
        eagerLosses.push(l.item());
      }
      const step = compile((x: Tensor, y: Tensor) => loss(compiledParams, x, y), { optimizer: new PlainSGD(compiledParams, lr), mode });
      const compiledLosses: number[] = [];
      for (let s = 0; s < 12; s++) {
        const { x, y } = batches[s % 2];
        compiledLosses.push(step.run(x, y).item());
      }
      expect(compiledLosses.every(Number.isFinite)).toBe(true);
      compiledLosses.forEach((l, s) => expect(Object.is(l, eagerLosses[s])).toBe(true));
      compiledParams.forEach((p, k) => p.data.forEach((v, i) => expect(Object.is(v, eagerParams[k].data[i])).toBe(true)));
      expect(step.describe()).toMatch(/logSoftmax\(axis=1\)/);
      expect(step.describe()).toMatch(/where\(/);
    });
  }
});

describe('shape algebra', () => {
  const x = () => randn([3, 4, 5], rng(11), { requiresGrad: true });

  it('concat of split is x; split of concat gives the pieces back', () => {
    const t = x();
    for (const axis of [0, 1, -1]) {
      for (const sizes of [2, [1, 0, 2]] as const) {
        const n = t.shape[axis < 0 ? axis + 3 : axis];
        const pieces = split(t, typeof sizes === 'number' ? sizes : [...sizes.slice(0, 2), n - 1], axis);
        const back = concat(pieces, axis);
        expect(back.shape).toEqual(t.shape);
        expect(Array.from(back.data)).toEqual(Array.from(t.data));
        const again = split(back, pieces.map((p) => p.shape[axis < 0 ? axis + 3 : axis]), axis);
        again.forEach((p, k) => expect(Array.from(p.data)).toEqual(Array.from(pieces[k].data)));
      }
    }
  });

  it('permute then the inverse permutation is x, for every order of 3 axes', () => {
    const t = x();
    const orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
    for (const axes of orders) {
      const inverse = axes.map((_, k) => axes.indexOf(k));
      const y = permute(t, axes);
      expect(y.shape).toEqual(axes.map((a) => t.shape[a]));
      expect(Array.from(permute(y, inverse).data)).toEqual(Array.from(t.data));
    }
    // and permute([1,0]) of a matrix is its transpose
    const m = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(Array.from(permute(m, [1, 0]).data)).toEqual(Array.from(m.transpose().data));
  });

  it('a slice of a slice is the slice of the composed ranges', () => {
    const t = tensor(Array.from({ length: 20 }, (_, i) => i));
    for (const [s1, e1, st1, s2, e2, st2] of [[2, 18, 3, 1, 4, 2], [-10, 100, 1, 2, -1, 3], [0, 20, 2, 5, 6, 1]]) {
      const once = slice(slice(t, [s1], [e1], [st1]), [s2], [e2], [st2]);
      const plain = Array.from({ length: 20 }, (_, i) => i);
      const first = plainSlice(plain, s1, e1, st1);
      expect(Array.from(once.data)).toEqual(plainSlice(first, s2, e2, st2));
    }
  });

  it('stack is concat of unsqueezed tensors; squeeze undoes unsqueeze; flatten is a reshape', () => {
    const a = tensor([[1, 2], [3, 4]]);
    const b = tensor([[5, 6], [7, 8]]);
    expectValues(stack([a, b], 1), [[[1, 2], [5, 6]], [[3, 4], [7, 8]]]);
    expectValues(stack([a, b], -1), [[[1, 5], [2, 6]], [[3, 7], [4, 8]]]);
    expect(squeeze(unsqueeze(a, 1), 1).shape).toEqual([2, 2]);
    expect(flatten(tensor([[[1, 2], [3, 4]]]), 1).shape).toEqual([1, 4]);
  });

  it('the graph shows slice, permute and concat as nodes; the gradient of a slice is scattered back', () => {
    const t = leaf([[1, 2, 3], [4, 5, 6]]);
    const y = slice(t, [0, 1], [2, 3], [1, 2]);
    expect(trace(y).map((n) => n.label)).toEqual(['leaf#' + t.id, 'slice[0:2, 1:2:2]']);
    expectValues(grad(y.sum(), t)[0], [[0, 1, 0], [0, 1, 0]]);
    expect(trace(concat([t, t], 1)).map((n) => n.label)).toEqual(['leaf#' + t.id, 'concat(axis=1)']);
    expect(trace(permute(t, [1, 0])).map((n) => n.label)).toEqual(['leaf#' + t.id, 'permute(1,0)']);
    const c = concat([t, leaf([[7, 8, 9]])], 0);
    expect(localDerivatives(c).map((d) => d.formula)).toEqual(['∂L/∂x0 = ∂L/∂y sliced where x0 was placed', '∂L/∂x1 = ∂L/∂y sliced where x1 was placed']);
  });

  it('compiled steps with the shape ops equal the eager step bit for bit (small ones unrolled, large ones by kernel)', () => {
    for (const [mode, rows] of [['generated', 2], ['generated', 40], ['kernels', 6]] as const) {
      const make = () => randn([4, 6], rng(9), { requiresGrad: true });
      const loss = (W: Tensor, input: Tensor) => {
        const h = input.matmul(W); // [rows,6]
        const [p, q] = split(h, [2, 4], 1);
        const joined = concat([q, p.sin()], 1); // [rows,6]
        const s = stack([joined, slice(joined, [0, 0], [rows, 6], [1, 1]).square()], 0); // [2,rows,6]
        const moved = flatten(permute(s, [2, 1, 0]), 1); // [6, rows·2]
        return squeeze(unsqueeze(moved, 0)).tanh().mean();
      };
      const input = randn([rows, 4], rng(10));
      const We = make();
      const eager: number[][] = [];
      for (let s = 0; s < 5; s++) {
        const l = loss(We, input);
        const [g] = grad(l, [We]);
        We.data.forEach((v, i) => (We.data[i] = v - 0.1 * g.data[i]));
        eager.push([l.item(), ...We.data]);
      }
      const Wc = make();
      const step = compile((x: Tensor) => loss(Wc, x), { optimizer: new PlainSGD([Wc], 0.1), mode });
      for (let s = 0; s < 5; s++) {
        const l = step.run(input).item();
        [l, ...Wc.data].forEach((v, i) => expect(Object.is(v, eager[s][i])).toBe(true));
      }
    }
  });
});

/** Python's a[start:end:step] for step ≥ 1. */
function plainSlice(a: number[], start: number, end: number, step: number): number[] {
  const n = a.length;
  const clamp = (i: number) => Math.min(Math.max(i < 0 ? i + n : i, 0), n);
  const out: number[] = [];
  for (let i = clamp(start); i < clamp(end); i += step) out.push(a[i]);
  return out;
}

describe('compile: a kernel of a kind codegen does not know', () => {
  it('is called as is, in generated code and kernel by kernel, small or large', () => {
    // y = x·(row mean of x), with a kernel of its own kind
    const rowScale = defineOp({
      name: 'rowScale',
      inputs: ['x'],
      kernel: {
        kind: 'rowScale',
        shape: ([x]: readonly Tensor[]) => x.shape,
        run: (out: Float64Array | Float32Array, [x]: readonly Tensor[]) => {
          const [m, n] = x.shape;
          for (let r = 0; r < m; r++) {
            let s = 0;
            for (let j = 0; j < n; j++) s += x.data[r * n + j];
            for (let j = 0; j < n; j++) out[r * n + j] = x.data[r * n + j] * (s / n);
          }
        },
      },
      derivatives: { x: { formula: '∂yᵢⱼ/∂xᵢₖ = δⱼₖ·x̄ᵢ + xᵢⱼ/n', vjp: ({ grad, x }) => grad.mul(mean(x, 1, { keepDims: true })).add(mean(grad.mul(x), 1, { keepDims: true })) } },
    });
    for (const [mode, rows] of [['generated', 2], ['generated', 40], ['kernels', 2]] as const) {
      const W = randn([3, 3], rng(4), { requiresGrad: true });
      const x = randn([rows, 3], rng(5));
      const eager = grad(rowScale.apply([x.matmul(W)], undefined).square().mean(), W)[0];
      const step = compile((input: Tensor) => rowScale.apply([input.matmul(W)], undefined).square().mean(), { mode });
      step.run(x);
      step.run(x);
      expect(Array.from(W.grad!.data)).toEqual(Array.from(eager.data));
      expect(step.describe()).toMatch(/rowScale/);
    }
  });
});

describe('Tensor methods', () => {
  it('each method is the function of the same name', () => {
    const x = tensor([[0.3, -1.2, 2], [0.7, 1.1, -0.4]]);
    const p = tensor([[0.3, 1.2, 2], [0.7, 1.1, 0.4]]);
    const o = tensor([0.5, -0.5, 1]);
    const pairs: [Tensor, Tensor][] = [
      [x.abs(), abs(x)], [p.sqrt(), sqrt(p)], [x.square(), square(x)], [x.reciprocal(), reciprocal(x)], [x.sin(), sin(x)],
      [x.cos(), cos(x)], [x.softplus(), softplus(x)], [x.erf(), erf(x)], [x.gelu(), gelu(x)],
      [x.gelu({ approximate: 'tanh' }), gelu(x, { approximate: 'tanh' })], [x.elu(0.5), elu(x, 0.5)], [x.maximum(o), maximum(x, o)],
      [x.minimum(o), minimum(x, o)], [x.where(gt(x, 0), o), where(gt(x, 0), x, o)], [x.gt(o), gt(x, o)], [x.ge(o), ge(x, o)],
      [x.lt(o), lt(x, o)], [x.le(o), le(x, o)], [x.eq(o), eq(x, o)], [x.max(1), max(x, 1)], [x.min(), min(x)],
      [x.argmax(0), argmax(x, 0)], [x.argmin(), argmin(x)], [x.logSumExp(-1, { keepDims: true }), logSumExp(x, -1, { keepDims: true })],
      [x.variance(0, { unbiased: false }), variance(x, 0, { unbiased: false })], [x.std(1), std(x, 1)], [x.prod(0), prod(x, 0)],
      [x.norm(1, 1), norm(x, 1, 1)], [x.norm(), norm(x)], [x.softmax(0), softmax(x, 0)], [x.logSoftmax(), logSoftmax(x)],
      [x.unsqueeze(1), unsqueeze(x, 1)], [x.unsqueeze(0).squeeze(), squeeze(unsqueeze(x, 0))], [x.flatten(), flatten(x)],
      [x.permute([1, 0]), permute(x, [1, 0])], [x.slice([1], [2]), slice(x, [1], [2])], [x.split(2, 1)[1], split(x, 2, 1)[1]],
    ];
    for (const [a, b] of pairs) {
      expect(a.shape).toEqual(b.shape);
      expect(Array.from(a.data)).toEqual(Array.from(b.data));
    }
  });
});
