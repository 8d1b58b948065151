// The backward ops (sigmoidBackward, tanhBackward, powBackward, reluBackward,
// leakyReluBackward, matmulNT, matmulTN): one op each where the rules used to make two to four,
// giving bit for bit what the composite gave, with rules of their own (gradcheck of order 2),
// and the eager lab step making the small number of ops it should.
import { afterEach, describe, expect, it } from 'vitest';
import {
  add, gradcheck, grad, leakyRelu, localDerivatives, matmul, mean, mul, pow, relu, sigmoid, step, sub, tanh, tensor, toDot,
  trace, transpose, zeros, type Tensor,
} from '../src/index.ts';
import { recordOps } from '../src/compile/record.ts';
import {
  fastRulesAttached, leakyReluBackward, matmulNT, matmulTN, powBackward, reluBackward, sigmoidBackward, tanhBackward,
} from '../src/fast/index.ts';
import { setWasmMatmul } from '../src/ops/matmulWasm.ts';

/** Deterministic values in (−2, 2), with the awkward ones mixed in where asked: ±0, NaN, ±∞, tiny, huge. */
function values(n: number, seed: number, awkward = true): Float64Array {
  const out = new Float64Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = (s / 2147483648 - 0.5) * 4;
  }
  if (awkward) {
    const special = [0, -0, NaN, Infinity, -Infinity, 1e-300, -1e300, 1, -1];
    special.forEach((v, k) => {
      if (3 * k < n) out[3 * k] = v;
    });
  }
  return out;
}

const t = (shape: number[], seed: number, awkward = true) =>
  tensor(values(shape.reduce((p, d) => p * d, 1), seed, awkward), { shape });

function expectSameBits(actual: Tensor, expected: Tensor): void {
  expect(actual.shape).toEqual(expected.shape);
  for (let i = 0; i < expected.size; i++) {
    if (!Object.is(actual.data[i], expected.data[i])) {
      throw new Error(`element ${i}: ${actual.data[i]}, expected ${expected.data[i]}`);
    }
  }
}

// (dy shape, second operand shape): same shapes, and broadcasting either way
const SHAPES: [number[], number[]][] = [[[4, 6], [4, 6]], [[4, 6], [6]], [[6], [4, 6]], [[], [5]], [[2, 1], [1, 3]]];

describe('each backward op gives its composite definition bit for bit', () => {
  const composites: { name: string; op: (dy: Tensor, x: Tensor) => Tensor; composite: (dy: Tensor, x: Tensor) => Tensor }[] = [
    { name: 'sigmoidBackward = dy·(y·(1−y))', op: sigmoidBackward, composite: (dy, y) => mul(dy, mul(y, sub(1, y))) },
    { name: 'tanhBackward = dy·(1−y·y)', op: tanhBackward, composite: (dy, y) => mul(dy, sub(1, mul(y, y))) },
    { name: 'reluBackward = dy·[x>0]', op: reluBackward, composite: (dy, x) => mul(dy, step(x)) },
    ...[0.01, 0.2, -0.5].map((slope) => ({
      name: `leakyReluBackward(α=${slope}) = dy·(α + (1−α)·[x>0])`,
      op: (dy: Tensor, x: Tensor) => leakyReluBackward(dy, x, slope),
      composite: (dy: Tensor, x: Tensor) => mul(dy, add(slope, mul(1 - slope, step(x)))),
    })),
    ...[0, 1, 2, 3, 0.5, -1, -2, 1.5].map((p) => ({
      name: `powBackward(${p}) = dy·(p·xᵖ⁻¹)`,
      op: (dy: Tensor, x: Tensor) => powBackward(dy, x, p),
      composite: (dy: Tensor, x: Tensor) => mul(dy, p === 0 ? zeros(x.shape) : mul(p, pow(x, p - 1))),
    })),
  ];

  it.each(composites)('$name', ({ op, composite }) => {
    SHAPES.forEach(([dyShape, xShape], k) => {
      const dy = t(dyShape, 3 + k);
      const x = t(xShape, 11 + k);
      expectSameBits(op(dy, x), composite(dy, x));
    });
  });

  describe('matmulNT = A·Bᵀ and matmulTN = Aᵀ·B, as matmul with a transpose made first', () => {
    afterEach(() => setWasmMatmul(true));
    // tiny (plain dot products), and large enough for the 4×4 tiles and their edges
    const dims: [number, number, number][] = [[1, 3, 3], [3, 1, 3], [1, 2, 1], [4, 4, 4], [5, 7, 6], [37, 20, 9], [64, 64, 1]];
    for (const wasm of [true, false]) {
      it(`for [m,k,n] from [1,3,3] to [37,20,9] (${wasm ? 'WebAssembly' : 'JS'} tiles)`, () => {
        setWasmMatmul(wasm);
        dims.forEach(([m, k, n], s) => {
          const a = t([m, k], s);
          const bt = t([n, k], s + 50);
          const at = t([k, m], s + 100);
          const b = t([k, n], s + 150);
          expectSameBits(matmulNT(a, bt), matmul(a, transpose(bt)));
          expectSameBits(matmulTN(at, b), matmul(transpose(at), b));
        });
      });
    }

    it('reject operands whose inner dimensions differ, naming the transposed one', () => {
      expect(() => matmulNT(zeros([2, 3]), zeros([4, 2]))).toThrow('matmulNT: [2,3] @ [4,2]ᵀ: inner dimensions differ (3 vs 2)');
      expect(() => matmulTN(zeros([3, 2]), zeros([4, 2]))).toThrow('matmulTN: [3,2]ᵀ @ [4,2]: inner dimensions differ (3 vs 4)');
      expect(() => matmulNT(zeros([2]), zeros([4, 2]))).toThrow('matmulNT: [2] @ [4,2]ᵀ: both operands must be 2-D');
    });
  });
});

describe.skipIf(!fastRulesAttached())("a fast vjp equals grad · partial bit for bit (the walk uses the one, the inspector shows the other)", () => {
  const x = () => tensor(values(12, 7), { shape: [3, 4], requiresGrad: true });
  const y01 = () => tensor(values(12, 9, false).map((v) => (v + 2) / 4), { shape: [3, 4], requiresGrad: true });
  const nodes: { name: string; make: () => Tensor }[] = [
    { name: 'sigmoid', make: () => sigmoid(x()) },
    { name: 'tanh', make: () => tanh(x()) },
    { name: 'relu', make: () => relu(x()) },
    { name: 'leakyRelu(0.2)', make: () => leakyRelu(x(), 0.2) },
    ...[0, 1, 2, 3, -1, 0.5].map((p) => ({ name: `pow(${p})`, make: () => pow(x(), p) })),
    { name: 'sigmoidBackward (dy)', make: () => sigmoidBackward(x(), y01()) },
    { name: 'tanhBackward (dy)', make: () => tanhBackward(x(), y01()) },
    { name: 'reluBackward (dy)', make: () => reluBackward(x(), x()) },
    { name: 'leakyReluBackward (dy)', make: () => leakyReluBackward(x(), x(), 0.3) },
    ...[0, 1, 2, -1].map((p) => ({ name: `powBackward(${p}) (dy)`, make: () => powBackward(x(), x(), p) })),
  ];

  it.each(nodes)('$name', ({ make }) => {
    const node = make();
    const op = node.op!;
    const g = tensor(values(node.size, 21), { shape: node.shape });
    const rule = op.derivativeRule(0);
    const fast = op.fastVjp(0);
    expect(rule.partial && fast).toBeTruthy();
    const ctx = op.context(node, g);
    expectSameBits(fast!(ctx), mul(g, rule.partial!(ctx)));
  });
});

describe('gradcheck of order 1 and 2 for each backward op, every input requiring grad', () => {
  const leaf = (v: number[], shape = [v.length]) => tensor(v, { shape, requiresGrad: true });
  const cases: { name: string; fn: (...xs: Tensor[]) => Tensor; inputs: () => Tensor[] }[] = [
    { name: 'sigmoidBackward', fn: (dy, y) => sigmoidBackward(dy, y), inputs: () => [leaf([0.5, -1.2, 2]), leaf([0.2, 0.5, 0.9])] },
    { name: 'sigmoidBackward, dy [] broadcast', fn: (dy, y) => sigmoidBackward(dy, y), inputs: () => [leaf([0.7], []), leaf([0.2, 0.5, 0.9])] },
    { name: 'tanhBackward', fn: (dy, y) => tanhBackward(dy, y), inputs: () => [leaf([0.5, -1.2, 2]), leaf([-0.6, 0.1, 0.8])] },
    { name: 'reluBackward', fn: (dy, x) => reluBackward(dy, x), inputs: () => [leaf([0.5, -1.2, 2]), leaf([-0.6, 0.3, 1.8])] },
    {
      name: 'leakyReluBackward(0.1)',
      fn: (dy, x) => leakyReluBackward(dy, x, 0.1),
      inputs: () => [leaf([0.5, -1.2, 2]), leaf([-0.6, 0.3, 1.8])],
    },
    ...[0, 1, 2, 3, -1, 0.5].map((p) => ({
      name: `powBackward(${p})`,
      fn: (dy: Tensor, x: Tensor) => powBackward(dy, x, p),
      inputs: () => [leaf([0.5, -1.2, 2]), leaf([0.6, 1.3, 1.8])],
    })),
    {
      name: 'matmulNT [2,3]·[4,3]ᵀ',
      fn: (a, b) => matmulNT(a, b),
      inputs: () => [leaf([0.1, -0.4, 0.7, 0.9, 0.2, -0.3], [2, 3]), leaf([0.5, -1, 2, 0.3, 0.8, -0.2, 1.1, 0.4, -0.7, 0.6, 0.05, -1.5], [4, 3])],
    },
    {
      name: 'matmulTN [3,2]ᵀ·[3,4]',
      fn: (a, b) => matmulTN(a, b),
      inputs: () => [leaf([0.1, -0.4, 0.7, 0.9, 0.2, -0.3], [3, 2]), leaf([0.5, -1, 2, 0.3, 0.8, -0.2, 1.1, 0.4, -0.7, 0.6, 0.05, -1.5], [3, 4])],
    },
    {
      name: 'mean((σ(x·Wᵀ)ᵀ·x)²) with matmulNT and matmulTN, x [2,3], W [4,3]',
      fn: (x, w) => mean(pow(matmulTN(sigmoid(matmulNT(x, w)), x), 2)),
      inputs: () => [leaf([0.5, -1, 2, 0.3, -0.2, 0.8], [2, 3]), leaf([0.1, -0.4, 0.7, 0.9, 0.2, -0.3, 0.6, -0.5, 0.4, 1.1, -0.8, 0.3], [4, 3])],
    },
  ];

  it.each(cases)('$name', ({ fn, inputs }) => {
    for (const order of [1, 2] as const) {
      const result = gradcheck(fn, inputs(), { order });
      expect(result.message).toMatch(/^passed/);
    }
  });
});

describe.skipIf(!fastRulesAttached())('the eager lab step makes few ops (with the fast rules)', () => {
  // the lab's [2,3,3,1] network: sigmoid after every layer, no bias, MSE on one sample
  const lab = () => {
    const weights = [
      tensor([[0.5, -0.3, 0.8], [0.2, 0.7, -0.6]], { requiresGrad: true }),
      tensor([[0.1, -0.4, 0.6], [0.9, 0.3, -0.2], [-0.5, 0.8, 0.4]], { requiresGrad: true }),
      tensor([[0.7], [-1.1], [0.6]], { requiresGrad: true }),
    ];
    let z = tensor([[0.1, 0.9]]);
    for (const w of weights) z = z.matmul(w).sigmoid();
    return { weights, loss: z.sub(tensor([[1]])).pow(2).mean() };
  };
  const count = (names: string[]) => names.reduce<Record<string, number>>((c, n) => ({ ...c, [n]: (c[n] ?? 0) + 1 }), {});

  it('10 forward ops, and 11 in the backward pass: one per rule, no transposes', () => {
    const { weights, loss } = lab();
    const forward = trace(loss).filter((n) => n.op !== null);
    expect(forward.map((n) => n.op)).toEqual(['matmul', 'sigmoid', 'matmul', 'sigmoid', 'matmul', 'sigmoid', 'sub', 'pow', 'sum', 'mul']);
    // the backward walk as backward() runs it (no createGraph), every op it applies recorded
    const { tape } = recordOps(() => grad(loss, weights));
    // mean's ·(1/n), sum's reshape back to [1,1], then one op per rule: pow, 3 sigmoids, 3 + 2 matmuls
    expect(count(tape.map((e) => e.op.name))).toEqual({
      mul: 1, reshape: 1, powBackward: 1, sigmoidBackward: 3, matmulNT: 2, matmulTN: 3,
    });
    expect(tape).toHaveLength(11);
  });

  it('with createGraph they are the gradient graph, and they show their rules', () => {
    const { weights, loss } = lab();
    const forward = new Set(trace(loss).map((n) => n.tensor));
    const grads = grad(loss, weights, { createGraph: true });
    const backward = new Set<Tensor>();
    for (const g of grads) for (const n of trace(g)) if (n.op !== null && !forward.has(n.tensor)) backward.add(n.tensor);
    // mean's ·(1/n) and the reshape act on constants only (the seed 1), so they make no nodes
    expect(count([...backward].map((n) => n.op!.name))).toEqual({ powBackward: 1, sigmoidBackward: 3, matmulNT: 2, matmulTN: 3 });
    const node = [...backward].find((n) => n.op!.name === 'sigmoidBackward')!;
    const [dy, y] = node.inputs;
    const [ddy, dyy] = localDerivatives(node);
    expect(ddy).toMatchObject({ input: 'dy', formula: '∂(dy·y(1−y))/∂dy = y·(1−y)', kind: 'elementwise' });
    expect(dyy).toMatchObject({ input: 'y', formula: '∂(dy·y(1−y))/∂y = dy·(1−2y)', kind: 'elementwise' });
    for (let i = 0; i < y.size; i++) {
      expect(ddy.value!.data[i]).toBe(y.data[i] * (1 - y.data[i]));
      expect(dyy.value!.data[i]).toBe(dy.data[i] * (1 - 2 * y.data[i]));
    }
    const dot = toDot(grads[0]);
    expect(dot).toContain('[label="y: ∂(dy·y(1−y))/∂y = dy·(1−2y)\\n= [[');
    expect(dot).toContain('[label="b: ∂Cᵢⱼ/∂Bₖⱼ = Aₖᵢ, so ∂L/∂B = A·∂L/∂C\\n= [[');
  });
});
