// Generated code, in one place. A few hot loops are compiled per op (kernels.ts, op.ts) and a
// compiled training step becomes one straight-line function (compile.ts), because V8 optimizes
// a function best when each of its call sites and property reads sees one kind of value.
// Where `new Function` is not allowed (a strict Content-Security-Policy), callers fall back to
// plain closures that compute the same numbers in the same order, more slowly.

function tryGenerate<F>(params: readonly string[], body: string): F | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the one place code is generated, see above
    return new Function(...params, body) as F;
  } catch {
    return null;
  }
}

const allowed = tryGenerate<() => number>([], 'return 1')?.() === 1;

/** `new Function(...params, body)` in strict mode, or null where code generation is not allowed. */
export function generate<F>(params: readonly string[], body: string): F | null {
  return allowed ? tryGenerate<F>(params, body) : null;
}
