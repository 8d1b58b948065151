// A program as one straight-line JS function. Small ops (up to 64 values) are unrolled into
// one local variable per value, computed by the same arithmetic as their kernels, in the same
// order: elementwise ops apply the op's scalar function, a matmul sums ((0 + a₀b₀) + a₁b₁) + …
// and a sum ((0 + x₀) + x₁) + …, and moving ops (transpose, reshape, broadcastTo) only rename
// values. Larger ops call their kernel on their buffer, except that a chain of elementwise ops
// whose intermediate results nothing else reads becomes one loop computing each element's whole
// chain (one pass over memory instead of one per op). The backward pass's Aᵀ·G and G·Bᵀ are
// ops of their own (matmulTN, matmulNT), which read the transposed operand in place.
// The results are bit for bit those of the eager ops; only where values live changes.
import { generate } from '../generate.ts';
import type { Kernel } from '../ops/kernels.ts';
import { broadcastIndex } from '../shape.ts';
import type { Tensor } from '../tensor.ts';
import type { Program } from './program.ts';
import { numberLiteral, scalarExpression } from './scalar.ts';

/** Ops with at most this many values are unrolled (matmul: m·n·k multiply-adds, sum: inputs). */
const UNROLL_VALUES = 64;
const UNROLL_MATMUL = 512;
const UNROLL_SUM = 256;

export interface GeneratedStep {
  /** Replays the program; with `update`, also p ← p − lr·∂L/∂p for every parameter. */
  run: (lr: number) => void;
  source: string;
}

/**
 * The program as generated code, writing `gradBuffers[i]` (∂L/∂params[i]) and the outputs'
 * buffers; or null where code generation is not allowed.
 */
export function generateStep(program: Program, gradBuffers: readonly Float64Array[], update: boolean): GeneratedStep | null {
  const env: unknown[] = [];
  const envNames = new Map<unknown, string>();
  const bind = (value: unknown): string => {
    let name = envNames.get(value);
    if (!name) {
      name = `$${env.length}`;
      env.push(value);
      envNames.set(value, name);
    }
    return name;
  };

  const prologue: string[] = [];
  const body: string[] = [];
  const elements = new Map<Tensor, string[]>(); // unrolled tensors: one expression per value
  const liveData = new Map<Tensor, string>(); // tensors read through `.data` at every run
  const preloaded = new Map<string, string>();

  const { entries } = program;
  const unrolled = entries.map(isUnrolled);
  // tensors read outside the entries: outputs, gradients, views' buffers
  const kept = new Set<Tensor>([...program.outputs, ...program.grads]);
  for (const [, source] of program.sources) if (source.kind === 'view') kept.add(source.of);
  // computed tensors whose buffer must hold their values: those kept and the inputs of kernels
  const stored = new Set<Tensor>(kept);
  entries.forEach((entry, k) => {
    if (!unrolled[k]) for (const x of entry.inputs) stored.add(x);
  });
  const users = new Map<Tensor, number[]>();
  entries.forEach((entry, k) => {
    for (const x of new Set(entry.inputs)) users.set(x, [...(users.get(x) ?? []), k]);
  });
  const only = (t: Tensor): number => {
    const list = users.get(t);
    return !kept.has(t) && list?.length === 1 ? list[0] : -1;
  };
  // large elementwise ops run as loops; one whose result only the next loop reads runs inside it
  const loop = entries.map((entry, k) => !unrolled[k] && isElementwise(entry) && entry.inputs.every((x) => x.size === entry.result.size || x.size === 1));
  const fusedInto = entries.map((entry, k) => {
    const user = loop[k] ? only(entry.result) : -1;
    return user >= 0 && loop[user] && entries[user].result.size === entry.result.size ? user : -1;
  });
  /** An expression for the buffer holding t's values. */
  const bufferOf = (t: Tensor): string => {
    const source = program.sources.get(t)!;
    if (source.kind === 'live') {
      let name = liveData.get(t);
      if (!name) {
        name = `L${liveData.size}`;
        liveData.set(t, name);
        prologue.push(`const ${name} = ${bind(t)}.data;`);
      }
      return name;
    }
    if (source.kind === 'view') return bind(source.of.data);
    return bind(t.data);
  };

  /** An expression for value i of t. */
  const element = (t: Tensor, i: number): string => {
    const unrolledValues = elements.get(t);
    if (unrolledValues) return unrolledValues[i];
    const source = program.sources.get(t)!;
    if (source.kind === 'constant' && t.size <= UNROLL_VALUES) return numberLiteral(t.data[i]);
    if (source.kind === 'live') {
      // read once, at the start of the run (the values do not change during it)
      const key = `${bufferOf(t)}[${i}]`;
      let name = preloaded.get(key);
      if (!name) {
        name = `${bufferOf(t).toLowerCase()}_${i}`;
        preloaded.set(key, name);
        prologue.push(`const ${name} = ${key};`);
      }
      return name;
    }
    return `${bufferOf(t)}[${i}]`;
  };

  const call = (f: unknown, args: string[], attrs: unknown): string =>
    scalarExpression(f, args, attrs) ?? `${bind(f)}(${args.join(', ')}, ${bind(attrs)})`;

  /** The loop of a large elementwise op, with the ops fused into it computed inside. */
  const emitLoop = (root: number) => {
    const members: number[] = [];
    const collect = (k: number) => {
      for (const x of entries[k].inputs) {
        const source = program.sources.get(x)!;
        if (source.kind === 'computed' && fusedInto[source.entry] === k && !members.includes(source.entry)) collect(source.entry);
      }
      members.push(k);
    };
    collect(root);
    const hoisted: string[] = [];
    const inside: string[] = [];
    const locals = new Map<Tensor, string>();
    const operand = (x: Tensor): string => {
      const local = locals.get(x);
      if (local) return local;
      if (x.size === 1) {
        const name = `s${root}_${hoisted.length}`;
        hoisted.push(`const ${name} = ${element(x, 0)};`);
        locals.set(x, name);
        return name;
      }
      return `${bufferOf(x)}[i]`;
    };
    for (const k of members) {
      const { op, inputs, attrs, result } = entries[k];
      const kernel = op.spec.kernel as Kernel<unknown>;
      const f = kernel.kind === 'map' || kernel.kind === 'zip' ? kernel.f : null;
      inside.push(`const e${k} = ${call(f, inputs.map(operand), attrs)};`);
      locals.set(result, `e${k}`);
    }
    const { result } = entries[root];
    body.push(`{`, ...hoisted, `const out = ${bind(result.data)};`, `for (let i = 0; i < ${result.size}; i++) {`);
    body.push(...inside, `out[i] = e${root};`, `}`, `}`);
  };

  program.entries.forEach((entry, k) => {
    const { op, inputs, attrs, result } = entry;
    const kernel = op.spec.kernel as Kernel<unknown> | undefined;
    if (fusedInto[k] >= 0) return; // computed inside a loop
    if (loop[k]) {
      emitLoop(k);
      return;
    }
    if (!unrolled[k] || !kernel) {
      for (const x of inputs) if (elements.has(x) && !stored.has(x)) throw new Error('compile: internal error (unstored input)');
      if (kernel) body.push(`${bind(kernel.run)}(${bind(result.data)}, ${bind(inputs)}, ${bind(attrs)});`);
      else body.push(`${bind(result.data)}.set(${bind(op.spec.forward)}(${bind(inputs)}, ${bind(attrs)}).data);`);
      return;
    }
    const n = result.size;
    const values: string[] = [];
    const define = (i: number, expression: string) => {
      const name = `v${k}_${i}`;
      body.push(`const ${name} = ${expression};`);
      values[i] = name;
    };
    switch (kernel.kind) {
      case 'map': {
        for (let i = 0; i < n; i++) define(i, call(kernel.f, [element(inputs[0], i)], attrs));
        break;
      }
      case 'zip': {
        const [a, b] = inputs;
        const ia = readOrder(a, result);
        const ib = readOrder(b, result);
        for (let i = 0; i < n; i++) define(i, call(kernel.f, [element(a, ia(i)), element(b, ib(i))], attrs));
        break;
      }
      case 'matmul': {
        // A[i,p] and B[p,j] read where the layout says (a transposed operand in place)
        const [a, b] = inputs;
        const { m, k: inner, n: cols, aRow, aCol, bRow, bCol } = kernel.layout(inputs);
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < cols; j++) {
            let sum = '0';
            for (let p = 0; p < inner; p++) sum += ` + ${element(a, i * aRow + p * aCol)} * ${element(b, p * bRow + j * bCol)}`;
            define(i * cols + j, sum);
          }
        }
        break;
      }
      case 'sum': {
        const cells = kernel.cells(inputs, attrs);
        const sums = Array.from({ length: n }, () => '0');
        for (let i = 0; i < cells.length; i++) sums[cells[i]] += ` + ${element(inputs[0], i)}`;
        sums.forEach((sum, i) => define(i, sum));
        break;
      }
      case 'gather': {
        const index = kernel.index(inputs, attrs);
        for (let i = 0; i < n; i++) values[i] = element(inputs[0], index[i]);
        break;
      }
    }
    elements.set(result, values);
    if (stored.has(result)) {
      const buffer = bind(result.data);
      for (let i = 0; i < n; i++) body.push(`${buffer}[${i}] = ${values[i]};`);
    }
  });

  // the gradients, then (optionally) the update, after every value is computed
  program.grads.forEach((g, p) => {
    const target = bind(gradBuffers[p]);
    if (elements.has(g) || g.size <= UNROLL_VALUES) {
      for (let i = 0; i < g.size; i++) body.push(`${target}[${i}] = ${element(g, i)};`);
    } else {
      body.push(`${target}.set(${bufferOf(g)});`);
    }
  });
  if (update) {
    program.params.forEach((param, p) => {
      const values = bufferOf(param);
      const g = bind(gradBuffers[p]);
      if (param.size <= UNROLL_VALUES) {
        for (let i = 0; i < param.size; i++) body.push(`${values}[${i}] = ${element(param, i)} - lr * ${g}[${i}];`);
      } else {
        body.push(`for (let i = 0; i < ${param.size}; i++) ${values}[i] = ${values}[i] - lr * ${g}[i];`);
      }
    });
  }

  const header = env.map((_, i) => `const $${i} = env[${i}];`).join('\n');
  const source = `${header}\nreturn function step(lr) {\n${prologue.join('\n')}\n${body.join('\n')}\n};`;
  const factory = generate<(env: unknown[]) => (lr: number) => void>(['env'], source);
  return factory ? { run: factory(env), source } : null;
}

function isElementwise({ op }: Program['entries'][number]): boolean {
  const kind = (op.spec.kernel as Kernel<unknown> | undefined)?.kind;
  return kind === 'map' || kind === 'zip';
}

/** Whether an entry is unrolled into one local per value. */
function isUnrolled({ op, inputs, result }: Program['entries'][number]): boolean {
  const kernel = op.spec.kernel as Kernel<unknown> | undefined;
  if (!kernel) return false;
  switch (kernel.kind) {
    case 'map':
    case 'zip':
    case 'gather':
      return result.size <= UNROLL_VALUES;
    case 'matmul':
      return result.size <= UNROLL_VALUES && result.size * kernel.layout(inputs).k <= UNROLL_MATMUL;
    case 'sum':
      return result.size <= UNROLL_VALUES && inputs[0].size <= UNROLL_SUM;
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
