// Recording: every op applied while a function runs, in order, through the result hook (op.ts).
// The values computed while recording are traced: reading them outside an op (`.data`,
// `.item()`, `.toArray()`) would freeze a JS decision or a JS computation into the program,
// which the replays would then repeat whatever their inputs, so such a read is an error.
import { GradlabError } from '../errors.ts';
import { freshResults, isPeeking, withResultHook, type Op, type ResultHook } from '../op.ts';
import { formatShape } from '../shape.ts';
import { guardReads, type Tensor } from '../tensor.ts';

/** One op application: what a compiled program replays. */
export interface TapeEntry {
  op: Op;
  inputs: readonly Tensor[];
  attrs: unknown;
  result: Tensor;
}

/**
 * Runs `fn` and returns, with its value, every op applied meanwhile, in order (results in fresh
 * buffers). With `traced`, those tensors and every result are traced while `fn` runs.
 */
export function recordOps<T>(fn: () => T, traced: readonly { tensor: Tensor; what: string }[] = []): { value: T; tape: TapeEntry[] } {
  const tape: TapeEntry[] = [];
  // an op reads values from `computing` to `applied`: those reads are the op's, not the step's
  const reading = { depth: 0 }; // ops computing (a user op's forward may apply ops itself)
  const restore: (() => void)[] = traced.map(({ tensor, what }) => trace(tensor, what, reading));
  const recorder: ResultHook = {
    result: (shape, size, dtype) => freshResults.result(shape, size, dtype),
    computing: () => {
      reading.depth++;
    },
    applied: (op, inputs, attrs, result) => {
      reading.depth--;
      tape.push({ op, inputs, attrs, result });
      if (traced.length > 0) restore.push(trace(result, `the result of ${op.label(attrs)} ${formatShape(result.shape)}`, reading));
    },
    records: true,
  };
  try {
    return { value: withResultHook(recorder, fn), tape };
  } finally {
    for (const untrace of restore) untrace();
  }
}

/** Makes reading `t.data` outside an op (or a `peek`) throw, until the returned function frees it. */
function trace(t: Tensor, what: string, reading: { depth: number }): () => void {
  guardReads(t, {
    reading: () => {
      if (reading.depth > 0 || isPeeking()) return;
      throw new GradlabError(
        `compile: data-dependent step cannot be compiled: it read the values of ${what} while it was recorded ` +
          `(.data, .item() or .toArray()). A replay would repeat what those values decided then, whatever its inputs. ` +
          `Choose with ops instead (where, maximum, clamp…), or train this step eagerly`,
      );
    },
  });
  return () => guardReads(t, null);
}
