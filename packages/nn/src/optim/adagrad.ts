// Adagrad (Duchi et al. 2011), as torch.optim.Adagrad.
import type { FusableOptimizer, ParameterUpdate, Tensor } from '@gradlab/core';
import { checkLearningRate, checkOption, Optimizer, rejectUnknown, type ParamGroupInput, type ParameterOptimizerState } from './optimizer.ts';

export interface AdagradOptions {
  /** Step size, > 0 (default 0.01). */
  lr?: number;
  /** The step size at step t is lr / (1 + (t − 1)·lrDecay) (default 0). */
  lrDecay?: number;
  /** λ ≥ 0: adds λ·p to the gradient (default 0). */
  weightDecay?: number;
  /** Where the sum of squares starts (default 0). */
  initialAccumulatorValue?: number;
  /** ε > 0 added to the root (default 1e-10). */
  eps?: number;
}

type AdagradGroup = Required<AdagradOptions>;

/** s ← s + d², d = g + λ·p */
const accumulateSquares = (s: number, g: number, p: number, weightDecay: number): number => s + (g + weightDecay * p) * (g + weightDecay * p);
/** p ← p − clr·d / (√s + ε) */
const adagradStep = (p: number, g: number, s: number, clr: number, weightDecay: number, eps: number): number =>
  p - clr * ((g + weightDecay * p) / (Math.sqrt(s) + eps));

const KNOWN = ['lr', 'lrDecay', 'weightDecay', 'initialAccumulatorValue', 'eps'] as const;

function checkAdagrad(options: Partial<AdagradOptions>, where: string): AdagradGroup {
  rejectUnknown(where, options, KNOWN);
  const { lr, lrDecay = 0, weightDecay = 0, initialAccumulatorValue = 0, eps = 1e-10 } = options;
  return {
    lr: checkLearningRate(where, lr),
    lrDecay: checkOption(where, 'lrDecay', lrDecay, (d) => d >= 0, 'a finite number ≥ 0'),
    weightDecay: checkOption(where, 'weightDecay', weightDecay, (w) => w >= 0, 'a finite number ≥ 0'),
    initialAccumulatorValue: checkOption(where, 'initialAccumulatorValue', initialAccumulatorValue, (v) => v >= 0, 'a finite number ≥ 0'),
    eps: checkOption(where, 'eps', eps, (e) => e > 0, 'a finite number > 0'),
  };
}

/**
 * Per parameter p with gradient g, d = g + λ·p, at its t-th step:
 *   s ← s + d²        (s starts at initialAccumulatorValue)
 *   p ← p − clr·d / (√s + ε),   clr = lr / (1 + (t − 1)·lrDecay)
 */
export class Adagrad extends Optimizer<AdagradGroup> implements FusableOptimizer {
  protected readonly bufferNames = ['sum'] as const;

  constructor(params: readonly Tensor[] | readonly ParamGroupInput<AdagradGroup>[], options: AdagradOptions = {}) {
    super('Adagrad', params, { lr: 0.01, ...options }, checkAdagrad);
  }

  protected override initialBuffer(_name: string, size: number, i: number): Float64Array {
    return new Float64Array(size).fill(this.groupOf[i].initialAccumulatorValue);
  }

  protected update(i: number, p: Float64Array, g: Float64Array, state: ParameterOptimizerState): void {
    const { weightDecay, eps } = this.groupOf[i];
    const clr = this.stepSize(i, state);
    const s = state.buffers.sum;
    for (let k = 0; k < p.length; k++) {
      s[k] = accumulateSquares(s[k], g[k], p[k], weightDecay);
      p[k] = adagradStep(p[k], g[k], s[k], clr, weightDecay, eps);
    }
  }

  parameterUpdate(): ParameterUpdate<'sum', 'clr' | 'weightDecay' | 'eps'> {
    return {
      name: 'Adagrad',
      params: this.params,
      state: ['sum'],
      scalars: ['clr', 'weightDecay', 'eps'],
      rules: [
        { target: 'sum', args: ['sum', 'grad', 'value', 'weightDecay'], f: accumulateSquares },
        { target: 'value', args: ['value', 'grad', 'sum', 'clr', 'weightDecay', 'eps'], f: adagradStep },
      ],
      stateOf: (i) => [this.stateOf(i).buffers.sum],
      prepare: (i, out) => {
        out[0] = this.stepSize(i, this.stateOf(i));
        out[1] = this.groupOf[i].weightDecay;
        out[2] = this.groupOf[i].eps;
      },
    };
  }

  /** Counts the step; lr / (1 + (t − 1)·lrDecay). */
  private stepSize(i: number, state: ParameterOptimizerState): number {
    const { lr, lrDecay } = this.groupOf[i];
    const t = (state.step += 1);
    return lr / (1 + (t - 1) * lrDecay);
  }
}
