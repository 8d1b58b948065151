// Stochastic gradient descent with momentum, Nesterov momentum and weight decay (PyTorch's
// torch.optim.SGD without dampening).
import type { FusableOptimizer, ParameterUpdate, Tensor } from '@gradlab/core';
import { GradlabError } from '@gradlab/core';
import { checkFlag, checkLearningRate, checkOption, Optimizer, rejectUnknown, type ParamGroupInput, type ParameterOptimizerState } from './optimizer.ts';

export interface SGDOptions {
  /** Step size, > 0. */
  lr: number;
  /** μ in [0, 1); 0 (the default) is plain gradient descent, the lab's W −= lr·dW. */
  momentum?: number;
  /** λ ≥ 0: adds λ·p to the gradient (L2 regularisation; default 0). */
  weightDecay?: number;
  /** Nesterov momentum (needs μ > 0; default false). */
  nesterov?: boolean;
}

type SGDGroup = Required<SGDOptions>;

/** v ← μ·v + (g + λ·p)   (left as it is without momentum) */
const accumulate = (v: number, g: number, p: number, momentum: number, weightDecay: number): number =>
  momentum > 0 ? momentum * v + (g + weightDecay * p) : v;
/** p ← p − lr·v, or with Nesterov p ← p − lr·((g + λ·p) + μ·v); without momentum p ← p − lr·(g + λ·p) */
const descendMomentum = (p: number, g: number, v: number, lr: number, momentum: number, weightDecay: number, nesterov: number): number =>
  p - lr * (momentum > 0 ? (nesterov ? g + weightDecay * p + momentum * v : v) : g + weightDecay * p);

const KNOWN = ['lr', 'momentum', 'weightDecay', 'nesterov'] as const;

function checkSGD(options: Partial<SGDOptions>, where: string): SGDGroup {
  rejectUnknown(where, options, KNOWN);
  const { lr, momentum = 0, weightDecay = 0, nesterov = false } = options;
  const group: SGDGroup = {
    lr: checkLearningRate(where, lr),
    momentum: checkOption(where, 'momentum', momentum, (m) => m >= 0 && m < 1, 'in [0, 1)'),
    weightDecay: checkOption(where, 'weightDecay', weightDecay, (w) => w >= 0, 'a finite number ≥ 0'),
    nesterov: checkFlag(where, 'nesterov', nesterov),
  };
  if (group.nesterov && group.momentum === 0) throw new GradlabError(`${where}: nesterov needs momentum > 0`);
  return group;
}

/**
 * Per parameter p with gradient g, with d = g + λ·p (λ = weightDecay):
 *   without momentum (μ = 0): p ← p − lr·d
 *   with momentum μ > 0:      v ← μ·v + d   (v starts at 0, so the first step has v = d)
 *                             p ← p − lr·v, or with Nesterov p ← p − lr·(d + μ·v)
 * as torch.optim.SGD (dampening 0). `step()` applies it to `.grad`; `compile(step, { optimizer })`
 * runs the same functions inside a compiled step (see `parameterUpdate()`).
 */
export class SGD extends Optimizer<SGDGroup> implements FusableOptimizer {
  protected readonly bufferNames = ['velocity'] as const;

  constructor(params: readonly Tensor[] | readonly ParamGroupInput<SGDGroup>[], options: SGDOptions) {
    super('SGD', params, options, checkSGD);
  }

  /** μ of the first group (see `paramGroups` for the others). */
  get momentum(): number {
    return this.paramGroups[0].momentum;
  }

  protected update(i: number, p: Float64Array, g: Float64Array, state: ParameterOptimizerState): void {
    const { lr, momentum, weightDecay, nesterov } = this.groupOf[i];
    state.step += 1;
    const v = state.buffers.velocity;
    const n = nesterov ? 1 : 0;
    if (momentum === 0) {
      // descendMomentum with μ = 0, and v left as it is (accumulate's μ = 0 case)
      for (let k = 0; k < p.length; k++) p[k] = p[k] - lr * (g[k] + weightDecay * p[k]);
      return;
    }
    for (let k = 0; k < p.length; k++) {
      v[k] = accumulate(v[k], g[k], p[k], momentum, weightDecay);
      p[k] = descendMomentum(p[k], g[k], v[k], lr, momentum, weightDecay, n);
    }
  }

  /** The update as per-element rules for `compile(step, { optimizer })`; the options are read at every run. */
  parameterUpdate(): ParameterUpdate<'velocity', 'lr' | 'momentum' | 'weightDecay' | 'nesterov'> {
    return {
      name: 'SGD',
      params: this.params,
      state: ['velocity'],
      scalars: ['lr', 'momentum', 'weightDecay', 'nesterov'],
      rules: [
        { target: 'velocity', args: ['velocity', 'grad', 'value', 'momentum', 'weightDecay'], f: accumulate },
        { target: 'value', args: ['value', 'grad', 'velocity', 'lr', 'momentum', 'weightDecay', 'nesterov'], f: descendMomentum },
      ],
      stateOf: (i) => [this.stateOf(i).buffers.velocity],
      prepare: (i, out) => {
        const { lr, momentum, weightDecay, nesterov } = this.groupOf[i];
        this.stateOf(i).step += 1;
        out[0] = lr;
        out[1] = momentum;
        out[2] = weightDecay;
        out[3] = nesterov ? 1 : 0;
      },
    };
  }
}
