// The lab's losses by name: the graph's loss (for training and for pictures), the same loss of one
// prediction as a plain number (for the stop rule and the printout), its formula, and ∂loss/∂ŷ.
import type { Tensor } from '@gradlab/core';
import { BCE_EPSILON, bceLoss, mseLoss } from '@gradlab/nn';
import type { LossName } from './config.ts';

/** The loss as graph ops: `mse` is mean((ŷ − y)²), `bce` is −mean(y·ln ŷ + (1 − y)·ln(1 − ŷ)). */
export function lossFunction(name: LossName): (pred: Tensor, target: Tensor) => Tensor {
  return name === 'bce' ? bceLoss : mseLoss;
}

/** The loss of one prediction `p` against its label `y`, as the graph computes it for a batch of one. */
export function sampleLoss(name: LossName, p: number, y: number): number {
  if (name === 'mse') return (p - y) * (p - y);
  const q = Math.min(Math.max(p, BCE_EPSILON), 1 - BCE_EPSILON);
  return -(y * Math.log(q) + (1 - y) * Math.log(1 - q));
}

/** The loss's formula, as the folded graph node and the report show it. */
export function lossFormula(name: LossName): string {
  return name === 'bce' ? 'loss = −mean(y·ln ŷ + (1−y)·ln(1−ŷ))' : 'loss = mean((ŷ−y)²)';
}

/** ∂loss/∂ŷ for one sample, as the lab's hand derivation writes it. */
export function lossDerivative(name: LossName): { formula: string; value: (p: number, y: number) => number } {
  if (name === 'mse') return { formula: '∂loss/∂ŷ = 2(ŷ − y)', value: (p, y) => 2 * (p - y) };
  return {
    formula: '∂loss/∂ŷ = (ŷ − y) / (ŷ(1 − ŷ))',
    // clamp's derivative is 0 where ŷ was clamped, as in the graph
    value: (p, y) => (p < BCE_EPSILON || p > 1 - BCE_EPSILON ? 0 : -(y / p) + (1 - y) / (1 - p)),
  };
}
