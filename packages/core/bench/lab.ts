// The lab's per-sample step ([2,3,3,1], sigmoid, no bias, MSE, SGD lr 0.8 on XOR-easy) written
// with core alone, eager and compiled, each case starting from the same weights and seeing the
// samples in the same order.
import { compile, type FusableOptimizer, type Tensor } from '../src/index.ts';
import { LR, labWeights, xs, ys, type LabCase } from './harness.ts';

/** The lab's forward pass and loss, written with core ops. */
function labLoss(weights: readonly Tensor[], x: Tensor, y: Tensor): Tensor {
  const [w1, w2, w3] = weights;
  const h1 = x.matmul(w1).sigmoid();
  const h2 = h1.matmul(w2).sigmoid();
  const out = h2.matmul(w3).sigmoid();
  return out.sub(y).pow(2).mean();
}

export function eagerCase(): LabCase {
  const weights = labWeights();
  return {
    name: 'gradlab eager (core ops)',
    step: (i) => {
      for (const w of weights) w.grad = null;
      labLoss(weights, xs[i], ys[i]).backward();
      for (const w of weights) {
        const values = w.data;
        const g = w.grad!.data;
        for (let k = 0; k < values.length; k++) values[k] -= LR * g[k];
        w.markChanged();
      }
    },
    weights: () => weights.map((w) => w.data as Float64Array),
  };
}

/** W ← W − lr·∂L/∂W as an optimizer hands it to compile (nn's SGD gives the same rule). */
function gradientDescent(params: readonly Tensor[], lr: number): FusableOptimizer {
  return {
    parameterUpdate: () => ({
      name: 'gradient descent',
      params,
      state: [],
      scalars: ['lr'],
      rules: [{ target: 'value', args: ['value', 'grad', 'lr'], f: (p, g, rate) => p - rate * g }],
      stateOf: () => [],
      prepare: (_i, out) => {
        out[0] = lr;
      },
    }),
  };
}

export function compiledCase(): LabCase {
  const weights = labWeights();
  const step = compile((x: Tensor, y: Tensor) => labLoss(weights, x, y), { optimizer: gradientDescent(weights, LR) });
  return {
    name: 'gradlab compiled (core ops, update in the program)',
    step: (i) => step.run(xs[i], ys[i]),
    weights: () => weights.map((w) => w.data as Float64Array),
  };
}
