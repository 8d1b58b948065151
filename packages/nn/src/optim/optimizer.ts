// Optimizer: owns the parameters, in groups with options of their own; `step()` moves each one
// against its gradient, in place. Each optimizer writes its update as per-element functions,
// called by its `step()` and handed to `compile` (parameterUpdate), so both give the same numbers.
import { formatShape, GradlabError, Tensor, type FloatArray } from '@gradlab/core';
import { describeValue } from '../check.ts';

/** The options every group has. */
export interface GroupOptions {
  /** Step size, > 0. */
  lr: number;
}

/** A group as given to the constructor: its parameters and the options that differ from the defaults. */
export type ParamGroupInput<O extends GroupOptions> = Partial<O> & { params: readonly Tensor[] };

/** A group as the optimizer holds it: its parameters and all its options (change them between steps: a schedule). */
export type ParamGroup<O extends GroupOptions> = O & { readonly params: readonly Tensor[] };

/** One parameter's state: its step count and its buffers by name (each as long as the parameter). */
export interface ParameterOptimizerState {
  step: number;
  buffers: Record<string, Float64Array>;
}

/** An optimizer's state as JSON-ready data (PyTorch's layout): per parameter index, then the groups. */
export interface OptimizerStateDict {
  state: Record<string, { step: number; [buffer: string]: number | number[] }>;
  paramGroups: ({ params: number[] } & Record<string, unknown>)[];
}

export abstract class Optimizer<O extends GroupOptions = GroupOptions> {
  /** Every parameter, group after group (what `parameterUpdate()` and the state dict index). */
  readonly params: readonly Tensor[];
  readonly paramGroups: readonly ParamGroup<O>[];
  readonly defaults: Readonly<O>;
  /** The name in errors ('SGD'). */
  protected readonly name: string;
  /** The group of each parameter. */
  protected readonly groupOf: readonly ParamGroup<O>[];
  /** The names of the per-parameter buffers this optimizer keeps. */
  protected abstract readonly bufferNames: readonly string[];
  readonly #state: (ParameterOptimizerState | null)[];

  /**
   * `params` is a list of tensors (one group with `defaults`) or a list of groups
   * `{ params, ...options }` whose options override the defaults. `check` completes and checks
   * one group's options (naming the optimizer and the option at fault).
   */
  protected constructor(name: string, params: readonly Tensor[] | readonly ParamGroupInput<O>[], defaults: Partial<O>, check: (options: Partial<O>, where: string) => O) {
    this.name = name;
    if (!Array.isArray(params)) throw new GradlabError(`${name}: params must be a list of tensors or of groups { params, ...options }, got ${describeValue(params)}`);
    if (params.length === 0) throw new GradlabError(`${name}: no parameters to optimize`);
    checkStartingLearningRate(name, defaults.lr);
    this.defaults = Object.freeze(check(defaults, name));
    const inputs: readonly ParamGroupInput<O>[] = isGroupList(params) ? params : [{ params: params as readonly Tensor[] } as unknown as ParamGroupInput<O>];
    const groups: ParamGroup<O>[] = [];
    const flat: Tensor[] = [];
    const groupOf: ParamGroup<O>[] = [];
    const values: O[] = [];
    inputs.forEach((input, g) => {
      const where = inputs.length === 1 ? name : `${name}: group ${g}`;
      if (typeof input !== 'object' || input === null || !Array.isArray(input.params)) {
        throw new GradlabError(`${where}: a group must be { params: Tensor[], ...options }, got ${describeValue(input)}`);
      }
      const { params: groupParams, ...overrides } = input;
      const merged = { ...this.defaults, ...(overrides as unknown as Partial<O>) };
      checkStartingLearningRate(where, merged.lr);
      const options = check(merged, where);
      values.push(options);
      const group = { params: Object.freeze<Tensor[]>([...(groupParams as readonly Tensor[])]) } as ParamGroup<O>;
      // each option is checked when set (by a schedule or by hand), with the group's other options
      for (const key of Object.keys(options) as (keyof O & string)[]) {
        Object.defineProperty(group, key, {
          enumerable: true,
          get: () => options[key],
          set: (v: unknown) => Object.assign(options, check({ ...options, [key]: v }, where)),
        });
      }
      for (const p of groupParams) {
        const i = flat.length;
        if (!(p instanceof Tensor)) throw new GradlabError(`${name}: parameter ${i} is not a Tensor, got ${describeValue(p)}`);
        if (!p.isLeaf) throw new GradlabError(`${name}: ${describeParam(p, i)} is not a leaf tensor`);
        if (flat.includes(p)) throw new GradlabError(`${name}: ${describeParam(p, i)} appears twice`);
        flat.push(p);
        groupOf.push(group);
      }
      groups.push(group);
    });
    this.#values = values;
    if (flat.length === 0) throw new GradlabError(`${name}: no parameters to optimize`);
    this.params = Object.freeze(flat);
    this.paramGroups = Object.freeze(groups);
    this.groupOf = groupOf;
    this.#check = check;
    this.#state = flat.map(() => null);
  }

  readonly #check: (options: Partial<O>, where: string) => O;
  /** Each group's checked options (the groups' properties read and write them). */
  readonly #values: O[];

  /** The learning rate of the first group; setting it sets every group's (≥ 0: a schedule may reach 0). */
  get lr(): number {
    return this.paramGroups[0].lr;
  }
  set lr(value: number) {
    checkLearningRate(this.name, value);
    for (const group of this.paramGroups) group.lr = value;
  }

  /**
   * One update of every parameter that has a gradient (those with `grad === null` are skipped).
   * All gradients are checked first: a NaN or ±Infinity throws, naming the parameter, before any
   * parameter or optimizer state changes. (Options are checked when they are set.)
   * Each updated parameter is counted as changed in place (`markChanged()`).
   */
  step(): void {
    const params = this.params;
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      const grad = p.grad;
      if (!grad) continue;
      if (grad.size !== p.size) {
        throw new GradlabError(`${this.name}: the gradient of ${describeParam(p, i)} has shape ${formatShape(grad.shape)}`);
      }
      const g = grad.data;
      for (let k = 0; k < g.length; k++) {
        // g − g is 0 for finite g and NaN for NaN and ±Infinity: one cheap test per element
        if (g[k] - g[k] !== 0) {
          throw new GradlabError(`${this.name}: the gradient of ${describeParam(p, i)} has ${g[k]} at element ${k}; no parameter was updated`);
        }
      }
    }
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      if (!p.grad) continue;
      this.update(i, p.data, p.grad.data, this.stateOf(i));
      p.markChanged();
    }
  }

  /** Clears every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }

  /** Moves the values of parameter i (in place) given its gradient g; `state` is its own (step count, buffers). */
  protected abstract update(i: number, values: FloatArray, g: FloatArray, state: ParameterOptimizerState): void;

  /** A buffer's starting values (zeros; Adagrad's sum starts at its initialAccumulatorValue). */
  protected initialBuffer(_name: string, size: number, _i: number): Float64Array {
    return new Float64Array(size);
  }

  /** Parameter i's state, created (step 0, fresh buffers) on first use; the same objects afterwards. */
  protected stateOf(i: number): ParameterOptimizerState {
    let s = this.#state[i];
    if (!s) {
      const size = this.params[i].size;
      s = { step: 0, buffers: Object.fromEntries(this.bufferNames.map((b) => [b, this.initialBuffer(b, size, i)])) };
      this.#state[i] = s;
    }
    return s;
  }

  /**
   * A copy of the state: per parameter index, its step count and buffers (only parameters that
   * have stepped), and each group's options with its parameters' indices. JSON-ready.
   */
  stateDict(): OptimizerStateDict {
    const state: OptimizerStateDict['state'] = {};
    this.#state.forEach((s, i) => {
      if (!s) return;
      const entry: OptimizerStateDict['state'][string] = { step: s.step };
      for (const name of this.bufferNames) entry[name] = Array.from(s.buffers[name]);
      state[String(i)] = entry;
    });
    let next = 0;
    const paramGroups = this.paramGroups.map((group) => {
      const { params, ...options } = group;
      const indices = params.map(() => next++);
      const copy = Object.fromEntries(Object.entries(options).map(([k, v]) => [k, Array.isArray(v) ? [...(v as unknown[])] : v]));
      return { ...copy, params: indices };
    });
    return { state, paramGroups };
  }

  /**
   * Restores a `stateDict()`: group options and every parameter's step count and buffers (copied
   * into the existing buffers, so a compiled step holding them keeps working; a parameter absent
   * from the dict starts afresh). Everything is checked first; any problem throws a GradlabError
   * listing them all, and nothing changes.
   */
  loadStateDict(dict: OptimizerStateDict): void {
    const problems: string[] = [];
    const fail = (): never => {
      throw new GradlabError(`${this.name}.loadStateDict: the state dict does not fit this optimizer:\n  ${problems.join('\n  ')}`);
    };
    if (!isRecord(dict)) {
      problems.push(`expected { state, paramGroups }, got ${describeValue(dict)}`);
      return fail();
    }
    const { state, paramGroups } = dict as { state?: unknown; paramGroups?: unknown };
    const groupOptions: O[] = [];
    if (!Array.isArray(paramGroups) || paramGroups.length !== this.paramGroups.length) {
      problems.push(`paramGroups: expected a list of ${this.paramGroups.length} groups, got ${describeValue(paramGroups)}`);
    } else {
      let next = 0;
      this.paramGroups.forEach((group, g) => {
        const entry: unknown = paramGroups[g];
        const expected = group.params.map(() => next++);
        if (!isRecord(entry)) {
          problems.push(`paramGroups[${g}]: expected an object, got ${describeValue(entry)}`);
          return;
        }
        const { params, ...options } = entry;
        if (!Array.isArray(params) || params.length !== expected.length || params.some((v, k) => v !== expected[k])) {
          problems.push(`paramGroups[${g}].params: expected the indices [${expected.join(', ')}], got ${describeValue(params)}`);
        }
        try {
          groupOptions.push(this.#check(options as Partial<O>, `paramGroups[${g}]`));
        } catch (e) {
          problems.push(e instanceof Error ? e.message : String(e));
        }
      });
    }
    const restored = new Map<number, Record<string, unknown>>();
    if (!isRecord(state)) {
      problems.push(`state: expected an object by parameter index, got ${describeValue(state)}`);
    } else {
      for (const [key, value] of Object.entries(state)) {
        const i = Number(key);
        if (!/^\d+$/.test(key) || i >= this.params.length) {
          problems.push(`state: '${key.slice(0, 20)}' is not a parameter index (0…${this.params.length - 1})`);
          continue;
        }
        const problem = this.checkParameterState(i, value);
        if (problem) problems.push(`state[${i}]: ${problem}`);
        else restored.set(i, value as Record<string, unknown>);
      }
    }
    if (problems.length > 0) fail();

    this.#values.forEach((options, g) => Object.assign(options, groupOptions[g]));
    this.params.forEach((_, i) => {
      const entry = restored.get(i);
      if (!entry && !this.#state[i]) return;
      const s = this.stateOf(i);
      s.step = entry ? (entry.step as number) : 0;
      for (const name of this.bufferNames) {
        const values = entry?.[name] as ArrayLike<number> | undefined;
        s.buffers[name].set(values ?? this.initialBuffer(name, this.params[i].size, i));
      }
    });
  }

  /** What is wrong with one parameter's saved state, or null. */
  private checkParameterState(i: number, value: unknown): string | null {
    if (!isRecord(value)) return `expected { step, ${this.bufferNames.join(', ')} }, got ${describeValue(value)}`;
    const step = value.step;
    if (typeof step !== 'number' || !Number.isInteger(step) || step < 0) return `step must be an integer ≥ 0, got ${describeValue(step)}`;
    for (const key of Object.keys(value)) {
      if (key !== 'step' && !this.bufferNames.includes(key)) return `unexpected buffer '${key.slice(0, 20)}' (this optimizer keeps ${this.bufferNames.join(', ') || 'none'})`;
    }
    const size = this.params[i].size;
    for (const name of this.bufferNames) {
      const values = value[name];
      if (!Array.isArray(values)) return `${name} must be an array of ${size} numbers, got ${describeValue(values)}`;
      if (values.length !== size) return `${name} has ${values.length} values, the parameter ${formatShape(this.params[i].shape)} has ${size}`;
      for (let k = 0; k < values.length; k++) {
        if (typeof values[k] !== 'number' || !Number.isFinite(values[k])) return `${name}[${k}] is ${describeValue(values[k])}, not a finite number`;
      }
    }
    return null;
  }
}

function isGroupList<O extends GroupOptions>(params: readonly Tensor[] | readonly ParamGroupInput<O>[]): params is readonly ParamGroupInput<O>[] {
  return params.length > 0 && isRecord(params[0]) && 'params' in params[0] && Array.isArray((params[0] as { params: unknown }).params);
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

export function describeParam(p: Tensor, i: number): string {
  return `parameter ${i}${p.name ? ` '${p.name}'` : ''} ${formatShape(p.shape)}`;
}

/** A learning rate: a finite number ≥ 0 (0 is allowed once made, as a schedule may end there). */
export function checkLearningRate(where: string, lr: unknown): number {
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) {
    throw new GradlabError(`${where}: lr must be a finite number ≥ 0, got ${describeValue(lr)}`);
  }
  return lr;
}

/** The learning rate an optimizer is made with: > 0 (0 would never move anything: most likely a mistake). */
function checkStartingLearningRate(where: string, lr: unknown): void {
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr <= 0) throw new GradlabError(`${where}: lr must be a finite number > 0, got ${describeValue(lr)}`);
}

/** A finite number satisfying `ok`, or an error `where: name must be range, got value`. */
export function checkOption(where: string, name: string, v: unknown, ok: (x: number) => boolean, range: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) throw new GradlabError(`${where}: ${name} must be ${range}, got ${describeValue(v)}`);
  return v;
}

export function checkFlag(where: string, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new GradlabError(`${where}: ${name} must be true or false, got ${describeValue(v)}`);
  return v;
}

/** Refuses an option this optimizer does not have (a typo such as `learningRate` would otherwise be ignored). */
export function rejectUnknown(where: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new GradlabError(`${where}: unknown option '${key.slice(0, 30)}' (the options are ${known.join(', ')})`);
  }
}
