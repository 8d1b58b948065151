// Adam (Kingma & Ba 2015) with bias correction, written as PyTorch's torch.optim.Adam computes it.
import type { Tensor } from '@gradlab/core';
import { Optimizer } from './optimizer.ts';

export interface AdamOptions {
  /** Step size, > 0 (default 0.001). */
  lr?: number;
  /** β₁, β₂ in [0, 1): decay of the running mean of g and of g² (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** ε ≥ 0, added to √v̂ so the step stays bounded (default 1e-8). */
  eps?: number;
}

/**
 * Per parameter p with gradient g, at its t-th step (t = 1, 2, ...):
 *   m ← β₁·m + (1 − β₁)·g          v ← β₂·v + (1 − β₂)·g²         (m, v start at 0)
 *   m̂ = m / (1 − β₁ᵗ)              v̂ = v / (1 − β₂ᵗ)              (bias correction)
 *   p ← p − lr·m̂ / (√v̂ + ε)
 * computed as PyTorch does: p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε).
 */
export class Adam extends Optimizer {
  readonly betas: readonly [number, number];
  readonly eps: number;
  /** Per parameter: its step count t and running moments m, v (created on its first step). */
  private readonly state: ({ t: number; m: Float64Array; v: Float64Array } | null)[];

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
    const s = (this.state[i] ??= { t: 0, m: new Float64Array(p.length), v: new Float64Array(p.length) });
    s.t += 1;
    const stepSize = this.lr / (1 - beta1 ** s.t);
    const sqrtCorrection2 = Math.sqrt(1 - beta2 ** s.t);
    for (let k = 0; k < p.length; k++) {
      s.m[k] = beta1 * s.m[k] + (1 - beta1) * g[k];
      s.v[k] = beta2 * s.v[k] + (1 - beta2) * g[k] * g[k];
      p[k] -= (stepSize * s.m[k]) / (Math.sqrt(s.v[k]) / sqrtCorrection2 + this.eps);
    }
  }
}
