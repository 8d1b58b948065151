// Stochastic gradient descent with optional momentum (PyTorch's semantics, no dampening).
import type { Tensor } from '@gradlab/core';
import { Optimizer } from './optimizer.ts';

export interface SGDOptions {
  /** Step size, > 0. */
  lr: number;
  /** μ in [0, 1); 0 (the default) is plain gradient descent, the lab's W −= lr·dW. */
  momentum?: number;
}

/**
 * Per parameter p with gradient g:
 *   v ← μ·v + g        (v starts at 0, so the first step has v = g)
 *   p ← p − lr·v
 */
export class SGD extends Optimizer {
  readonly momentum: number;
  /** v of each parameter (allocated on its first step when μ > 0). */
  private readonly velocity: (Float64Array | null)[];

  constructor(params: readonly Tensor[], options: SGDOptions) {
    super('SGD', params, options.lr);
    const { momentum = 0 } = options;
    if (!Number.isFinite(momentum) || momentum < 0 || momentum >= 1) {
      throw new Error(`SGD: momentum must be in [0, 1), got ${momentum}`);
    }
    this.momentum = momentum;
    this.velocity = this.params.map(() => null);
  }

  protected update(p: Float64Array, g: Float64Array, i: number): void {
    const lr = this.lr;
    if (this.momentum === 0) {
      for (let k = 0; k < p.length; k++) p[k] -= lr * g[k];
      return;
    }
    const v = (this.velocity[i] ??= new Float64Array(p.length));
    for (let k = 0; k < p.length; k++) {
      v[k] = this.momentum * v[k] + g[k];
      p[k] -= lr * v[k];
    }
  }
}
