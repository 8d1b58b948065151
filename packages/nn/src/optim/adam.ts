// Adam (Kingma & Ba 2015) with bias correction, written as PyTorch's torch.optim.Adam computes it.
import type { FusableOptimizer, ParameterUpdate, Tensor } from '@gradlab/core';
import { Optimizer } from './optimizer.ts';

export interface AdamOptions {
  /** Step size, > 0 (default 0.001). */
  lr?: number;
  /** β₁, β₂ in [0, 1): decay of the running mean of g and of g² (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** ε ≥ 0, added to √v̂ so the step stays bounded (default 1e-8). */
  eps?: number;
}

/** m ← β₁·m + (1 − β₁)·g. */
const firstMoment = (m: number, g: number, beta1: number): number => beta1 * m + (1 - beta1) * g;
/** v ← β₂·v + (1 − β₂)·g². */
const secondMoment = (v: number, g: number, beta2: number): number => beta2 * v + (1 - beta2) * g * g;
/** p ← p − stepSize·m / (√v / √(1 − β₂ᵗ) + ε). */
const adamStep = (p: number, m: number, v: number, stepSize: number, sqrtCorrection2: number, eps: number): number =>
  p - (stepSize * m) / (Math.sqrt(v) / sqrtCorrection2 + eps);

interface AdamState {
  t: number;
  m: Float64Array;
  v: Float64Array;
}

/**
 * Per parameter p with gradient g, at its t-th step (t = 1, 2, ...):
 *   m ← β₁·m + (1 − β₁)·g          v ← β₂·v + (1 − β₂)·g²         (m, v start at 0)
 *   m̂ = m / (1 − β₁ᵗ)              v̂ = v / (1 − β₂ᵗ)              (bias correction)
 *   p ← p − lr·m̂ / (√v̂ + ε)
 * computed as PyTorch does: p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε).
 * `step()` applies it to `.grad`; `compile(step, { optimizer })` runs the same rules inside a
 * compiled step (see `parameterUpdate()`).
 */
export class Adam extends Optimizer implements FusableOptimizer {
  readonly betas: readonly [number, number];
  readonly eps: number;
  /** Per parameter: its step count t and running moments m, v (created on its first step). */
  private readonly state: (AdamState | null)[];

  constructor(params: readonly Tensor[], options: AdamOptions = {}) {
    const { lr = 0.001, betas = [0.9, 0.999], eps = 1e-8 } = options;
    super('Adam', params, lr);
    if ((betas as readonly number[]).length !== 2) throw new Error(`Adam: betas must be two numbers [β₁, β₂]`);
    betas.forEach((b, i) => {
      if (!Number.isFinite(b) || b < 0 || b >= 1) throw new Error(`Adam: betas[${i}] must be in [0, 1), got ${b}`);
    });
    if (!Number.isFinite(eps) || eps < 0) throw new Error(`Adam: eps must be a finite number ≥ 0, got ${eps}`);
    this.betas = [betas[0], betas[1]];
    this.eps = eps;
    this.state = this.params.map(() => null);
  }

  protected update(p: Float64Array, g: Float64Array, i: number): void {
    const [beta1, beta2] = this.betas;
    const s = this.stateOf(i);
    s.t += 1;
    const stepSize = this.stepSize(s.t);
    const sqrtCorrection2 = this.sqrtCorrection2(s.t);
    const eps = this.eps;
    for (let k = 0; k < p.length; k++) {
      s.m[k] = firstMoment(s.m[k], g[k], beta1);
      s.v[k] = secondMoment(s.v[k], g[k], beta2);
      p[k] = adamStep(p[k], s.m[k], s.v[k], stepSize, sqrtCorrection2, eps);
    }
  }

  /** The update as per-element rules for `compile(step, { optimizer })`; lr is read at every run. */
  parameterUpdate(): ParameterUpdate<'m' | 'v', 'beta1' | 'beta2' | 'stepSize' | 'sqrtCorrection2' | 'eps'> {
    return {
      name: 'Adam',
      params: this.params,
      state: ['m', 'v'],
      scalars: ['beta1', 'beta2', 'stepSize', 'sqrtCorrection2', 'eps'],
      rules: [
        { target: 'm', args: ['m', 'grad', 'beta1'], f: firstMoment },
        { target: 'v', args: ['v', 'grad', 'beta2'], f: secondMoment },
        { target: 'value', args: ['value', 'm', 'v', 'stepSize', 'sqrtCorrection2', 'eps'], f: adamStep },
      ],
      stateOf: (i) => {
        const s = this.stateOf(i);
        return [s.m, s.v];
      },
      prepare: (i, out) => {
        const s = this.stateOf(i);
        s.t += 1;
        out[0] = this.betas[0];
        out[1] = this.betas[1];
        out[2] = this.stepSize(s.t);
        out[3] = this.sqrtCorrection2(s.t);
        out[4] = this.eps;
      },
    };
  }

  /** lr / (1 − β₁ᵗ). */
  private stepSize(t: number): number {
    return this.lr / (1 - this.betas[0] ** t);
  }

  /** √(1 − β₂ᵗ). */
  private sqrtCorrection2(t: number): number {
    return Math.sqrt(1 - this.betas[1] ** t);
  }

  private stateOf(i: number): AdamState {
    const size = this.params[i].size;
    return (this.state[i] ??= { t: 0, m: new Float64Array(size), v: new Float64Array(size) });
  }
}
