// The fast paths behind the speed work compute exactly what the plain loops compute: the
// blocked and WebAssembly matmuls against the textbook loop, the elementwise fast paths against
// index-by-index broadcasting, the sum fast paths, shared buffers, and pasted scalar code.
import { afterEach, describe, expect, it } from 'vitest';
import { add, broadcastShapes, grad, mul, sum, tensor, type Tensor } from '../src/index.ts';
import { broadcastIndex } from '../src/shape.ts';
import { numberLiteral, scalarExpression } from '../src/compile/scalar.ts';
import { generate } from '../src/generate.ts';
import { matmulStrided } from '../src/ops/matmulKernel.ts';
import { setWasmMatmul, wasmMatmulActive } from '../src/ops/matmulWasm.ts';
import { textbook, transposed, values } from './helpers.ts';

function expectSameBits(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) throw new Error(`element ${i}: ${actual[i]}, expected ${expected[i]}`);
  }
}

describe('matmul kernels', () => {
  afterEach(() => setWasmMatmul(true));
  const shapes: [number, number, number][] = [
    [1, 1, 1], [1, 2, 3], [3, 3, 1], [4, 4, 4], [5, 7, 6], [8, 3, 9], [37, 53, 43], [64, 64, 64], [130, 40, 12], [3, 200, 70],
  ];

  for (const wasm of [false, true]) {
    it(`give the textbook loop's bits, A as stored and A transposed in place (${wasm ? 'WebAssembly' : 'JS'} tiles)`, () => {
      setWasmMatmul(wasm);
      for (const [m, k, n] of shapes) {
        const A = values(m * k, m + 7 * k);
        const B = values(k * n, n + 3);
        if (m * k > 12) A[12] = NaN;
        if (k * n > 5) B[5] = Infinity;
        const expected = textbook(A, B, m, k, n);
        const C = new Float64Array(m * n).fill(42); // stale values are overwritten
        matmulStrided(C, A, B, m, k, n, k, 1);
        expectSameBits(C, expected);
        const D = new Float64Array(m * n).fill(-1);
        matmulStrided(D, transposed(A, m, k), B, m, k, n, 1, m);
        expectSameBits(D, expected);
      }
    });
  }

  it('uses WebAssembly SIMD on Node 20', () => {
    expect(wasmMatmulActive()).toBe(true);
  });
});

describe('elementwise and sum fast paths', () => {
  /** The plain definition: every result element reads its operands through broadcastIndex. */
  function reference(a: Tensor, b: Tensor, f: (x: number, y: number) => number): number[] {
    const shape = broadcastShapes('ref', a.shape, b.shape);
    const ai = broadcastIndex(a.shape, shape);
    const bi = broadcastIndex(b.shape, shape);
    return Array.from(ai, (_, i) => f(a.data[ai[i]], b.data[bi[i]]));
  }

  it('same shapes, a scalar, rows broadcast either way, and general broadcasting agree with the definition', () => {
    const cases: [number[], number[]][] = [
      [[3, 4], [3, 4]], [[3, 4], []], [[], [3, 4]], [[3, 4], [1]], [[3, 4], [4]], [[4], [3, 4]], [[2, 3, 4], [3, 4]],
      [[2, 3, 4], [1, 1, 4]], [[3, 1], [1, 4]], [[2, 1, 4], [3, 1]], [[5, 1], [5, 3]],
    ];
    for (const [sa, sb] of cases) {
      const a = tensor(values(sa.reduce((p, d) => p * d, 1), 5), { shape: sa });
      const b = tensor(values(sb.reduce((p, d) => p * d, 1), 9), { shape: sb });
      expectSameBits(add(a, b).data, reference(a, b, (x, y) => x + y));
      expectSameBits(mul(a, b).data, reference(a, b, (x, y) => x * y));
    }
  });

  it('sums over rows, columns and other axes add each cell in the input order from 0', () => {
    const x = tensor(values(60, 3), { shape: [3, 4, 5] });
    const m = tensor(values(24, 4), { shape: [6, 4] });
    const bySum = (t: Tensor, axes: number[]) => {
      const shape = t.shape.map((d, i) => (axes.includes(i) ? 1 : d));
      const out = new Float64Array(shape.reduce((p, d) => p * d, 1));
      const index = broadcastIndex(shape, t.shape); // the output cell each input element belongs to
      for (let i = 0; i < t.size; i++) out[index[i]] += t.data[i];
      return out;
    };
    expectSameBits(sum(m, 0).data, bySum(m, [0]));
    expectSameBits(sum(m, 1).data, bySum(m, [1]));
    expectSameBits(sum(x, [0, 2]).data, bySum(x, [0, 2]));
    expectSameBits(sum(x, 1).data, bySum(x, [1]));
    expectSameBits(sum(x).data, [bySum(x, [0, 1, 2])[0]]);
  });
});

describe('scalar code pasted into compiled programs', () => {
  it('writes numbers that read back as the same number', () => {
    for (const v of [0, -0, 1, -1, 0.1, 1 / 3, -2.5e-308, 5e-324, 1.7976931348623157e308, Infinity, -Infinity, NaN]) {
      expect(Object.is(generate<() => number>([], `return ${numberLiteral(v)};`)!(), v)).toBe(true);
    }
  });

  it('pastes simple arrow functions with their arguments and attributes, and refuses anything else', () => {
    /** The pasted expression as a function of (a, b), or null. */
    const paste = (f: unknown, arity: number, attrs?: unknown) => {
      const source = scalarExpression(f, ['a', 'b'].slice(0, arity), attrs);
      return source === null ? null : generate<(a: number, b?: number) => number>(['a', 'b'], `return ${source};`);
    };
    const inputs = [-2.5, -0, 0, 0.3, 7];
    const same = (pasted: ((a: number, b?: number) => number) | null, f: (a: number, b: number) => number) => {
      expect(pasted).not.toBeNull();
      for (const a of inputs) for (const b of inputs) expect(Object.is(pasted!(a, b), f(a, b))).toBe(true);
    };
    same(paste((a: number, b: number) => a + b, 2), (a, b) => a + b);
    same(paste((x: number, { exponent }: { exponent: number }) => x ** exponent, 1, { exponent: -1 }), (a) => a ** -1);
    same(paste(Math.exp, 1), (a) => Math.exp(a));
    same(paste((x: number) => (x > 0 ? x : 0), 1), (a) => (a > 0 ? a : 0));
    same(paste((x: number, { slope }: { slope: number }) => (x > 0 ? x : slope * x), 1, { slope: 0.01 }), (a) => (a > 0 ? a : 0.01 * a));
    expect(scalarExpression((x: number, { exponent }: { exponent: number }) => x ** exponent, ['v'], { exponent: -1 })).toContain('(-1)');
    const k = 3;
    expect(paste((x: number) => x * k, 1)).toBeNull(); // a free variable
    expect(paste(function (x: number) { return x; }, 1)).toBeNull(); // a body
    expect(paste((x: number, { name }: { name: string }) => x + name.length, 1, { name: 'a' })).toBeNull(); // not a number
  });
});

describe('scratch tensors of a backward walk', () => {
  const net = (x: Tensor, w: Tensor, v: Tensor) => x.matmul(w).sigmoid().matmul(v).tanh().sub(0.5).pow(2).mean();

  it('gradients handed out stay as they were when later walks reuse the scratch', () => {
    const w = tensor([[0.5, -1, 0.25], [2, 0.1, -0.3]], { requiresGrad: true });
    const v = tensor([[1], [-2], [0.5]], { requiresGrad: true });
    const first = tensor([[0.3, -0.7]]);
    net(first, w, v).backward(undefined, { retainGrads: true });
    const kept = [w.grad!, v.grad!];
    const values = kept.map((g) => Array.from(g.data));
    const [gw] = grad(net(first, w, v), [w]);
    const gwValues = Array.from(gw.data);
    for (let s = 0; s < 20; s++) {
      w.grad = null;
      v.grad = null;
      net(tensor([[s, -s / 3]]), w, v).backward();
      grad(net(tensor([[1 - s, s]]), w, v), [w, v]);
    }
    kept.forEach((g, i) => expect(Array.from(g.data)).toEqual(values[i]));
    expect(Array.from(gw.data)).toEqual(gwValues);
    expect(gwValues).toEqual(values[0]);
  });

  it('a walk gives the same gradients with reused scratch as with fresh tensors', () => {
    const w = tensor([[0.5, -1, 0.25], [2, 0.1, -0.3]], { requiresGrad: true });
    const v = tensor([[1], [-2], [0.5]], { requiresGrad: true });
    const x = tensor([[0.3, -0.7]]);
    const fresh = grad(net(x, w, v), [w, v], { createGraph: true }).map((g) => Array.from(g.data)); // no scratch with createGraph
    for (let s = 0; s < 3; s++) {
      const again = grad(net(x, w, v), [w, v]).map((g) => Array.from(g.data));
      again.forEach((g, i) => expectSameBits(g, fresh[i]));
    }
  });
});
