// A program as one straight-line JS function. Small ops (up to 64 values) are unrolled into
// one local variable per value, computed by the same arithmetic as their kernels, in the same
// order: elementwise ops apply the op's scalar function, a matmul sums ((0 + a₀b₀) + a₁b₁) + …
// and a sum ((0 + x₀) + x₁) + …, and moving ops (transpose, reshape, broadcastTo) only rename
// values. Larger ops call their kernel on their buffer, except that a chain of elementwise ops
// whose intermediate results nothing else reads becomes one loop computing each element's whole
// chain (one pass over memory instead of one per op). The backward pass's Aᵀ·G and G·Bᵀ are
// ops of their own (matmulTN, matmulNT), which read the transposed operand in place. After the
// gradients, an optimizer's update (update.ts) runs its rules on each parameter's elements.
// The results are bit for bit those of the eager ops; only where values live changes. A float32
// result's values are rounded (Math.fround) where the eager kernel rounds them: an elementwise
// op's and a sum's once per value (the sum kernel adds in float64), a matmul's at every product
// and partial sum (matmulKernel.ts), an update's once per rule.

import { GradlabError } from '../errors.ts';
import { generate } from '../generate.ts';
import type { Kernel } from '../ops/kernels.ts';
import { broadcastIndex } from '../shape.ts';
import type { FloatArray, Tensor } from '../tensor.ts';
import type { Program } from './program.ts';
import { numberLiteral, scalarExpression } from './scalar.ts';
import type { Operand, UpdateItem, UpdatePlan } from './update.ts';

/** Ops with at most this many values are unrolled (matmul: m·n·k multiply-adds, sum: inputs). */
const UNROLL_VALUES = 64;
/**
 * Source longer than this is written again unrolling less (ops of at most 16 values, then none).
 * V8 optimises a function only up to a bytecode size (60 KB by default): past it the step runs in
 * the interpreter, several times slower than eager. Measured on Node 20: unrolled steps of 42–53 K
 * characters were optimised, of 55 K and more not (a [2,32,32,1] network at batch 30 unrolled to
 * 77 K: 1.4 ms per replay, 0.14 ms written with nothing unrolled).
 */
const MAX_SOURCE = 40_000;
const UNROLL_TRIES = [UNROLL_VALUES, 16, 0];
const UNROLL_MATMUL = 512;
const UNROLL_SUM = 256;

export interface GeneratedStep {
  /**
   * Replays the program, writing the gradients; with an update, then updates the parameters.
   * False when a gradient is NaN or ±Infinity: then no parameter is updated.
   */
  run: () => boolean;
  source: string;
}

type Entry = Program['entries'][number];

/**
 * The program as generated code, writing `gradBuffers[i]` (∂L/∂params[i]) and the outputs'
 * buffers, then running `update` if given; or null where code generation is not allowed.
 */
export function generateStep(program: Program, gradBuffers: readonly FloatArray[], update: UpdatePlan | null): GeneratedStep | null {
  let step: GeneratedStep | null = null;
  for (const unroll of UNROLL_TRIES) {
    step = writeStep(program, gradBuffers, update, unroll);
    if (step === null || step.source.length <= MAX_SOURCE) break;
  }
  return step;
}

/** The step's code, unrolling ops of at most `unroll` values (0: none). */
function writeStep(program: Program, gradBuffers: readonly FloatArray[], update: UpdatePlan | null, unroll: number): GeneratedStep | null {
  const w = new Writer(program, unroll);
  const plan = layout(program, unroll);
  program.entries.forEach((entry, k) => {
    if (plan.fusedInto[k] >= 0) return; // computed inside a later loop
    if (plan.loop[k]) emitLoop(w, plan, k);
    else if (plan.unrolled[k]) emitUnrolled(w, plan, k);
    else emitKernelCall(w, plan, entry);
  });
  emitGradients(w, gradBuffers);
  if (update) emitUpdate(w, update);
  return w.finish();
}

/** How each entry runs: unrolled into locals, as a loop (maybe inside a later one), or its kernel. */
interface Layout {
  entries: readonly Entry[];
  unrolled: boolean[];
  loop: boolean[];
  /** The loop that computes entry k inside it, or -1. */
  fusedInto: number[];
  /** Computed tensors whose buffer must hold their values: read by a kernel or after the program. */
  stored: Set<Tensor>;
}

function layout(program: Program, unroll: number): Layout {
  const { entries } = program;
  const unrolled = entries.map((entry) => isUnrolled(entry, unroll));
  // tensors read outside the entries: outputs, gradients, views' buffers
  const kept = new Set<Tensor>([...program.outputs, ...program.grads]);
  for (const [, source] of program.sources) if (source.kind === 'view') kept.add(source.of);
  const stored = new Set<Tensor>(kept);
  entries.forEach((entry, k) => {
    if (!unrolled[k]) for (const x of entry.inputs) stored.add(x);
  });
  const users = new Map<Tensor, number[]>();
  entries.forEach((entry, k) => {
    for (const x of new Set(entry.inputs)) users.set(x, [...(users.get(x) ?? []), k]);
  });
  const onlyUser = (t: Tensor): number => {
    const list = users.get(t);
    return !kept.has(t) && list?.length === 1 ? list[0] : -1;
  };
  // large elementwise ops run as loops; one whose result only the next loop reads runs inside it
  const loop = entries.map((entry, k) => !unrolled[k] && isElementwise(entry) && entry.inputs.every((x) => x.size === entry.result.size || x.size === 1));
  const fusedInto = entries.map((entry, k) => {
    const user = loop[k] ? onlyUser(entry.result) : -1;
    return user >= 0 && loop[user] && entries[user].result.size === entry.result.size ? user : -1;
  });
  return { entries, unrolled, loop, fusedInto, stored };
}

/** The source being written, the values it closes over, and how it reads a tensor's values. */
class Writer {
  readonly body: string[] = [];
  /** Unrolled tensors: one expression per value. */
  readonly elements = new Map<Tensor, string[]>();
  private readonly prologue: string[] = [];
  private readonly env: unknown[] = [];
  private readonly envNames = new Map<unknown, string>();
  private readonly liveData = new Map<Tensor, string>();
  private readonly preloaded = new Map<string, string>();

  constructor(
    readonly program: Program,
    /** Ops (and parameters, gradients, constants) of at most this many values are unrolled. */
    readonly unroll: number,
  ) {}

  /** A name for a value from outside the code (a buffer, a kernel, attributes). */
  bind(value: unknown): string {
    let name = this.envNames.get(value);
    if (!name) {
      name = `$${this.env.length}`;
      this.env.push(value);
      this.envNames.set(value, name);
    }
    return name;
  }

  /** An expression for the buffer holding t's values. */
  bufferOf(t: Tensor): string {
    const source = this.program.sources.get(t)!;
    if (source.kind === 'live') {
      let name = this.liveData.get(t);
      if (!name) {
        name = `L${this.liveData.size}`;
        this.liveData.set(t, name);
        this.prologue.push(`const ${name} = ${this.bind(t)}.data;`);
      }
      return name;
    }
    if (source.kind === 'view') return this.bind(source.of.data);
    return this.bind(t.data);
  }

  /** An expression for value i of t. */
  element(t: Tensor, i: number): string {
    const unrolled = this.elements.get(t);
    if (unrolled) return unrolled[i];
    const source = this.program.sources.get(t)!;
    if (source.kind === 'constant' && t.size <= this.unroll) return numberLiteral(t.data[i]);
    if (source.kind !== 'live') return `${this.bufferOf(t)}[${i}]`;
    // read once, at the start of the run (the values do not change before the update)
    const key = `${this.bufferOf(t)}[${i}]`;
    let name = this.preloaded.get(key);
    if (!name) {
      name = `${this.bufferOf(t).toLowerCase()}_${i}`;
      this.preloaded.set(key, name);
      this.prologue.push(`const ${name} = ${key};`);
    }
    return name;
  }

  /** f applied to the argument expressions (and `attrs` if any): pasted if simple, else called. */
  call(f: unknown, args: readonly string[], attrs?: unknown): string {
    const pasted = scalarExpression(f, args, attrs);
    if (pasted) return pasted;
    return `${this.bind(f)}(${[...args, ...(attrs === undefined ? [] : [this.bind(attrs)])].join(', ')})`;
  }

  /** The function, closed over the bound values; null where code generation is not allowed. */
  finish(): GeneratedStep | null {
    const header = this.env.map((_, i) => `const $${i} = env[${i}];`).join('\n');
    const source = `${header}\nreturn function step() {\n${this.prologue.join('\n')}\n${this.body.join('\n')}\nreturn true;\n};`;
    const factory = generate<(env: unknown[]) => () => boolean>(['env'], source);
    return factory ? { run: factory(this.env), source } : null;
  }
}

/** An op too large to unroll (or without a kernel): its kernel writes into its buffer. */
function emitKernelCall(w: Writer, plan: Layout, { op, inputs, attrs, result }: Entry): void {
  for (const x of inputs) if (w.elements.has(x) && !plan.stored.has(x)) throw new GradlabError('compile: internal error (unstored input)');
  const kernel = op.spec.kernel as Kernel<unknown> | undefined;
  if (kernel) w.body.push(`${w.bind(kernel.run)}(${w.bind(result.data)}, ${w.bind(inputs)}, ${w.bind(attrs)});`);
  else w.body.push(`${w.bind(result.data)}.set(${w.bind(op.spec.forward)}(${w.bind(inputs)}, ${w.bind(attrs)}).data);`);
}

/** A small op as one local per value (stored into its buffer if something reads that). */
function emitUnrolled(w: Writer, plan: Layout, k: number): void {
  const entry = plan.entries[k];
  const kernel = entry.op.spec.kernel as Kernel<unknown>;
  let values: string[];
  if (kernel.kind === 'gather') {
    values = gatherValues(w, kernel, entry); // renamed, not computed
  } else {
    const expressions =
      kernel.kind === 'map' ? mapValues(w, kernel, entry)
      : kernel.kind === 'zip' ? zipValues(w, kernel, entry)
      : kernel.kind === 'matmul' ? matmulValues(w, kernel, entry)
      : sumValues(w, kernel, entry);
    const round = entry.result.dtype === 'float32';
    values = expressions.map((expression, i) => {
      w.body.push(`const v${k}_${i} = ${round ? `Math.fround(${expression})` : expression};`);
      return `v${k}_${i}`;
    });
  }
  w.elements.set(entry.result, values);
  if (plan.stored.has(entry.result)) {
    const buffer = w.bind(entry.result.data);
    values.forEach((v, i) => w.body.push(`${buffer}[${i}] = ${v};`));
  }
}

/** y_i = f(x_i). */
function mapValues(w: Writer, kernel: Extract<Kernel<unknown>, { kind: 'map' }>, { inputs, attrs, result }: Entry): string[] {
  return Array.from({ length: result.size }, (_, i) => w.call(kernel.f, [w.element(inputs[0], i)], attrs));
}

/** y_i = f(a_i, b_i), each operand read where broadcasting puts it. */
function zipValues(w: Writer, kernel: Extract<Kernel<unknown>, { kind: 'zip' }>, { inputs, attrs, result }: Entry): string[] {
  const [a, b] = inputs;
  const ia = readOrder(a, result);
  const ib = readOrder(b, result);
  return Array.from({ length: result.size }, (_, i) => w.call(kernel.f, [w.element(a, ia(i)), w.element(b, ib(i))], attrs));
}

/** C[i,j] = ((0 + A[i,0]·B[0,j]) + A[i,1]·B[1,j]) + …, A and B read where the layout says (transposed in place). */
function matmulValues(w: Writer, kernel: Extract<Kernel<unknown>, { kind: 'matmul' }>, { inputs, result }: Entry): string[] {
  const [a, b] = inputs;
  const { m, k: inner, n, aRow, aCol, bRow, bCol } = kernel.layout(inputs);
  const float32 = result.dtype === 'float32'; // summed in float32: every product and sum rounded (matmulKernel.ts)
  const values: string[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = '0';
      for (let p = 0; p < inner; p++) {
        const product = `${w.element(a, i * aRow + p * aCol)} * ${w.element(b, p * bRow + j * bCol)}`;
        sum = float32 ? `Math.fround(${sum} + Math.fround(${product}))` : `${sum} + ${product}`;
      }
      values.push(sum);
    }
  }
  return values;
}

/** Each result cell: ((0 + x₀) + x₁) + … over the input values that the kernel adds into it, in its order. */
function sumValues(w: Writer, kernel: Extract<Kernel<unknown>, { kind: 'sum' }>, { inputs, attrs, result }: Entry): string[] {
  const cells = kernel.cells(inputs, attrs);
  const sums = Array.from({ length: result.size }, () => '0');
  for (let i = 0; i < cells.length; i++) sums[cells[i]] += ` + ${w.element(inputs[0], i)}`;
  return sums;
}

/** Moving ops (transpose, reshape, broadcastTo): each value is an input value, renamed. */
function gatherValues(w: Writer, kernel: Extract<Kernel<unknown>, { kind: 'gather' }>, { inputs, attrs, result }: Entry): string[] {
  const index = kernel.index(inputs, attrs);
  return Array.from({ length: result.size }, (_, i) => w.element(inputs[0], index[i]));
}

/** The loop of a large elementwise op, with the ops fused into it computed inside. */
function emitLoop(w: Writer, plan: Layout, root: number): void {
  const members = loopMembers(w, plan, root);
  const hoisted: string[] = [];
  const inside: string[] = [];
  const locals = new Map<Tensor, string>();
  const operand = (x: Tensor): string => {
    const local = locals.get(x);
    if (local) return local;
    if (x.size > 1) return `${w.bufferOf(x)}[i]`;
    const name = `s${root}_${hoisted.length}`; // a scalar operand, read once
    hoisted.push(`const ${name} = ${w.element(x, 0)};`);
    locals.set(x, name);
    return name;
  };
  for (const k of members) {
    const { op, inputs, attrs, result } = plan.entries[k];
    const kernel = op.spec.kernel as Extract<Kernel<unknown>, { kind: 'map' | 'zip' }>;
    const value = w.call(kernel.f, inputs.map(operand), attrs);
    inside.push(`const e${k} = ${result.dtype === 'float32' ? `Math.fround(${value})` : value};`);
    locals.set(result, `e${k}`);
  }
  const { result } = plan.entries[root];
  w.body.push(`{`, ...hoisted, `const out = ${w.bind(result.data)};`, `for (let i = 0; i < ${result.size}; i++) {`);
  w.body.push(...inside, `out[i] = e${root};`, `}`, `}`);
}

/** The entries computed inside the loop of `root`, inputs before users, `root` last. */
function loopMembers(w: Writer, plan: Layout, root: number): number[] {
  const members: number[] = [];
  const collect = (k: number) => {
    for (const x of plan.entries[k].inputs) {
      const source = w.program.sources.get(x)!;
      if (source.kind === 'computed' && plan.fusedInto[source.entry] === k && !members.includes(source.entry)) collect(source.entry);
    }
    members.push(k);
  };
  collect(root);
  return members;
}

/** ∂L/∂params[p] into gradBuffers[p], after every value is computed. */
function emitGradients(w: Writer, gradBuffers: readonly FloatArray[]): void {
  w.program.grads.forEach((g, p) => {
    const target = w.bind(gradBuffers[p]);
    if (w.elements.has(g) || g.size <= w.unroll) {
      for (let i = 0; i < g.size; i++) w.body.push(`${target}[${i}] = ${w.element(g, i)};`);
    } else {
      w.body.push(`${target}.set(${w.bufferOf(g)});`);
    }
  });
}

/** The optimizer's update: no parameter moves unless every gradient it reads is finite. */
function emitUpdate(w: Writer, update: UpdatePlan): void {
  emitGradientCheck(w, update);
  w.body.push(`${w.bind(update.prepare)}();`);
  update.items.forEach((item, u) => {
    if (item.param.size <= w.unroll) emitUnrolledUpdate(w, update, item, u);
    else emitUpdateLoop(w, update, item, u);
  });
}

/** finite = Σ (g − g) over the gradients: 0 if every g is finite, NaN if one is NaN or ±Infinity. */
function emitGradientCheck(w: Writer, update: UpdatePlan): void {
  w.body.push('let finite = 0;');
  for (const { programIndex, grad } of update.items) {
    const g = w.program.grads[programIndex];
    if (w.elements.has(g) || g.size <= w.unroll) {
      for (let i = 0; i < g.size; i++) w.body.push(`finite = finite + (${w.element(g, i)} - ${w.element(g, i)});`);
    } else {
      const buffer = w.bind(grad);
      w.body.push(`for (let i = 0; i < ${g.size}; i++) finite = finite + (${buffer}[i] - ${buffer}[i]);`);
    }
  }
  w.body.push('if (finite !== 0) return false;');
}

/** A small parameter: each rule once per element, its results kept in locals, then stored. */
function emitUnrolledUpdate(w: Writer, update: UpdatePlan, item: UpdateItem, u: number): void {
  const g = w.program.grads[item.programIndex];
  const scalars = hoistScalars(w, item, u);
  const values = w.bufferOf(item.param);
  const states = item.state.map((s) => w.bind(s));
  for (let i = 0; i < item.param.size; i++) {
    const current: Current = { value: w.element(item.param, i), grad: w.element(g, i), state: states.map((s) => `${s}[${i}]`), scalars };
    update.rules.forEach(({ target, operands, f }, r) => {
      const name = `u${u}_${i}_${r}`;
      w.body.push(`const ${name} = ${rounded(item, target, w.call(f, operands.map((o) => operandAt(current, o))))};`);
      if (target === null) current.value = name;
      else current.state[target] = name;
    });
    for (const target of new Set(update.rules.map((rule) => rule.target))) {
      if (target === null) w.body.push(`${values}[${i}] = ${current.value};`);
      else w.body.push(`${states[target]}[${i}] = ${current.state[target]};`);
    }
  }
}

/** A large parameter: one loop, each rule per element in order. */
function emitUpdateLoop(w: Writer, update: UpdatePlan, item: UpdateItem, u: number): void {
  const scalars = hoistScalars(w, item, u);
  const values = w.bufferOf(item.param);
  const states = item.state.map((s) => w.bind(s));
  const current: Current = { value: `${values}[i]`, grad: `${w.bind(item.grad)}[i]`, state: states.map((s) => `${s}[i]`), scalars };
  w.body.push(`for (let i = 0; i < ${item.param.size}; i++) {`);
  update.rules.forEach(({ target, operands, f }, r) => {
    const name = `u${u}_${r}`;
    w.body.push(`const ${name} = ${rounded(item, target, w.call(f, operands.map((o) => operandAt(current, o))))};`);
    w.body.push(target === null ? `${values}[i] = ${name};` : `${states[target]}[i] = ${name};`);
    if (target === null) current.value = name;
    else current.state[target] = name;
  });
  w.body.push('}');
}

/** A rule's new value of a float32 parameter, rounded as its store into the parameter rounds it. */
function rounded(item: UpdateItem, target: number | null, expression: string): string {
  return target === null && item.param.dtype === 'float32' ? `Math.fround(${expression})` : expression;
}

/** The item's scalars for this run, read once into locals. */
function hoistScalars(w: Writer, item: UpdateItem, u: number): string[] {
  const buffer = w.bind(item.scalars);
  return Array.from(item.scalars, (_, j) => {
    w.body.push(`const k${u}_${j} = ${buffer}[${j}];`);
    return `k${u}_${j}`;
  });
}

/** Where a rule's operands are now: the expressions holding each one's current value. */
interface Current {
  value: string;
  grad: string;
  state: string[];
  scalars: readonly string[];
}

function operandAt(current: Current, o: Operand): string {
  switch (o.kind) {
    case 'value':
      return current.value;
    case 'grad':
      return current.grad;
    case 'state':
      return current.state[o.index];
    case 'scalar':
      return current.scalars[o.index];
  }
}

function isElementwise({ op }: Entry): boolean {
  const kind = (op.spec.kernel as Kernel<unknown> | undefined)?.kind;
  return kind === 'map' || kind === 'zip';
}

/** Whether an entry is unrolled into one local per value. */
function isUnrolled({ op, inputs, result }: Entry, unroll: number): boolean {
  const kernel = op.spec.kernel as Kernel<unknown> | undefined;
  if (!kernel || unroll === 0) return false;
  switch (kernel.kind) {
    case 'map':
    case 'zip':
    case 'gather':
      return result.size <= unroll;
    case 'matmul':
      return result.size <= unroll && result.size * kernel.layout(inputs).k <= UNROLL_MATMUL;
    case 'sum':
      return result.size <= unroll && inputs[0].size <= UNROLL_SUM;
    default:
      // a kind not listed here (reductions, softmax, where, a user's own): its kernel is called
      return false;
  }
}

/** Which value of operand x each value of the result reads (numpy broadcasting). */
function readOrder(x: Tensor, result: Tensor): (i: number) => number {
  if (x.size === result.size) return (i) => i;
  if (x.size === 1) return () => 0;
  const index = broadcastIndex(x.shape, result.shape);
  return (i) => index[i];
}
