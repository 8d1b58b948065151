// Running exported ONNX in onnxruntime (onnxruntime-node, CPU) and comparing it with gradlab.
import { noGrad, type Tensor } from '@gradlab/core';
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import { exportOnnx, type ExportOnnxOptions } from '../src/export/index.ts';
import type { Module } from '../src/index.ts';

export type Dtype = 'float64' | 'float32';
/** The agreement asked of onnxruntime: float64 to 1e-12, float32 (weights rounded) to 1e-5. */
export const TOLERANCE: Record<Dtype, number> = { float64: 1e-12, float32: 1e-5 };

/** Runs ONNX bytes in onnxruntime on `x`; returns the output's values and shape. */
export async function runOnnx(bytes: Uint8Array, x: Tensor, dtype: Dtype): Promise<{ data: number[]; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes);
  const values = dtype === 'float64' ? Float64Array.from(x.data) : Float32Array.from(x.data);
  const result = await session.run({ [session.inputNames[0]]: new ort.Tensor(dtype, values, [...x.shape]) });
  const out = result[session.outputNames[0]];
  return { data: Array.from(out.data as Float64Array | Float32Array), dims: out.dims };
}

/** The largest absolute difference (NaN where one side is NaN and the other is not). */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) && Number.isNaN(b[i])) continue;
    const d = a[i] === b[i] ? 0 : Math.abs(a[i] - b[i]);
    worst = Number.isNaN(d) || d > worst ? d : worst;
    if (Number.isNaN(worst)) return NaN;
  }
  return worst;
}

/** Exports `fn`, runs it in onnxruntime on `x`, and returns the largest difference from gradlab. */
export async function compare(fn: Module | ((x: Tensor) => Tensor), x: Tensor, dtype: Dtype, options: Partial<ExportOnnxOptions> = {}): Promise<number> {
  const bytes = exportOnnx(fn, { inputShape: x.shape, dtype, ...options });
  const want = noGrad(() => (typeof fn === 'function' ? fn(x) : fn.forward(x)));
  const got = await runOnnx(bytes, x, dtype);
  expect(got.dims).toEqual(want.shape);
  return maxDiff(got.data, want.data);
}
