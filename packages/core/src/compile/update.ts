// An optimizer's update, run by a compiled step right after the backward pass, inside the replay.
//
// compile has no optimizer of its own. An optimizer that wants its update fused into the program
// describes it as per-element rules: for each parameter p with gradient g and each element k,
//   target[k] ← f(operands at k)      (target: p's values or one of p's state buffers)
// in order, with scalars (lr, β, …) that the optimizer writes before every update, so a learning
// rate changed between runs is the one used. SGD with momentum μ is two rules:
//   velocity ← μ·velocity + g        value ← value − lr·velocity
// The generated code pastes each rule's `f` (see scalar.ts), so the update does the very
// arithmetic the optimizer's own `step()` does, and gives its numbers bit for bit.
import { GradlabError } from '../errors.ts';
import { formatShape } from '../shape.ts';
import type { FloatArray, Tensor } from '../tensor.ts';

/** One assignment per element k: target[k] ← f(args[0] at k, args[1] at k, …). */
export interface UpdateRule<State extends string = string, Scalar extends string = string> {
  /** What it writes: 'value' (the parameter) or one of the parameter's state buffers. */
  readonly target: 'value' | State;
  /** f's operands: 'value', 'grad' (∂loss/∂parameter), a state buffer, or a scalar (one number for all k). */
  readonly args: readonly ('value' | 'grad' | State | Scalar)[];
  /** The arithmetic of one element, one parameter per operand (a simple arrow function is best: it is inlined). */
  readonly f: (...operands: number[]) => number;
}

/** An optimizer's update as rules that compile can run inside a replay (see `CompileOptions.optimizer`). */
export interface ParameterUpdate<State extends string = string, Scalar extends string = string> {
  /** The optimizer's name, for errors ('SGD'). */
  readonly name: string;
  /** The parameters it updates; those the step does not reach are left alone. */
  readonly params: readonly Tensor[];
  /** The names of each parameter's state buffers (['velocity']; none for plain SGD). */
  readonly state: readonly State[];
  /** The names of the scalars the rules read (['lr']). */
  readonly scalars: readonly Scalar[];
  /** The assignments, applied in this order to each element. */
  readonly rules: readonly UpdateRule<State, Scalar>[];
  /**
   * Parameter i's state buffers, in the order of `state`, each as long as the parameter: the
   * optimizer's own, so that compiled and eager steps continue each other. Called once per parameter.
   */
  stateOf(i: number): readonly Float64Array[];
  /**
   * Writes parameter i's scalars for this update into `out`, in the order of `scalars`. Called
   * before every update, once per parameter, and only when the update happens (it may count steps).
   * compile counts each moved parameter as changed in place (`markChanged()`) after the update.
   */
  prepare(i: number, out: Float64Array): void;
}

/** What `compile(step, { optimizer })` takes: an optimizer that describes its update (nn's SGD and Adam). */
export interface FusableOptimizer {
  parameterUpdate(): ParameterUpdate;
}

/** Where a rule's operand is: a per-element buffer of the parameter, or scalar j. */
export type Operand = { kind: 'value' } | { kind: 'grad' } | { kind: 'state'; index: number } | { kind: 'scalar'; index: number };

/** One parameter to update, resolved against the program. */
export interface UpdateItem {
  param: Tensor;
  /** Its index in the optimizer's list (what errors name) and in the program's parameters. */
  index: number;
  programIndex: number;
  grad: FloatArray;
  state: readonly Float64Array[];
  /** Its scalars for the coming update (a view into one buffer shared by all items). */
  scalars: Float64Array;
}

export interface UpdatePlan {
  name: string;
  items: UpdateItem[];
  /** Each rule's target (null: the parameter's values) and operands. */
  rules: { target: number | null; operands: Operand[]; f: (...operands: number[]) => number }[];
  /** Fills every item's scalars for this update. */
  prepare: () => void;
}

/**
 * The update resolved against a recorded program: which of its parameters it moves (`programParams`,
 * with their gradients in `gradBuffers`), its state buffers, and its rules' operands; checked.
 */
export function planUpdate(update: ParameterUpdate, programParams: readonly Tensor[], gradBuffers: readonly FloatArray[]): UpdatePlan {
  const { name, params, state, scalars, rules } = update;
  const where = `compile: ${name}'s parameterUpdate()`;
  if (rules.length === 0) throw new GradlabError(`${where} gives no rules`);
  const operand = (arg: string, r: number): Operand => {
    if (arg === 'value' || arg === 'grad') return { kind: arg };
    if (state.includes(arg)) return { kind: 'state', index: state.indexOf(arg) };
    if (scalars.includes(arg)) return { kind: 'scalar', index: scalars.indexOf(arg) };
    throw new GradlabError(`${where}: rule ${r} reads '${arg}', which is not 'value', 'grad', a state buffer [${state.join(', ')}] or a scalar [${scalars.join(', ')}]`);
  };
  const planned = rules.map((rule, r) => {
    if (typeof rule.f !== 'function' || rule.f.length !== rule.args.length) {
      throw new GradlabError(`${where}: rule ${r} must have a function f of ${rule.args.length} operands`);
    }
    if (rule.target !== 'value' && !state.includes(rule.target)) {
      throw new GradlabError(`${where}: rule ${r} writes '${rule.target}', which is neither 'value' nor a state buffer [${state.join(', ')}]`);
    }
    return { target: rule.target === 'value' ? null : state.indexOf(rule.target), operands: rule.args.map((a) => operand(a, r)), f: rule.f };
  });

  const allScalars = new Float64Array(params.length * scalars.length);
  const items: UpdateItem[] = [];
  params.forEach((param, index) => {
    if (params.indexOf(param) !== index) throw new GradlabError(`${where}: parameter ${index} ${formatShape(param.shape)} appears twice`);
    const programIndex = programParams.indexOf(param);
    if (programIndex < 0) return; // the step does not reach it: no gradient, no update
    const buffers = update.stateOf(index);
    if (buffers.length !== state.length || buffers.some((b) => !(b instanceof Float64Array) || b.length !== param.size)) {
      throw new GradlabError(`${where}: stateOf(${index}) must give ${state.length} Float64Arrays of ${param.size} values (parameter ${formatShape(param.shape)})`);
    }
    const at = items.length * scalars.length;
    items.push({ param, index, programIndex, grad: gradBuffers[programIndex], state: buffers, scalars: allScalars.subarray(at, at + scalars.length) });
  });
  return {
    name,
    items,
    rules: planned,
    prepare: () => {
      for (const item of items) update.prepare(item.index, item.scalars);
    },
  };
}

/**
 * Where an optimizer refuses to step: the first gradient value that is NaN or ±Infinity, as
 * nn's optimizers word it; or null. Nothing is updated when there is one.
 */
export function nonFiniteGradient(plan: UpdatePlan): string | null {
  for (const { param, index, grad } of plan.items) {
    for (let k = 0; k < grad.length; k++) {
      if (grad[k] - grad[k] !== 0) {
        const described = `parameter ${index}${param.name ? ` '${param.name}'` : ''} ${formatShape(param.shape)}`;
        return `${plan.name}: the gradient of ${described} has ${grad[k]} at element ${k}; no parameter was updated`;
      }
    }
  }
  return null;
}

/**
 * The update without generated code: false (and nothing updated) if a gradient is not finite;
 * otherwise every rule, element by element.
 */
export function applyUpdate(plan: UpdatePlan): boolean {
  if (nonFiniteGradient(plan)) return false;
  plan.prepare();
  const values: number[] = [];
  for (const { param, grad, state, scalars } of plan.items) {
    const data = param.data;
    for (let k = 0; k < data.length; k++) {
      for (const { target, operands, f } of plan.rules) {
        operands.forEach((o, j) => {
          values[j] = o.kind === 'value' ? data[k] : o.kind === 'grad' ? grad[k] : o.kind === 'state' ? state[o.index][k] : scalars[o.index];
        });
        values.length = operands.length;
        const v = f(...values);
        if (target === null) data[k] = v;
        else state[target][k] = v;
      }
    }
  }
  return true;
}
