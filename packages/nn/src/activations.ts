// Activation functions as modules (no parameters); each is one core op, applied elementwise.
import type { Tensor } from '@gradlab/core';
import { Module, type ModuleConfig } from './module.ts';

/** σ(x) = 1 / (1 + e⁻ˣ)        σ'(x) = σ(x)·(1 − σ(x)) */
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return x.sigmoid();
  }
  describe(): string {
    return 'Sigmoid';
  }
  config(): ModuleConfig {
    return { kind: 'Sigmoid' };
  }
}

/** tanh(x)                     tanh'(x) = 1 − tanh²(x) */
export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return x.tanh();
  }
  describe(): string {
    return 'Tanh';
  }
  config(): ModuleConfig {
    return { kind: 'Tanh' };
  }
}

/** max(0, x)                   ReLU'(x) = [x > 0] */
export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return x.relu();
  }
  describe(): string {
    return 'ReLU';
  }
  config(): ModuleConfig {
    return { kind: 'ReLU' };
  }
}

/** x for x > 0, α·x otherwise  (α = slope, default 0.01)     ∂y/∂x = 1 or α */
export class LeakyReLU extends Module {
  readonly slope: number;

  constructor(slope = 0.01) {
    super();
    if (!Number.isFinite(slope)) throw new Error(`LeakyReLU: slope must be a finite number, got ${slope}`);
    this.slope = slope;
  }
  forward(x: Tensor): Tensor {
    return x.leakyRelu(this.slope);
  }
  describe(): string {
    return `LeakyReLU(${this.slope})`;
  }
  config(): ModuleConfig {
    return { kind: 'LeakyReLU', slope: this.slope };
  }
}

/** y = x (the same tensor: no op is recorded)   ∂y/∂x = 1 */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
  describe(): string {
    return 'Identity';
  }
  config(): ModuleConfig {
    return { kind: 'Identity' };
  }
}
