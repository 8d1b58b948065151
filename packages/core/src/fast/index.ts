// The fast path of the backward walk, in one place. A teaching rule states the derivative once
// (sigmoid: ∂y/∂x = y·(1−y), a partial the walk multiplies by the incoming gradient: three ops);
// here each such rule gets a faster vjp that computes the same numbers bit for bit with one op
// (sigmoidBackward, matmulNT, …) or none (add hands its gradient on unchanged). Detaching them
// leaves a slower library that computes the same numbers (the core tests run both ways).
import { addOp } from '../ops/add.ts';
import { leakyReluOp } from '../ops/leakyRelu.ts';
import { batchedMatmulOp } from '../ops/batchedMatmul.ts';
import { matmulOp } from '../ops/matmul.ts';
import { neg, negOp } from '../ops/neg.ts';
import { powOp } from '../ops/pow.ts';
import { reluOp } from '../ops/relu.ts';
import { sigmoidOp } from '../ops/sigmoid.ts';
import { subOp } from '../ops/sub.ts';
import { tanhOp } from '../ops/tanh.ts';
import {
  leakyReluBackward, leakyReluBackwardOp, powBackward, powBackwardOp, reluBackward, reluBackwardOp, sigmoidBackward,
  sigmoidBackwardOp, tanhBackward, tanhBackwardOp,
} from './backward-ops.ts';
import { batchedMatmulNT, batchedMatmulTN, matmulNT, matmulTN } from './matmul.ts';

export * from './backward-ops.ts';
export * from './matmul.ts';

let attached = false;

/** Attaches (true) or detaches (false) every fast vjp. */
function setFast(on: boolean): void {
  // ∂(a ± b)/∂a = 1: grad·1 is grad;  ∂(a − b)/∂b = ∂(−x)/∂x = −1: grad·(−1) is −grad
  addOp.setFastVjp('a', on ? ({ grad }) => grad : null);
  addOp.setFastVjp('b', on ? ({ grad }) => grad : null);
  subOp.setFastVjp('a', on ? ({ grad }) => grad : null);
  subOp.setFastVjp('b', on ? ({ grad }) => neg(grad) : null);
  negOp.setFastVjp('x', on ? ({ grad }) => neg(grad) : null);
  // activations: grad·f′ as one op
  sigmoidOp.setFastVjp('x', on ? ({ grad, result }) => sigmoidBackward(grad, result) : null);
  tanhOp.setFastVjp('x', on ? ({ grad, result }) => tanhBackward(grad, result) : null);
  reluOp.setFastVjp('x', on ? ({ grad, x }) => reluBackward(grad, x) : null);
  leakyReluOp.setFastVjp('x', on ? ({ grad, x, attrs: { slope } }) => leakyReluBackward(grad, x, slope) : null);
  powOp.setFastVjp('x', on ? ({ grad, x, attrs: { exponent } }) => powBackward(grad, x, exponent) : null);
  // and the same for the backward ops' own first inputs (gradients of gradients)
  sigmoidBackwardOp.setFastVjp('dy', on ? ({ grad, y }) => sigmoidBackward(grad, y) : null);
  tanhBackwardOp.setFastVjp('dy', on ? ({ grad, y }) => tanhBackward(grad, y) : null);
  reluBackwardOp.setFastVjp('dy', on ? ({ grad, x }) => reluBackward(grad, x) : null);
  leakyReluBackwardOp.setFastVjp('dy', on ? ({ grad, x, attrs: { slope } }) => leakyReluBackward(grad, x, slope) : null);
  powBackwardOp.setFastVjp('dy', on ? ({ grad, x, attrs: { exponent } }) => powBackward(grad, x, exponent) : null);
  // matmul: ∂L/∂A = ∂L/∂C·Bᵀ and ∂L/∂B = Aᵀ·∂L/∂C without making the transposes
  matmulOp.setFastVjp('a', on ? ({ grad, b }) => matmulNT(grad, b) : null);
  matmulOp.setFastVjp('b', on ? ({ grad, a }) => matmulTN(a, grad) : null);
  // and per matrix of a batched matmul (2-D matmul is an op of its own: its rules stay as they are)
  batchedMatmulOp.setFastVjp('a', on ? ({ grad, b }) => batchedMatmulNT(grad, b) : null);
  batchedMatmulOp.setFastVjp('b', on ? ({ grad, a }) => batchedMatmulTN(a, grad) : null);
  attached = on;
}

/** Attaches the fast vjps (done when @gradlab/core loads). */
export function attachFastRules(): void {
  setFast(true);
}

/** Detaches them: every gradient is then computed by the teaching rules alone. */
export function detachFastRules(): void {
  setFast(false);
}

export function fastRulesAttached(): boolean {
  return attached;
}

attachFastRules();
