// Recording: every op applied while a function runs, in order, through the result hook (op.ts).
import { freshResults, withResultHook, type Op, type ResultHook } from '../op.ts';
import type { Tensor } from '../tensor.ts';

/** One op application: what a compiled program replays. */
export interface TapeEntry {
  op: Op;
  inputs: readonly Tensor[];
  attrs: unknown;
  result: Tensor;
}

/** Runs `fn` and returns, with its value, every op applied meanwhile, in order (results in fresh buffers). */
export function recordOps<T>(fn: () => T): { value: T; tape: TapeEntry[] } {
  const tape: TapeEntry[] = [];
  const recorder: ResultHook = {
    result: (shape, size) => freshResults.result(shape, size),
    applied: (op, inputs, attrs, result) => tape.push({ op, inputs, attrs, result }),
    records: true,
  };
  return { value: withResultHook(recorder, fn), tape };
}
