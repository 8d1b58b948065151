// The computational graph of one training step, for pictures and the inspector.
import { tensor, type Tensor } from '@gradlab/core';
import { bceLoss, mseLoss } from '@gradlab/nn';
import type { LabTrainer } from './trainer.ts';

/**
 * Builds forward + loss for one sample with the model's current weights and runs backward,
 * keeping every intermediate gradient; returns the loss node (its graph hangs below it).
 * The parameters' `.grad` then holds this step's gradients (training zeroes them before each
 * of its own steps, so it is not disturbed).
 */
export function oneStepGraph(trainer: LabTrainer, sample = 0): Tensor {
  const { inputs, labels } = trainer.data;
  const n = labels.size;
  if (!Number.isInteger(sample) || sample < 0 || sample >= n) {
    throw new Error(`oneStepGraph: sample ${sample} is outside the data (0..${n - 1})`);
  }
  const x = tensor(inputs.data.slice(2 * sample, 2 * sample + 2), { shape: [1, 2], name: 'x' });
  const y = tensor(labels.data.slice(sample, sample + 1), { shape: [1, 1], name: 'y' });
  trainer.model.zeroGrad();
  const pred = trainer.model.forward(x);
  const loss = (trainer.config.loss === 'bce' ? bceLoss : mseLoss)(pred, y);
  loss.name = 'loss';
  loss.backward(undefined, { retainGrads: true });
  return loss;
}
