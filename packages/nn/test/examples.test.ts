// The README's "compose your own" examples, kept runnable: a residual block, a shared-weight
// (siamese) network, a custom module with parameters of its own saved and loaded, and a GRU that
// learns to sum a sequence.
import { describe, expect, it } from 'vitest';
import { createRng, noGrad, rand, randn, tensor, type Tensor } from '@gradlab/core';
import {
  Adam, GRUCell, Linear, Module, mseLoss, ReLU, RNN, Sequential, SGD, Tanh, modelFromJSON, modelToJSON, registerModule, unregisterModule,
  type ModuleConfig,
} from '../src/index.ts';
import { expectGradientsMatch } from './finite-differences.ts';

/** y = x + f(x), f = Linear → Tanh → Linear: the skip connection adds the identity to the Jacobian. */
class ResidualBlock extends Module {
  readonly f: Sequential;
  constructor(readonly features: number, seed = 0) {
    super();
    this.f = this.addModule('f', new Sequential(new Linear(features, features, { seed }), new Tanh(), new Linear(features, features, { seed: seed + 1 })));
  }
  forward(x: Tensor): Tensor {
    return x.add(this.f.forward(x));
  }
  override config(): ModuleConfig {
    return { kind: 'ResidualBlock', args: [this.features] };
  }
}

/** One encoder applied to both inputs; the output is the squared distance of the two codes. */
class Siamese extends Module<[Tensor, Tensor], Tensor> {
  readonly encoder = this.addModule('encoder', new Sequential(new Linear(3, 4, { seed: 1 }), new Tanh()));
  forward(a: Tensor, b: Tensor): Tensor {
    return this.encoder.forward(a).sub(this.encoder.forward(b)).pow(2).sum(-1);
  }
}

/** y = a·x² + b·x + c elementwise, with a, b, c parameters of its own. */
class Quadratic extends Module {
  readonly coefficients = this.registerParameter('coefficients', tensor([0, 0, 0], { requiresGrad: true }));
  forward(x: Tensor): Tensor {
    const [a, b, c] = this.coefficients.split(1);
    return x.square().mul(a).add(x.mul(b)).add(c);
  }
  override config(): ModuleConfig {
    return { kind: 'Quadratic' };
  }
}

describe('compose your own', () => {
  it('a residual block: gradients match finite differences; saved and loaded once registered', () => {
    const block = new ResidualBlock(3, 4);
    const x = randn([2, 3], createRng(1), { requiresGrad: true });
    const w = randn([2, 3], createRng(2));
    expectGradientsMatch(() => block.forward(x).mul(w).sum(), [x, ...block.parameters()]);
    registerModule('ResidualBlock', ResidualBlock);
    try {
      const net = new Sequential(block, new ReLU(), new ResidualBlock(3, 9));
      const copy = modelFromJSON(JSON.parse(JSON.stringify(modelToJSON(net))));
      expect(Array.from(copy.forward(x).data)).toEqual(Array.from(net.forward(x).data));
    } finally {
      unregisterModule('ResidualBlock');
    }
  });

  it('a shared-weight network: the encoder is listed once and gets both branches’ gradients', () => {
    const net = new Siamese();
    expect(net.namedParameters().map(([n]) => n)).toEqual(['encoder.0.weight', 'encoder.0.bias']);
    const a = randn([4, 3], createRng(3));
    const b = randn([4, 3], createRng(4));
    expectGradientsMatch(() => net.forward(a, b).sum(), net.parameters());
    // training pulls the pairs' codes together: the distance falls
    const opt = new SGD(net.parameters(), { lr: 0.1 });
    const before = net.forward(a, b).sum().item();
    for (let i = 0; i < 20; i++) {
      opt.zeroGrad();
      net.forward(a, b).sum().backward();
      opt.step();
    }
    expect(net.forward(a, b).sum().item()).toBeLessThan(before / 2);
  });

  it('a custom module with parameters of its own learns y = 2x² − x + 0.5, and is saved and loaded', () => {
    const model = new Quadratic();
    const x = tensor([-1, -0.5, 0, 0.5, 1, 1.5]);
    const y = x.square().mul(2).sub(x).add(0.5);
    const opt = new Adam(model.parameters(), { lr: 0.1 });
    for (let i = 0; i < 500; i++) {
      opt.zeroGrad();
      mseLoss(model.forward(x), y).backward();
      opt.step();
    }
    Array.from(model.coefficients.data).forEach((c, i) => expect(c).toBeCloseTo([2, -1, 0.5][i], 4));
    registerModule('Quadratic', () => new Quadratic());
    try {
      const copy = modelFromJSON<Quadratic>(JSON.parse(JSON.stringify(modelToJSON(model))));
      expect(Array.from(copy.coefficients.data)).toEqual(Array.from(model.coefficients.data));
    } finally {
      unregisterModule('Quadratic');
    }
  });

  it('a GRU learns to sum a sequence: held-out MSE below 0.01 after 300 steps (the targets’ variance is 5/3)', () => {
    const rnn = new RNN(new GRUCell(1, 8, { seed: 1 }), { batchFirst: true });
    const head = new Linear(8, 1, { seed: 2 });
    const opt = new Adam([...rnn.parameters(), ...head.parameters()], { lr: 0.02 });
    const rng = createRng(3);
    const batch = (n: number) => {
      const x = rand([n, 5, 1], rng, { low: -1, high: 1 });
      return { x, y: x.sum(1) }; // [n, 1]: the sum over the 5 steps
    };
    const predict = (x: Tensor) => head.forward(rnn.forward(x)[1]);
    const test = batch(256);
    const before = noGrad(() => mseLoss(predict(test.x), test.y).item());
    for (let step = 0; step < 300; step++) {
      const { x, y } = batch(32);
      opt.zeroGrad();
      mseLoss(predict(x), y).backward();
      opt.step();
    }
    const after = noGrad(() => mseLoss(predict(test.x), test.y).item());
    expect(before).toBeGreaterThan(1);
    expect(after).toBeLessThan(0.01);
  }, 120_000); // about 1.5 s alone
});
