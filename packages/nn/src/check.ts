// Argument checks shared by the modules, losses and optimizers: each error names the function,
// the argument and the value or shape at fault.
import { formatShape, GradlabError, Tensor, type DType } from '@gradlab/core';

/** A short, bounded description of any value: `string 'abc'`, `null`, `an array of 3`, `Tensor [2,3]`. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (v instanceof Tensor) return `a Tensor of shape ${formatShape(v.shape)}`;
  if (typeof v === 'string') return `string '${v.length > 20 ? `${v.slice(0, 20)}…` : v}'`;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean' || typeof v === 'bigint' || typeof v === 'symbol') return `${typeof v} ${String(v)}`;
  if (typeof v === 'function') return 'a function';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  return 'an object';
}

/** `v` if it is a Tensor; otherwise `fn: argument must be a Tensor, got …`. */
export function expectTensor(fn: string, argument: string, v: unknown): Tensor {
  if (!(v instanceof Tensor)) throw new GradlabError(`${fn}: ${argument} must be a Tensor, got ${describeValue(v)}`);
  return v;
}

/** A positive integer (a size). */
export function expectPositiveInteger(fn: string, argument: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new GradlabError(`${fn}: ${argument} must be a positive integer, got ${describeValue(v)}`);
  }
  return v;
}

/** A finite number, optionally within [min, max] or (min, max) bounds stated in `range`. */
export function expectNumber(fn: string, argument: string, v: unknown, ok: (x: number) => boolean = () => true, range = 'a finite number'): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) throw new GradlabError(`${fn}: ${argument} must be ${range}, got ${describeValue(v)}`);
  return v;
}

/** An integer seed. */
export function expectSeed(fn: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new GradlabError(`${fn}: seed must be an integer, got ${describeValue(v)}`);
  return v;
}

export function expectBoolean(fn: string, argument: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new GradlabError(`${fn}: ${argument} must be true or false, got ${describeValue(v)}`);
  return v;
}

/** A layer's parameter dtype: 'float32' or 'float64' (the error names the layer and the value). */
export function expectDType(fn: string, v: unknown): DType {
  if (v !== 'float32' && v !== 'float64') throw new GradlabError(`${fn}: dtype must be 'float32' or 'float64', got ${String(v)}`);
  return v;
}
