// Activation functions as modules (no parameters); each is one core op (or two), applied elementwise
// or, for Softmax, along one axis.
import { GradlabError, softmax, logSoftmax, type Tensor } from '@gradlab/core';
import { expectNumber, expectTensor } from './check.ts';
import { Module, type ModuleConfig } from './module.ts';

/** σ(x) = 1 / (1 + e⁻ˣ)        σ'(x) = σ(x)·(1 − σ(x)) */
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return expectTensor('Sigmoid', 'x', x).sigmoid();
  }
  override config(): ModuleConfig {
    return { kind: 'Sigmoid' };
  }
}

/** tanh(x)                     tanh'(x) = 1 − tanh²(x) */
export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return expectTensor('Tanh', 'x', x).tanh();
  }
  override config(): ModuleConfig {
    return { kind: 'Tanh' };
  }
}

/** max(0, x)                   ReLU'(x) = [x > 0] */
export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return expectTensor('ReLU', 'x', x).relu();
  }
  override config(): ModuleConfig {
    return { kind: 'ReLU' };
  }
}

/** x for x > 0, α·x otherwise  (α = slope, default 0.01, PyTorch's negative_slope)     ∂y/∂x = 1 or α */
export class LeakyReLU extends Module {
  readonly slope: number;

  constructor(slope = 0.01) {
    super();
    this.slope = expectNumber('LeakyReLU', 'slope', slope);
  }
  forward(x: Tensor): Tensor {
    return expectTensor('LeakyReLU', 'x', x).leakyRelu(this.slope);
  }
  override describe(): string {
    return `LeakyReLU(${this.slope})`;
  }
  override config(): ModuleConfig {
    return { kind: 'LeakyReLU', slope: this.slope };
  }
}

/** y = x (the same tensor: no op is recorded)   ∂y/∂x = 1 */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return expectTensor('Identity', 'x', x);
  }
  override config(): ModuleConfig {
    return { kind: 'Identity' };
  }
}

/** yᵢ = e^(xᵢ) / Σⱼ e^(xⱼ) along `dim` (default −1, the last axis).   ∂yᵢ/∂xⱼ = yᵢ(δᵢⱼ − yⱼ) */
export class Softmax extends Module {
  readonly dim: number;
  constructor(dim = -1) {
    super();
    this.dim = expectNumber('Softmax', 'dim', dim, Number.isInteger, 'an integer');
  }
  forward(x: Tensor): Tensor {
    return softmax(expectTensor('Softmax', 'x', x), this.dim);
  }
  override describe(): string {
    return `Softmax(dim=${this.dim})`;
  }
  override config(): ModuleConfig {
    return { kind: 'Softmax', dim: this.dim };
  }
}

/** yᵢ = xᵢ − ln Σⱼ e^(xⱼ) along `dim` (default −1).   ∂yᵢ/∂xⱼ = δᵢⱼ − softmax(x)ⱼ */
export class LogSoftmax extends Module {
  readonly dim: number;
  constructor(dim = -1) {
    super();
    this.dim = expectNumber('LogSoftmax', 'dim', dim, Number.isInteger, 'an integer');
  }
  forward(x: Tensor): Tensor {
    return logSoftmax(expectTensor('LogSoftmax', 'x', x), this.dim);
  }
  override describe(): string {
    return `LogSoftmax(dim=${this.dim})`;
  }
  override config(): ModuleConfig {
    return { kind: 'LogSoftmax', dim: this.dim };
  }
}

/** x·Φ(x) (Φ the standard normal CDF), or with approximate 'tanh' ½x(1 + tanh(√(2/π)(x + 0.044715x³))). */
export class GELU extends Module {
  readonly approximate: 'none' | 'tanh';
  constructor(approximate: 'none' | 'tanh' = 'none') {
    super();
    if (approximate !== 'none' && approximate !== 'tanh') {
      throw new GradlabError(`GELU: approximate must be 'none' or 'tanh', got ${JSON.stringify(approximate)}`);
    }
    this.approximate = approximate;
  }
  forward(x: Tensor): Tensor {
    return expectTensor('GELU', 'x', x).gelu({ approximate: this.approximate });
  }
  override describe(): string {
    return this.approximate === 'none' ? 'GELU' : `GELU(approximate='tanh')`;
  }
  override config(): ModuleConfig {
    return { kind: 'GELU', approximate: this.approximate };
  }
}

/** x for x > 0, α(eˣ − 1) otherwise (α = alpha, default 1).   ∂y/∂x = 1 or α·eˣ */
export class ELU extends Module {
  readonly alpha: number;
  constructor(alpha = 1) {
    super();
    this.alpha = expectNumber('ELU', 'alpha', alpha);
  }
  forward(x: Tensor): Tensor {
    return expectTensor('ELU', 'x', x).elu(this.alpha);
  }
  override describe(): string {
    return `ELU(alpha=${this.alpha})`;
  }
  override config(): ModuleConfig {
    return { kind: 'ELU', alpha: this.alpha };
  }
}

/**
 * ln(1 + e^(βx)) / β (β = beta, default 1).   ∂y/∂x = σ(βx)
 * Exact for every x: PyTorch's `threshold` (above which it returns x itself) is not needed.
 */
export class Softplus extends Module {
  readonly beta: number;
  constructor(beta = 1) {
    super();
    this.beta = expectNumber('Softplus', 'beta', beta, (b) => b > 0, 'a finite number > 0');
  }
  forward(x: Tensor): Tensor {
    const t = expectTensor('Softplus', 'x', x);
    return this.beta === 1 ? t.softplus() : t.mul(this.beta).softplus().div(this.beta);
  }
  override describe(): string {
    return this.beta === 1 ? 'Softplus' : `Softplus(beta=${this.beta})`;
  }
  override config(): ModuleConfig {
    return { kind: 'Softplus', beta: this.beta };
  }
}

/** Merges the axes startDim…endDim into one (default 1…−1: [N, C, H, W] → [N, C·H·W]); a reshape. */
export class Flatten extends Module {
  readonly startDim: number;
  readonly endDim: number;
  constructor(startDim = 1, endDim = -1) {
    super();
    this.startDim = expectNumber('Flatten', 'startDim', startDim, Number.isInteger, 'an integer');
    this.endDim = expectNumber('Flatten', 'endDim', endDim, Number.isInteger, 'an integer');
  }
  forward(x: Tensor): Tensor {
    return expectTensor('Flatten', 'x', x).flatten(this.startDim, this.endDim);
  }
  override describe(): string {
    return this.startDim === 1 && this.endDim === -1 ? 'Flatten' : `Flatten(${this.startDim}, ${this.endDim})`;
  }
  override config(): ModuleConfig {
    return { kind: 'Flatten', startDim: this.startDim, endDim: this.endDim };
  }
}
