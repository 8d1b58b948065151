// float32 layers: Dense and Linear take `dtype`; a float32 network trains with nn's optimizers,
// eagerly and compiled (the update fused into the program) bit for bit alike, and close to the
// same network in float64.
import { describe, expect, it } from 'vitest';
import { compile, createRng, tensor, type DType, type Tensor } from '@gradlab/core';
import {
  Adam,
  BatchNorm1d,
  BatchNorm2d,
  Conv1d,
  Conv2d,
  Dense,
  Embedding,
  Flatten,
  GRUCell,
  LayerNorm,
  Linear,
  MaxPool2d,
  mlp,
  modelFromJSON,
  modelToJSON,
  mseLoss,
  ReLU,
  RNN,
  RNNCell,
  Sequential,
  SGD,
  Tanh,
  type ModelJSON,
  type Module,
  type Optimizer,
} from '../src/index.ts';

const net = (dtype: DType) => new Sequential(new Linear(2, 8, { seed: 1, dtype }), new Tanh(), new Dense(8, 1, { seed: 2, init: 'xavier', dtype }));

function batches(dtype: DType): { x: Tensor; y: Tensor }[] {
  const rng = createRng(5);
  return Array.from({ length: 12 }, () => {
    const x = Array.from({ length: 8 }, () => [rng.uniform(-1, 1), rng.uniform(-1, 1)]);
    return { x: tensor(x, { dtype }), y: tensor(x.map(([a, b]) => [a * b]), { dtype }) };
  });
}

const values = (model: Module) => model.parameters().map((p) => Array.from(p.data));

describe('float32 layers', () => {
  it('Dense, Linear and mlp make float32 parameters, the float64 initialisation rounded; a bad dtype is an error', () => {
    for (const make of [(d: DType) => new Dense(3, 2, { seed: 4, init: 'he', dtype: d }), (d: DType) => new Linear(3, 2, { seed: 4, dtype: d })]) {
      const narrow = make('float32');
      const wide = make('float64');
      for (const p of narrow.parameters()) expect(p.dtype).toBe('float32');
      expect(values(narrow)).toEqual(values(wide).map((row) => row.map(Math.fround)));
    }
    const net32 = mlp([2, 3, 1], { seed: 3, dtype: 'float32' });
    expect(net32.parameters().map((p) => p.dtype)).toEqual(['float32', 'float32', 'float32', 'float32']);
    expect(values(net32)).toEqual(values(mlp([2, 3, 1], { seed: 3 })).map((row) => row.map(Math.fround)));
    expect(() => new Dense(2, 2, { dtype: 'int8' as DType })).toThrow("Dense: dtype must be 'float32' or 'float64', got int8");
    expect(() => new Linear(2, 2, { dtype: 'int8' as DType })).toThrow("Linear: dtype must be 'float32' or 'float64', got int8");
  });

  for (const [name, makeOptimizer] of [
    ['SGD with momentum', (params: readonly Tensor[]) => new SGD(params, { lr: 0.1, momentum: 0.9 })],
    ['Adam', (params: readonly Tensor[]) => new Adam(params, { lr: 0.02 })],
  ] as const) {
    it(`${name}: compiled float32 training is the eager float32 training bit for bit, and near float64's`, () => {
      const eager = net('float32');
      const compiled = net('float32');
      const wide = net('float64');
      const eagerOpt: Optimizer = makeOptimizer(eager.parameters());
      const wideOpt: Optimizer = makeOptimizer(wide.parameters());
      const step = compile((x: Tensor, y: Tensor) => mseLoss(compiled.forward(x), y), { optimizer: makeOptimizer(compiled.parameters()) });
      const data32 = batches('float32');
      const data64 = batches('float64');
      let last32 = 0;
      let last64 = 0;
      for (let epoch = 0; epoch < 5; epoch++) {
        data32.forEach(({ x, y }, k) => {
          eagerOpt.zeroGrad();
          const loss = mseLoss(eager.forward(x), y);
          loss.backward();
          eagerOpt.step();
          const compiledLoss = step.run(x, y);
          expect(Object.is(compiledLoss.item(), loss.item())).toBe(true);
          last32 = loss.item();
          wideOpt.zeroGrad();
          const wideLoss = mseLoss(wide.forward(data64[k].x), data64[k].y);
          wideLoss.backward();
          wideOpt.step();
          last64 = wideLoss.item();
        });
        expect(values(compiled)).toEqual(values(eager));
      }
      for (const p of compiled.parameters()) expect(p.dtype).toBe('float32');
      // 60 steps apart only by float32's rounding: the losses agree to a few parts in 10⁵
      expect(Math.abs(last32 - last64)).toBeLessThan(1e-4 * Math.max(last64, 1e-3) + 1e-6);
    });
  }
});

// Every other layer with parameters or buffers: a float32 instance is the float64 one (same seed)
// with its state rounded; its forward and gradients stay within float32's rounding of float64's,
// in float32; a save → load round trip keeps float32; and old files (no dtype) load as float64.
type Case = { name: string; make: (dtype: DType) => Module<[Tensor], unknown>; input: (dtype: DType) => Tensor };
const inputRng = (shape: number[], seed: number) => {
  const rng = createRng(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return Array.from({ length: size }, () => rng.uniform(-1, 1));
};
const uniformInput = (shape: number[], seed: number) => (dtype: DType) => tensor(inputRng(shape, seed), { shape, dtype });
const firstOutput = (y: unknown): Tensor => (Array.isArray(y) ? (y[0] as Tensor) : (y as Tensor));

const cases: Case[] = [
  { name: 'Conv1d', make: (dtype) => new Conv1d(2, 3, 3, { seed: 7, padding: 1, dtype }), input: uniformInput([2, 2, 6], 11) },
  { name: 'Conv2d', make: (dtype) => new Conv2d(2, 3, [3, 2], { seed: 8, stride: [1, 2], dtype }), input: uniformInput([2, 2, 5, 6], 12) },
  { name: 'BatchNorm1d', make: (dtype) => new BatchNorm1d(3, { dtype }), input: uniformInput([5, 3], 13) },
  { name: 'BatchNorm2d', make: (dtype) => new BatchNorm2d(2, { dtype }), input: uniformInput([3, 2, 3, 3], 14) },
  { name: 'LayerNorm', make: (dtype) => new LayerNorm([2, 3], { dtype }), input: uniformInput([4, 2, 3], 15) },
  { name: 'Embedding', make: (dtype) => new Embedding(5, 3, { seed: 9, paddingIdx: 1, dtype }), input: () => tensor([[0, 1, 4], [2, 2, 3]]) },
  { name: 'RNNCell', make: (dtype) => new RNNCell(3, 4, { seed: 10, dtype }), input: uniformInput([2, 3], 16) },
  { name: 'GRUCell', make: (dtype) => new GRUCell(3, 4, { seed: 11, dtype }), input: uniformInput([2, 3], 17) },
  { name: 'RNN', make: (dtype) => new RNN(new GRUCell(3, 4, { seed: 12, dtype }), { batchFirst: true }), input: uniformInput([2, 4, 3], 18) },
];

/** |a − b| ≤ tol·(|b| + scale), scale the largest |b| (float32's relative rounding, with room for cancellation). */
function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number): void {
  expect(a.length).toBe(b.length);
  const scale = Math.max(...Array.from(b, Math.abs), 1e-12);
  for (let i = 0; i < b.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(tol * (Math.abs(b[i]) + scale));
}

const stateValues = (m: Module<[Tensor], unknown>) => Object.values(m.stateDict()).map((s) => Array.from(s.data));
const stateTensors = (m: Module<[Tensor], unknown>) => [...m.parameters(), ...m.buffers()];

describe('float32 for every layer with state', () => {
  for (const { name, make, input } of cases) {
    it(`${name}: float32 state, forward and gradients agree with float64 (same seed) to float32 precision; save → load keeps float32`, () => {
      const narrow = make('float32');
      const wide = make('float64');
      expect(stateTensors(narrow).length).toBeGreaterThan(0);
      for (const t of stateTensors(narrow)) expect(t.dtype).toBe('float32');
      for (const t of stateTensors(wide)) expect(t.dtype).toBe('float64');
      expect(stateValues(narrow)).toEqual(stateValues(wide).map((row) => row.map(Math.fround)));

      const y32 = firstOutput(narrow.forward(input('float32')));
      const y64 = firstOutput(wide.forward(input('float64')));
      expect(y32.dtype).toBe('float32');
      expect(y32.shape).toEqual(y64.shape);
      expectClose(y32.data, y64.data, 2e-5);
      // a weighted sum, so every output's gradient differs
      const weights = (dtype: DType) => tensor(inputRng([y64.size], 99), { shape: [...y64.shape], dtype });
      y32.mul(weights('float32')).sum().backward();
      y64.mul(weights('float64')).sum().backward();
      const [p32, p64] = [narrow.parameters(), wide.parameters()];
      expect(p32.length).toBe(p64.length);
      p32.forEach((p, k) => {
        expect(p.grad!.dtype).toBe('float32');
        expectClose(p.grad!.data, p64[k].grad!.data, 2e-5);
      });
      // BatchNorm's running statistics, updated by the forward, too
      for (const [k, t] of narrow.buffers().entries()) expectClose(t.data, wide.buffers()[k].data, 2e-5);

      const json = JSON.parse(JSON.stringify(modelToJSON(narrow))) as ModelJSON;
      const loaded = modelFromJSON(json);
      for (const t of stateTensors(loaded)) expect(t.dtype).toBe('float32');
      expect(stateValues(loaded)).toEqual(stateValues(narrow));
      const again = firstOutput(loaded.forward(input('float32')));
      expect(again.dtype).toBe('float32');
      expect(Array.from(again.data)).toEqual(Array.from(firstOutput(narrow.forward(input('float32'))).data));
      // an old file (no dtype in the config) loads as float64
      expect(JSON.stringify(modelToJSON(wide))).not.toContain('dtype');
      for (const t of stateTensors(modelFromJSON(modelToJSON(wide)))) expect(t.dtype).toBe('float64');
    });
  }

  it('a bad dtype is an error naming the layer; a file with a bad dtype is refused', () => {
    const bad = 'int8' as DType;
    expect(() => new Conv1d(1, 1, 1, { dtype: bad })).toThrow("Conv1d: dtype must be 'float32' or 'float64', got int8");
    expect(() => new Conv2d(1, 1, 1, { dtype: bad })).toThrow("Conv2d: dtype must be 'float32' or 'float64', got int8");
    expect(() => new BatchNorm1d(2, { dtype: bad })).toThrow("BatchNorm1d: dtype must be 'float32' or 'float64', got int8");
    expect(() => new BatchNorm2d(2, { dtype: bad })).toThrow("BatchNorm2d: dtype must be 'float32' or 'float64', got int8");
    expect(() => new LayerNorm(2, { dtype: bad })).toThrow("LayerNorm: dtype must be 'float32' or 'float64', got int8");
    expect(() => new Embedding(2, 2, { dtype: bad })).toThrow("Embedding: dtype must be 'float32' or 'float64', got int8");
    expect(() => new RNNCell(2, 2, { dtype: bad })).toThrow("RNNCell: dtype must be 'float32' or 'float64', got int8");
    expect(() => new GRUCell(2, 2, { dtype: bad })).toThrow("GRUCell: dtype must be 'float32' or 'float64', got int8");
    const json = modelToJSON(new LayerNorm(2, { dtype: 'float32' }));
    (json.architecture as Record<string, unknown>).dtype = 'float16';
    expect(() => modelFromJSON(json)).toThrow("LayerNorm dtype must be 'float32' or 'float64', got \"float16\"");
  });

  it('Linear and Dense save → load keeps float32; loadStateDict rounds float64 values into a float32 parameter', () => {
    const model = new Sequential(new Linear(2, 3, { seed: 1, dtype: 'float32' }), new Dense(3, 1, { seed: 2, dtype: 'float32' }));
    const loaded = modelFromJSON(JSON.parse(JSON.stringify(modelToJSON(model))) as ModelJSON);
    expect(loaded.parameters().map((p) => p.dtype)).toEqual(['float32', 'float32', 'float32', 'float32']);
    expect(values(loaded)).toEqual(values(model));
    const layer = new Linear(1, 2, { dtype: 'float32' });
    layer.loadStateDict({ weight: { shape: [2, 1], data: [0.1, 1 / 3] }, bias: { shape: [2], data: [Math.PI, -0.7] } });
    expect(Array.from(layer.weight.data)).toEqual([Math.fround(0.1), Math.fround(1 / 3)]);
    expect(Array.from(layer.bias!.data)).toEqual([Math.fround(Math.PI), Math.fround(-0.7)]);
  });

  it('a float32 CNN (Conv2d → ReLU → MaxPool2d → Flatten → Linear) trains with Adam compiled bit for bit as eagerly', () => {
    const cnn = () => new Sequential(new Conv2d(1, 4, 3, { seed: 3, padding: 1, dtype: 'float32' }), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(4 * 3 * 3, 2, { seed: 4, dtype: 'float32' }));
    const eager = cnn();
    const compiled = cnn();
    const eagerOpt = new Adam(eager.parameters(), { lr: 0.01 });
    const step = compile((x: Tensor, y: Tensor) => mseLoss(compiled.forward(x), y), { optimizer: new Adam(compiled.parameters(), { lr: 0.01 }) });
    const x = tensor(inputRng([4, 1, 6, 6], 21), { shape: [4, 1, 6, 6], dtype: 'float32' });
    const y = tensor(inputRng([4, 2], 22), { shape: [4, 2], dtype: 'float32' });
    const losses: number[] = [];
    for (let k = 0; k < 3; k++) {
      eagerOpt.zeroGrad();
      const loss = mseLoss(eager.forward(x), y);
      expect(loss.dtype).toBe('float32');
      loss.backward();
      eagerOpt.step();
      const compiledLoss = step.run(x, y);
      expect(Object.is(compiledLoss.item(), loss.item())).toBe(true);
      expect(values(compiled)).toEqual(values(eager));
      losses.push(loss.item());
    }
    for (const p of compiled.parameters()) expect(p.dtype).toBe('float32');
    expect(losses[2]).toBeLessThan(losses[0]);
  });
});
