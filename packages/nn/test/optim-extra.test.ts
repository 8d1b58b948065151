// Optimizers beyond the reference trajectories: eps > 0, parameter groups and their checked
// options, version counters, and resuming training from saved state dicts bit for bit.
import { describe, expect, it } from 'vitest';
import { compile, createRng, GradlabError, randn, tensor, type FusableOptimizer, type Tensor } from '@gradlab/core';
import { DataLoader, TensorDataset } from '@gradlab/data';
import {
  Adagrad, Adam, AdamW, BatchNorm1d, clipGradNorm, clipGradValue, CosineAnnealingLR, crossEntropyLoss, Linear, OneCycleLR, ReduceLROnPlateau,
  ReLU, RMSprop, Sequential, SGD, type Optimizer, type OptimizerStateDict, type SchedulerStateDict,
} from '../src/index.ts';

const param = (values: number[]) => tensor(values, { requiresGrad: true });

describe('Adam: eps must be > 0', () => {
  it('refuses eps 0 (a zero gradient would give 0/0 = NaN) and keeps a parameter with zero gradient where it is', () => {
    const p = param([1, 2]);
    expect(() => new Adam([p], { eps: 0 })).toThrow(GradlabError);
    expect(() => new Adam([p], { eps: 0 })).toThrow('Adam: eps must be a finite number > 0 (with eps 0 a zero gradient gives 0/0 = NaN), got 0');
    expect(() => new AdamW([p], { eps: 0 })).toThrow('AdamW: eps must be a finite number > 0');
    const opt = new Adam([p], { lr: 0.1 });
    p.grad = tensor([0, 0]);
    opt.step();
    expect(Array.from(p.data)).toEqual([1, 2]);
    expect(() => (opt.paramGroups[0].eps = 0)).toThrow('Adam: eps must be a finite number > 0');
    expect(opt.eps).toBe(1e-8);
  });
});

describe('parameter groups', () => {
  it('take options of their own, checked when made and when set', () => {
    const a = param([1]);
    const b = param([1]);
    const opt = new SGD([{ params: [a] }, { params: [b], lr: 0.5, momentum: 0.9 }], { lr: 0.1 });
    expect(opt.paramGroups.map((g) => [g.lr, g.momentum, g.nesterov, g.weightDecay])).toEqual([[0.1, 0, false, 0], [0.5, 0.9, false, 0]]);
    a.grad = tensor([1]);
    b.grad = tensor([1]);
    opt.step();
    expect([a.data[0], b.data[0]]).toEqual([0.9, 0.5]);
    expect(() => (opt.paramGroups[1].lr = -1)).toThrow('SGD: group 1: lr must be a finite number ≥ 0, got -1');
    expect(() => (opt.paramGroups[0].nesterov = true)).toThrow('SGD: group 0: nesterov needs momentum > 0');
    opt.lr = 0.01;
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.01, 0.01]);
    expect(() => new SGD([{ params: [a] }, { params: [a] }], { lr: 0.1 })).toThrow('SGD: parameter 1 [1] appears twice');
    expect(() => new Adam([{ params: [a], learningRate: 0.1 } as never])).toThrow(
      "Adam: unknown option 'learningRate' (the options are lr, betas, eps, weightDecay)",
    );
    expect(() => new RMSprop([a], { alpha: 1 })).toThrow('RMSprop: alpha must be in [0, 1), got 1');
    expect(() => new Adagrad([a], { lrDecay: -1 })).toThrow('Adagrad: lrDecay must be a finite number ≥ 0, got -1');
    expect(() => new SGD([a, 'w' as never], { lr: 0.1 })).toThrow("SGD: parameter 1 is not a Tensor, got string 'w'");
  });
});

describe('version counters', () => {
  const makers: ((p: Tensor[]) => Optimizer)[] = [
    (p) => new SGD(p, { lr: 0.1, momentum: 0.5 }),
    (p) => new Adam(p),
    (p) => new AdamW(p),
    (p) => new RMSprop(p),
    (p) => new Adagrad(p),
  ];
  for (const make of makers) {
    it(`${make([param([0])]).constructor.name} counts each update as a change in place (eager and compiled), so a stale graph refuses to backpropagate`, () => {
      const w = param([0.5, -1]);
      const opt = make([w]);
      const stale = w.mul(w).sum();
      w.grad = tensor([1, 1]);
      const before = w.version;
      opt.step();
      expect(w.version).toBe(before + 1);
      expect(() => stale.backward()).toThrow(/was changed in place/);
      const step = compile(() => w.mul(w).sum(), { optimizer: opt as unknown as FusableOptimizer });
      step.run();
      step.run();
      expect(w.version).toBe(before + 3);
    });
  }
});

describe('clipping', () => {
  it('refuses bad arguments; a non-finite norm throws only when asked', () => {
    const p = param([3, 4]);
    p.grad = tensor([3, 4]);
    expect(() => clipGradNorm([p], -1)).toThrow('clipGradNorm: maxNorm must be a finite number ≥ 0, got -1');
    expect(() => clipGradNorm([p], 1, { normType: 0.5 })).toThrow('clipGradNorm: normType must be a number ≥ 1 or Infinity, got 0.5');
    expect(() => clipGradValue([p, 5 as never], 1)).toThrow('clipGradValue: parameter 1 is not a Tensor, got 5');
    expect(clipGradNorm([p], 10)).toBe(5);
    expect(Array.from(p.grad.data)).toEqual([3, 4]); // under the limit: multiplied by 1
    p.grad = tensor([Number.POSITIVE_INFINITY, 1]);
    expect(() => clipGradNorm([p], 1, { errorIfNonfinite: true })).toThrow('clipGradNorm: the total 2-norm of the gradients is Infinity; nothing was clipped');
  });
});

// ---------------------------------------------------------------------------- resuming exactly

interface Run {
  model: Sequential;
  optimizer: AdamW;
  schedule: OneCycleLR;
  plateau: ReduceLROnPlateau;
  loader: DataLoader;
}

const EPOCHS = 6;
const BATCHES = 4;

function setup(seed: number): Run {
  const rng = createRng(99);
  const x = randn([32, 3], rng);
  const y = tensor(Array.from({ length: 32 }, (_, i) => (x.data[3 * i] + x.data[3 * i + 1] > 0 ? 1 : 0) + (x.data[3 * i + 2] > 0.5 ? 1 : 0)));
  const model = new Sequential(new Linear(3, 8, { seed }), new BatchNorm1d(8), new ReLU(), new Linear(8, 3, { seed: seed + 1 }));
  const optimizer = new AdamW(
    [{ params: model.parameters().slice(0, 4) }, { params: model.parameters().slice(4), weightDecay: 0 }],
    { lr: 0.01 },
  );
  return {
    model,
    optimizer,
    schedule: new OneCycleLR(optimizer, { maxLr: 0.05, epochs: EPOCHS, stepsPerEpoch: BATCHES }),
    plateau: new ReduceLROnPlateau(optimizer, { patience: 0, factor: 0.9 }),
    loader: new DataLoader(new TensorDataset(x, y), { batchSize: 8, shuffle: true, seed: 5 }),
  };
}

function trainEpochs(run: Run, epochs: number): void {
  for (let e = 0; e < epochs; e++) {
    let total = 0;
    for (const [x, y] of run.loader) {
      run.optimizer.zeroGrad();
      const loss = crossEntropyLoss(run.model.forward(x), y);
      loss.backward();
      clipGradNorm(run.model.parameters(), 1);
      run.optimizer.step();
      run.schedule.step();
      total += loss.item();
    }
    run.plateau.step(total);
  }
}

function checkpoint(run: Run): string {
  return JSON.stringify({
    model: run.model.stateDict(),
    optimizer: run.optimizer.stateDict(),
    schedule: run.schedule.stateDict(),
    plateau: run.plateau.stateDict(),
    epoch: run.loader.epoch,
  });
}

describe('resuming from state dicts', () => {
  it(`${EPOCHS} epochs in one go = k epochs, save, load into fresh objects, the rest: bit for bit (k = 1…${EPOCHS - 1})`, () => {
    const straight = setup(1);
    trainEpochs(straight, EPOCHS);
    const expected = straight.model.stateDict();
    for (let k = 1; k < EPOCHS; k++) {
      const first = setup(1);
      trainEpochs(first, k);
      const saved = JSON.parse(checkpoint(first)) as {
        model: ReturnType<Sequential['stateDict']>;
        optimizer: OptimizerStateDict;
        schedule: SchedulerStateDict;
        plateau: ReturnType<ReduceLROnPlateau['stateDict']>;
        epoch: number;
      };
      const resumed = setup(7); // other initial weights: everything must come from the checkpoint
      resumed.model.loadStateDict(saved.model);
      resumed.optimizer.loadStateDict(saved.optimizer);
      resumed.schedule.loadStateDict(saved.schedule);
      resumed.plateau.loadStateDict(saved.plateau);
      resumed.loader.epoch = saved.epoch;
      trainEpochs(resumed, EPOCHS - k);
      expect(resumed.model.stateDict()).toEqual(expected);
      expect(resumed.optimizer.stateDict()).toEqual(straight.optimizer.stateDict());
      expect(resumed.schedule.stateDict()).toEqual(straight.schedule.stateDict());
      expect(resumed.plateau.stateDict()).toEqual(straight.plateau.stateDict());
    }
    // and the run did something: the weights moved and the lr followed the cycle
    expect(expected['0.weight']).not.toEqual(setup(1).model.stateDict()['0.weight']);
    expect(straight.schedule.getLastLr()[0]).toBeLessThan(0.05 / 25);
  }, 120_000);

  it('state dicts that do not fit are refused whole, naming every problem', () => {
    const run = setup(1);
    trainEpochs(run, 1);
    const dict = run.optimizer.stateDict();
    const fresh = setup(2).optimizer;
    const before = JSON.stringify(fresh.stateDict());
    const broken = JSON.parse(JSON.stringify(dict)) as OptimizerStateDict;
    broken.paramGroups[1].weightDecay = -1;
    broken.state['0'].m = [1];
    (broken.state as Record<string, unknown>)['9'] = { step: 1 };
    expect(() => fresh.loadStateDict(broken)).toThrow(
      /AdamW\.loadStateDict: the state dict does not fit this optimizer:\n {2}paramGroups\[1\]: weightDecay must be a finite number ≥ 0, got -1\n {2}state\[0\]: m has 1 values, the parameter \[8,3\] has 24\n {2}state: '9' is not a parameter index/,
    );
    expect(JSON.stringify(fresh.stateDict())).toBe(before);
    expect(() => new CosineAnnealingLR(fresh, { tMax: 5 }).loadStateDict({ lastEpoch: -1 } as never)).toThrow(
      'CosineAnnealingLR.loadStateDict: lastEpoch must be an integer ≥ 0, got -1',
    );
  });
});
