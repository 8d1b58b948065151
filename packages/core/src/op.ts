// An op: a forward computation and, beside it, one local-derivative rule per input.
// Built-in ops and user ops are defined the same way, with `defineOp`.
import { generate } from './generate.ts';
import { isAnomalyDetectionEnabled, isGradEnabled } from './modes.ts';
import { GradlabError } from './errors.ts';
import { formatShape, MAX_ELEMENTS, sizeOf, type Shape } from './shape.ts';
import { allocate, isNumberOperand, Tensor, toTensor, type DType, type FloatArray } from './tensor.ts';

declare module './tensor.ts' {
  // a tensor's `op` is an Op (see TensorOp)
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the merge adds Op's members
  interface TensorOp extends Op {}
}

/** How an op computes its result from its inputs' values (ops/kernels.ts has the kinds). */
export interface KernelBase<A> {
  /** The result's shape for these inputs; throws, naming the op, on inputs the op rejects. */
  readonly shape: (inputs: readonly Tensor[], attrs: A, opName: string) => Shape;
  /** Writes every element of the result into `out` (of the result's size), reading the inputs' data. */
  readonly run: (out: FloatArray, inputs: readonly Tensor[], attrs: A) => void;
  /** The result's dtype, for an op that chooses it (cast); else it follows the inputs (`resultDType`). */
  readonly dtype?: (inputs: readonly Tensor[], attrs: A) => DType;
}

/** What a derivative rule sees: the op's inputs by name, its `result`, its attributes. */
export type LocalContext<N extends string, A> = { readonly [K in N]: Tensor } & {
  readonly result: Tensor;
  readonly attrs: A;
};

/** ... and, for a vector–Jacobian product, the incoming gradient ∂L/∂result. */
export type GradientContext<N extends string, A> = LocalContext<N, A> & { readonly grad: Tensor };

/**
 * The local derivative of the op's result with respect to one input, written with gradlab's
 * own ops so that the backward pass is itself a differentiable graph. A rule gives one of:
 *
 * - `partial` (elementwise ops): ∂result/∂input element by element (broadcastable to the
 *   result). The walk computes grad · partial and sums it back to the input's shape.
 * - `vjp` (other ops): the gradient for this input given the incoming `grad`; `local` may add
 *   the numbers a reader should see as the local derivative (matmul: the other operand).
 *
 * A rule returns tensors and keeps none (it does not stash them for later).
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

// ---- where results come from: the one seam for speed -------------------------------------------

/**
 * How an op's result tensor is obtained. By default each result gets a fresh buffer of its
 * own; the backward walk installs a hook that reuses the buffers of its own dead scratch values
 * (autograd.ts), and compile one that records every op applied (compile/compile.ts). Deleting
 * those hooks leaves a slower library that computes the same numbers.
 */
export interface ResultHook {
  /** A tensor of this shape (and size) and dtype for an op's result; the op's kernel writes its values next. */
  result(shape: Shape, size: number, dtype: DType): Tensor;
  /** Hears that an op starts computing (it reads its inputs' values from now until `applied`). */
  computing?(): void;
  /** Hears of every op applied, once its result holds its values (and they were checked). */
  applied?(op: Op, inputs: readonly Tensor[], attrs: unknown, result: Tensor): void;
  /** True for a hook recording ops to replay them (compile): no gradient may be taken inside. */
  readonly records?: boolean;
}

/** The default: a fresh buffer, owned by the result alone. */
export const freshResults: ResultHook = {
  result: (shape, size, dtype) => new Tensor(dtype === 'float64' ? new Float64Array(size) : allocate(size, dtype), shape),
};

/**
 * The dtype of an op's result, by PyTorch's promotion rule: float64 if any input that counts is
 * float64, else float32. The inputs that count are those of the highest class present, of:
 * differentiable inputs with dimensions, then 0-d tensors, then number operands; and below them,
 * in the same order, the inputs that are not differentiable (indices, masks). So `x32.mul(2)` and
 * `mean(x32)` stay float32, a float64 index tensor does not widen `gather`, and float32 [3] +
 * float64 [3] is float64.
 */
export function resultDType(xs: readonly Tensor[], differentiable: readonly boolean[]): DType {
  let best = -1;
  let wide = false;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    const rank = (differentiable[i] ? 3 : 0) + (x.shape.length > 0 ? 2 : isNumberOperand(x) ? 0 : 1);
    const float64 = x.dtype === 'float64';
    if (rank > best) {
      best = rank;
      wide = float64;
    } else if (rank === best && float64) wide = true;
  }
  return wide ? 'float64' : 'float32';
}

let results: ResultHook = freshResults;

let peeking = 0;

/**
 * A tensor's values, for a check that never changes what is computed (a validation, a warning).
 * Such a read is allowed while compile records a step, where reading a computed value is
 * otherwise refused; the check then runs on the recording (and verifying) run only.
 */
export function peek(t: Tensor): FloatArray {
  peeking++;
  try {
    return t.data;
  } finally {
    peeking--;
  }
}

/** Whether a `peek` is reading. */
export function isPeeking(): boolean {
  return peeking > 0;
}

/** Runs `fn` with `hook` deciding where op results come from. */
export function withResultHook<T>(hook: ResultHook, fn: () => T): T {
  const previous = results;
  results = hook;
  try {
    return fn();
  } finally {
    results = previous;
  }
}

/** The hook in force (the walk reuses buffers only where no one else installed one). */
export function currentResultHook(): ResultHook {
  return results;
}

/** Hears of one op applied: the op, its inputs and attributes, and its result (with its values). */
export type AppliedOpListener = (op: Op, inputs: readonly Tensor[], attrs: unknown, result: Tensor) => void;

/**
 * Runs `fn` and tells `listener` of every op applied in it, in order, whether or not the op
 * records a graph: comparisons, argmax and other ops without a gradient record none, so a tracer
 * that must see every op (an exporter) listens here. Results and their values are unchanged.
 */
export function recordOps<T>(fn: () => T, listener: AppliedOpListener): T {
  const outer = results;
  const hook: ResultHook = {
    result: (shape, size, dtype) => outer.result(shape, size, dtype),
    computing: () => outer.computing?.(),
    applied: (op, inputs, attrs, result) => {
      outer.applied?.(op, inputs, attrs, result);
      listener(op, inputs, attrs, result);
    },
    records: outer.records,
  };
  return withResultHook(hook, fn);
}

/** Shared lists of zeros, for the common case of inputs never changed in place. */
const UNCHANGED: readonly (readonly number[])[] = Array.from({ length: 9 }, (_, n) => Object.freeze(new Array<number>(n).fill(0)));

function versionsOf(xs: readonly Tensor[]): readonly number[] {
  let changed = false;
  for (let i = 0; i < xs.length; i++) if (xs[i].version !== 0) changed = true;
  if (!changed && xs.length < UNCHANGED.length) return UNCHANGED[xs.length];
  const versions = new Array<number>(xs.length);
  for (let i = 0; i < xs.length; i++) versions[i] = xs[i].version;
  return versions;
}

/** The first index of `data` holding NaN or ±Infinity, or -1. */
export function firstNonFinite(data: FloatArray): number {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return i;
  return -1;
}

export function describeInputs(names: readonly string[], inputs: readonly Tensor[]): string {
  return inputs.map((x, i) => `${names[i]}: ${formatShape(x.shape)}`).join(', ');
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
  /** A faster vjp per input, giving the rule's numbers bit for bit (attached by fast/index.ts). */
  private readonly fast: (((c: GradientContext<N, A>) => Tensor) | undefined)[];
  private readonly makeContext: (node: Tensor, grad: Tensor | null) => GradientContext<N, A>;

  constructor(spec: OpSpec<N, A>) {
    if (!spec.name) throw new GradlabError('defineOp: an op needs a name');
    if (spec.inputs.length === 0) throw new GradlabError(`defineOp: ${spec.name}: an op needs at least one input`);
    if (!spec.forward && !spec.kernel) throw new GradlabError(`defineOp: ${spec.name}: an op needs a forward or a kernel`);
    for (const key of Object.keys(spec.derivatives)) {
      if (!spec.inputs.includes(key as N)) throw new GradlabError(`defineOp: ${spec.name}: derivative for unknown input '${key}'`);
    }
    for (const name of spec.inputs) {
      const rule = spec.derivatives[name];
      if (rule && !('notDifferentiable' in rule) && !rule.partial === !rule.vjp) {
        throw new GradlabError(`defineOp: ${spec.name}: the rule for '${name}' needs a partial or a vjp (one of them)`);
      }
    }
    this.name = spec.name;
    this.inputNames = spec.inputs;
    this.spec = spec;
    this.rules = spec.inputs.map((name) => spec.derivatives[name]);
    this.differentiable = this.rules.map((rule) => !(rule && 'notDifferentiable' in rule));
    this.fast = spec.inputs.map(() => undefined);
    this.makeContext = contextFactory(spec.inputs);
  }

  /**
   * For ops without attributes: `softplusOp.call(x)` runs it on tensors or numbers (a number
   * becomes a scalar constant). `apply(inputs, attrs)` is the general form.
   */
  call(this: Op<N, undefined>, ...inputs: readonly (Tensor | number)[]): Tensor {
    const xs = inputs.map((x) => (typeof x === 'number' ? toTensor(x) : x));
    return this.apply(xs, undefined);
  }

  /** Runs the op: check the inputs, compute the result, check its values, link it into the graph. */
  apply(xs: readonly Tensor[], attrs: A): Tensor {
    if (xs.length !== this.inputNames.length) {
      throw new GradlabError(`${this.name}: expected ${this.inputNames.length} inputs, got ${xs.length}`);
    }
    const result = this.compute(xs, attrs);
    if (isAnomalyDetectionEnabled()) this.checkFinite(result, xs, attrs);
    results.applied?.(this as unknown as Op, xs, attrs, result);
    if (isGradEnabled()) {
      let needsGrad = false;
      // a result needs a graph if a gradient can flow from it into an input that wants one
      for (let i = 0; i < xs.length; i++) if (xs[i].requiresGrad && this.differentiable[i]) needsGrad = true;
      if (needsGrad) {
        result.requiresGrad = true;
        result.op = this as unknown as Op;
        result.inputs = xs;
        result.attrs = attrs;
        result.inputVersions = versionsOf(xs);
      }
    }
    return result;
  }

  /** The result's values, in a tensor the result hook provides (a kernel) or the forward makes. */
  private compute(xs: readonly Tensor[], attrs: A): Tensor {
    results.computing?.();
    const kernel = this.spec.kernel;
    if (!kernel) return this.spec.forward!(xs, attrs);
    const shape = kernel.shape(xs, attrs, this.name);
    const size = sizeOf(shape);
    if (size > MAX_ELEMENTS) {
      throw new GradlabError(`${this.name}: the result ${formatShape(shape)} would have ${size} elements, more than the limit of ${MAX_ELEMENTS} (2^27)`);
    }
    const dtype = kernel.dtype ? kernel.dtype(xs, attrs) : resultDType(xs, this.differentiable);
    const result = results.result(shape, size, dtype);
    kernel.run(result.data, xs, attrs);
    return result;
  }

  private checkFinite(result: Tensor, xs: readonly Tensor[], attrs: A): void {
    const bad = firstNonFinite(result.data);
    if (bad >= 0) {
      throw new GradlabError(
        `detectAnomaly: ${this.label(attrs)} forward produced ${result.data[bad]} at element ${bad} of its result ` +
          `${formatShape(result.shape)} (inputs ${describeInputs(this.inputNames, xs)})`,
      );
    }
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
      throw new GradlabError(`${this.name}: no derivative rule for input '${name}'; cannot backpropagate through it`);
    }
    if (!this.differentiable[i]) {
      throw new GradlabError(
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

  /**
   * Attaches (or, with null, removes) a faster vjp for input `name`: one op instead of the
   * rule's several, computing the same numbers bit for bit. The rule stays what the inspector
   * shows; fast/index.ts attaches these for the built-in ops.
   */
  setFastVjp(name: N, vjp: ((c: GradientContext<N, A>) => Tensor) | null): void {
    const i = this.inputNames.indexOf(name);
    if (i < 0) throw new GradlabError(`${this.name}: no input named '${name}'`);
    this.fast[i] = vjp ?? undefined;
  }

  /** The faster vjp attached for input i, if any. */
  fastVjp(i: number): ((c: GradientContext<N, A>) => Tensor) | undefined {
    return this.fast[i];
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
