// Argument checks shared by the generators and loaders. Each error names the function and the
// bad value, e.g. `generateLinear: n must be a positive integer, got 2.5`.
import { GradlabError, Tensor, formatShape } from '@gradlab/core';

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : describeValue(value);
}

/** A short, bounded description of any value, for error messages. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (v instanceof Tensor) return `a Tensor of shape ${formatShape(v.shape)}`;
  if (typeof v === 'string') return `string '${v.length > 20 ? `${v.slice(0, 20)}…` : v}'`;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `an array of ${v.length}`;
  return typeof v === 'object' ? 'an object' : typeof v;
}

/** n: the number of points, a positive integer. */
export function checkN(fn: string, n: number): void {
  if (!Number.isInteger(n) || n <= 0) throw new GradlabError(`${fn}: n must be a positive integer, got ${show(n)}`);
}

/** seed: any integer (createRng takes it modulo 2³²). */
export function checkSeed(fn: string, seed: number): void {
  if (!Number.isInteger(seed)) throw new GradlabError(`${fn}: seed must be an integer, got ${show(seed)}`);
}

/** noise: the standard deviation of the gaussian jitter, a finite number ≥ 0. */
export function checkNoise(fn: string, noise: number): void {
  if (typeof noise !== 'number' || !Number.isFinite(noise) || noise < 0) {
    throw new GradlabError(`${fn}: noise must be a finite number >= 0, got ${show(noise)}`);
  }
}

/** classes: the number of classes k of a multi-class generator, an integer ≥ 2. */
export function checkClasses(fn: string, classes: number): void {
  if (!Number.isSafeInteger(classes) || classes < 2) throw new GradlabError(`${fn}: classes must be an integer >= 2, got ${show(classes)}`);
}
