// Optimizer: owns the parameters; `step()` moves each one against its gradient, in place.
import { formatShape, type Tensor } from '@gradlab/core';

export abstract class Optimizer {
  readonly params: readonly Tensor[];
  readonly #name: string;
  #lr: number;

  constructor(name: string, params: readonly Tensor[], lr: number) {
    if (params.length === 0) throw new Error(`${name}: no parameters to optimize`);
    params.forEach((p, i) => {
      if (!p.isLeaf) throw new Error(`${name}: ${describeParam(p, i)} is not a leaf tensor`);
      if (params.indexOf(p) !== i) throw new Error(`${name}: ${describeParam(p, i)} appears twice`);
    });
    this.#name = name;
    this.params = Object.freeze([...params]);
    this.#lr = checkLearningRate(name, lr);
  }

  /** The learning rate; may be changed between steps (a schedule). */
  get lr(): number {
    return this.#lr;
  }
  set lr(value: number) {
    this.#lr = checkLearningRate(this.#name, value);
  }

  /**
   * One update of every parameter that has a gradient (those with `grad === null` are skipped).
   * All gradients are checked first: a NaN or ±Infinity throws, naming the parameter, before
   * any parameter or optimizer state changes.
   */
  step(): void {
    const params = this.params;
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      const grad = p.grad;
      if (!grad) continue;
      if (grad.size !== p.size) {
        throw new Error(`${this.#name}: the gradient of ${describeParam(p, i)} has shape ${formatShape(grad.shape)}`);
      }
      const g = grad.data;
      for (let k = 0; k < g.length; k++) {
        // g − g is 0 for finite g and NaN for NaN and ±Infinity: one cheap test per element
        if (g[k] - g[k] !== 0) {
          throw new Error(
            `${this.#name}: the gradient of ${describeParam(p, i)} has ${g[k]} at element ${k}; no parameter was updated`,
          );
        }
      }
    }
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      if (p.grad) this.update(p.data, p.grad.data, i);
    }
  }

  /** Clears every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }

  /** Moves the values of parameter i (in place) given its gradient g. */
  protected abstract update(values: Float64Array, g: Float64Array, i: number): void;
}

function describeParam(p: Tensor, i: number): string {
  return `parameter ${i}${p.name ? ` '${p.name}'` : ''} ${formatShape(p.shape)}`;
}

function checkLearningRate(name: string, lr: number): number {
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr <= 0) {
    throw new Error(`${name}: lr must be a finite number > 0, got ${String(lr)}`);
  }
  return lr;
}
