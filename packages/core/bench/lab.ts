// The lab's per-sample step ([2,3,3,1], sigmoid, no bias, MSE, SGD lr 0.8 on XOR-easy) in
// each engine, every one starting from the same weights and seeing the samples in the same order.
import { compile, tensor, type Tensor } from '../src/index.ts';
import { generateXOREasy } from '../../data/src/index.ts';
import { mlp, mseLoss, SGD } from '../../nn/src/index.ts';
import { fusedStep, type FusedNet } from './fused.ts';

export const LR = 0.8;
const data = generateXOREasy();
export const SAMPLES = data.labels.size;
const X = data.inputs.data;
const Y = data.labels.data;
/** One [1,2] input and one [1,1] label per sample, made once (as the lab trainer does). */
const xs: Tensor[] = [];
const ys: Tensor[] = [];
for (let i = 0; i < SAMPLES; i++) {
  xs.push(tensor(X.slice(2 * i, 2 * i + 2), { shape: [1, 2] }));
  ys.push(tensor(Y.slice(i, i + 1), { shape: [1, 1] }));
}

/** A case: `step(i)` trains on sample i; `weights()` reads the weights afterwards. */
export interface LabCase {
  name: string;
  step: (i: number) => void;
  weights: () => Float64Array[];
}

/** The lab's initial weights (mlp seed 11, the lab preset), copied fresh for each case. */
function initialWeights(): Tensor[] {
  return mlp([2, 3, 3, 1], { bias: false, seed: 11 })
    .parameters()
    .map((p) => p.clone({ requiresGrad: true }));
}

export function fusedCase(): LabCase {
  const [w1, w2, w3] = initialWeights().map((w) => w.data.slice());
  const net: FusedNet = { w1, w2, w3 };
  return {
    name: 'hand-written fused loop',
    step: (i) => fusedStep(net, X[2 * i], X[2 * i + 1], Y[i], LR),
    weights: () => [net.w1, net.w2, net.w3],
  };
}

/** The lab's forward pass and loss, written with core ops. */
function labLoss(weights: readonly Tensor[], x: Tensor, y: Tensor): Tensor {
  const [w1, w2, w3] = weights;
  const h1 = x.matmul(w1).sigmoid();
  const h2 = h1.matmul(w2).sigmoid();
  const out = h2.matmul(w3).sigmoid();
  return out.sub(y).pow(2).mean();
}

export function eagerCase(): LabCase {
  const weights = initialWeights();
  return {
    name: 'gradlab eager (core ops)',
    step: (i) => {
      for (const w of weights) w.grad = null;
      labLoss(weights, xs[i], ys[i]).backward();
      for (const w of weights) {
        const values = w.data;
        const g = w.grad!.data;
        for (let k = 0; k < values.length; k++) values[k] -= LR * g[k];
      }
    },
    weights: () => weights.map((w) => w.data),
  };
}

export function eagerNnCase(): LabCase {
  const model = mlp([2, 3, 3, 1], { bias: false, seed: 11 });
  const optimizer = new SGD(model.parameters(), { lr: LR });
  return {
    name: 'gradlab eager (nn: mlp + SGD)',
    step: (i) => {
      optimizer.zeroGrad();
      mseLoss(model.forward(xs[i]), ys[i]).backward();
      optimizer.step();
    },
    weights: () => model.parameters().map((p) => p.data),
  };
}

export function compiledCase(): LabCase {
  const weights = initialWeights();
  const step = compile((x: Tensor, y: Tensor) => labLoss(weights, x, y), { optimizer: new SGD(weights, { lr: LR }) });
  return {
    name: 'gradlab compiled (SGD in the program)',
    step: (i) => step.run(xs[i], ys[i]),
    weights: () => weights.map((w) => w.data),
  };
}

export function compiledNnCase(): LabCase {
  const model = mlp([2, 3, 3, 1], { bias: false, seed: 11 });
  const optimizer = new SGD(model.parameters(), { lr: LR });
  const step = compile((x: Tensor, y: Tensor) => mseLoss(model.forward(x), y));
  return {
    name: 'gradlab compiled (nn model, nn SGD)',
    step: (i) => {
      step.run(xs[i], ys[i]);
      optimizer.step();
    },
    weights: () => model.parameters().map((p) => p.data),
  };
}
