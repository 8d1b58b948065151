// Stochastic gradient descent with optional momentum (PyTorch's semantics, no dampening).
import type { FusableOptimizer, ParameterUpdate, Tensor } from '@gradlab/core';
import { Optimizer } from './optimizer.ts';

export interface SGDOptions {
  /** Step size, > 0. */
  lr: number;
  /** μ in [0, 1); 0 (the default) is plain gradient descent, the lab's W −= lr·dW. */
  momentum?: number;
}

/** p ← p − lr·d, where d is the gradient (or, with momentum, the velocity). */
const descend = (p: number, d: number, lr: number): number => p - lr * d;
/** v ← μ·v + g. */
const accumulate = (v: number, g: number, momentum: number): number => momentum * v + g;

/**
 * Per parameter p with gradient g:
 *   v ← μ·v + g        (v starts at 0, so the first step has v = g)
 *   p ← p − lr·v
 * `step()` applies it to `.grad`; `compile(step, { optimizer })` runs the same rules inside a
 * compiled step (see `parameterUpdate()`).
 */
export class SGD extends Optimizer implements FusableOptimizer {
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
      for (let k = 0; k < p.length; k++) p[k] = descend(p[k], g[k], lr);
      return;
    }
    const v = this.velocityOf(i);
    const momentum = this.momentum;
    for (let k = 0; k < p.length; k++) {
      v[k] = accumulate(v[k], g[k], momentum);
      p[k] = descend(p[k], v[k], lr);
    }
  }

  /** The update as per-element rules for `compile(step, { optimizer })`; lr is read at every run. */
  parameterUpdate(): ParameterUpdate<'velocity', 'lr' | 'momentum'> {
    const plain = this.momentum === 0;
    return {
      name: 'SGD',
      params: this.params,
      state: plain ? [] : ['velocity'],
      scalars: plain ? ['lr'] : ['lr', 'momentum'],
      rules: plain
        ? [{ target: 'value', args: ['value', 'grad', 'lr'], f: descend }]
        : [
            { target: 'velocity', args: ['velocity', 'grad', 'momentum'], f: accumulate },
            { target: 'value', args: ['value', 'velocity', 'lr'], f: descend },
          ],
      stateOf: (i) => (plain ? [] : [this.velocityOf(i)]),
      prepare: (_i, out) => {
        out[0] = this.lr;
        if (!plain) out[1] = this.momentum;
      },
    };
  }

  private velocityOf(i: number): Float64Array {
    return (this.velocity[i] ??= new Float64Array(this.params[i].size));
  }
}
