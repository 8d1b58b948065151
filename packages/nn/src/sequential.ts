// Sequential: modules applied in order, y = fₙ(…f₂(f₁(x))). Child i's parameters are named `i.<name>`.
import { GradlabError, type Tensor } from '@gradlab/core';
import { Module, type ModuleConfig } from './module.ts';

export class Sequential extends Module {
  /** The layers, in order (child i is named `i`). */
  readonly layers: readonly Module[];

  /** Also sets every parameter's `.name` to its qualified name (`0.weight`), for graph pictures. */
  constructor(...layers: Module[]) {
    super();
    layers.forEach((m, i) => {
      if (!(m instanceof Module)) throw new GradlabError(`Sequential: argument ${i} is not a Module`);
      this.addModule(String(i), m);
    });
    this.layers = Object.freeze([...layers]);
    for (const [name, p] of this.namedParameters()) p.name = name;
  }

  get length(): number {
    return this.layers.length;
  }

  /** Child i (negative counts from the end). */
  at(i: number): Module | undefined {
    return this.layers.at(i);
  }

  forward(x: Tensor): Tensor {
    let z = x;
    for (const m of this.layers) z = m.forward(z);
    return z;
  }

  override describe(): string {
    return `Sequential(${this.layers.map((m) => m.describe()).join(', ')})`;
  }

  override config(): ModuleConfig {
    return { kind: 'Sequential', modules: this.layers.map((m) => m.config()) };
  }
}
