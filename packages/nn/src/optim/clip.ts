// Gradient clipping, in place on `.grad`, as torch.nn.utils.clip_grad_norm_ / clip_grad_value_.
import { GradlabError, Tensor, type FloatArray } from '@gradlab/core';
import { describeValue } from '../check.ts';

function gradients(fn: string, params: Iterable<Tensor>): Tensor[] {
  if (params === null || typeof params !== 'object' || typeof params[Symbol.iterator] !== 'function') {
    throw new GradlabError(`${fn}: params must be a list of tensors, got ${describeValue(params)}`);
  }
  const out: Tensor[] = [];
  let i = 0;
  for (const p of params) {
    if (!(p instanceof Tensor)) throw new GradlabError(`${fn}: parameter ${i} is not a Tensor, got ${describeValue(p)}`);
    if (p.grad && !out.includes(p.grad)) out.push(p.grad);
    i++;
  }
  return out;
}

export interface ClipGradNormOptions {
  /** p of the p-norm: a number ≥ 1 or Infinity (default 2). */
  normType?: number;
  /** Throw if the total norm is NaN or ±Infinity (default false: the gradients then become NaN, as in PyTorch). */
  errorIfNonfinite?: boolean;
}

/**
 * Scales all gradients together so that their joint norm is at most maxNorm:
 *   total = ‖(‖g₁‖ₚ, ‖g₂‖ₚ, …)‖ₚ,   each g ← g·min(1, maxNorm / (total + 1e-6))
 * Returns the total norm before clipping. Parameters without a gradient are skipped.
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number, options: ClipGradNormOptions = {}): number {
  const fn = 'clipGradNorm';
  if (typeof maxNorm !== 'number' || !(maxNorm >= 0) || maxNorm === Infinity) throw new GradlabError(`${fn}: maxNorm must be a finite number ≥ 0, got ${describeValue(maxNorm)}`);
  const { normType = 2, errorIfNonfinite = false } = options;
  if (typeof normType !== 'number' || !(normType >= 1)) throw new GradlabError(`${fn}: normType must be a number ≥ 1 or Infinity, got ${describeValue(normType)}`);
  const grads = gradients(fn, params);
  if (grads.length === 0) return 0;
  const norms = grads.map((g) => pNorm(g.data, normType));
  const total = pNorm(Float64Array.from(norms), normType);
  if (errorIfNonfinite && !Number.isFinite(total)) {
    throw new GradlabError(`${fn}: the total ${normType}-norm of the gradients is ${total}; nothing was clipped`);
  }
  const coefficient = Math.min(maxNorm / (total + 1e-6), 1);
  for (const g of grads) {
    const d = g.data;
    for (let k = 0; k < d.length; k++) d[k] *= coefficient;
    g.markChanged();
  }
  return total;
}

/** (Σ|xᵢ|ᵖ)^(1/p); for p = ∞, max |xᵢ| (NaN if any is NaN). */
function pNorm(x: FloatArray, p: number): number {
  if (p === Infinity) {
    let m = 0;
    for (let i = 0; i < x.length; i++) {
      const a = Math.abs(x[i]);
      if (a > m || Number.isNaN(a)) m = a;
      if (Number.isNaN(m)) return m;
    }
    return m;
  }
  let s = 0;
  if (p === 2) {
    for (let i = 0; i < x.length; i++) s += x[i] * x[i];
    return Math.sqrt(s);
  }
  if (p === 1) {
    for (let i = 0; i < x.length; i++) s += Math.abs(x[i]);
    return s;
  }
  for (let i = 0; i < x.length; i++) s += Math.abs(x[i]) ** p;
  return s ** (1 / p);
}

/** Clamps every gradient value into [−clipValue, clipValue], in place. */
export function clipGradValue(params: Iterable<Tensor>, clipValue: number): void {
  const fn = 'clipGradValue';
  if (typeof clipValue !== 'number' || !(clipValue >= 0) || clipValue === Infinity) {
    throw new GradlabError(`${fn}: clipValue must be a finite number ≥ 0, got ${describeValue(clipValue)}`);
  }
  for (const g of gradients(fn, params)) {
    const d = g.data;
    for (let k = 0; k < d.length; k++) d[k] = d[k] > clipValue ? clipValue : d[k] < -clipValue ? -clipValue : d[k];
    g.markChanged();
  }
}
