// The lab's losses by name: the graph's loss (for training and for pictures), the same loss of one
// prediction as a plain number (for the stop rule and the printout), its formula, and ∂loss/∂ŷ.
import type { Tensor } from '@gradlab/core';
import { BCE_EPSILON, bceLoss, crossEntropyLoss, mseLoss } from '@gradlab/nn';
import type { LossName } from './config.ts';

/**
 * The loss as graph ops: `mse` is mean((ŷ − y)²), `bce` is −mean(y·ln ŷ + (1 − y)·ln(1 − ŷ)),
 * `ce` is −mean(log softmax(ŷ)[y]) on the k raw outputs ŷ [n, k] and class indices y [n].
 */
export function lossFunction(name: LossName): (pred: Tensor, target: Tensor) => Tensor {
  if (name === 'ce') return crossEntropyLoss;
  return name === 'bce' ? bceLoss : mseLoss;
}

/**
 * The loss of one sample whose k outputs are `row[offset … offset + k)`, against its label `y`
 * (a class index for 'ce'): for k = 1 sampleLoss, for 'ce' log Σ exp(ŷ) − ŷ[y] (max-shifted).
 */
export function rowLoss(name: LossName, row: ArrayLike<number>, offset: number, k: number, y: number): number {
  if (name !== 'ce') return sampleLoss(name, row[offset], y);
  let max = -Infinity;
  for (let c = 0; c < k; c++) max = Math.max(max, row[offset + c]);
  let sum = 0;
  for (let c = 0; c < k; c++) sum += Math.exp(row[offset + c] - max);
  return max + Math.log(sum) - row[offset + y];
}

/** The loss of one prediction `p` against its label `y`, as the graph computes it for a batch of one. */
export function sampleLoss(name: LossName, p: number, y: number): number {
  if (name === 'mse') return (p - y) * (p - y);
  const q = Math.min(Math.max(p, BCE_EPSILON), 1 - BCE_EPSILON);
  return -(y * Math.log(q) + (1 - y) * Math.log(1 - q));
}

/** The loss's formula, as the folded graph node and the report show it. */
export function lossFormula(name: LossName): string {
  if (name === 'ce') return 'loss = −mean(ln softmax(ŷ)[y])';
  return name === 'bce' ? 'loss = −mean(y·ln ŷ + (1−y)·ln(1−ŷ))' : 'loss = mean((ŷ−y)²)';
}

/**
 * ∂loss/∂ŷ for one sample, as the lab's hand derivation writes it. 'ce' has one output per class:
 * its formula is the vector softmax(ŷ) − onehot(y), and `value` (one output's number) refuses.
 */
export function lossDerivative(name: LossName): { formula: string; value: (p: number, y: number) => number } {
  if (name === 'ce') {
    return {
      formula: '∂loss/∂ŷ = softmax(ŷ) − onehot(y)',
      value: () => {
        throw new Error('lossDerivative: the ce loss has one output per class; its ∂loss/∂ŷ is the vector softmax(ŷ) − onehot(y)');
      },
    };
  }
  if (name === 'mse') return { formula: '∂loss/∂ŷ = 2(ŷ − y)', value: (p, y) => 2 * (p - y) };
  return {
    formula: '∂loss/∂ŷ = (ŷ − y) / (ŷ(1 − ŷ))',
    // clamp's derivative is 0 where ŷ was clamped, as in the graph
    value: (p, y) => (p < BCE_EPSILON || p > 1 - BCE_EPSILON ? 0 : -(y / p) + (1 - y) / (1 - p)),
  };
}
