// Losses: scalars averaged over all elements, built from core ops (their gradients come from the graph).
import { formatShape, type Tensor } from '@gradlab/core';

/** ε of `bceLoss`: predictions are clamped into [ε, 1 − ε] so that log never sees 0. */
export const BCE_EPSILON = 1e-12;

function checkSameShape(lossName: string, pred: Tensor, target: Tensor): void {
  const same = pred.rank === target.rank && pred.shape.every((d, i) => d === target.shape[i]);
  if (!same) {
    throw new Error(
      `${lossName}: prediction of shape ${formatShape(pred.shape)} and target of shape ${formatShape(target.shape)} differ ` +
        `(the loss does not broadcast; reshape one of them)`,
    );
  }
}

/** L = mean((pred − target)²), over all N elements.      ∂L/∂pred = 2(pred − target)/N */
export function mseLoss(pred: Tensor, target: Tensor): Tensor {
  checkSameShape('mseLoss', pred, target);
  return pred.sub(target).pow(2).mean();
}

/**
 * Binary cross-entropy of probabilities p against labels y in [0, 1]:
 *   L = −mean(y·ln p + (1 − y)·ln(1 − p)),      ∂L/∂p = (p − y) / (p(1 − p)) / N
 * p is first clamped into [ε, 1 − ε] (ε = 1e-12) so L stays finite at p = 0 or 1 (at most
 * −ln ε ≈ 27.6 per element); where p was clamped the gradient is 0, as clamp's derivative is.
 */
export function bceLoss(pred: Tensor, target: Tensor): Tensor {
  checkSameShape('bceLoss', pred, target);
  const p = pred.clamp(BCE_EPSILON, 1 - BCE_EPSILON);
  const positive = target.mul(p.log());
  const negative = target.neg().add(1).mul(p.neg().add(1).log());
  return positive.add(negative).mean().neg();
}

/** `mseLoss` as an object, for code that passes a loss around. */
export class MSELoss {
  forward(pred: Tensor, target: Tensor): Tensor {
    return mseLoss(pred, target);
  }
  describe(): string {
    return 'MSELoss';
  }
  toString(): string {
    return this.describe();
  }
}

/** `bceLoss` as an object. */
export class BCELoss {
  forward(pred: Tensor, target: Tensor): Tensor {
    return bceLoss(pred, target);
  }
  describe(): string {
    return 'BCELoss';
  }
  toString(): string {
    return this.describe();
  }
}
