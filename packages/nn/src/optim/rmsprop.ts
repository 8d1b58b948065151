// RMSprop (Hinton's lecture 6e), as torch.optim.RMSprop: optional momentum, centring and weight decay.
import type { FusableOptimizer, ParameterUpdate, Tensor } from '@gradlab/core';
import { checkFlag, checkLearningRate, checkOption, Optimizer, rejectUnknown, type ParamGroupInput, type ParameterOptimizerState } from './optimizer.ts';

export interface RMSpropOptions {
  /** Step size, > 0 (default 0.01). */
  lr?: number;
  /** α in [0, 1): decay of the running mean of g² (default 0.99). */
  alpha?: number;
  /** ε > 0 added to the root (default 1e-8). */
  eps?: number;
  /** λ ≥ 0: adds λ·p to the gradient (default 0). */
  weightDecay?: number;
  /** μ in [0, 1) (default 0). */
  momentum?: number;
  /** Divide by the centred root √(s − a²), a the running mean of g (default false). */
  centered?: boolean;
}

type RMSpropGroup = Required<RMSpropOptions>;

/** s ← α·s + (1 − α)·d², d = g + λ·p */
const squareAverage = (s: number, g: number, p: number, alpha: number, weightDecay: number): number =>
  alpha * s + (1 - alpha) * (g + weightDecay * p) * (g + weightDecay * p);
/** a ← α·a + (1 − α)·d */
const gradAverage = (a: number, g: number, p: number, alpha: number, weightDecay: number): number => alpha * a + (1 - alpha) * (g + weightDecay * p);
/** b ← μ·b + d / (√(s, or s − a² centred) + ε) */
const momentumBuffer = (b: number, g: number, p: number, s: number, a: number, momentum: number, weightDecay: number, eps: number, centered: number): number =>
  momentum * b + (g + weightDecay * p) / (Math.sqrt(centered ? s - a * a : s) + eps);
/** p ← p − lr·b with momentum, else p − lr·d / (√(s, or s − a²) + ε) */
const rmspropStep = (p: number, g: number, s: number, a: number, b: number, lr: number, momentum: number, weightDecay: number, eps: number, centered: number): number =>
  momentum > 0 ? p - lr * b : p - lr * ((g + weightDecay * p) / (Math.sqrt(centered ? s - a * a : s) + eps));

const KNOWN = ['lr', 'alpha', 'eps', 'weightDecay', 'momentum', 'centered'] as const;

function checkRMSprop(options: Partial<RMSpropOptions>, where: string): RMSpropGroup {
  rejectUnknown(where, options, KNOWN);
  const { lr, alpha = 0.99, eps = 1e-8, weightDecay = 0, momentum = 0, centered = false } = options;
  return {
    lr: checkLearningRate(where, lr),
    alpha: checkOption(where, 'alpha', alpha, (a) => a >= 0 && a < 1, 'in [0, 1)'),
    eps: checkOption(where, 'eps', eps, (e) => e > 0, 'a finite number > 0'),
    weightDecay: checkOption(where, 'weightDecay', weightDecay, (w) => w >= 0, 'a finite number ≥ 0'),
    momentum: checkOption(where, 'momentum', momentum, (m) => m >= 0 && m < 1, 'in [0, 1)'),
    centered: checkFlag(where, 'centered', centered),
  };
}

/**
 * Per parameter p with gradient g, d = g + λ·p:
 *   s ← α·s + (1 − α)·d²       (centred: also a ← α·a + (1 − α)·d, and the root is √(s − a²))
 *   r = √s + ε
 *   without momentum: p ← p − lr·d/r;   with μ > 0: b ← μ·b + d/r, p ← p − lr·b
 * as torch.optim.RMSprop. Every buffer is kept (s, a, b), whichever options are on.
 */
export class RMSprop extends Optimizer<RMSpropGroup> implements FusableOptimizer {
  protected readonly bufferNames = ['squareAvg', 'gradAvg', 'momentumBuffer'] as const;

  constructor(params: readonly Tensor[] | readonly ParamGroupInput<RMSpropGroup>[], options: RMSpropOptions = {}) {
    super('RMSprop', params, { lr: 0.01, ...options }, checkRMSprop);
  }

  protected update(i: number, p: Float64Array, g: Float64Array, state: ParameterOptimizerState): void {
    const { lr, alpha, eps, weightDecay, momentum, centered } = this.groupOf[i];
    state.step += 1;
    const c = centered ? 1 : 0;
    const { squareAvg: s, gradAvg: a, momentumBuffer: b } = state.buffers;
    for (let k = 0; k < p.length; k++) {
      s[k] = squareAverage(s[k], g[k], p[k], alpha, weightDecay);
      a[k] = gradAverage(a[k], g[k], p[k], alpha, weightDecay);
      b[k] = momentumBuffer(b[k], g[k], p[k], s[k], a[k], momentum, weightDecay, eps, c);
      p[k] = rmspropStep(p[k], g[k], s[k], a[k], b[k], lr, momentum, weightDecay, eps, c);
    }
  }

  parameterUpdate(): ParameterUpdate<'squareAvg' | 'gradAvg' | 'momentumBuffer', 'lr' | 'alpha' | 'eps' | 'weightDecay' | 'momentum' | 'centered'> {
    return {
      name: 'RMSprop',
      params: this.params,
      state: ['squareAvg', 'gradAvg', 'momentumBuffer'],
      scalars: ['lr', 'alpha', 'eps', 'weightDecay', 'momentum', 'centered'],
      rules: [
        { target: 'squareAvg', args: ['squareAvg', 'grad', 'value', 'alpha', 'weightDecay'], f: squareAverage },
        { target: 'gradAvg', args: ['gradAvg', 'grad', 'value', 'alpha', 'weightDecay'], f: gradAverage },
        {
          target: 'momentumBuffer',
          args: ['momentumBuffer', 'grad', 'value', 'squareAvg', 'gradAvg', 'momentum', 'weightDecay', 'eps', 'centered'],
          f: momentumBuffer,
        },
        {
          target: 'value',
          args: ['value', 'grad', 'squareAvg', 'gradAvg', 'momentumBuffer', 'lr', 'momentum', 'weightDecay', 'eps', 'centered'],
          f: rmspropStep,
        },
      ],
      stateOf: (i) => {
        const { squareAvg, gradAvg, momentumBuffer: b } = this.stateOf(i).buffers;
        return [squareAvg, gradAvg, b];
      },
      prepare: (i, out) => {
        const { lr, alpha, eps, weightDecay, momentum, centered } = this.groupOf[i];
        this.stateOf(i).step += 1;
        out[0] = lr;
        out[1] = alpha;
        out[2] = eps;
        out[3] = weightDecay;
        out[4] = momentum;
        out[5] = centered ? 1 : 0;
      },
    };
  }
}
