// Every loss against PyTorch 1.13 in float64 (fixtures/nn-reference.json): the value for each
// reduction and option, and the gradient of sum(y·w) with respect to the input (and the target
// where PyTorch gives one).
import { afterAll, describe, it } from 'vitest';
import type { Tensor } from '@gradlab/core';
import { bceLoss, bceWithLogitsLoss, crossEntropyLoss, huberLoss, l1Loss, mseLoss, nllLoss } from '../src/index.ts';
import { decode, expectClose, reference, worst, type Encoded } from './reference.ts';

type LossFn = (input: Tensor, target: Tensor, options: Record<string, unknown>) => Tensor;
const LOSSES: Record<string, LossFn> = { bceLoss, bceWithLogitsLoss, crossEntropyLoss, huberLoss, l1Loss, mseLoss, nllLoss };

describe(`losses against PyTorch ${reference.torch} (float64, 1e-12)`, () => {
  for (const c of reference.losses) {
    it(c.name, () => {
      const { fn, weight, posWeight, ...rest } = c.options;
      const options: Record<string, unknown> = { ...rest };
      if (weight) options.weight = decode(weight as Encoded);
      if (posWeight) options.posWeight = decode(posWeight as Encoded);
      const input = decode(c.input, { requiresGrad: true });
      const target = decode(c.target, { requiresGrad: c.gradTarget !== undefined });
      const y = LOSSES[fn](input, target, options);
      expectClose(y, c.y, `${c.name}: y`);
      y.mul(decode(c.w)).sum().backward();
      expectClose(input.grad!, c.gradInput, `${c.name}: ∂/∂input`);
      if (c.gradTarget) expectClose(target.grad!, c.gradTarget, `${c.name}: ∂/∂target`);
    });
  }
  afterAll(() => {
    console.log(`losses: largest difference from PyTorch ${worst.error.toExponential(2)} (${worst.where})`);
  });
});
