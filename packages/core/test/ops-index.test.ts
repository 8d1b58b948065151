// Indexing, padding, N-D transpose, creation and batched matmul: first and second derivatives
// against finite differences, values by hand, errors naming the op, the argument and the
// shapes, the inspector's view, compiled steps bit for bit equal to eager ones (indices read
// afresh at every run), the fast batched vjps against the teaching rules, and the Tensor methods.
// (Values and gradients against PyTorch are in ops-reference.test.ts; properties in
// ops-properties.test.ts.)
import { describe, expect, it } from 'vitest';
import {
  arange, batchedMatmulOp, compile, eye, flatten, fullLike, gather, grad, gradcheck, index, indexAddOp, linspace, localDerivatives,
  logSoftmax, matmul, matmulOp, mean, mul, oneHot, onesLike, pad, randn, reshape, scatterAddOp, softmax, tensor, trace, transpose,
  zerosLike, GradlabError, type GradcheckOptions, type Tensor,
} from '../src/index.ts';
import { attachFastRules, batchedMatmulNT, batchedMatmulTN, detachFastRules, fastRulesAttached } from '../src/fast/index.ts';
import { setWasmMatmul } from '../src/ops/matmulWasm.ts';
import { expectValues, PlainSGD, rng } from './helpers.ts';

const leaf = (value: number[] | number[][] | number[][][]) => tensor(value, { requiresGrad: true });
const R = (shape: number[], seed: number) => randn(shape, rng(seed), { requiresGrad: true });
const X23 = () => leaf([[0.31, -1.22, 2.03], [0.74, 1.13, -0.45]]);

interface Check {
  name: string;
  fn: (...xs: Tensor[]) => Tensor;
  inputs: () => Tensor[];
  options?: GradcheckOptions;
}

const checks: Check[] = [
  { name: 'gather axis 1 with repeated indices', fn: (x) => gather(x, 1, [[2, 2, 0, 2], [1, 0, 1, 1]]).square(), inputs: () => [X23()] },
  { name: 'gather axis 0 of [2,3,4], index [3,2,4]', fn: (x) => gather(x, 0, [[[1, 0, 0, 1], [1, 1, 0, 0]], [[0, 0, 0, 0], [1, 1, 1, 1]], [[1, 0, 1, 0], [0, 1, 0, 1]]]).sin(), inputs: () => [R([2, 3, 4], 1)] },
  { name: 'gather axis -1, index an int tensor', fn: (x) => gather(x, -1, tensor([[0], [2]])).exp(), inputs: () => [X23()] },
  {
    name: 'scatterAdd (gather’s gradient) on its own',
    fn: (g) => scatterAddOp.apply([g, tensor([[2, 2], [0, 1]])], { axis: 1, shape: [2, 3] }).square(),
    inputs: () => [leaf([[0.5, -1.5], [2, 0.25]])],
  },
  { name: 'index axis 0, negative and repeated', fn: (x) => index(x, [1, -1, 0, -2]).square(), inputs: () => [X23()] },
  { name: 'index axis -1 of [2,3,4]', fn: (x) => index(x, [3, 0, 3], -1).sin(), inputs: () => [R([2, 3, 4], 2)] },
  {
    name: 'indexAdd (index’s gradient) on its own',
    fn: (g) => indexAddOp.apply([g, tensor([2, 0, 2])], { axis: 1, shape: [2, 4] }).square(),
    inputs: () => [leaf([[0.5, -1.5, 1], [2, 0.25, -0.7]])],
  },
  { name: 'pad [2,3] value 1.5', fn: (x) => pad(x, [[1, 0], [2, 1]], 1.5).square(), inputs: () => [X23()] },
  { name: 'pad [2,3,4]', fn: (x) => pad(x, [[0, 1], [0, 0], [2, 2]]).sin(), inputs: () => [R([2, 3, 4], 3)] },
  { name: 'transpose [2,3,4] 0,2', fn: (x) => transpose(x, 0, 2).square(), inputs: () => [R([2, 3, 4], 4)] },
  { name: 'transpose [2,3,4] -1,1 then matmul', fn: (x, w) => matmul(transpose(x, -1, 1), w).square(), inputs: () => [R([2, 3, 4], 5), R([3, 2], 6)] },
  { name: 'matmul [2,3,4] @ [2,4,5]', fn: (a, b) => matmul(a, b).square(), inputs: () => [R([2, 3, 4], 7), R([2, 4, 5], 8)] },
  { name: 'matmul [2,3,4] @ [4,5] (b broadcast)', fn: (a, b) => matmul(a, b).tanh(), inputs: () => [R([2, 3, 4], 9), R([4, 5], 10)] },
  { name: 'matmul [3,4] @ [2,4,5] (a broadcast)', fn: (a, b) => matmul(a, b).square(), inputs: () => [R([3, 4], 11), R([2, 4, 5], 12)] },
  { name: 'matmul [2,1,3,4] @ [3,4,2]', fn: (a, b) => matmul(a, b).square(), inputs: () => [R([2, 1, 3, 4], 13), R([3, 4, 2], 14)] },
  { name: 'matmul [4] @ [2,4,3]', fn: (a, b) => matmul(a, b).square(), inputs: () => [R([4], 15), R([2, 4, 3], 16)] },
  { name: 'matmul [2,3,4] @ [4]', fn: (a, b) => matmul(a, b).square(), inputs: () => [R([2, 3, 4], 17), R([4], 18)] },
  { name: 'matmul [4] @ [4] and [3,4] @ [4]', fn: (a, m) => matmul(a, a).mul(matmul(m, a)), inputs: () => [R([4], 19), R([3, 4], 20)] },
  { name: 'batched matmulNT [2,3,4]·[4,4]ᵀ', fn: (a, b) => batchedMatmulNT(a, b).square(), inputs: () => [R([2, 3, 4], 21), R([4, 4], 22)] },
  { name: 'batched matmulTN [2,4,3]ᵀ·[1,4,2]', fn: (a, b) => batchedMatmulTN(a, b).square(), inputs: () => [R([2, 4, 3], 23), R([1, 4, 2], 24)] },
];

describe('gradcheck of order 1 and 2 at smooth points', () => {
  it.each(checks.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const result = gradcheck(c.fn, c.inputs(), { order: 2, ...c.options });
    expect(result.message).toMatch(/^passed/);
    expect(result.checked).toBeGreaterThan(0);
  });
});

describe('values by hand', () => {
  it('gather, index and their gradients: repeated indices add', () => {
    const x = leaf([[1, 2, 3], [4, 5, 6]]);
    expectValues(gather(x, 1, [[2, 2], [0, 1]]), [[3, 3], [4, 5]]);
    expectValues(gather(x, 0, [[1, 0, 1]]), [[4, 2, 6]]);
    expectValues(grad(gather(x, 1, [[2, 2], [0, 1]]).sum(), x)[0], [[0, 0, 2], [1, 1, 0]]);
    expectValues(index(x, [1, -1, 0]), [[4, 5, 6], [4, 5, 6], [1, 2, 3]]);
    expectValues(index(x, [2, 0], 1), [[3, 1], [6, 4]]);
    expectValues(grad(index(x, [1, -1, 0]).sum(), x)[0], [[1, 1, 1], [2, 2, 2]]);
    expect(index(x, []).shape).toEqual([0, 3]);
  });

  it('pad, transpose', () => {
    const x = leaf([[1, 2], [3, 4]]);
    expectValues(pad(x, [[1, 0], [0, 2]], 9), [[9, 9, 9, 9], [1, 2, 9, 9], [3, 4, 9, 9]]);
    expectValues(grad(pad(x, [[1, 1], [1, 1]], -1).mul(tensor([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]])).sum(), x)[0], [[6, 7], [10, 11]]);
    expectValues(pad(tensor(2), []), 2);
    const t = tensor([[[1, 2], [3, 4], [5, 6]]]); // [1,3,2]
    expectValues(transpose(t, 0, 2), [[[1], [3], [5]], [[2], [4], [6]]]);
    expectValues(transpose(t, -1, -2), [[[1, 3, 5], [2, 4, 6]]]);
    expectValues(transpose(tensor([[1, 2, 3]]), 1, 0), [[1], [2], [3]]);
  });

  it('creation', () => {
    expectValues(arange(4), [0, 1, 2, 3]);
    expectValues(arange(1, 2, 0.25), [1, 1.25, 1.5, 1.75]);
    expectValues(arange(3, 0, -1), [3, 2, 1]);
    expect(arange(2, 2).shape).toEqual([0]);
    expectValues(linspace(0, 1, 5), [0, 0.25, 0.5, 0.75, 1]);
    expectValues(linspace(2, 3, 1), [2]);
    expect(linspace(0, 1, 3).data[2]).toBe(1); // the last value is `end` exactly
    expectValues(eye(2), [[1, 0], [0, 1]]);
    expectValues(eye(2, 3), [[1, 0, 0], [0, 1, 0]]);
    const x = tensor([[1, 2, 3]]);
    expectValues(zerosLike(x), [[0, 0, 0]]);
    expectValues(onesLike(x), [[1, 1, 1]]);
    expectValues(fullLike(x, 7), [[7, 7, 7]]);
    expect(zerosLike(x, { requiresGrad: true }).requiresGrad).toBe(true);
    expectValues(oneHot([2, 0]), [[0, 0, 1], [1, 0, 0]]);
    expectValues(oneHot(tensor([[1], [0]]), 2), [[[0, 1]], [[1, 0]]]);
  });

  it('matmul follows PyTorch for vectors and batch axes', () => {
    const v = tensor([1, 2]);
    const m = tensor([[1, 2], [3, 4], [5, 6]]); // [3,2]
    expectValues(matmul(v, v), 5);
    expectValues(matmul(m, v), [5, 11, 17]);
    expectValues(matmul(tensor([1, 0, 1]), m), [6, 8]);
    const s = tensor([[[1, 0], [0, 1]], [[2, 0], [0, 3]]]); // [2,2,2]
    expectValues(matmul(s, v), [[1, 2], [2, 6]]);
    expectValues(matmul(v, s), [[1, 2], [2, 6]]);
    expectValues(matmul(m, s), [[[1, 2], [3, 4], [5, 6]], [[2, 6], [6, 12], [10, 18]]]);
    expect(matmul(randn([2, 1, 3, 4], rng(1)), randn([5, 4, 2], rng(2))).shape).toEqual([2, 5, 3, 2]);
    expect(matmul(tensor(new Float64Array(0), { shape: [0, 2, 3] }), randn([3, 4], rng(3))).shape).toEqual([0, 2, 4]);
    expectValues(matmul(tensor(new Float64Array(0), { shape: [2, 2, 0] }), tensor(new Float64Array(0), { shape: [0, 3] })), [[[0, 0, 0], [0, 0, 0]], [[0, 0, 0], [0, 0, 0]]]);
  });

  it('no gradient into indices; oneHot and the creation functions make leaves', () => {
    const x = X23();
    const i = leaf([[1], [0]]);
    const y = gather(x, 1, i);
    expect(localDerivatives(y).map((d) => d.kind)).toEqual(['none', 'not differentiable']);
    const [gi, gx] = grad(y.sum(), [i, x], { allowUnused: true });
    expectValues(gi, [[0], [0]]);
    expectValues(gx, [[0, 1, 0], [1, 0, 0]]);
    expect(oneHot(leaf([0, 1])).requiresGrad).toBe(false);
    expect(arange(3).isLeaf && eye(2).isLeaf && linspace(0, 1, 2).isLeaf).toBe(true);
  });
});

describe('2-D matmul is the op it was; each batch is the 2-D loop', () => {
  it('2-D operands go to matmulOp (its rules, its fast vjps); others to the batched op', () => {
    const a = R([3, 4], 1);
    const b = R([4, 2], 2);
    expect(matmul(a, b).op).toBe(matmulOp);
    expect(matmul(reshape(a, [1, 3, 4]), b).op).toBe(batchedMatmulOp);
    // a vector is a reshape into a 2-D matmul
    expect(trace(matmul(a, tensor([1, 2, 3, 4]))).map((n) => n.label)).toEqual([`leaf#${a.id}`, expect.stringMatching(/^const#/), 'matmul', 'reshape([3])']);
    expect(trace(matmul(tensor([1, 2, 3]), a)).map((n) => n.label)).toEqual([expect.stringMatching(/^const#/), `leaf#${a.id}`, 'matmul', 'reshape([4])']);
  });

  for (const wasm of [true, false]) {
    it(`each matrix of a batched product has the bits of the 2-D product (${wasm ? 'WebAssembly' : 'JS'} tiles)`, () => {
      setWasmMatmul(wasm);
      try {
        // small (plain loop), tiled, and large enough for the WebAssembly tiles
        for (const [m, k, n, batch] of [[2, 3, 2, 3], [9, 13, 7, 2], [37, 40, 35, 2]]) {
          const A = randn([batch, m, k], rng(m));
          const B = randn([batch, k, n], rng(n));
          const W = randn([k, n], rng(k));
          const C = matmul(A, B);
          const CW = matmul(A, W); // the stack of A as one tall matrix
          for (let t = 0; t < batch; t++) {
            const At = tensor(A.data.slice(t * m * k, (t + 1) * m * k), { shape: [m, k] });
            const Bt = tensor(B.data.slice(t * k * n, (t + 1) * k * n), { shape: [k, n] });
            expect(Array.from(C.data.subarray(t * m * n, (t + 1) * m * n))).toEqual(Array.from(matmul(At, Bt).data));
            expect(Array.from(CW.data.subarray(t * m * n, (t + 1) * m * n))).toEqual(Array.from(matmul(At, W).data));
          }
        }
      } finally {
        setWasmMatmul(true);
      }
    });
  }

  for (const wasm of [true, false]) {
    it(`batched matmulNT = A·Bᵀ and matmulTN = Aᵀ·B bit for bit, as the batched matmul with a transpose made first (${wasm ? 'WebAssembly' : 'JS'} tiles)`, () => {
      setWasmMatmul(wasm);
      try {
        const T = (x: Tensor) => transpose(x, -1, -2);
        // [batch of A], [batch of B], m, k, n: tiny, tiled, large; broadcast either way, one matrix for all
        const cases: [number[], number[], number, number, number][] = [
          [[2], [2], 2, 3, 2], [[3], [], 9, 13, 7], [[], [2], 9, 5, 6], [[2, 1], [3], 8, 6, 5], [[2], [1], 37, 40, 35],
        ];
        cases.forEach(([ba, bb, m, k, n], s) => {
          const a = randn([...ba, m, k], rng(s));
          const bt = randn([...bb, n, k], rng(s + 50));
          const at = randn([...ba, k, m], rng(s + 100));
          const b = randn([...bb, k, n], rng(s + 150));
          const same = (x: Tensor, y: Tensor) => {
            expect(x.shape).toEqual(y.shape);
            x.data.forEach((v, i) => expect(Object.is(v, y.data[i])).toBe(true));
          };
          same(batchedMatmulNT(a, bt), matmul(a, T(bt)));
          same(batchedMatmulTN(at, b), matmul(T(at), b));
        });
      } finally {
        setWasmMatmul(true);
      }
    });
  }

  it('gradients with the fast batched vjps equal the teaching rules’: first order bit for bit, second order to rounding', () => {
    const was = fastRulesAttached();
    const run = () => {
      const a = R([2, 1, 9, 13], 31);
      const b = R([3, 13, 6], 32);
      const v = R([6], 33);
      const loss = matmul(matmul(a, b).tanh(), v).square().sum();
      const [ga, gb, gv] = grad(loss, [a, b, v], { createGraph: true });
      const [gga] = grad(ga.square().sum().add(gb.mul(gb).sum()), [a]);
      return { first: [ga, gb, gv].map((g) => Array.from(g.data)), second: gga };
    };
    try {
      attachFastRules();
      const fast = run();
      detachFastRules();
      const teaching = run();
      fast.first.forEach((g, k) => g.forEach((v, i) => expect(Object.is(v, teaching.first[k][i])).toBe(true)));
      // the two backward graphs differ, so the walk may add a node's contributions in another order
      expectValues(fast.second, teaching.second.toArray(), 1e-13);
    } finally {
      if (was) attachFastRules();
      else detachFastRules();
    }
  });
});

describe('errors name the op, the argument and the shapes', () => {
  const x = () => tensor([[1, 2, 3], [4, 5, 6]]);
  it.each([
    ['gather rank', () => gather(x(), 1, [0, 1]), 'gather: index [2] must have the rank of x [2,3] (2)'],
    ['gather larger along another axis', () => gather(x(), 1, [[0], [1], [0]]), 'gather: index [3,1] is larger than x [2,3] along axis 0 (3 > 2); only along axis 1 may it be larger'],
    ['gather out of range', () => gather(x(), 1, [[0, 3]]), 'gather: index element 1 is 3, out of range (indices into axis 1 of x [2,3]: 0…2)'],
    ['gather negative (refused, as PyTorch)', () => gather(x(), 1, [[-1]]), 'gather: index element 0 is -1, out of range (indices into axis 1 of x [2,3]: 0…2)'],
    ['gather non-integer', () => gather(x(), 0, [[0.5]]), 'gather: index element 0 is 0.5, not an integer (indices into axis 0 of x [2,3]: 0…1)'],
    ['gather NaN', () => gather(x(), 0, [[NaN]]), 'gather: index element 0 is NaN, not an integer (indices into axis 0 of x [2,3]: 0…1)'],
    ['gather axis', () => gather(x(), 2, [[0]]), 'gather: axis 2 is out of range for x of shape [2,3] (rank 2: axes -2…1)'],
    ['gather of a scalar', () => gather(tensor(1), 0, 0), 'gather: x must have at least one axis, got shape []'],
    ['gather index type', () => gather(x(), 0, 'a' as unknown as number), "gather: index must be a tensor or (nested) arrays of integers, got string 'a'"],
    ['gather ragged index', () => gather(x(), 0, [[0, 1], [0]]), 'gather: index: tensor: ragged nested array at [1]: expected 2 elements, got 1'],
    ['index out of range', () => index(x(), [0, 2]), 'index: indices element 1 is 2, out of range (indices into axis 0 of x [2,3]: -2…1)'],
    ['index too negative', () => index(x(), [-4], 1), 'index: indices element 0 is -4, out of range (indices into axis 1 of x [2,3]: -3…2)'],
    ['index 2-D indices', () => index(x(), [[0]]), 'index: indices must be a list (1-D), got shape [1,1]'],
    ['index into an empty axis', () => index(tensor([]), [0]), 'index: indices element 0 is 0, out of range (indices into axis 0 of x [0]: none, it is empty)'],
    ['pad count', () => pad(x(), [[1, 1]]), 'pad: widths must be 2 pairs [before, after] of integers ≥ 0, one per axis of x [2,3], got [[1,1]]'],
    ['pad negative', () => pad(x(), [[0, 0], [-1, 0]]), 'pad: widths must be 2 pairs [before, after] of integers ≥ 0, one per axis of x [2,3], got [[0,0],[-1,0]]'],
    ['pad flat list', () => pad(x(), [1, 1] as unknown as [number, number][]), 'pad: widths must be 2 pairs [before, after] of integers ≥ 0, one per axis of x [2,3], got [1,1]'],
    ['pad value', () => pad(x(), [[0, 0], [0, 0]], 'a' as unknown as number), "pad: value must be a number, got string 'a'"],
    ['transpose one axis', () => transpose(x(), 0), 'transpose: give both axes to swap or neither (for a 2-D x), got 0 and undefined'],
    ['transpose axis', () => transpose(randn([2, 3, 4], rng(1)), 0, 3), 'transpose: axis 3 is out of range for x of shape [2,3,4] (rank 3: axes -3…2)'],
    ['arange step 0', () => arange(0, 1, 0), 'arange: step must not be 0'],
    ['arange direction', () => arange(5, 0), 'arange: a step of 1 never goes from 5 to 0 (the step\'s sign must be that of end − start)'],
    ['arange infinite', () => arange(0, Infinity), 'arange: end must be a finite number, got Infinity'],
    ['arange too many', () => arange(0, 1, 1e-12), 'arange: 0 to 1 by 1e-12 would have 1000000000000 elements, more than the limit of 134217728 (2^27)'],
    ['linspace steps', () => linspace(0, 1, 2.5), 'linspace: steps must be an integer ≥ 0, got 2.5'],
    ['eye size', () => eye(-1), 'eye: n must be an integer ≥ 0, got -1'],
    ['zerosLike of an array', () => zerosLike([1, 2] as unknown as Tensor), 'zerosLike: x must be a tensor or a number, got an array of 2'],
    ['oneHot out of range', () => oneHot([0, 3], 3), 'oneHot: indices element 1 is 3, out of range (indices into 3 classes: 0…2)'],
    ['oneHot negative', () => oneHot([-1, 1]), 'oneHot: indices element 0 is -1, out of range (indices into 2 classes: 0…1)'],
    ['oneHot classes', () => oneHot([0], 0), 'oneHot: classes must be an integer ≥ 1, got 0'],
    ['oneHot of nothing, classes inferred', () => oneHot([]), 'oneHot: cannot infer the number of classes from no indices; pass classes'],
  ])('%s', (_, fn, message) => {
    expect(fn).toThrow(GradlabError);
    try {
      fn();
    } catch (e) {
      expect((e as Error).message).toBe(message);
    }
  });
});

describe('the graph shows one node per op, with its formula', () => {
  it.each([
    ['gather', (t: Tensor) => gather(t, 1, [[0, 0]]), 'gather(axis=1)', '∂yₒ/∂xₚ = 1 where yₒ reads xₚ: ∂L/∂x = ∂L/∂y scattered back, added where indices repeat'],
    ['index', (t: Tensor) => index(t, [0], 1), 'index(axis=1)', '∂yⱼ/∂x_indices[j] = 1 (slice by slice): ∂L/∂x = slices of ∂L/∂y added back where they were taken'],
    ['pad', (t: Tensor) => pad(t, [[1, 0], [0, 2]], 9), 'pad[1,0; 0,2](value=9)', '∂yⱼ/∂xᵢ = 1 where yⱼ is xᵢ (0 on the padding): ∂L/∂x = ∂L/∂y sliced where x lies'],
    ['transpose of the two axes of a matrix', (t: Tensor) => transpose(t, 1, 0), 'transpose', '∂Yⱼᵢ/∂Xᵢⱼ = 1, so ∂L/∂X = (∂L/∂Y)ᵀ'],
  ])('%s: node %s', (_, f, label, formula) => {
    const x = leaf([[0.5, -1, 2]]);
    const y = f(x);
    // (the indices appear as a constant input)
    expect(trace(y).map((n) => n.label).filter((l) => !l.startsWith('const#'))).toEqual([`leaf#${x.id}`, label]);
    expect(localDerivatives(y)[0].formula).toBe(formula);
  });

  it('a batched matmul is one node with the per-batch rule', () => {
    const a = R([2, 3, 4], 1);
    const b = R([4, 5], 2);
    const y = matmul(a, b);
    expect(trace(y).map((n) => n.label)).toEqual([`leaf#${a.id}`, `leaf#${b.id}`, 'matmul']);
    expect(localDerivatives(y).map((d) => d.formula)).toEqual([
      '∂Cᵢⱼ/∂Aᵢₖ = Bₖⱼ per batch, so ∂L/∂A = ∂L/∂C·Bᵀ (summed over broadcast batch axes)',
      '∂Cᵢⱼ/∂Bₖⱼ = Aᵢₖ per batch, so ∂L/∂B = Aᵀ·∂L/∂C (summed over broadcast batch axes)',
    ]);
    expect(trace(transpose(a, 0, 2)).map((n) => n.label)).toEqual([`leaf#${a.id}`, 'permute(2,1,0)']);
  });
});

describe('compile: a step with the new ops equals the eager step bit for bit', () => {
  /** A token classifier: embeddings looked up by index, padded, mixed by batched matmuls, scored by gather and oneHot. */
  function build(seed: number) {
    const r = rng(seed);
    return [
      randn([7, 4], r, { requiresGrad: true, std: 0.5 }), // embeddings
      randn([1, 4, 4], r, { requiresGrad: true, std: 0.5 }), // a mixing matrix, broadcast over the batch
      randn([4, 3], r, { requiresGrad: true, std: 0.5 }),
      randn([3], r, { requiresGrad: true, std: 0.5 }),
    ];
  }
  function loss([E, M, W, v]: Tensor[], tokens: Tensor, labels: Tensor): Tensor {
    const [batch, steps] = tokens.shape;
    const x = reshape(index(E, flatten(tokens)), [batch, steps, 4]); // [B,T,4]
    const p = transpose(pad(x, [[0, 0], [1, 0], [0, 0]], 0.5), 1, 2); // [B,4,T+1]
    const h = matmul(M, p).tanh(); // [B,4,T+1]
    const s = matmul(transpose(h, 1, 2), W); // [B,T+1,3]
    const z = mean(s, 1); // [B,3]
    const nll = mean(gather(logSoftmax(z, 1), 1, reshape(labels, [batch, 1]))).neg();
    const hit = mean(mul(softmax(z, 1), oneHot(labels, 3)));
    const extra = mean(matmul(s, v)).mul(0.01); // [B,T+1]·[3]
    return nll.sub(hit.mul(0.1)).add(extra);
  }
  function data(batch: number, seed: number) {
    const r = rng(seed);
    const tokens = tensor(Array.from({ length: batch }, () => Array.from({ length: 5 }, () => Math.floor(r.next() * 7))));
    const labels = tensor(Array.from({ length: batch }, () => Math.floor(r.next() * 3)));
    return { tokens, labels };
  }

  for (const [mode, batch] of [['generated', 2], ['generated', 24], ['kernels', 6]] as const) {
    it(`${mode}, batch ${batch}: losses and weights identical; indices read afresh at every run`, () => {
      const eagerParams = build(1);
      const compiledParams = build(1);
      const batches = [data(batch, 2), data(batch, 3), data(batch, 4)];
      const lr = 0.1;
      const eager: number[][] = [];
      for (let s = 0; s < 9; s++) {
        const { tokens, labels } = batches[s % 3];
        const l = loss(eagerParams, tokens, labels);
        const gs = grad(l, eagerParams);
        eagerParams.forEach((p, k) => p.data.forEach((v, i) => (p.data[i] = v - lr * gs[k].data[i])));
        eager.push([l.item(), ...eagerParams.flatMap((p) => Array.from(p.data))]);
      }
      const step = compile((tokens: Tensor, labels: Tensor) => loss(compiledParams, tokens, labels), { optimizer: new PlainSGD(compiledParams, lr), mode });
      for (let s = 0; s < 9; s++) {
        const { tokens, labels } = batches[s % 3];
        const got = [step.run(tokens, labels).item(), ...compiledParams.flatMap((p) => Array.from(p.data))];
        got.forEach((v, i) => expect(Object.is(v, eager[s][i])).toBe(true));
      }
      expect(step.describe()).toMatch(/gather\(axis=1\)/);
      expect(step.describe()).toMatch(/scatterAdd/);
      // a replay checks its indices too
      const bad = data(batch, 5);
      bad.tokens.data[1] = 7;
      expect(() => step.run(bad.tokens, bad.labels)).toThrow('index: indices element 1 is 7, out of range (indices into axis 0 of x [7,4]: -7…6)');
    });
  }
});

describe('Tensor methods', () => {
  it('each method is the function of the same name', () => {
    const x = tensor([[0.3, -1.2, 2], [0.7, 1.1, -0.4]]);
    const t = randn([2, 3, 4], rng(1));
    const pairs: [Tensor, Tensor][] = [
      [x.gather(1, [[0, 2]]), gather(x, 1, [[0, 2]])], [x.index([1, 0], 1), index(x, [1, 0], 1)], [x.index([1]), index(x, [1])],
      [x.pad([[1, 0], [0, 1]], 2), pad(x, [[1, 0], [0, 1]], 2)], [x.transpose(), transpose(x)], [t.transpose(0, -1), transpose(t, 0, -1)],
      [tensor([1, 0]).oneHot(3), oneHot([1, 0], 3)], [x.zerosLike(), zerosLike(x)], [x.onesLike(), onesLike(x)], [x.fullLike(3), fullLike(x, 3)],
      [t.matmul(tensor([1, 2, 3, 4])), matmul(t, tensor([1, 2, 3, 4]))],
    ];
    for (const [a, b] of pairs) {
      expect(a.shape).toEqual(b.shape);
      expect(Array.from(a.data)).toEqual(Array.from(b.data));
    }
  });
});
