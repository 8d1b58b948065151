// Shared test helpers: build tensors from nested arrays, compare values, run one op case.
import { expect } from 'vitest';
import { gradcheck, tensor, type FusableOptimizer, type GradcheckOptions, type NestedArray, type ParameterUpdate, type RandomSource, type Tensor } from '../src/index.ts';

/** The shape of a rectangular nested array (what `tensor()` would give). */
export function shapeOf(value: NestedArray): number[] {
  const shape: number[] = [];
  let probe = value;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0]!;
  }
  return shape;
}

/** The numbers of a nested array in row-major order. */
export function flatten(value: NestedArray): number[] {
  return Array.isArray(value) ? value.flatMap(flatten) : [value];
}

/** Asserts `actual` has the shape of `expected` and every element within tol·(1 + |expected|). */
export function expectValues(actual: Tensor, expected: NestedArray, tol = 1e-12): void {
  expect(actual.shape).toEqual(shapeOf(expected));
  const want = flatten(expected);
  expect(actual.size).toBe(want.length);
  want.forEach((w, i) => {
    const got = actual.data[i];
    if (!(Math.abs(got - w) <= tol * (1 + Math.abs(w)))) {
      throw new Error(`element ${i}: expected ${w}, got ${got} (tolerance ${tol})`);
    }
  });
}

/** Fresh leaf tensors that require grad, one per nested array. */
export function leaves(values: readonly NestedArray[]): Tensor[] {
  return values.map((v) => tensor(v, { requiresGrad: true }));
}

/**
 * One op case, one line (tinygrad's helper_test_op): `fn` applied to `inputs` gives `expected`
 * (hand-computed), and its gradients match central finite differences.
 */
export interface OpCase {
  name: string;
  fn: (...xs: Tensor[]) => Tensor;
  inputs: NestedArray[];
  expected: NestedArray;
  gradcheck?: GradcheckOptions;
}

export function opCase(
  name: string,
  fn: (...xs: Tensor[]) => Tensor,
  inputs: NestedArray[],
  expected: NestedArray,
  options?: GradcheckOptions,
): OpCase {
  return { name, fn, inputs, expected, gradcheck: options };
}

export function checkOpCase({ fn, inputs, expected, gradcheck: options }: OpCase): void {
  const xs = leaves(inputs);
  expectValues(fn(...xs), expected);
  const result = gradcheck(fn, xs, options);
  expect(result.message).toMatch(/^passed/);
  expect(result.passed).toBe(true);
  expect(result.checked).toBeGreaterThan(0);
}

/**
 * Gradient descent as an optimizer hands it to compile (nn's SGD does the same; core's tests
 * do not import nn): p ← p − lr·g per element, lr read at every run.
 */
export class PlainSGD implements FusableOptimizer {
  constructor(
    readonly params: readonly Tensor[],
    public lr: number,
  ) {}

  parameterUpdate(): ParameterUpdate<never, 'lr'> {
    return {
      name: 'PlainSGD',
      params: this.params,
      state: [],
      scalars: ['lr'],
      rules: [{ target: 'value', args: ['value', 'grad', 'lr'], f: (p, g, lr) => p - lr * g }],
      stateOf: () => [],
      prepare: (_i, out) => {
        out[0] = this.lr;
      },
    };
  }
}

/** Deterministic values with awkward ones mixed in: ±0, tiny and huge numbers (the matmul kernels' tests). */
export function values(n: number, seed: number): Float64Array {
  const out = new Float64Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = (s / 2147483648 - 0.5) * (i % 7 === 0 ? 1e-300 : i % 11 === 0 ? 1e300 : 3);
  }
  if (n > 8) {
    out[1] = -0;
    out[2] = 0;
  }
  return out;
}

/** The textbook loop: C starts at 0, then C[i,j] += A[i,p]·B[p,j] for p in order (i-k-j). */
export function textbook(A: Float64Array, B: Float64Array, m: number, k: number, n: number): Float64Array {
  const C = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) C[i * n + j] += A[i * k + p] * B[p * n + j];
  return C;
}

export function transposed(x: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = x[i * cols + j];
  return out;
}

/** A small seeded generator (mulberry32), for the tests whose values were drawn with it. */
export function rng(seed: number): RandomSource {
  let a = seed >>> 0;
  return {
    next() {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}
