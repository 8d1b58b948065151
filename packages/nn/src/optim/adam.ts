// Adam (Kingma & Ba 2015) with bias correction and L2 weight decay, and AdamW (Loshchilov &
// Hutter 2019, decoupled weight decay), written as PyTorch's torch.optim.Adam / AdamW compute them.
import type { FusableOptimizer, ParameterUpdate, Tensor } from '@gradlab/core';
import { GradlabError } from '@gradlab/core';
import { describeValue } from '../check.ts';
import { checkLearningRate, checkOption, Optimizer, rejectUnknown, type ParamGroupInput, type ParameterOptimizerState } from './optimizer.ts';

export interface AdamOptions {
  /** Step size, > 0 (default 0.001). */
  lr?: number;
  /** β₁, β₂ in [0, 1): decay of the running mean of g and of g² (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** ε > 0, added to √v̂ so the step stays bounded (default 1e-8; 0 would divide 0 by 0 at a zero gradient). */
  eps?: number;
  /** λ ≥ 0. Adam: adds λ·p to the gradient (L2, default 0); AdamW: p ← p·(1 − lr·λ) before the step (default 0.01). */
  weightDecay?: number;
}

type AdamGroup = Required<AdamOptions>;

/** m ← β₁·m + (1 − β₁)·(g + λ·p) */
const firstMoment = (m: number, g: number, p: number, beta1: number, l2: number): number => beta1 * m + (1 - beta1) * (g + l2 * p);
/** v ← β₂·v + (1 − β₂)·(g + λ·p)² */
const secondMoment = (v: number, g: number, p: number, beta2: number, l2: number): number => beta2 * v + (1 - beta2) * (g + l2 * p) * (g + l2 * p);
/** p ← p·decay − stepSize·m / (√v / √(1 − β₂ᵗ) + ε) */
const adamStep = (p: number, m: number, v: number, stepSize: number, sqrtCorrection2: number, eps: number, decay: number): number =>
  p * decay - (stepSize * m) / (Math.sqrt(v) / sqrtCorrection2 + eps);

const KNOWN = ['lr', 'betas', 'eps', 'weightDecay'] as const;

function checkAdam(options: Partial<AdamOptions>, where: string): AdamGroup {
    rejectUnknown(where, options, KNOWN);
    const { lr, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0 } = options;
    if (!Array.isArray(betas) || betas.length !== 2) throw new GradlabError(`${where}: betas must be two numbers [β₁, β₂], got ${describeValue(betas)}`);
    betas.forEach((b, i) => checkOption(where, `betas[${i}]`, b, (x) => x >= 0 && x < 1, 'in [0, 1)'));
    return {
      lr: checkLearningRate(where, lr),
      betas: Object.freeze<[number, number]>([betas[0], betas[1]]),
      eps: checkOption(where, 'eps', eps, (e) => e > 0, 'a finite number > 0 (with eps 0 a zero gradient gives 0/0 = NaN)'),
      weightDecay: checkOption(where, 'weightDecay', weightDecay, (w) => w >= 0, 'a finite number ≥ 0'),
    };
}

/**
 * Per parameter p with gradient g, at its t-th step (t = 1, 2, ...), with d = g + λ·p (Adam's
 * weightDecay λ; AdamW uses d = g and shrinks p instead):
 *   m ← β₁·m + (1 − β₁)·d          v ← β₂·v + (1 − β₂)·d²         (m, v start at 0)
 *   m̂ = m / (1 − β₁ᵗ)              v̂ = v / (1 − β₂ᵗ)              (bias correction)
 *   p ← p − lr·m̂ / (√v̂ + ε)         (AdamW: p ← p·(1 − lr·λ) − lr·m̂ / (√v̂ + ε))
 * computed as PyTorch does: p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε).
 * `step()` applies it to `.grad`; `compile(step, { optimizer })` runs the same functions inside a
 * compiled step (see `parameterUpdate()`).
 */
export class Adam extends Optimizer<AdamGroup> implements FusableOptimizer {
  protected readonly bufferNames = ['m', 'v'] as const;
  /** AdamW's: the weight decay shrinks p instead of adding to the gradient. */
  protected static readonly decoupledWeightDecay: boolean = false;
  protected static readonly defaultWeightDecay: number = 0;
  private readonly decoupled: boolean;

  constructor(params: readonly Tensor[] | readonly ParamGroupInput<AdamGroup>[], options: AdamOptions = {}) {
    const kind = new.target;
    super(kind.name, params, { lr: 0.001, weightDecay: kind.defaultWeightDecay, ...options }, checkAdam);
    this.decoupled = kind.decoupledWeightDecay;
  }

  /** β of the first group. */
  get betas(): readonly [number, number] {
    return this.paramGroups[0].betas;
  }

  /** ε of the first group. */
  get eps(): number {
    return this.paramGroups[0].eps;
  }

  protected update(i: number, p: Float64Array, g: Float64Array, state: ParameterOptimizerState): void {
    const s = this.scalars(i, state);
    const { m, v } = state.buffers;
    const [beta1, beta2, l2, stepSize, sqrtCorrection2, eps, decay] = s;
    for (let k = 0; k < p.length; k++) {
      m[k] = firstMoment(m[k], g[k], p[k], beta1, l2);
      v[k] = secondMoment(v[k], g[k], p[k], beta2, l2);
      p[k] = adamStep(p[k], m[k], v[k], stepSize, sqrtCorrection2, eps, decay);
    }
  }

  /** The update as per-element rules for `compile(step, { optimizer })`; the options are read at every run. */
  parameterUpdate(): ParameterUpdate<'m' | 'v', 'beta1' | 'beta2' | 'l2' | 'stepSize' | 'sqrtCorrection2' | 'eps' | 'decay'> {
    return {
      name: this.name,
      params: this.params,
      state: ['m', 'v'],
      scalars: ['beta1', 'beta2', 'l2', 'stepSize', 'sqrtCorrection2', 'eps', 'decay'],
      rules: [
        { target: 'm', args: ['m', 'grad', 'value', 'beta1', 'l2'], f: firstMoment },
        { target: 'v', args: ['v', 'grad', 'value', 'beta2', 'l2'], f: secondMoment },
        { target: 'value', args: ['value', 'm', 'v', 'stepSize', 'sqrtCorrection2', 'eps', 'decay'], f: adamStep },
      ],
      stateOf: (i) => {
        const { m, v } = this.stateOf(i).buffers;
        return [m, v];
      },
      prepare: (i, out) => {
        out.set(this.scalars(i, this.stateOf(i)));
      },
    };
  }

  /** Counts the step and gives [β₁, β₂, λ for L2, lr/(1 − β₁ᵗ), √(1 − β₂ᵗ), ε, 1 − lr·λ for AdamW]. */
  private scalars(i: number, state: ParameterOptimizerState): [number, number, number, number, number, number, number] {
    const { lr, betas, eps, weightDecay } = this.groupOf[i];
    const t = (state.step += 1);
    const decoupled = this.decoupled;
    return [betas[0], betas[1], decoupled ? 0 : weightDecay, lr / (1 - betas[0] ** t), Math.sqrt(1 - betas[1] ** t), eps, decoupled ? 1 - lr * weightDecay : 1];
  }
}

/**
 * AdamW: Adam with decoupled weight decay (default λ = 0.01), as torch.optim.AdamW:
 *   p ← p·(1 − lr·λ), then the Adam step on the plain gradient g.
 */
export class AdamW extends Adam {
  protected static override readonly decoupledWeightDecay: boolean = true;
  protected static override readonly defaultWeightDecay: number = 0.01;
}
