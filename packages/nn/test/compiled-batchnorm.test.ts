// BatchNorm1d and BatchNorm2d in training mode inside a compiled step: their running statistics
// are updated by ops ending in `assign`, which the program replays, so every run leaves the
// parameters, the optimizer's state and the buffers exactly (Object.is) where the eager steps
// leave them, step after step, with generated code and with kernels; Dropout's masks too.
import { describe, expect, it } from 'vitest';
import { compile, createRng, randn, tensor, type CompileOptions, type Tensor } from '@gradlab/core';
import {
  Adam, BatchNorm1d, BatchNorm2d, Conv2d, crossEntropyLoss, Dropout, Flatten, Linear, MaxPool2d, Module, ReLU, Sequential, SGD, Tanh,
  type Optimizer,
} from '../src/index.ts';

/** Every parameter's and buffer's values, by name. */
const snapshot = (model: Module): [string, number[]][] =>
  [...model.namedParameters(), ...model.namedBuffers()].map(([name, t]) => [name, Array.from(t.data)]);

function expectIdentical(actual: [string, number[]][], expected: [string, number[]][], what: string): void {
  expect(actual.map(([n]) => n)).toEqual(expected.map(([n]) => n));
  actual.forEach(([name, row], i) =>
    row.forEach((v, k) => {
      if (!Object.is(v, expected[i][1][k])) throw new Error(`${what}: ${name}[${k}]: ${v} compiled, ${expected[i][1][k]} eager`);
    }),
  );
}

/** A model using one BatchNorm twice in one step (a shared module): its second update reads the first's result. */
class SharedNorm extends Module {
  readonly inner = this.addModule('inner', new Linear(3, 3, { seed: 2 }));
  readonly norm = this.addModule('norm', new BatchNorm1d(3, { momentum: null }));
  readonly head = this.addModule('head', new Linear(3, 2, { seed: 3 }));
  forward(x: Tensor): Tensor {
    return this.head.forward(this.norm.forward(this.inner.forward(this.norm.forward(x)).tanh()));
  }
}

interface Setup {
  name: string;
  model: () => Module;
  input: number[];
  classes: number;
  optimizer: (params: readonly Tensor[]) => SGD | Adam;
}

const SETUPS: Setup[] = [
  {
    name: 'Conv2d → BatchNorm2d → ReLU → MaxPool2d → Flatten → Dropout → Linear → BatchNorm1d, Adam',
    model: () =>
      new Sequential(
        new Conv2d(1, 4, 3, { padding: 1, seed: 1 }),
        new BatchNorm2d(4),
        new ReLU(),
        new MaxPool2d(2),
        new Flatten(),
        new Dropout(0.2, { seed: 9 }),
        new Linear(16, 5, { seed: 2 }),
        new BatchNorm1d(5, { momentum: 0.3 }),
      ),
    input: [6, 1, 4, 4],
    classes: 5,
    optimizer: (params) => new Adam(params, { lr: 0.05 }),
  },
  {
    name: 'Linear → BatchNorm1d (cumulative average, momentum null) → Tanh → Linear, SGD with momentum',
    model: () => new Sequential(new Linear(3, 8, { seed: 4 }), new BatchNorm1d(8, { momentum: null }), new Tanh(), new Linear(8, 2, { seed: 5 })),
    input: [10, 3],
    classes: 2,
    optimizer: (params) => new SGD(params, { lr: 0.1, momentum: 0.9 }),
  },
  {
    name: 'one BatchNorm1d used twice in a step',
    model: () => new SharedNorm(),
    input: [7, 3],
    classes: 2,
    optimizer: (params) => new SGD(params, { lr: 0.2 }),
  },
  {
    // more than 64 channels: the update runs as loops and kernels, not unrolled
    name: 'BatchNorm2d over 80 channels (loops, not unrolled)',
    model: () => new Sequential(new Conv2d(2, 80, 1, { seed: 6 }), new BatchNorm2d(80, { momentum: 0.2 }), new ReLU(), new Flatten(), new Linear(80 * 3, 3, { seed: 7 })),
    input: [4, 2, 1, 3],
    classes: 3,
    optimizer: (params) => new Adam(params, { lr: 0.01 }),
  },
];

function data(setup: Setup, steps: number): { x: Tensor; y: Tensor }[] {
  const rng = createRng(17);
  return Array.from({ length: steps }, () => ({
    x: randn(setup.input, rng, { std: 2, mean: 0.5 }),
    y: tensor(Array.from({ length: setup.input[0] }, () => rng.int(setup.classes))),
  }));
}

function eagerStep(model: Module, optimizer: Optimizer, x: Tensor, y: Tensor): number {
  optimizer.zeroGrad();
  const loss = crossEntropyLoss(model.forward(x), y);
  loss.backward();
  optimizer.step();
  return loss.item();
}

describe('BatchNorm in training mode under compile', () => {
  for (const setup of SETUPS) {
    for (const mode of ['generated', 'kernels'] as const) {
      it(`${setup.name} (${mode}): 8 compiled steps leave parameters and running statistics exactly as 8 eager steps`, () => {
        const batches = data(setup, 8);
        const eager = setup.model();
        const eagerOptimizer = setup.optimizer(eager.parameters());
        const compiled = setup.model();
        const optimizer = setup.optimizer(compiled.parameters());
        const options: CompileOptions = { optimizer, mode };
        const step = compile((x: Tensor, y: Tensor) => crossEntropyLoss(compiled.forward(x), y), options);
        const versions: number[] = [];
        batches.forEach(({ x, y }, k) => {
          const expected = eagerStep(eager, eagerOptimizer, x, y);
          const loss = step.run(x, y).data[0];
          expect(Object.is(loss, expected), `loss of step ${k}: ${loss} compiled, ${expected} eager`).toBe(true);
          expectIdentical(snapshot(compiled), snapshot(eager), `after step ${k}`);
          versions.push(compiled.buffers()[0].version);
        });
        // the buffers really move, and each run counts as changes of them
        const tracked = compiled.namedBuffers().find(([n]) => n.endsWith('numBatchesTracked'))![1];
        expect(tracked.data[0]).toBe(setup.name.includes('twice') ? 16 : 8);
        expect(versions.every((v, i) => i === 0 || v > versions[i - 1])).toBe(true);
        const mean = compiled.namedBuffers().find(([n]) => n.endsWith('runningMean'))![1];
        expect(Array.from(mean.data).some((v) => v !== 0)).toBe(true);
        if (mode === 'generated') expect(step.generated).toBe(true);
        expect(step.describe()).toContain('assign(→runningMean)');
        // eval mode after compiled training gives what the eager model gives
        expect(Array.from(compiled.eval().forward(batches[0].x).data)).toEqual(Array.from(eager.eval().forward(batches[0].x).data));
      });
    }
  }

  it('a compiled step keeps the mode it was recorded in: switching the model to eval does not change it', () => {
    const model = new Sequential(new Linear(2, 3, { seed: 1 }), new BatchNorm1d(3));
    const x = randn([5, 2], createRng(1));
    const step = compile((input: Tensor) => model.forward(input).square().sum());
    step.run(x);
    step.run(x);
    model.eval();
    step.run(x);
    const tracked = model.namedBuffers().find(([n]) => n.endsWith('numBatchesTracked'))![1];
    expect(tracked.data[0]).toBe(3); // the training-mode program still updates the statistics
  });

  it('a compiled eval-mode step reads the running statistics of each run (they are live, not frozen)', () => {
    const model = new Sequential(new Linear(2, 3, { seed: 1 }), new BatchNorm1d(3));
    const x = randn([5, 2], createRng(1));
    model.forward(x); // train once to move the statistics
    model.eval();
    const step = compile((input: Tensor) => model.forward(input).square().sum());
    const first = step.run(x).data[0];
    expect(step.run(x).data[0]).toBe(first);
    model.train();
    model.forward(randn([5, 2], createRng(2))); // eager training moves them again
    model.eval();
    const expected = model.forward(x).square().sum().item();
    expect(step.run(x).data[0]).toBe(expected);
    expect(expected).not.toBe(first);
  });
});
