// SGD and Adam inside a compiled step (`compile(step, { optimizer })`): every run must leave the
// weights and the optimizer's state exactly (Object.is) where `run` + `optimizer.step()`, or the
// eager step, leaves them, also when the learning rate changes between runs.
import { describe, expect, it } from 'vitest';
import { compile, createRng, tensor, type CompileOptions, type Tensor } from '@gradlab/core';
import { Adam, bceLoss, mlp, mseLoss, SGD, type Module, type Optimizer } from '../src/index.ts';

type MakeOptimizer = (params: readonly Tensor[]) => SGD | Adam;
const OPTIMIZERS: [string, MakeOptimizer][] = [
  ['SGD', (params) => new SGD(params, { lr: 0.3 })],
  ['SGD with momentum', (params) => new SGD(params, { lr: 0.1, momentum: 0.9 })],
  ['Adam', (params) => new Adam(params, { lr: 0.02 })],
  ['Adam with other betas and eps', (params) => new Adam(params, { lr: 0.05, betas: [0.5, 0.9], eps: 1e-3 })],
];

/** Batches of `size` rows of random points labelled by x0 > x1. */
function batches(n: number, size: number, seed: number): { x: Tensor; y: Tensor }[] {
  const rng = createRng(seed);
  const out: { x: Tensor; y: Tensor }[] = [];
  for (let start = 0; start < n; start += size) {
    const x = Array.from({ length: size }, () => [rng.uniform(-1, 1), rng.uniform(-1, 1)]);
    out.push({ x: tensor(x), y: tensor(x.map(([a, b]) => [a > b ? 1 : 0])) });
  }
  return out;
}

interface Setup {
  name: string;
  model: () => Module;
  loss: (pred: Tensor, y: Tensor) => Tensor;
  data: { x: Tensor; y: Tensor }[];
}

const SETUPS: Setup[] = [
  // 6, 9 and 3 weights: every parameter unrolled in the generated code
  { name: "the lab's [2,3,3,1], one sample per step", model: () => mlp([2, 3, 3, 1], { bias: false, seed: 11 }), loss: mseLoss, data: batches(21, 1, 1) },
  // a [16,16] weight (256 values) is updated in a loop; biases are unrolled
  {
    name: '[2,16,16,1] tanh with bias, BCE, batches of 8',
    model: () => mlp([2, 16, 16, 1], { activation: 'tanh', seed: 4, init: 'xavier' }),
    loss: bceLoss,
    data: batches(32, 8, 2),
  },
];

const values = (model: Module) => model.parameters().map((p) => Array.from(p.data));

/** Object.is on every value, with a readable failure. */
function expectIdentical(actual: number[][], expected: number[][], what: string): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, i) =>
    row.forEach((v, k) => {
      if (!Object.is(v, expected[i][k])) throw new Error(`${what}: parameter ${i}, value ${k}: ${v} compiled, ${expected[i][k]} eager`);
    }),
  );
}

/** The eager step: zeroGrad, forward, backward, step. Returns the loss. */
function eagerStep(model: Module, optimizer: Optimizer, loss: Setup['loss'], x: Tensor, y: Tensor): number {
  optimizer.zeroGrad();
  const l = loss(model.forward(x), y);
  l.backward();
  optimizer.step();
  return l.item();
}

describe('compile(step, { optimizer }): the update inside the program equals optimizer.step(), bit for bit', () => {
  for (const setup of SETUPS) {
    for (const [name, make] of OPTIMIZERS) {
      for (const mode of ['generated', 'kernels'] as const) {
        it(`${name} on ${setup.name} (${mode}), checked after every step`, () => {
          const eagerModel = setup.model();
          const eager = make(eagerModel.parameters());
          const model = setup.model();
          const optimizer = make(model.parameters());
          const options: CompileOptions = { mode, optimizer };
          const step = compile((x: Tensor, y: Tensor) => setup.loss(model.forward(x), y), options);
          for (let s = 0; s < 3 * setup.data.length; s++) {
            const { x, y } = setup.data[s % setup.data.length];
            const expected = eagerStep(eagerModel, eager, setup.loss, x, y);
            expect(Object.is(step.run(x, y).item(), expected)).toBe(true);
            expectIdentical(values(model), values(eagerModel), `step ${s}`);
          }
          expect(step.generated).toBe(mode === 'generated');
        });
      }
    }
  }

  for (const [name, make] of OPTIMIZERS) {
    it(`${name}: the learning rate changed between runs is the one used (a schedule)`, () => {
      const setup = SETUPS[1];
      const eagerModel = setup.model();
      const eager = make(eagerModel.parameters());
      const model = setup.model();
      const optimizer = make(model.parameters());
      const step = compile((x: Tensor, y: Tensor) => setup.loss(model.forward(x), y), { optimizer });
      for (let s = 0; s < 30; s++) {
        const lr = 0.05 * 0.9 ** s;
        eager.lr = lr;
        optimizer.lr = lr;
        const { x, y } = setup.data[s % setup.data.length];
        eagerStep(eagerModel, eager, setup.loss, x, y);
        step.run(x, y);
      }
      expectIdentical(values(model), values(eagerModel), 'after 30 steps');
    });

    it(`${name}: compiled runs and eager steps continue each other (one optimizer state)`, () => {
      const setup = SETUPS[1];
      const eagerModel = setup.model();
      const eager = make(eagerModel.parameters());
      const model = setup.model();
      const optimizer = make(model.parameters());
      const step = compile((x: Tensor, y: Tensor) => setup.loss(model.forward(x), y), { optimizer });
      for (let s = 0; s < 24; s++) {
        const { x, y } = setup.data[s % setup.data.length];
        eagerStep(eagerModel, eager, setup.loss, x, y);
        if (s % 3 === 2) eagerStep(model, optimizer, setup.loss, x, y);
        else step.run(x, y);
      }
      expectIdentical(values(model), values(eagerModel), 'after 24 steps');
    });
  }

  it('a NaN gradient: the run throws what optimizer.step() throws, and neither the weights nor the step count of Adam move', () => {
    const make = (): { w: Tensor; optimizer: Adam } => {
      const w = tensor([[0.5], [2]], { requiresGrad: true, name: 'w' });
      return { w, optimizer: new Adam([w], { lr: 0.1 }) };
    };
    const loss = (w: Tensor, x: Tensor) => x.matmul(w).log().sum();
    const eager = make();
    const fused = make();
    const step = compile((x: Tensor) => loss(fused.w, x), { optimizer: fused.optimizer });
    const inputs = [[[1, 1]], [[2, 1]], [[0, 0]], [[1, 2]], [[3, 1]]];
    for (const x of inputs.map((rows) => tensor(rows))) {
      eager.optimizer.zeroGrad();
      loss(eager.w, x).backward();
      let eagerError = '';
      try {
        eager.optimizer.step();
      } catch (e) {
        eagerError = (e as Error).message;
      }
      if (eagerError) expect(() => step.run(x)).toThrow(eagerError);
      else step.run(x);
      expectIdentical([Array.from(fused.w.data)], [Array.from(eager.w.data)], 'w');
    }
    expect(() => step.run(tensor([[0, 0]]))).toThrow("Adam: the gradient of parameter 0 'w' [2,1] has NaN at element 0; no parameter was updated");
  });

  it('moves only the parameters it has and the step reaches; the others still get their gradients', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3], { requiresGrad: true });
    const unused = tensor([5], { requiresGrad: true });
    const optimizer = new SGD([a, unused], { lr: 0.5 });
    const step = compile((x: Tensor) => x.mul(a).sum().mul(b), { optimizer });
    step.run(tensor([1, 1]));
    // ∂/∂a = b·x = [3, 3], ∂/∂b = Σ x·a = 3: a ← a − 0.5·[3, 3]; b and unused stay
    expect(Array.from(a.data)).toEqual([-0.5, 0.5]);
    expect(Array.from(b.data)).toEqual([3]);
    expect(Array.from(b.grad!.data)).toEqual([3]);
    expect(Array.from(unused.data)).toEqual([5]);
    expect(unused.grad).toBeNull();
  });
});
