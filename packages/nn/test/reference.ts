// Reading the PyTorch fixture (fixtures/nn-reference.json, written by fixtures/make_nn_fixture.py)
// and comparing with it.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tensor, tensor } from '@gradlab/core';

export interface Encoded {
  shape: number[];
  data: (number | string)[];
}

export const reference = JSON.parse(
  readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'nn-reference.json'), 'utf8'),
) as {
  torch: string;
  layers: {
    name: string;
    kind: Record<string, unknown> & { kind: string };
    state: Record<string, Encoded>;
    inputs: Record<string, Encoded>;
    y: Encoded;
    w: Encoded;
    gradInputs: Record<string, Encoded>;
    gradParams: Record<string, Encoded>;
    second?: Encoded;
    third?: Encoded;
    statsAfterTwo?: Record<string, Encoded>;
    yEval?: Encoded;
    moreBatches?: Encoded[];
    yMore?: Encoded[];
    statsAfterMore?: Record<string, Encoded>;
  }[];
  init: {
    fans: { shape: number[]; fanIn: number; fanOut: number }[];
    gains: { nonlinearity: string; param: number | null; gain: number }[];
    inits: { fn: string; shape: number[]; options: Record<string, unknown>; std: number; bound: number | null; torchMaxAbs: number; torchStd: number }[];
    layers: { name: string; fanIn: number; bound: number; weightMaxAbs: number; biasMaxAbs: number }[];
  };
  losses: { name: string; options: Record<string, unknown> & { fn: string }; input: Encoded; target: Encoded; y: Encoded; w: Encoded; gradInput: Encoded; gradTarget?: Encoded }[];
  optimizers: { X: Encoded; Y: Encoded; W0: Encoded; b0: Encoded; runs: { name: string; options: Record<string, unknown> & { kind: string }; steps: [Encoded, Encoded][] }[] };
  clips: { kind: 'norm' | 'value'; arg: number; normType: number | string | null; grads: Encoded[]; clipped: Encoded[]; total: number | null }[];
  schedulers: { name: string; options: Record<string, unknown> & { kind: string; optimizer: Record<string, unknown> & { kind: string } }; lrs: number[][]; momenta: number[][]; metrics?: number[] }[];
};

export function decodeNumber(v: number | string): number {
  if (typeof v === 'number') return v;
  return v === 'NaN' ? Number.NaN : v === 'Infinity' ? Infinity : -Infinity;
}

export function decode(e: Encoded, options?: { requiresGrad?: boolean }): Tensor {
  return tensor(Float64Array.from(e.data, decodeNumber), { shape: e.shape, ...options });
}

/** The largest |a − e| / (1 + |e|) seen by `expectClose` (reported by the tests). */
export const worst = { error: 0, where: '' };

/** Every value within 1e-12·(1 + |expected|) of PyTorch's (NaN and ±∞ exactly), shapes equal. */
export function expectClose(actual: Tensor | ArrayLike<number>, expected: Encoded | ArrayLike<number>, what: string, tolerance = 1e-12): void {
  const a = actual instanceof Tensor ? actual.data : actual;
  const encoded = 'shape' in expected && 'data' in expected ? (expected) : null;
  if (encoded && actual instanceof Tensor && actual.shape.join(',') !== encoded.shape.join(',')) {
    throw new Error(`${what}: shape [${actual.shape.join(',')}], PyTorch [${encoded.shape.join(',')}]`);
  }
  const e = encoded ? encoded.data.map(decodeNumber) : Array.from(expected as ArrayLike<number>);
  if (a.length !== e.length) throw new Error(`${what}: ${a.length} values, PyTorch ${e.length}`);
  for (let i = 0; i < e.length; i++) {
    if (!Number.isFinite(e[i]) || !Number.isFinite(a[i])) {
      if (!Object.is(a[i], e[i])) throw new Error(`${what}[${i}]: ${a[i]}, PyTorch ${e[i]}`);
      continue;
    }
    const error = Math.abs(a[i] - e[i]) / (1 + Math.abs(e[i]));
    if (error > worst.error) {
      worst.error = error;
      worst.where = what;
    }
    if (error > tolerance) throw new Error(`${what}[${i}]: ${a[i]}, PyTorch ${e[i]} (difference ${Math.abs(a[i] - e[i])})`);
  }
}
