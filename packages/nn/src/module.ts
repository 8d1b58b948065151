// Module: a differentiable function with named parameters, the building block of a model.
// A module's forward is made only of core ops, so its gradients come from the graph.
import { formatShape, sizeOf, type Tensor } from '@gradlab/core';

/** One parameter in a state dict: its shape and its values in row-major order (JSON-friendly). */
export interface ParameterState {
  shape: number[];
  data: number[];
}

/** Parameter values by qualified name (`0.weight`, `2.bias`), in `namedParameters()` order. */
export type StateDict = Record<string, ParameterState>;

/**
 * The architecture of a module tree, without its values: what `modelFromJSON` rebuilds.
 * `kind` is the class name.
 */
export type ModuleConfig =
  | { kind: 'Sequential'; modules: ModuleConfig[] }
  | { kind: 'Dense'; inFeatures: number; outFeatures: number; bias: boolean }
  | { kind: 'Sigmoid' }
  | { kind: 'Tanh' }
  | { kind: 'ReLU' }
  | { kind: 'LeakyReLU'; slope: number }
  | { kind: 'Identity' };

/** A state dict that does not fit the module: every difference, found before anything is copied. */
export class StateDictError extends Error {
  constructor(
    readonly target: string,
    readonly problems: readonly string[],
  ) {
    super(`loadStateDict: the state dict does not fit ${target}:\n  ${problems.join('\n  ')}`);
    this.name = 'StateDictError';
  }
}

export abstract class Module {
  /** y = f(x): built from core ops only. */
  abstract forward(x: Tensor): Tensor;

  /** A one-line description of the architecture, e.g. `Dense(2→3, no bias)`. */
  abstract describe(): string;

  /** The architecture as plain data, for saving (see serialize.ts). */
  abstract config(): ModuleConfig;

  /** This module's own parameters by local name (`weight`, `bias`); children add theirs. */
  protected ownParameters(): [string, Tensor][] {
    return [];
  }

  /** The sub-modules by local name (`0`, `1`, ...). */
  children(): [string, Module][] {
    return [];
  }

  /** Every parameter with its qualified name: the child's name, a dot, the name inside the child. */
  namedParameters(): [string, Tensor][] {
    const out = this.ownParameters();
    for (const [prefix, child] of this.children()) {
      for (const [name, p] of child.namedParameters()) out.push([`${prefix}.${name}`, p]);
    }
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Clears `.grad` of every parameter (gradients accumulate across backward calls). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** A copy of every parameter's shape and values. */
  stateDict(): StateDict {
    const dict: StateDict = {};
    for (const [name, p] of this.namedParameters()) dict[name] = { shape: [...p.shape], data: Array.from(p.data) };
    return dict;
  }

  /**
   * Copies values into the existing parameter tensors (so optimizers holding them keep working).
   * Every name, shape and value is checked first; on any mismatch it throws a `StateDictError`
   * listing all of them, and no parameter is changed.
   */
  loadStateDict(dict: StateDict): void {
    const params = new Map(this.namedParameters());
    const problems: string[] = [];
    for (const name of params.keys()) if (!Object.hasOwn(dict, name)) problems.push(`missing: ${name}`);
    for (const name of Object.keys(dict)) if (!params.has(name)) problems.push(`unexpected: ${name}`);
    for (const [name, p] of params) {
      if (Object.hasOwn(dict, name)) problems.push(...checkParameterState(name, dict[name], p.shape));
    }
    if (problems.length > 0) throw new StateDictError(this.describe(), problems);
    for (const [name, p] of params) p.data.set(dict[name].data);
  }

  toString(): string {
    return this.describe();
  }
}

/** What is wrong with one entry of a state dict, for a parameter of the given shape. */
function checkParameterState(name: string, entry: unknown, shape: readonly number[]): string[] {
  if (typeof entry !== 'object' || entry === null) return [`${name}: expected { shape, data }, got ${typeof entry}`];
  const { shape: s, data } = entry as { shape?: unknown; data?: unknown };
  if (!Array.isArray(s) || !s.every((d) => Number.isInteger(d) && (d as number) >= 0)) {
    return [`${name}: shape must be an array of non-negative integers`];
  }
  const dictShape = s as number[];
  if (dictShape.length !== shape.length || dictShape.some((d, i) => d !== shape[i])) {
    return [`${name}: shape ${formatShape(dictShape)} in the dict, ${formatShape(shape)} in the model`];
  }
  if (!Array.isArray(data) && !(data instanceof Float64Array)) return [`${name}: data must be an array of numbers`];
  const values = data as ArrayLike<unknown>;
  if (values.length !== sizeOf(shape)) {
    return [`${name}: ${values.length} values for shape ${formatShape(shape)} (needs ${sizeOf(shape)})`];
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) return [`${name}: value ${i} is ${String(v)}, not a finite number`];
  }
  return [];
}
