// float32 layers: Dense and Linear take `dtype`; a float32 network trains with nn's optimizers,
// eagerly and compiled (the update fused into the program) bit for bit alike, and close to the
// same network in float64.
import { describe, expect, it } from 'vitest';
import { compile, createRng, tensor, type DType, type Tensor } from '@gradlab/core';
import { Adam, Dense, Linear, mlp, mseLoss, Sequential, SGD, Tanh, type Module, type Optimizer } from '../src/index.ts';

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
