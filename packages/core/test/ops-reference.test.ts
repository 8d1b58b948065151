// The ops against PyTorch (float64): every case of fixtures/ops-reference.json, written by
// fixtures/make_ops_fixture.py, gives the same result(s) and the same gradient of sum(y·w), to
// 1e-12 relative (plus 1e-14 absolute for values that are zero up to rounding). NaN must be
// NaN and ±Infinity exactly ±Infinity.
import { describe, expect, it } from 'vitest';
import { add, grad, mul, sum, tensor, type Tensor } from '../src/index.ts';
import { decode, fixture, OPS, type Case, type Encoded } from './fixture-ops.ts';

const RTOL = 1e-12;
const ATOL = 1e-14;

function decodeTensor(e: Encoded, requiresGrad = false): Tensor {
  return tensor(Float64Array.from(e.data, decode), { shape: e.shape, requiresGrad });
}

/** The first element outside tolerance, as a message; null when all match. */
function mismatch(what: string, got: Tensor, want: Encoded): string | null {
  if (JSON.stringify(got.shape) !== JSON.stringify(want.shape)) {
    return `${what}: shape [${got.shape.join(',')}], expected [${want.shape.join(',')}]`;
  }
  for (let i = 0; i < want.data.length; i++) {
    const w = decode(want.data[i]);
    const g = got.data[i];
    const ok = Number.isNaN(w) ? Number.isNaN(g) : Number.isFinite(w) ? Math.abs(g - w) <= RTOL * Math.abs(w) + ATOL : g === w;
    if (!ok) return `${what}: element ${i} is ${g}, PyTorch gives ${w} (difference ${Math.abs(g - w)})`;
  }
  return null;
}

function check(c: Case): string[] {
  const wrt = new Set(Object.keys(c.grads ?? {}).map(Number));
  const xs = c.inputs.map((e, i) => decodeTensor(e, wrt.has(i)));
  const result = OPS[c.op](xs, c.args);
  const ys = Array.isArray(result) ? result : [result];
  const wants = c.outs ?? [c.out!];
  const problems: string[] = [];
  if (ys.length !== wants.length) return [`${ys.length} results, PyTorch gives ${wants.length}`];
  ys.forEach((y, k) => {
    const m = mismatch(wants.length > 1 ? `result ${k}` : 'result', y, wants[k]);
    if (m) problems.push(m);
  });
  const ws = c.ws ?? (c.w ? [c.w] : []);
  if (ws.length && c.grads) {
    const inputs = [...wrt].map((i) => xs[i]);
    const loss = ys.map((y, k) => sum(mul(y, decodeTensor(ws[k])))).reduce((a, b) => add(a, b));
    const grads = grad(loss, inputs, { allowUnused: true });
    [...wrt].forEach((i, k) => {
      const m = mismatch(`∂/∂input ${i}`, grads[k], c.grads![String(i)]);
      if (m) problems.push(m);
    });
  }
  return problems;
}

describe(`ops against PyTorch ${fixture.torch} (float64)`, () => {
  it('the fixture covers every op', () => {
    expect(new Set(fixture.cases.map((c) => c.op))).toEqual(new Set(Object.keys(OPS)));
    expect(fixture.cases.length).toBeGreaterThanOrEqual(382);
  });

  const byOp = new Map<string, Case[]>();
  for (const c of fixture.cases) byOp.set(c.op, [...(byOp.get(c.op) ?? []), c]);
  for (const [op, cases] of byOp) {
    it.each(cases.map((c) => [c.name, c] as const))(`${op}: %s`, (_, c) => {
      expect(check(c)).toEqual([]);
    });
  }
});
