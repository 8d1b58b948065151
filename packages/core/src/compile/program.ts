// A recorded training step as a static program: the ops it applied, in order, each reading
// fixed tensors and writing into its result's buffer, which the recording allocated once.
import type { TapeEntry } from './record.ts';
import { formatShape } from '../shape.ts';
import type { Tensor } from '../tensor.ts';

/** Where a tensor the program reads gets its values from. */
export type Source =
  /** Computed by entry `entry` of the program, into its own buffer. */
  | { kind: 'computed'; entry: number }
  /** An input of the step, or a tensor from outside it (a parameter): its `.data` is read at every run. */
  | { kind: 'live' }
  /** Made while recording from numbers only (a number operand, the seed 1): fixed. */
  | { kind: 'constant' }
  /** Made while recording as a view of a computed tensor's buffer (`detach()`). */
  | { kind: 'view'; of: Tensor };

export interface Program {
  /** The ops to replay, in order (only those the outputs, gradients and buffer writes need). */
  entries: TapeEntry[];
  /** The buffers the program writes in place (`assign`: BatchNorm's running statistics), each once. */
  effects: Tensor[];
  sources: Map<Tensor, Source>;
  /** What the step returned: the loss first. */
  outputs: Tensor[];
  /** The tensors from outside the step that the loss depends on and that require grad. */
  params: Tensor[];
  /** ∂loss/∂param for each parameter, as tensors of the program. */
  grads: Tensor[];
}

/** The buffer an effect entry (`assign`) writes, or null for an ordinary op. */
export function effectTarget(entry: TapeEntry): Tensor | null {
  return entry.op.spec.kernel?.kind === 'effect' ? (entry.attrs as { target: Tensor }).target : null;
}

/**
 * The program for a recorded step: which tensor comes from where, and the entries that lead
 * to the outputs and gradients, and every write into a buffer (an effect), kept in order. An op
 * that read a buffer after the step wrote it reads the write's result instead (the same values),
 * so no read of a buffer is moved across a write of it. `firstId` is the first tensor id made
 * while recording.
 */
export function buildProgram(
  recordedTape: readonly TapeEntry[],
  firstId: number,
  inputs: readonly Tensor[],
  outputs: Tensor[],
  params: Tensor[],
  grads: Tensor[],
): Program {
  const written = new Map<Tensor, Tensor>();
  const effects: Tensor[] = [];
  const tape = recordedTape.map((entry) => {
    const read = entry.inputs.some((x) => written.has(x)) ? { ...entry, inputs: entry.inputs.map((x) => written.get(x) ?? x) } : entry;
    const target = effectTarget(entry);
    if (target) {
      written.set(target, entry.result);
      if (!effects.includes(target)) effects.push(target);
    }
    return read;
  });
  const producedBy = new Map<Tensor, number>();
  const owner = new Map<Float64Array, Tensor>();
  tape.forEach((entry, k) => {
    producedBy.set(entry.result, k);
    owner.set(entry.result.data, entry.result);
  });
  const sources = new Map<Tensor, Source>();
  const classify = (t: Tensor): Source => {
    let source = sources.get(t);
    if (source) return source;
    const entry = producedBy.get(t);
    if (entry !== undefined) source = { kind: 'computed', entry };
    else if (inputs.includes(t) || t.id < firstId) source = { kind: 'live' };
    else {
      const of = owner.get(t.data);
      source = of ? { kind: 'view', of } : { kind: 'constant' };
    }
    sources.set(t, source);
    return source;
  };

  // the entries needed, found backwards from what the program must produce
  const needed = new Set<Tensor>();
  const need = (t: Tensor) => {
    needed.add(t);
    const source = classify(t);
    if (source.kind === 'view') needed.add(source.of);
  };
  for (const t of [...outputs, ...grads]) need(t);
  for (const p of params) classify(p);
  const kept: TapeEntry[] = [];
  for (let k = tape.length - 1; k >= 0; k--) {
    const entry = tape[k];
    if (!needed.has(entry.result) && !effectTarget(entry)) continue;
    kept.push(entry);
    for (const x of entry.inputs) need(x);
  }
  kept.reverse();
  // renumber the computed sources by position in the kept entries
  kept.forEach((entry, k) => sources.set(entry.result, { kind: 'computed', entry: k }));
  return { entries: kept, effects, sources, outputs, params, grads };
}

/** Replays the program kernel by kernel (no generated code): each op writes into its buffer. */
export function interpret(program: Program): () => void {
  const steps = program.entries.map((entry): (() => void) => {
    const { op, inputs, attrs, result } = entry;
    const kernel = op.spec.kernel;
    if (kernel) return () => kernel.run(result.data, inputs, attrs);
    // a user op without a kernel: its forward makes a fresh tensor, copied into the buffer
    const forward = op.spec.forward!;
    return () => result.data.set(forward(inputs, attrs).data);
  });
  return () => {
    for (let k = 0; k < steps.length; k++) steps[k]();
  };
}

/** One line per op: `t7 = matmul(t3, W1) [1,3]`, for `CompiledStep.describe()`. */
export function listing(program: Program): string {
  const names = new Map<Tensor, string>();
  const nameOf = (t: Tensor): string => {
    let name = names.get(t);
    if (name) return name;
    const source = program.sources.get(t);
    if (source?.kind === 'computed') name = `t${source.entry}`;
    else if (source?.kind === 'constant') name = t.size === 1 ? String(t.data[0]) : `const${formatShape(t.shape)}`;
    else name = t.name ?? `in${names.size}`;
    names.set(t, name);
    return name;
  };
  const lines = program.entries.map((entry, k) => {
    const label = entry.op.label(entry.attrs);
    return `t${k} = ${label}(${entry.inputs.map(nameOf).join(', ')})  ${formatShape(entry.result.shape)}`;
  });
  program.params.forEach((p, i) => lines.push(`∂loss/∂${nameOf(p)} = ${nameOf(program.grads[i])}`));
  return lines.join('\n');
}
