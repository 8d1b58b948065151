// float32: every op computed in float32 agrees with the same op in float64 on the same
// (float32-representable) inputs, within float32's precision, for values and gradients; results
// and gradients have the inputs' dtype; mixing dtypes promotes as PyTorch does; gradcheck insists
// on float64; a compiled float32 step equals its eager run bit for bit.
import { afterEach, describe, expect, it } from 'vitest';
import * as gl from '../src/index.ts';
import {
  add, cast, compile, createRng, grad, GradlabError, gradcheck, matmul, mul, ones, rand, randn, sum, tensor, Tensor, zeros,
  type DType, type FusableOptimizer,
} from '../src/index.ts';
import { getNumThreads, matmulThreadsReady, setNumThreads } from '../src/ops/matmulThreads.ts';
import { setWasmMatmul } from '../src/ops/matmulWasm.ts';
import { lastTensorId } from '../src/tensor.ts';
import { decode, fixture, OPS, type Case, type Encoded } from './fixture-ops.ts';

/** The encoded values rounded to float32, as a tensor of `dtype` (so both runs read the same numbers). */
function input(e: Encoded, dtype: DType, requiresGrad = false): Tensor {
  const values = Float32Array.from(e.data, decode);
  return tensor(dtype === 'float32' ? values : Float64Array.from(values), { shape: e.shape, requiresGrad, dtype });
}

// float32 keeps 24 bits (a relative 6e-8 per rounding); an op of a few roundings, or a sum of a
// few dozen terms, stays well inside 2e-5 of its largest magnitude. An op whose inputs are large
// (logits of ±1000: x − logΣeˣ keeps only float32's absolute precision at 1000, 6e-5) may lose
// that much more: the tolerance grows with the inputs' magnitude beyond 10.
const RTOL = 2e-5;
const ATOL = 2e-6;

/** The largest finite magnitude below 1e30 among the inputs (how far float32's absolute precision can matter). */
function magnitude(xs: readonly Tensor[]): number {
  let m = 0;
  for (const x of xs) for (const v of x.data) if (Math.abs(v) < 1e30) m = Math.max(m, Math.abs(v));
  return m;
}

/** The first element where the float32 result is not the float64 one within float32's precision, or null. */
function mismatch(what: string, got: Tensor, want: Tensor, inputs = 0): string | null {
  const widen = Math.max(1, inputs / 10);
  if (got.dtype !== 'float32') return `${what}: dtype ${got.dtype}, expected float32`;
  if (!(got.data instanceof Float32Array)) return `${what}: values in a ${got.data.constructor.name}`;
  if (JSON.stringify(got.shape) !== JSON.stringify(want.shape)) return `${what}: shape [${got.shape.join(',')}], float64 gives [${want.shape.join(',')}]`;
  let scale = 1;
  for (const v of want.data) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < want.size; i++) {
    const w = want.data[i];
    const g = got.data[i];
    const w32 = Math.fround(w); // beyond float32's range: ±Infinity
    const ok = Number.isNaN(w) ? Number.isNaN(g) : Number.isFinite(w32) ? Math.abs(g - w) <= widen * (RTOL * Math.abs(w) + ATOL * scale) : g === w32;
    if (!ok) return `${what}: element ${i} is ${g} in float32, ${w} in float64 (difference ${Math.abs(g - w)})`;
  }
  return null;
}

/** Runs a case in one dtype: the results, and the gradients of Σ y·w for the inputs the fixture differentiates. */
function run(c: Case, dtype: DType): { ys: Tensor[]; grads: Tensor[]; scale: number } {
  const wrt = Object.keys(c.grads ?? {}).map(Number);
  const xs = c.inputs.map((e, i) => input(e, dtype, wrt.includes(i)));
  const scale = magnitude(xs);
  const result = OPS[c.op](xs, c.args, dtype);
  const ys = Array.isArray(result) ? result : [result];
  const ws = c.ws ?? (c.w ? [c.w] : []);
  if (!ws.length || !wrt.length) return { ys, grads: [], scale };
  const loss = ys.map((y, k) => sum(mul(y, input(ws[k], dtype)))).reduce((a, b) => add(a, b));
  return { ys, grads: grad(loss, wrt.map((i) => xs[i]), { allowUnused: true }), scale };
}

describe('every op of the PyTorch fixture in float32 against float64 (values, gradients, dtypes)', () => {
  it('the table covers every op of the fixture', () => {
    expect(new Set(fixture.cases.map((c) => c.op))).toEqual(new Set(Object.keys(OPS)));
  });

  const byOp = new Map<string, Case[]>();
  for (const c of fixture.cases) byOp.set(c.op, [...(byOp.get(c.op) ?? []), c]);
  for (const [op, cases] of byOp) {
    it(`${op} (${cases.length} cases)`, () => {
      const problems: string[] = [];
      for (const c of cases) {
        const wide = run(c, 'float64');
        const narrow = run(c, 'float32');
        wide.ys.forEach((y, k) => {
          expect(y.dtype).toBe('float64');
          const m = mismatch(`${c.name}: result ${k}`, narrow.ys[k], y, wide.scale);
          if (m) problems.push(m);
        });
        expect(narrow.grads.length).toBe(wide.grads.length);
        wide.grads.forEach((g, k) => {
          const m = mismatch(`${c.name}: gradient ${k}`, narrow.grads[k], g, wide.scale);
          if (m) problems.push(m);
        });
      }
      expect(problems).toEqual([]);
    });
  }
});

// ---- the ops the fixture does not cover, and the kernels' larger paths ----------------------------

/** Values in (−1, 1) from a seed, rounded to float32, as a tensor of `dtype`. */
function values(shape: number[], seed: number, dtype: DType, shift = 0): Tensor {
  return rand(shape, createRng(seed), { low: -1 + shift, high: 1 + shift, dtype: 'float32' }).clone({ dtype, requiresGrad: true });
}

type Made = (dtype: DType) => Tensor[];
const CASES: Record<string, { inputs: Made; f: (xs: Tensor[]) => Tensor }> = {
  add: { inputs: (d) => [values([3, 4], 1, d), values([4], 2, d)], f: ([a, b]) => gl.add(a, b) },
  sub: { inputs: (d) => [values([3, 4], 1, d), values([3, 1], 2, d)], f: ([a, b]) => gl.sub(a, b) },
  mul: { inputs: (d) => [values([2, 3, 4], 1, d), values([1, 3, 1], 2, d)], f: ([a, b]) => gl.mul(a, b) },
  div: { inputs: (d) => [values([3, 4], 1, d), values([3, 4], 2, d, 3)], f: ([a, b]) => gl.div(a, b) },
  'div by a number': { inputs: (d) => [values([5], 1, d)], f: ([a]) => gl.div(a, 3) },
  neg: { inputs: (d) => [values([6], 1, d)], f: ([x]) => gl.neg(x) },
  pow: { inputs: (d) => [values([6], 1, d, 2)], f: ([x]) => gl.pow(x, 2.5) },
  'pow 0': { inputs: (d) => [values([6], 1, d)], f: ([x]) => gl.pow(x, 0) },
  exp: { inputs: (d) => [values([6], 1, d)], f: ([x]) => gl.exp(x) },
  log: { inputs: (d) => [values([6], 1, d, 2)], f: ([x]) => gl.log(x) },
  sigmoid: { inputs: (d) => [values([6], 1, d)], f: ([x]) => gl.sigmoid(x) },
  tanh: { inputs: (d) => [values([6], 1, d)], f: ([x]) => gl.tanh(x) },
  relu: { inputs: (d) => [values([6], 1, d)], f: ([x]) => gl.relu(x) },
  leakyRelu: { inputs: (d) => [values([6], 1, d)], f: ([x]) => gl.leakyRelu(x, 0.1) },
  step: { inputs: (d) => [values([6], 1, d)], f: ([x]) => gl.step(x) },
  clamp: { inputs: (d) => [values([8], 1, d)], f: ([x]) => gl.clamp(x, -0.5, 0.5) },
  mean: { inputs: (d) => [values([3, 5], 1, d)], f: ([x]) => gl.mean(x, 1) },
  reshape: { inputs: (d) => [values([3, 4], 1, d)], f: ([x]) => gl.reshape(x, [2, 6]) },
  broadcastTo: { inputs: (d) => [values([3, 1], 1, d)], f: ([x]) => gl.broadcastTo(x, [2, 3, 4]) },
  cast: { inputs: (d) => [values([4], 1, d)], f: ([x]) => gl.mul(gl.cast(gl.cast(x, 'float64'), x.dtype), 2) },
  'batched matmul': { inputs: (d) => [values([2, 3, 4], 1, d), values([4, 5], 2, d)], f: ([a, b]) => gl.matmul(a, b) },
  'matmul (WebAssembly or tiles: 40×48·48×36)': { inputs: (d) => [values([40, 48], 1, d), values([48, 36], 2, d)], f: ([a, b]) => gl.matmul(a, b) },
  'matmul, JS tiles (9×5·5×7)': { inputs: (d) => [values([9, 5], 1, d), values([5, 7], 2, d)], f: ([a, b]) => gl.matmul(a, b) },
  'sum of 5,000 values': { inputs: (d) => [values([5000], 1, d)], f: ([x]) => gl.sum(x) },
  'sum over axis 0 of [300,7]': { inputs: (d) => [values([300, 7], 1, d)], f: ([x]) => gl.sum(x, 0) },
  'sum to a channel of [4,3,5,5]': { inputs: (d) => [values([4, 3, 5, 5], 1, d)], f: ([x]) => gl.sum(x, [0, 2, 3]) },
  'sum over axes 0 and 2 of [3,4,5]': { inputs: (d) => [values([3, 4, 5], 1, d)], f: ([x]) => gl.sum(x, [0, 2]) },
  'conv2d, large (im2col through the matmul)': {
    inputs: (d) => [values([2, 3, 12, 12], 1, d), values([8, 3, 3, 3], 2, d), values([8], 3, d)],
    f: ([x, w, b]) => gl.conv2d(x, w, b, { padding: 1 }),
  },
  dropout: { inputs: (d) => [values([50], 1, d)], f: ([x]) => gl.dropout(x, 0.3, createRng(5)) },
  'a small network: matmul, bias, tanh, softmax, logSoftmax, mean': {
    inputs: (d) => [values([8, 5], 1, d), values([5, 6], 2, d), values([6], 3, d)],
    f: ([x, w, b]) => gl.mean(gl.mul(gl.softmax(gl.tanh(gl.add(gl.matmul(x, w), b)), 1), gl.logSoftmax(gl.matmul(x, w), 1))),
  },
};

describe('the other ops and the kernels’ larger paths, float32 against float64', () => {
  it.each(Object.keys(CASES))('%s', (name) => {
    const { inputs, f } = CASES[name];
    const outcome = (dtype: DType) => {
      const xs = inputs(dtype);
      const y = f(xs);
      const seed = values(y.shape as number[], 99, dtype);
      return { y, grads: grad(sum(mul(y, seed.detach())), xs) };
    };
    const wide = outcome('float64');
    const narrow = outcome('float32');
    expect(mismatch('result', narrow.y, wide.y)).toBeNull();
    wide.grads.forEach((g, k) => {
      expect(g.dtype).toBe('float64');
      expect(mismatch(`gradient ${k}`, narrow.grads[k], g)).toBeNull();
    });
  });
});

/** The textbook float32 product: every product and every partial sum rounded to float32, in order of k. */
function textbook32(a: Tensor, b: Tensor): number[] {
  const [m, k] = a.shape;
  const n = b.shape[1];
  const out: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let c = 0;
      for (let p = 0; p < k; p++) c = Math.fround(c + Math.fround(a.data[i * k + p] * b.data[p * n + j]));
      out.push(c);
    }
  }
  return out;
}

describe('float32 dot products are summed in float32, sums in float64 rounded once', () => {
  afterEach(() => {
    setWasmMatmul(true);
    setNumThreads(threads);
  });
  const threads = getNumThreads();

  it('matmul is the textbook float32 loop bit for bit: tiny, JS, WebAssembly f32x4 (one thread and several), and with WebAssembly off', async () => {
    await matmulThreadsReady();
    const shapes = [[1, 3, 2], [9, 5, 7], [40, 48, 36], [33, 130, 70], [130, 128, 131]];
    for (const wasm of [true, false]) {
      for (const count of [1, 2]) {
        setWasmMatmul(wasm);
        setNumThreads(count);
        for (const [m, k, n] of shapes) {
          const a = values([m, k], m, 'float32');
          const b = values([k, n], n, 'float32');
          const c = matmul(a, b);
          expect(c.dtype).toBe('float32');
          expect(Array.from(c.data), `${m}×${k}×${n}, wasm ${wasm}, ${count} threads`).toEqual(textbook32(a, b));
          // transposed operands read in place (the gradients' A·Bᵀ and Aᵀ·B) give the same
          const [ga, gb] = grad(sum(mul(c, values([m, n], 3, 'float32').detach())), [a, b]);
          const g = values([m, n], 3, 'float32');
          expect(Array.from(ga.data)).toEqual(textbook32(g, gl.transpose(b).detach().clone()));
          expect(Array.from(gb.data)).toEqual(textbook32(gl.transpose(a).detach().clone(), g));
        }
      }
    }
  });

  it('sum adds in float64 and rounds once', () => {
    const x = values([300, 7], 3, 'float32');
    for (const axis of [undefined, 0, 1]) {
      expect(Array.from(sum(x, axis).data)).toEqual(Array.from(sum(x.double(), axis).data, Math.fround));
    }
  });
});

// ---- making tensors -----------------------------------------------------------------------------

describe('dtype on the functions that make tensors', () => {
  it('float64 by default; float32 when asked, in a Float32Array, with the same values rounded', () => {
    const rng = () => createRng(7);
    const made: [string, (dtype?: DType) => Tensor][] = [
      ['tensor', (dtype) => tensor([[0.1, 2], [3, 4]], { dtype })],
      ['tensor from a Float64Array', (dtype) => tensor(Float64Array.of(0.1, 0.2), { dtype })],
      ['zeros', (dtype) => zeros([2, 3], { dtype })],
      ['ones', (dtype) => ones([2], { dtype })],
      ['full', (dtype) => gl.full([2], 0.1, { dtype })],
      ['rand', (dtype) => rand([5], rng(), { dtype })],
      ['randn', (dtype) => randn([5], rng(), { dtype })],
      ['arange', (dtype) => gl.arange(0, 1, 0.1, { dtype })],
      ['linspace', (dtype) => gl.linspace(0, 1, 7, { dtype })],
      ['eye', (dtype) => gl.eye(3, 2, { dtype })],
    ];
    for (const [name, make] of made) {
      const wide = make();
      const narrow = make('float32');
      expect(wide.dtype, name).toBe('float64');
      expect(wide.data, name).toBeInstanceOf(Float64Array);
      expect(narrow.dtype, name).toBe('float32');
      expect(narrow.data, name).toBeInstanceOf(Float32Array);
      expect(Array.from(narrow.data), name).toEqual(Array.from(wide.data, Math.fround));
    }
  });

  it('a Float32Array is taken as it is for float32, copied into float64 otherwise', () => {
    const values32 = Float32Array.of(0.1, 0.2);
    expect(tensor(values32, { dtype: 'float32' }).data).toBe(values32);
    const wide = tensor(values32);
    expect(wide.dtype).toBe('float64');
    expect(Array.from(wide.data)).toEqual(Array.from(values32));
  });

  it('*Like follow their tensor’s dtype unless told otherwise; clone keeps it or converts', () => {
    const x = zeros([2], { dtype: 'float32' });
    expect([gl.zerosLike(x).dtype, gl.onesLike(x).dtype, gl.fullLike(x, 2).dtype, x.zerosLike().dtype]).toEqual(['float32', 'float32', 'float32', 'float32']);
    expect(gl.zerosLike(x, { dtype: 'float64' }).dtype).toBe('float64');
    expect(gl.zerosLike(3).dtype).toBe('float64');
    expect(x.clone().dtype).toBe('float32');
    const wide = tensor([0.1]).clone({ dtype: 'float32' });
    expect([wide.dtype, wide.item()]).toEqual(['float32', Math.fround(0.1)]);
    expect(x.detach().dtype).toBe('float32');
  });

  it('a dtype other than float32 or float64 is an error naming the function', () => {
    expect(() => zeros([2], { dtype: 'int32' as DType })).toThrow("zeros: options.dtype: dtype must be 'float32' or 'float64', got string 'int32'");
    expect(() => tensor([1], { dtype: 'half' as DType })).toThrow("tensor: options.dtype: dtype must be 'float32' or 'float64', got string 'half'");
    expect(() => gl.arange(3, undefined, 1, { dtype: 'f32' as DType })).toThrow("arange: options.dtype: dtype must be 'float32' or 'float64', got string 'f32'");
    expect(() => cast(tensor([1]), 'float16' as DType)).toThrow("cast: dtype: dtype must be 'float32' or 'float64', got string 'float16'");
    expect(() => new Tensor([1, 2] as unknown as Float64Array, [3])).toThrow('Tensor: the values must be a Float64Array or a Float32Array, got an array');
  });
});

// ---- cast -----------------------------------------------------------------------------------------

describe('cast: to(dtype), float(), double()', () => {
  it('rounds to nearest going to float32, is exact going back; the gradient comes back in the input’s dtype', () => {
    const x = tensor([0.1, 1 / 3, 1e40, -1e-50], { requiresGrad: true });
    const y = x.float();
    expect(y.dtype).toBe('float32');
    expect(Array.from(y.data)).toEqual([Math.fround(0.1), Math.fround(1 / 3), Infinity, -0]);
    expect(y.op?.name).toBe('cast');
    const [g] = grad(sum(mul(y, tensor([1, 2, 3, 4], { dtype: 'float32' }))), [x]);
    expect(g.dtype).toBe('float64');
    expect(Array.from(g.data)).toEqual([1, 2, 3, 4]);
    expect(y.double().dtype).toBe('float64');
    expect(x.to('float64')).toBe(x); // already of that dtype: the tensor itself
    expect(y.to('float32')).toBe(y);
  });

  it('second derivatives flow through casts', () => {
    const x = tensor([0.5, -2], { requiresGrad: true });
    const [g] = grad(sum(gl.pow(x.float(), 3)), [x], { createGraph: true });
    expect(g.dtype).toBe('float64');
    const [h] = grad(sum(g), [x]);
    expect(Array.from(h.data)).toEqual([3, -12]); // d²(x³)/dx² = 6x
  });
});

// ---- mixing dtypes ----------------------------------------------------------------------------------

describe('mixed dtypes promote as PyTorch does', () => {
  const x32 = () => tensor([1.5, -2, 3], { dtype: 'float32', requiresGrad: true });

  it('float32 op float64 (both with dimensions) is float64, and each gradient has its input’s dtype', () => {
    const a = x32();
    const b = tensor([0.1, 0.2, 0.3], { requiresGrad: true });
    const y = mul(a, b);
    expect(y.dtype).toBe('float64');
    expect(Array.from(y.data)).toEqual([1.5 * 0.1, -2 * 0.2, 3 * 0.3]);
    const [ga, gb] = grad(sum(y), [a, b]);
    expect([ga.dtype, gb.dtype]).toEqual(['float32', 'float64']);
    expect(Array.from(ga.data)).toEqual([0.1, 0.2, 0.3].map(Math.fround));
    expect(matmul(tensor([[1, 2, 3]], { dtype: 'float32' }), tensor([[1], [1], [1]])).dtype).toBe('float64');
  });

  it('numbers and 0-d tensors do not widen: x32 · 2, x32 + tensor(0.1) stay float32', () => {
    const a = x32();
    expect(mul(a, 2).dtype).toBe('float32');
    expect(a.add(0.1).dtype).toBe('float32');
    expect(Array.from(a.add(0.1).data)).toEqual([1.5, -2, 3].map((v) => Math.fround(v + 0.1)));
    const scale = tensor(0.5, { requiresGrad: true });
    const y = mul(a, scale);
    expect(y.dtype).toBe('float32');
    const [gs] = grad(sum(y), [scale]);
    expect(gs.dtype).toBe('float64'); // the 0-d input's own dtype
    expect(gs.item()).toBe(2.5);
    // and a float32 0-d tensor with a float64 one of dimensions: float64
    expect(mul(tensor(2, { dtype: 'float32' }), tensor([1, 2])).dtype).toBe('float64');
  });

  it('indices and masks (inputs that are not differentiable) do not widen', () => {
    const a = x32();
    expect(gl.gather(a, 0, tensor([2, 0])).dtype).toBe('float32');
    expect(gl.index(a, [0, 0]).dtype).toBe('float32');
    expect(gl.where(tensor([1, 0, 1]), a, 0).dtype).toBe('float32');
    expect(gl.gt(a, 0).dtype).toBe('float32');
    expect(gl.oneHot(tensor([0, 1]), 3).dtype).toBe('float64');
  });

  it('the seed of backward takes the output’s dtype', () => {
    const a = x32();
    sum(a).backward(2);
    expect(a.grad!.dtype).toBe('float32');
    expect(Array.from(a.grad!.data)).toEqual([2, 2, 2]);
    const b = x32();
    mul(b, 3).backward(tensor([1, 2, 3]));
    expect(b.grad!.dtype).toBe('float32');
    expect(Array.from(b.grad!.data)).toEqual([3, 6, 9]);
  });
});

// ---- gradcheck ----------------------------------------------------------------------------------

describe('gradcheck needs float64', () => {
  it('refuses a float32 input, naming it and the fix', () => {
    const x = tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const y = tensor([1, 2], { requiresGrad: true });
    expect(() => gradcheck((a, b) => sum(mul(a, b)), [y, x])).toThrow(
      "gradcheck: input 1 [2] is float32; gradcheck needs float64 inputs (finite differences are meaningless at float32's precision): " +
        "pass x.double(), or build the inputs with dtype 'float64'",
    );
    expect(() => gradcheck((a, b) => sum(mul(a, b)), [y, x])).toThrow(GradlabError);
    // a float32 computation inside a float64 function is checked (to float32's precision)
    expect(gradcheck((a) => sum(gl.tanh(a.float())).double(), [y], { eps: 1e-3, atol: 1e-4, rtol: 1e-3 }).passed).toBe(true);
  });
});

// ---- memory ---------------------------------------------------------------------------------------

describe('float32 buffers in the walk', () => {
  it('gradients own Float32Arrays of their own, step after step (the scratch pool keeps float32 and float64 apart)', () => {
    const w = values([6, 4], 1, 'float32');
    const w64 = values([6, 4], 1, 'float64');
    const seen = new Set<ArrayBufferLike>();
    for (let stepNo = 0; stepNo < 4; stepNo++) {
      const x = values([3, 6], 10 + stepNo, 'float32').detach();
      const [g] = grad(sum(gl.sigmoid(matmul(x, w))), [w]);
      const [g64] = grad(sum(gl.sigmoid(matmul(x.double(), w64))), [w64]);
      expect(g.data).toBeInstanceOf(Float32Array);
      expect(g64.data).toBeInstanceOf(Float64Array);
      expect(seen.has(g.data.buffer)).toBe(false);
      expect(g.data.byteOffset === 0 && g.data.buffer.byteLength === g.data.byteLength).toBe(true);
      seen.add(g.data.buffer);
      seen.add(g64.data.buffer);
      expect(mismatch('gradient', g, g64)).toBeNull();
    }
  });
});

// ---- compile ----------------------------------------------------------------------------------------

/** Plain momentum on float32 parameters (float64 state), and its eager twin. */
function momentum(params: readonly Tensor[], lr: number): FusableOptimizer & { eager: () => void } {
  const velocity = params.map((p) => new Float64Array(p.size));
  return {
    parameterUpdate: () => ({
      name: 'Momentum',
      params,
      state: ['v'],
      scalars: ['lr'],
      rules: [
        { target: 'v', args: ['v', 'grad'], f: (v: number, g: number) => 0.9 * v + g },
        { target: 'value', args: ['value', 'v', 'lr'], f: (p: number, v: number, rate: number) => p - rate * v },
      ],
      stateOf: (i: number) => [velocity[i]],
      prepare: (_i: number, out: Float64Array) => {
        out[0] = lr;
      },
    }),
    eager: () => {
      params.forEach((p, i) => {
        const g = p.grad!.data;
        for (let k = 0; k < p.size; k++) {
          velocity[i][k] = 0.9 * velocity[i][k] + g[k];
          p.data[k] = p.data[k] - lr * velocity[i][k];
        }
        p.markChanged();
      });
    },
  };
}

describe('compile: a float32 step is its eager float32 run, bit for bit', () => {
  const net = (hidden: number) => [values([4, hidden], 1, 'float32'), values([hidden], 2, 'float32'), values([hidden, 1], 3, 'float32')];
  // (h·1.7 − 0.3 is a chain of elementwise ops: one fused loop where h is large)
  const loss = ([w1, b1, w2]: Tensor[], x: Tensor, y: Tensor) =>
    gl.mean(gl.square(gl.sub(gl.sigmoid(matmul(gl.tanh(gl.sub(gl.mul(add(matmul(x, w1), b1), 1.7), 0.3)), w2)), y)));
  const batch = (k: number, rows: number) => [values([rows, 4], 20 + k, 'float32').detach(), values([rows, 1], 40 + k, 'float32', 1).detach()];

  for (const mode of ['generated', 'kernels'] as const) {
    for (const [hidden, rows] of [[3, 2], [32, 64]]) {
      it(`${mode}, hidden ${hidden}, batches of ${rows} (${hidden * rows > 64 ? 'kernels and fused loops' : 'unrolled'}), with a fused update`, () => {
        const eagerNet = net(hidden);
        const compiledNet = net(hidden);
        const eagerOpt = momentum(eagerNet, 0.1);
        const compiledOpt = momentum(compiledNet, 0.1);
        const step = compile((x: Tensor, y: Tensor) => loss(compiledNet, x, y), { mode, optimizer: compiledOpt });
        for (let k = 0; k < 5; k++) {
          const [x, y] = batch(k, rows);
          const eagerLoss = loss(eagerNet, x, y);
          eagerLoss.backward();
          eagerOpt.eager();
          for (const p of eagerNet) p.grad = null;
          const compiledLoss = step.run(x, y);
          expect(compiledLoss.dtype).toBe('float32');
          expect(Object.is(compiledLoss.item(), eagerLoss.item())).toBe(true);
          compiledNet.forEach((p, i) => {
            expect(p.dtype).toBe('float32');
            expect(Array.from(p.data)).toEqual(Array.from(eagerNet[i].data));
            expect(Array.from(p.grad!.data)).toEqual(Array.from(compiledNet[i].grad!.data));
          });
        }
        expect(step.generated).toBe(mode === 'generated');
      });
    }
  }

  it('replays make no tensor and no buffer: the same float32 outputs and gradients, rewritten', () => {
    const params = net(32);
    const step = compile((x: Tensor, y: Tensor) => loss(params, x, y));
    const [x, y] = batch(0, 64);
    step.run(x, y);
    const first = step.run(x, y); // the checking run
    const grads = params.map((p) => p.grad!);
    const data = [1, 2, 3, 4, 5].map((k) => batch(k, 64));
    const id = lastTensorId();
    for (const [xk, yk] of data) expect(step.run(xk, yk)).toBe(first);
    expect(lastTensorId()).toBe(id);
    params.forEach((p, i) => {
      expect(p.grad).toBe(grads[i]);
      expect(p.grad!.data).toBeInstanceOf(Float32Array);
    });
    expect(first.data).toBeInstanceOf(Float32Array);
  });

  it('a later input of another dtype is an error naming both', () => {
    const [w] = net(3);
    const step = compile((x: Tensor) => sum(matmul(x, w)));
    step.run(values([2, 4], 1, 'float32').detach());
    expect(() => step.run(values([2, 4], 1, 'float64').detach())).toThrow(
      'compile: input 0 is float64, but the step was recorded with float32; dtypes are fixed (cast it, or compile another step)',
    );
  });
});
