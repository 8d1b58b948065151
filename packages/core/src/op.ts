// An op: a forward computation and, beside it, one local-derivative rule per input.
// Built-in ops and user ops are defined the same way, with `defineOp`.
// This module imports no values from the rest of core, so ops can be defined at module load.
import { allocate } from './buffers.ts';
import { generate } from './generate.ts';
import { formatShape, sizeOf, type Shape } from './shape.ts';
import type { Tensor } from './tensor.ts';
import type { KernelBase } from './ops/kernels.ts';

/** What a derivative rule sees: the op's inputs by name, its `result`, its attributes. */
export type LocalContext<N extends string, A> = { readonly [K in N]: Tensor } & {
  readonly result: Tensor;
  readonly attrs: A;
};

/** ... and, for a vector–Jacobian product, the incoming gradient ∂L/∂result. */
export type GradientContext<N extends string, A> = LocalContext<N, A> & { readonly grad: Tensor };

/**
 * The local derivative of the op's result with respect to one input, written with gradlab's
 * own ops so that the backward pass is itself a differentiable graph.
 *
 * - Elementwise ops give `partial`: ∂result/∂input element by element (broadcastable to the
 *   result). The gradient is then grad · partial (summed back to the input's shape by the walk).
 * - Other ops give `vjp`: the gradient for this input given the incoming `grad`, and may give
 *   `local`, the numbers a reader should see as the local derivative (matmul: the other operand).
 * - An elementwise op may give both: the walk then uses `vjp` (a shortcut that must equal
 *   grad · partial, e.g. `grad` itself for addition) and the inspector shows `partial`.
 *
 * A rule returns tensors and keeps none: in `backward()` and `grad()` without createGraph, the
 * tensors that ops make inside rules are scratch, reused by the next walk.
 */
export interface DerivativeRule<N extends string, A> {
  /** The rule as math, e.g. `∂y/∂x = y·(1−y)`. */
  formula: string;
  partial?: (c: LocalContext<N, A>) => Tensor;
  vjp?: (c: GradientContext<N, A>) => Tensor;
  local?: (c: LocalContext<N, A>) => Tensor;
  /**
   * For the inspector only: every (result element, input element, ∂result/∂input) triple,
   * including structural zeros. Without it the inspector probes `vjp` with one-hot gradients.
   */
  jacobian?: (c: LocalContext<N, A>) => JacobianEntry[];
}

/** One element-level local derivative: ∂result[out]/∂input[in] = value (flat indices). */
export type JacobianEntry = readonly [out: number, input: number, value: number];

/** An input that gradients do not flow into (an index, a mask): say so, and why. */
export interface NotDifferentiable {
  notDifferentiable: string;
}

export interface OpSpec<N extends string, A> {
  name: string;
  /** Input names, in call order. */
  inputs: readonly N[];
  /** Computes the result from the inputs' values; returns a fresh tensor (no history). */
  forward?: (inputs: readonly Tensor[], attrs: A) => Tensor;
  /**
   * Or, instead of `forward`, a kernel: the result's shape and a loop writing the values into a
   * buffer (see ops/kernels.ts). Built-in ops use kernels, so compiled programs can replay them
   * into buffers allocated once.
   */
  kernel?: KernelBase<A> & { readonly kind: string };
  /** One rule per input. A missing rule is an error when a gradient is asked through it. */
  derivatives: { readonly [K in N]?: DerivativeRule<N, A> | NotDifferentiable };
  /** A label with the attributes, for pictures: `sum(axis=1)`. */
  describe?: (attrs: A) => string;
}

/** What the inspector reports as the local derivative of a node with respect to one input. */
export interface LocalDerivative {
  input: string;
  formula: string;
  /** elementwise: ∂y/∂x per element; operand: the other operand (matmul); none: only a rule. */
  kind: 'elementwise' | 'operand' | 'none' | 'not differentiable';
  value: Tensor | null;
}

// ---- global modes -------------------------------------------------------------------------

let gradEnabled = true;
let anomalyDetection = false;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs `fn` without recording a graph (no op result requires grad inside). */
export function noGrad<T>(fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/** Internal: sets whether ops record a graph (pair it with `isGradEnabled()` and a finally). */
export function setGradEnabled(enabled: boolean): void {
  gradEnabled = enabled;
}

/** Internal: run with recording forced on or off (the backward walk uses it for createGraph). */
export function withGradEnabled<T>(enabled: boolean, fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = enabled;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/** Turns anomaly detection on or off globally: every op checks its forward and backward values. */
export function setAnomalyDetection(on: boolean): void {
  anomalyDetection = on;
}

export function isAnomalyDetectionEnabled(): boolean {
  return anomalyDetection;
}

/** Runs `fn` with anomaly detection: the first op producing NaN or ±Infinity throws, naming itself. */
export function detectAnomaly<T>(fn: () => T): T {
  const previous = anomalyDetection;
  anomalyDetection = true;
  try {
    return fn();
  } finally {
    anomalyDetection = previous;
  }
}

export function firstNonFinite(data: Float64Array): number {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return i;
  return -1;
}

export function describeInputs(names: readonly string[], inputs: readonly Tensor[]): string {
  return inputs.map((x, i) => `${names[i]}: ${formatShape(x.shape)}`).join(', ');
}

// ---- recording (for compile.ts) -------------------------------------------------------------

/** One op application: what a compiled program replays. */
export interface TapeEntry {
  op: Op;
  inputs: readonly Tensor[];
  attrs: unknown;
  result: Tensor;
}

let tape: TapeEntry[] | null = null;

/** Internal: runs `fn` and returns, with its value, every op applied meanwhile, in order. */
export function recordOps<T>(fn: () => T): { value: T; tape: TapeEntry[] } {
  const mine: TapeEntry[] = [];
  return { value: withTape(mine, fn), tape: mine };
}

/** Internal: runs `fn` without recording (an eager run beside a recorded one). */
export function withoutRecording<T>(fn: () => T): T {
  return withTape(null, fn);
}

/** Whether ops are being recorded (by compile). */
export function isRecording(): boolean {
  return tape !== null;
}

function withTape<T>(target: TapeEntry[] | null, fn: () => T): T {
  const previous = tape;
  tape = target;
  try {
    return fn();
  } finally {
    tape = previous;
  }
}

// ---- scratch tensors of a backward walk -----------------------------------------------------

/**
 * The tensors ops make during a backward walk without createGraph (the rules' intermediate
 * results) are dead once the walk has handed out its gradients, which it copies. So they are
 * kept and reused by the next walk instead of allocated anew (only small ones, up to this many
 * values: a pool of large buffers would hold memory long after training). A training loop walks
 * the same graph every step, so the next walk makes the same ops in the same order: it is
 * offered the tensors in the order the last walk made them, and takes each one that fits.
 */
const SCRATCH_MAX = 4096;

class ScratchTensors {
  active = false;
  depth = 0;
  /** The last walk's tensors, in the order it made them, and the next one to offer. */
  private spare: Tensor[] = [];
  private next = 0;
  /** This walk's tensors, in the order it made them. */
  private used: Tensor[] = [];

  /** A tensor of this shape whose values the caller overwrites; null when not pooling. */
  take(size: number, shape: Shape): Tensor | null {
    if (!this.active) return null;
    const t = this.spare[this.next];
    if (t === undefined || t.size !== size) return null;
    this.next++;
    (t as { shape: Shape }).shape = shape;
    this.used.push(t);
    return t;
  }

  /** Remembers a tensor made during the walk, to reuse it after. */
  keep(t: Tensor): void {
    if (this.active && t.size <= SCRATCH_MAX) this.used.push(t);
  }

  releaseAll(): void {
    const spare = this.spare;
    this.spare = this.used;
    this.used = spare;
    spare.length = 0;
    this.next = 0;
  }
}

const scratch = new ScratchTensors();

/**
 * Internal, around a backward walk: `beginScratch()` makes the results of ops scratch (not
 * while recording for compile), `handingOut()` stops that (what the walk gives away is copied
 * or made then), and `endScratch(begun)`, in a finally, releases the scratch once no walk runs.
 */
export function beginScratch(): boolean {
  const outer = scratch.active;
  scratch.active = tape === null;
  scratch.depth++;
  return outer;
}

export function handingOut(): void {
  scratch.active = false;
}

export function endScratch(outer: boolean): void {
  scratch.active = outer;
  if (--scratch.depth === 0) scratch.releaseAll();
}

/** How ops with a kernel wrap their result buffer (set by tensor.ts, which imports this module). */
let newTensor: ((data: Float64Array, shape: Shape) => Tensor) | null = null;

/** Internal: tensor.ts registers its constructor here. */
export function setTensorFactory(create: (data: Float64Array, shape: Shape) => Tensor): void {
  newTensor = create;
}

// ---- the op ----------------------------------------------------------------------------------

export class Op<N extends string = string, A = unknown> {
  readonly name: string;
  readonly inputNames: readonly N[];
  readonly spec: OpSpec<N, A>;
  /** The rule (or the not-differentiable mark) of each input, by position. */
  private readonly rules: readonly (DerivativeRule<N, A> | NotDifferentiable | undefined)[];
  /** Whether each input lets gradients flow (it is not marked not differentiable). */
  private readonly differentiable: readonly boolean[];
  private readonly makeContext: (node: Tensor, grad: Tensor | null) => GradientContext<N, A>;

  constructor(spec: OpSpec<N, A>) {
    if (!spec.name) throw new Error('defineOp: an op needs a name');
    if (spec.inputs.length === 0) throw new Error(`defineOp: ${spec.name}: an op needs at least one input`);
    if (!spec.forward && !spec.kernel) throw new Error(`defineOp: ${spec.name}: an op needs a forward or a kernel`);
    for (const key of Object.keys(spec.derivatives)) {
      if (!spec.inputs.includes(key as N)) throw new Error(`defineOp: ${spec.name}: derivative for unknown input '${key}'`);
    }
    for (const name of spec.inputs) {
      const rule = spec.derivatives[name];
      if (rule && !('notDifferentiable' in rule) && !rule.partial && !rule.vjp) {
        throw new Error(`defineOp: ${spec.name}: the rule for '${name}' needs a partial or a vjp`);
      }
    }
    this.name = spec.name;
    this.inputNames = spec.inputs;
    this.spec = spec;
    this.rules = spec.inputs.map((name) => spec.derivatives[name]);
    this.differentiable = this.rules.map((rule) => !(rule && 'notDifferentiable' in rule));
    this.makeContext = contextFactory(spec.inputs);
  }

  /**
   * For ops without attributes: `softplusOp.call(x)` runs it on tensors or numbers (a number
   * becomes a scalar constant). `apply(inputs, attrs)` is the general form.
   */
  call(this: Op<N, undefined>, ...inputs: readonly (Tensor | number)[]): Tensor {
    const xs = inputs.map((x) => (typeof x === 'number' ? newTensor!(Float64Array.of(x), []) : x));
    return this.apply(xs, undefined);
  }

  /** Runs the op forward and, when recording, links the result to its inputs. */
  apply(xs: readonly Tensor[], attrs: A): Tensor {
    if (xs.length !== this.inputNames.length) {
      throw new Error(`${this.name}: expected ${this.inputNames.length} inputs, got ${xs.length}`);
    }
    const kernel = this.spec.kernel;
    let result: Tensor;
    if (kernel) {
      const shape = kernel.shape(xs, attrs, this.name);
      const size = sizeOf(shape);
      const reused = scratch.take(size, shape);
      if (reused) {
        kernel.run(reused.data, xs, attrs);
        result = reused;
      } else {
        const out = allocate(size);
        kernel.run(out, xs, attrs);
        result = newTensor!(out, shape);
        scratch.keep(result);
      }
    } else {
      result = this.spec.forward!(xs, attrs);
    }
    if (anomalyDetection) {
      const bad = firstNonFinite(result.data);
      if (bad >= 0) {
        throw new Error(
          `detectAnomaly: ${this.label(attrs)} forward produced ${result.data[bad]} at element ${bad} of its result ` +
            `${formatShape(result.shape)} (inputs ${describeInputs(this.inputNames, xs)})`,
        );
      }
    }
    if (gradEnabled) {
      let needsGrad = false;
      for (let i = 0; i < xs.length; i++) if (xs[i].requiresGrad) needsGrad = true;
      if (needsGrad) {
        result.requiresGrad = true;
        result.op = this as unknown as Op;
        result.inputs = xs;
        result.attrs = attrs;
      }
    }
    if (tape) tape.push({ op: this as unknown as Op, inputs: xs, attrs, result });
    return result;
  }

  /** The display label: `sum(axis=1)` or just the name. */
  label(attrs: A): string {
    return this.spec.describe ? this.spec.describe(attrs) : this.name;
  }

  /** The named view of a node that rules receive: inputs by name, result, attrs, grad. */
  context(node: Tensor, grad: Tensor | null): GradientContext<N, A> {
    return this.makeContext(node, grad);
  }

  /** The rule for input i; a missing rule is an error naming the op and the input. */
  derivativeRule(i: number): DerivativeRule<N, A> {
    const name = this.inputNames[i];
    const rule = this.rules[i];
    if (!rule) {
      throw new Error(`${this.name}: no derivative rule for input '${name}'; cannot backpropagate through it`);
    }
    if (!this.differentiable[i]) {
      throw new Error(
        `${this.name}: input '${name}' is not differentiable (${(rule as NotDifferentiable).notDifferentiable}), ` +
          `but a gradient was asked through it`,
      );
    }
    return rule as DerivativeRule<N, A>;
  }

  /** Whether input i has a rule that lets gradients flow (for the walk to skip marked inputs). */
  isDifferentiable(i: number): boolean {
    return this.differentiable[i];
  }

  /** The local derivative of `node` with respect to input i, as formula and as numbers. */
  localDerivative(node: Tensor, i: number): LocalDerivative {
    const input = this.inputNames[i];
    const rule = this.spec.derivatives[input];
    if (!rule) return { input, formula: '(no rule)', kind: 'none', value: null };
    if ('notDifferentiable' in rule) return { input, formula: rule.notDifferentiable, kind: 'not differentiable', value: null };
    const ctx = this.context(node, null);
    if (rule.partial) return { input, formula: rule.formula, kind: 'elementwise', value: rule.partial(ctx) };
    if (rule.local) return { input, formula: rule.formula, kind: 'operand', value: rule.local(ctx) };
    return { input, formula: rule.formula, kind: 'none', value: null };
  }

  /** Whether input i's rule is elementwise (a partial), which fixes its element-level structure. */
  isElementwise(i: number): boolean {
    const rule = this.spec.derivatives[this.inputNames[i]];
    return !!rule && !('notDifferentiable' in rule) && !!rule.partial;
  }
}

/**
 * The named view of a node for an op with these input names: `{ result, attrs, grad, x }`.
 * Where code generation is allowed it is one object literal per op (a fixed layout, so the
 * rules' reads of it are fast); otherwise the fields are added one by one.
 */
function contextFactory<N extends string, A>(names: readonly N[]): (node: Tensor, grad: Tensor | null) => GradientContext<N, A> {
  type Factory = (node: Tensor, grad: Tensor | null) => GradientContext<N, A>;
  const fields = names.map((name, i) => `${JSON.stringify(name)}: x[${i}]`).join(', ');
  const literal = generate<Factory>(['node', 'grad'], `const x = node.inputs; return { result: node, attrs: node.attrs, grad, ${fields} };`);
  if (literal) return literal;
  return (node, grad) => {
    const ctx: Record<string, unknown> = { result: node, attrs: node.attrs, grad };
    for (let i = 0; i < names.length; i++) ctx[names[i]] = node.inputs[i];
    return ctx as GradientContext<N, A>;
  };
}

/**
 * Defines an op. The result is called with `op.apply([inputs...], attrs)`; wrap it in a plain
 * function for users. Example (the rule is the derivative of the op's result):
 *
 *   const square = defineOp({
 *     name: 'square', inputs: ['x'],
 *     forward: ([x]) => map(x, (v) => v * v),
 *     derivatives: { x: { formula: '∂y/∂x = 2x', partial: ({ x }) => mul(2, x) } },
 *   });
 */
export function defineOp<N extends string, A = undefined>(spec: OpSpec<N, A>): Op<N, A> {
  return new Op(spec);
}
