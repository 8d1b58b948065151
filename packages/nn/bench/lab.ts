// The lab's per-sample step ([2,3,3,1], sigmoid, no bias, MSE, SGD lr 0.8 on XOR-easy) with
// @gradlab/nn's mlp, mseLoss and SGD: eager, compiled with the SGD update in the program, and
// compiled with SGD stepping `.grad` after each run. The samples and the fused loop are core's
// benchmark's (@gradlab/core/bench).
import { compile, type Tensor } from '@gradlab/core';
import { LR, xs, ys, type LabCase } from '@gradlab/core/bench';
import { mlp, mseLoss, SGD } from '../src/index.ts';

/** The lab preset: the same weights as core's benchmark (`labWeights()`); the check says so. */
export const labModel = () => mlp([2, 3, 3, 1], { bias: false, seed: 11 });

export function eagerNnCase(): LabCase {
  const model = labModel();
  const optimizer = new SGD(model.parameters(), { lr: LR });
  return {
    name: 'gradlab eager (nn: mlp + SGD)',
    step: (i) => {
      optimizer.zeroGrad();
      mseLoss(model.forward(xs[i]), ys[i]).backward();
      optimizer.step();
    },
    weights: () => model.parameters().map((p) => p.data as Float64Array),
  };
}

export function compiledNnCase(): LabCase {
  const model = labModel();
  const optimizer = new SGD(model.parameters(), { lr: LR });
  const step = compile((x: Tensor, y: Tensor) => mseLoss(model.forward(x), y), { optimizer });
  return {
    name: 'gradlab compiled (nn, SGD in the program)',
    step: (i) => step.run(xs[i], ys[i]),
    weights: () => model.parameters().map((p) => p.data as Float64Array),
  };
}

export function compiledStepAfterCase(): LabCase {
  const model = labModel();
  const optimizer = new SGD(model.parameters(), { lr: LR });
  const step = compile((x: Tensor, y: Tensor) => mseLoss(model.forward(x), y));
  return {
    name: 'gradlab compiled (nn, SGD.step() after run)',
    step: (i) => {
      step.run(xs[i], ys[i]);
      optimizer.step();
    },
    weights: () => model.parameters().map((p) => p.data as Float64Array),
  };
}
