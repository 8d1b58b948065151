// Sequential: modules applied in order, y = fₙ(…f₂(f₁(x))). Child i's parameters are named `i.<name>`.
import type { Tensor } from '@gradlab/core';
import { Module, type ModuleConfig } from './module.ts';

export class Sequential extends Module {
  readonly modules: readonly Module[];

  /** Also sets every parameter's `.name` to its qualified name (`0.weight`), for graph pictures. */
  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => {
      if (!(m instanceof Module)) throw new Error(`Sequential: argument ${i} is not a Module`);
    });
    this.modules = Object.freeze([...modules]);
    for (const [name, p] of this.namedParameters()) p.name = name;
  }

  get length(): number {
    return this.modules.length;
  }

  /** Child i. */
  at(i: number): Module | undefined {
    return this.modules.at(i);
  }

  forward(x: Tensor): Tensor {
    let z = x;
    for (const m of this.modules) z = m.forward(z);
    return z;
  }

  override children(): [string, Module][] {
    return this.modules.map((m, i) => [String(i), m]);
  }

  describe(): string {
    return `Sequential(${this.modules.map((m) => m.describe()).join(', ')})`;
  }

  config(): ModuleConfig {
    return { kind: 'Sequential', modules: this.modules.map((m) => m.config()) };
  }
}
