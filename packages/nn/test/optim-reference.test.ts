// Every optimizer's trajectory against torch.optim (20 steps, float64, 1e-12), eager and compiled
// (the compiled step bit for bit equal to the eager one); gradient clipping; the schedules'
// learning rates (and OneCycleLR's momenta) step by step.
import { afterAll, describe, expect, it } from 'vitest';
import { compile, tensor, type Tensor } from '@gradlab/core';
import {
  Adagrad, Adam, AdamW, clipGradNorm, clipGradValue, CosineAnnealingLR, ExponentialLR, OneCycleLR, ReduceLROnPlateau, RMSprop, SGD, StepLR,
  type Optimizer,
} from '../src/index.ts';
import { decode, decodeNumber, expectClose, reference, worst } from './reference.ts';

const { X, Y, W0, b0, runs } = reference.optimizers;
const x = decode(X);
const y = decode(Y);
const lossOf = (W: Tensor, b: Tensor) => x.matmul(W).add(b).tanh().sub(y).pow(2).mean();

type AnyOptimizer = SGD | Adam | AdamW | RMSprop | Adagrad;
function makeOptimizer(options: Record<string, unknown> & { kind: string }, params: Tensor[]): AnyOptimizer {
  const { kind, groups, ...rest } = options as Record<string, unknown> & { kind: string; groups?: Record<string, unknown>[] };
  const given = groups ? groups.map((g, i) => ({ params: [params[i]], ...g })) : params;
  const o = rest as never;
  switch (kind) {
    case 'SGD':
      return new SGD(given, o);
    case 'Adam':
      return new Adam(given, o);
    case 'AdamW':
      return new AdamW(given, o);
    case 'RMSprop':
      return new RMSprop(given, o);
    case 'Adagrad':
      return new Adagrad(given, o);
  }
  throw new Error(kind);
}

const fresh = () => [decode(W0, { requiresGrad: true }), decode(b0, { requiresGrad: true })];

describe(`optimizers against torch.optim ${reference.torch}: 20 steps, float64, 1e-12`, () => {
  for (const run of runs) {
    it(`${run.name} (eager)`, () => {
      const [W, b] = fresh();
      const opt = makeOptimizer(run.options, [W, b]);
      run.steps.forEach(([wExpected, bExpected], s) => {
        opt.zeroGrad();
        lossOf(W, b).backward();
        opt.step();
        expectClose(W, wExpected, `${run.name} step ${s + 1} W`);
        expectClose(b, bExpected, `${run.name} step ${s + 1} b`);
      });
    });

    it(`${run.name} (compiled, both modes): bit for bit the eager step`, () => {
      for (const mode of ['generated', 'kernels'] as const) {
        const [We, be] = fresh();
        const eager = makeOptimizer(run.options, [We, be]);
        const [W, b] = fresh();
        const optimizer = makeOptimizer(run.options, [W, b]);
        const step = compile(() => lossOf(W, b), { optimizer, mode });
        for (let s = 0; s < run.steps.length; s++) {
          eager.zeroGrad();
          lossOf(We, be).backward();
          eager.step();
          step.run();
          [...W.data, ...b.data].forEach((v, k) => expect(Object.is(v, [...We.data, ...be.data][k])).toBe(true));
        }
        expect(optimizer.stateDict()).toEqual(eager.stateDict());
      }
    });
  }

  it('clipGradNorm and clipGradValue as torch.nn.utils', () => {
    for (const c of reference.clips) {
      const params = c.grads.map((g) => {
        const p = tensor(new Float64Array(g.data.length), { shape: g.shape, requiresGrad: true });
        p.grad = decode(g);
        return p;
      });
      if (c.kind === 'norm') {
        const total = clipGradNorm(params, c.arg, { normType: decodeNumber(c.normType!) });
        expectClose([total], [c.total!], `clipGradNorm(${c.arg}, ${c.normType}) total`);
      } else {
        clipGradValue(params, c.arg);
      }
      params.forEach((p, i) => expectClose(p.grad!, c.clipped[i], `clip ${c.kind} ${c.arg} ${c.normType}: gradient ${i}`));
    }
  });

  afterAll(() => {
    console.log(`optimizers: largest difference from PyTorch ${worst.error.toExponential(2)} (${worst.where})`);
  });
});

describe(`schedulers against torch.optim.lr_scheduler ${reference.torch}`, () => {
  for (const c of reference.schedulers) {
    it(c.name, () => {
      const { kind, optimizer: o, ...options } = c.options;
      const p = tensor([0, 0], { requiresGrad: true });
      const q = tensor([0], { requiresGrad: true });
      const { kind: optimizerKind, ...optimizerOptions } = o;
      const lr = optimizerOptions.lr as number;
      const optimizer: Optimizer =
        optimizerKind === 'SGD'
          ? new SGD([{ params: [p] }, { params: [q], lr: lr / 10 }], optimizerOptions as { lr: number })
          : new Adam([p, q], optimizerOptions);
      const scheduler =
        kind === 'StepLR'
          ? new StepLR(optimizer, options as never)
          : kind === 'ExponentialLR'
            ? new ExponentialLR(optimizer, options as never)
            : kind === 'CosineAnnealingLR'
              ? new CosineAnnealingLR(optimizer, options as never)
              : kind === 'OneCycleLR'
                ? new OneCycleLR(optimizer, options as never)
                : new ReduceLROnPlateau(optimizer, options);
      const momentum = () =>
        optimizer.paramGroups.map((g) => {
          const r = g as unknown as { betas?: number[]; momentum?: number };
          return r.betas ? r.betas[0] : (r.momentum ?? 0);
        });
      const lrs = [optimizer.paramGroups.map((g) => g.lr)];
      const momenta = [momentum()];
      for (let k = 0; k + 1 < c.lrs.length; k++) {
        optimizer.step();
        if (scheduler instanceof ReduceLROnPlateau) scheduler.step(c.metrics![k]);
        else scheduler.step();
        lrs.push(optimizer.paramGroups.map((g) => g.lr));
        momenta.push(momentum());
      }
      expectClose(lrs.flat(), c.lrs.flat(), `${c.name}: lr`);
      expectClose(momenta.flat(), c.momenta.flat(), `${c.name}: momentum`);
      if (scheduler instanceof OneCycleLR) {
        const final = optimizer.paramGroups.map((g) => g.lr);
        scheduler.step(); // the step after the last batch keeps the final rate
        expect(optimizer.paramGroups.map((g) => g.lr)).toEqual(final);
        expect(() => scheduler.step()).toThrow(/OneCycleLR: tried to step \d+ times; the cycle has totalSteps = \d+/);
      }
    });
  }
});
