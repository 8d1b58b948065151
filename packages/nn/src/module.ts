// Module: a differentiable function with named parameters, the building block of a model.
// A module's forward is made only of core ops, so its gradients come from the graph.
import { formatShape, GradlabError, sizeOf, Tensor } from '@gradlab/core';
import { describeValue } from './check.ts';

/** One tensor in a state dict: its shape and its values in row-major order (JSON-friendly). */
export interface ParameterState {
  shape: number[];
  data: number[];
}

/**
 * Parameter and buffer values by qualified name (`0.weight`, `1.runningMean`): for each module in
 * pre-order, its own parameters, then its own buffers. A tensor shared by several modules is
 * stored once, under its first name.
 */
export type StateDict = Record<string, ParameterState>;

/**
 * The architecture of a module tree, without its values: what `modelFromJSON` rebuilds. `kind`
 * names the class (a built-in one, or one given to `registerModule`); the other fields are its
 * constructor's arguments, as plain JSON data.
 */
export interface ModuleConfig {
  kind: string;
  [argument: string]: unknown;
}

/** A state dict that does not fit the module: every difference, found before anything is copied. */
export class StateDictError extends GradlabError {
  override name = 'StateDictError';
  constructor(
    readonly target: string,
    readonly problems: readonly string[],
  ) {
    super(`loadStateDict: the state dict does not fit ${target}:\n  ${problems.join('\n  ')}`);
  }
}

/** Any module, whatever its forward takes and returns (what containers and walks hold). */
export type AnyModule = Module<unknown[], unknown>;

/** A local name: not empty, no dot (the dot joins the names of a path). */
const NAME = /^[^.]+$/;

/**
 * The base class. `Args` are the forward's arguments and `Out` its result:
 * `Module` maps a tensor to a tensor; `Module<[Tensor, Tensor?], Tensor>` is a recurrent cell's
 * `forward(x, h)`. A subclass registers its parameters (`registerParameter`), buffers
 * (`registerBuffer`: state that is saved but not trained, e.g. BatchNorm's running mean) and
 * sub-modules (`addModule`) in its constructor, and writes `forward` with core ops.
 */
export abstract class Module<Args extends unknown[] = [Tensor], Out = Tensor> {
  /** Training mode (the default) or evaluation mode (`eval()`): BatchNorm uses batch statistics only in training. */
  training = true;
  readonly #parameters = new Map<string, Tensor>();
  readonly #buffers = new Map<string, Tensor>();
  readonly #children = new Map<string, AnyModule>();

  /** The computation, built from core ops only. */
  abstract forward(...args: Args): Out;

  /** A one-line description of the architecture, e.g. `Dense(2→3, no bias)`. By default the class name and the children's. */
  describe(): string {
    const children = this.children();
    const name = this.constructor.name;
    return children.length === 0 ? name : `${name}(${children.map(([, c]) => c.describe()).join(', ')})`;
  }

  /**
   * The architecture as plain data, for saving (see serialize.ts). Built-in layers have one; a
   * module of your own returns `{ kind: 'MyBlock', ...its arguments }` and registers the kind
   * with `registerModule('MyBlock', factory)`.
   */
  config(): ModuleConfig {
    const name = this.constructor.name;
    throw new GradlabError(
      `${name}.config(): this module cannot be saved yet: override config() to return { kind: '${name}', ...its arguments } ` +
        `and register the kind with registerModule('${name}', (config) => new ${name}(…))`,
    );
  }

  /** Adds a parameter (a leaf that requires grad) under a local name; returns it. */
  protected registerParameter(name: string, parameter: Tensor): Tensor {
    this.checkName('registerParameter', name);
    if (!(parameter instanceof Tensor)) throw new GradlabError(`${this.constructor.name}.registerParameter: '${name}' is not a Tensor`);
    if (!parameter.isLeaf || !parameter.requiresGrad) {
      throw new GradlabError(`${this.constructor.name}.registerParameter: '${name}' must be a leaf tensor with requiresGrad`);
    }
    this.#parameters.set(name, parameter);
    return parameter;
  }

  /** Adds a buffer: state saved in the state dict but not a parameter (no gradient, not optimized). */
  protected registerBuffer(name: string, buffer: Tensor): Tensor {
    this.checkName('registerBuffer', name);
    if (!(buffer instanceof Tensor)) throw new GradlabError(`${this.constructor.name}.registerBuffer: '${name}' is not a Tensor`);
    this.#buffers.set(name, buffer);
    return buffer;
  }

  /** Adds a sub-module under a local name; its parameters are then named `name.<its names>`. */
  protected addModule<M extends AnyModule>(name: string, module: M): M {
    this.checkName('addModule', name);
    if (!(module instanceof Module)) throw new GradlabError(`${this.constructor.name}.addModule: '${name}' is not a Module`);
    this.#children.set(name, module);
    return module;
  }

  /** This module's own parameters by local name (`weight`, `bias`); children add theirs. */
  protected ownParameters(): [string, Tensor][] {
    return [...this.#parameters];
  }

  /** This module's own buffers by local name (`runningMean`). */
  protected ownBuffers(): [string, Tensor][] {
    return [...this.#buffers];
  }

  /** The direct sub-modules by local name (`0`, `1`, ..., `cell`). */
  children(): [string, AnyModule][] {
    return [...this.#children];
  }

  /**
   * This module and every module below it, in pre-order, with its qualified name (`''` for this
   * one, `1`, `1.0`, ...). A module reached twice appears once. Walked without recursion.
   */
  namedModules(): [string, AnyModule][] {
    const out: [string, AnyModule][] = [];
    const seen = new Set<AnyModule>();
    const stack: [string, AnyModule][] = [['', this]];
    while (stack.length > 0) {
      const [name, m] = stack.pop()!;
      if (seen.has(m)) continue;
      seen.add(m);
      out.push([name, m]);
      const children = m.children();
      for (let i = children.length - 1; i >= 0; i--) {
        const [local, child] = children[i];
        stack.push([name === '' ? local : `${name}.${local}`, child]);
      }
    }
    return out;
  }

  /** This module and every module below it, in pre-order (each once). */
  modules(): AnyModule[] {
    return this.namedModules().map(([, m]) => m);
  }

  /**
   * Every parameter with its qualified name (the path of its module, a dot, its local name), in
   * pre-order. A parameter shared by several modules (weight sharing) appears once, under its
   * first name, so an optimizer steps it once with its summed gradient.
   */
  namedParameters(): [string, Tensor][] {
    return this.collect((m) => m.ownParameters());
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Every buffer with its qualified name, as `namedParameters`. */
  namedBuffers(): [string, Tensor][] {
    return this.collect((m) => m.ownBuffers());
  }

  buffers(): Tensor[] {
    return this.namedBuffers().map(([, b]) => b);
  }

  /** Sets training mode on this module and every module below it; returns this. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Evaluation mode (`train(false)`): BatchNorm then uses its running statistics. */
  eval(): this {
    return this.train(false);
  }

  /** Calls `fn` on every module below this one and then on this one (children before parents, as PyTorch); returns this. */
  apply(fn: (module: AnyModule) => void): this {
    const order: AnyModule[] = [];
    const seen = new Set<AnyModule>();
    const stack: [AnyModule, boolean][] = [[this, false]];
    while (stack.length > 0) {
      const [m, expanded] = stack.pop()!;
      if (expanded) {
        order.push(m);
        continue;
      }
      if (seen.has(m)) continue;
      seen.add(m);
      stack.push([m, true]);
      const children = m.children();
      for (let i = children.length - 1; i >= 0; i--) stack.push([children[i][1], false]);
    }
    for (const m of order) fn(m);
    return this;
  }

  /** Clears `.grad` of every parameter (gradients accumulate across backward calls). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** A copy of every parameter's and buffer's shape and values (see `StateDict`). */
  stateDict(): StateDict {
    const dict: StateDict = {};
    for (const [name, t] of this.stateEntries()) dict[name] = { shape: [...t.shape], data: Array.from(t.data) };
    return dict;
  }

  /**
   * Copies values into the existing parameter and buffer tensors (so optimizers holding them keep
   * working), and counts each as changed in place (`markChanged`). Every name, shape and value is
   * checked first; on any mismatch it throws a `StateDictError` listing all of them, and nothing
   * is changed. Each tensor keeps its dtype: values loaded into a float32 parameter or buffer are
   * rounded to nearest (`Math.fround`), as a float32 layer's own initialisation is.
   */
  loadStateDict(dict: StateDict): void {
    const entries = new Map(this.stateEntries());
    const problems: string[] = [];
    if (typeof dict !== 'object' || dict === null || Array.isArray(dict)) {
      throw new StateDictError(this.describe(), [`expected an object of { shape, data } by name, got ${dict === null ? 'null' : Array.isArray(dict) ? 'an array' : typeof dict}`]);
    }
    for (const name of entries.keys()) if (!Object.hasOwn(dict, name)) problems.push(`missing: ${name}`);
    for (const name of Object.keys(dict)) if (!entries.has(name)) problems.push(`unexpected: ${name}`);
    for (const [name, t] of entries) {
      if (Object.hasOwn(dict, name)) problems.push(...checkTensorState(name, dict[name], t.shape));
    }
    if (problems.length > 0) throw new StateDictError(this.describe(), problems);
    for (const [name, t] of entries) {
      t.data.set(dict[name].data);
      t.markChanged();
    }
  }

  toString(): string {
    return this.describe();
  }

  /** Parameters then buffers of each module in pre-order, each tensor once: what the state dict holds. */
  private stateEntries(): [string, Tensor][] {
    return this.collect((m) => [...m.ownParameters(), ...m.ownBuffers()]);
  }

  private collect(own: (m: Module<unknown[], unknown>) => [string, Tensor][]): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, t] of own(m)) {
        if (seen.has(t)) continue;
        seen.add(t);
        out.push([prefix === '' ? name : `${prefix}.${name}`, t]);
      }
    }
    return out;
  }

  private checkName(fn: string, name: string): void {
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw new GradlabError(`${this.constructor.name}.${fn}: the name must be a non-empty string without '.', got ${JSON.stringify(name)}`);
    }
    const taken = this.#parameters.has(name) || this.#buffers.has(name) || this.#children.has(name);
    if (taken) throw new GradlabError(`${this.constructor.name}.${fn}: the name '${name}' is already used`);
  }
}

/** What is wrong with one entry of a state dict, for a tensor of the given shape. */
export function checkTensorState(name: string, entry: unknown, shape: readonly number[]): string[] {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    return [`${name}: expected { shape, data }, got ${describeValue(entry)}`];
  }
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
    if (typeof v !== 'number' || !Number.isFinite(v)) return [`${name}: value ${i} is ${describeValue(v)}, not a finite number`];
  }
  return [];
}
