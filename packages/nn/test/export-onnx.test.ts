// ONNX export against a real runtime: each exported model runs in onnxruntime (onnxruntime-node,
// CPU) and must give gradlab's own outputs (float64 to 1e-12, float32 to 1e-5) and, for the
// networks of fixtures/export-reference.json, PyTorch's.
import { readFileSync } from 'node:fs';
import { concat, createRng, defineOp, dropout, GradlabError, noGrad, tensor, type Tensor } from '@gradlab/core';
import { generateXOREasy } from '@gradlab/data';
import { describe, expect, it } from 'vitest';
import { exportOnnx, loadSafetensors, ONNX_EXPORTABLE_OPS } from '../src/export/index.ts';
import { mlp, Sequential, Dense, LeakyReLU, ReLU, Tanh, type Module } from '../src/index.ts';
import { compare, maxDiff, runOnnx, TOLERANCE } from './onnx-runtime.ts';

interface Case {
  file: string;
  inputs: number[][];
  outputs: number[][];
}
const fixture = (name: string): URL => new URL(`./fixtures/${name}`, import.meta.url);
const reference = JSON.parse(readFileSync(fixture('export-reference.json'), 'utf8')) as { lab: Case; softmax: Case };

const labNet = (): Module => mlp([2, 3, 3, 1], { activation: 'sigmoid', bias: false, seed: 1 });
const softmaxNet = (): Module => mlp([2, 16, 16, 3], { activation: 'tanh', outputActivation: 'none', seed: 1 });
function withFixtureWeights(model: Module, c: Case): Module {
  model.loadStateDict(loadSafetensors(new Uint8Array(readFileSync(fixture(c.file))), { layout: 'pytorch', model }));
  return model;
}

describe('exportOnnx: the networks PyTorch also ran', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    it(`the lab's [2,3,3,1] sigmoid MLP (${dtype}): onnxruntime gives gradlab's and PyTorch's outputs`, async () => {
      const model = withFixtureWeights(labNet(), reference.lab);
      const x = tensor(reference.lab.inputs);
      expect(await compare(model, x, dtype, { inputShape: [1, 2] })).toBeLessThan(TOLERANCE[dtype]);
      const { data } = await runOnnx(exportOnnx(model, { inputShape: [1, 2], dtype }), x, dtype);
      expect(maxDiff(data, reference.lab.outputs.flat())).toBeLessThan(TOLERANCE[dtype]);
    });

    it(`a [2,16,16,3] tanh MLP with softmax (${dtype}): onnxruntime gives gradlab's and PyTorch's outputs`, async () => {
      const model = withFixtureWeights(softmaxNet(), reference.softmax);
      const fn = (x: Tensor): Tensor => model.forward(x).softmax(-1);
      const x = tensor(reference.softmax.inputs);
      expect(await compare(fn, x, dtype, { inputShape: [4, 2] })).toBeLessThan(TOLERANCE[dtype]);
      const { data } = await runOnnx(exportOnnx(fn, { inputShape: [4, 2], dtype }), x, dtype);
      expect(maxDiff(data, reference.softmax.outputs.flat())).toBeLessThan(TOLERANCE[dtype]);
    });
  }

  it('the lab network trained in gradlab, on XOR-easy: same predictions in onnxruntime', async () => {
    const model = mlp([2, 3, 3, 1], { bias: false, seed: 11 });
    const { inputs } = generateXOREasy();
    // a few full-batch steps so the weights are not the initial ones
    for (let i = 0; i < 50; i++) {
      model.zeroGrad();
      model.forward(inputs).sub(generateXOREasy().labels).square().mean().backward();
      for (const p of model.parameters()) p.data.forEach((v, k) => (p.data[k] = v - 0.8 * (p.grad?.data[k] ?? 0)));
    }
    expect(await compare(model, inputs, 'float64', { inputShape: [1, 2] })).toBeLessThan(1e-12);
  });
});

describe('exportOnnx: ops', () => {
  const x = tensor([
    [0.5, -1.25, 2, 0.1],
    [-0.3, 0.7, -2.5, 1.5],
    [1.1, 0.2, -0.4, -0.9],
  ]);
  const w = tensor([[0.2, -0.1, 0.4], [0.3, 0.8, -0.5], [-0.6, 0.1, 0.9], [0.05, -0.7, 0.3]], { requiresGrad: true });
  const cases: [string, (t: Tensor) => Tensor][] = [
    ['relu, tanh, leakyRelu, elu, softplus', (t) => t.relu().add(t.tanh()).add(t.leakyRelu(0.1)).add(t.elu(0.5)).add(t.softplus())],
    ['exp, log, sqrt, abs, neg, reciprocal', (t) => t.abs().add(1).log().add(t.exp()).add(t.square().add(1).sqrt()).add(t.neg()).add(t.abs().add(1).reciprocal())],
    ['sin, cos, pow, square', (t) => t.sin().mul(t.cos()).add(t.abs().pow(1.5)).add(t.square())],
    ['clamp, maximum, minimum', (t) => t.clamp(-1, 1).add(t.maximum(0.2)).add(t.minimum(t.neg()))],
    ['matmul, sub, div, softmax, logSoftmax', (t) => t.matmul(w).sub(0.5).div(2).softmax(-1).add(t.matmul(w).logSoftmax(0))],
    ['reshape, transpose, permute, flatten', (t) => t.reshape([2, 6]).transpose().reshape([3, 2, 2]).permute([2, 0, 1]).flatten()],
    ['sum, mean, max, min over axes', (t) => t.sum(1, { keepDims: true }).add(t.mean(0)).add(t.max(1, { keepDims: true })).add(t.min())],
    ['slice, concat', (t) => concat([t.slice([0, 1], [3, 4], [1, 2]), t.slice([0, 0], [3, 2])], 1)],
  ];
  for (const [name, fn] of cases) {
    for (const dtype of ['float64', 'float32'] as const) {
      it(`${name} (${dtype})`, async () => {
        expect(await compare(fn, x, dtype, { dynamicBatch: false })).toBeLessThan(TOLERANCE[dtype]);
      });
    }
  }

  for (const dtype of ['float64', 'float32'] as const) {
    it(`erf (${dtype}; float64 spelled out, onnxruntime has no float64 Erf)`, async () => {
      expect(await compare((t) => t.erf(), x, dtype)).toBeLessThan(TOLERANCE[dtype]);
    });
  }

  it('a Sequential of every activation module runs with any batch size (traced with 1 row)', async () => {
    const model = new Sequential(new Dense(4, 5, { seed: 1 }), new ReLU(), new Dense(5, 5, { seed: 2 }), new LeakyReLU(0.2), new Dense(5, 2, { seed: 3 }), new Tanh());
    expect(await compare(model, x, 'float64', { inputShape: [1, 4] })).toBeLessThan(1e-12);
  });

  it('a reshape that mixes the batch into other dimensions needs dynamicBatch: false', async () => {
    const fn = (t: Tensor): Tensor => t.reshape([2, 6]);
    expect(() => exportOnnx(fn, { inputShape: [3, 4] })).toThrow(/reshape \[3,4\] → \[2,6\] changes the batch dimension; export with dynamicBatch: false/);
    expect(await compare(fn, x, 'float64', { dynamicBatch: false })).toBe(0);
    // flattening each row keeps the batch: any number of rows
    const rows = (t: Tensor): Tensor => t.reshape([-1, 2, 2]).flatten(1);
    const bytes = exportOnnx(rows, { inputShape: [1, 4] });
    const got = await runOnnx(bytes, x, 'float64');
    expect(got.dims).toEqual([3, 4]);
    expect(got.data).toEqual(Array.from(x.data));
  });

  it('an op ONNX cannot take is named in the error, with the reason or the list of those it can', () => {
    const rng = createRng(1);
    expect(() => exportOnnx((t) => dropout(t, 0.5, rng), { inputShape: [2, 2] })).toThrow(
      /exportOnnx: op 'dropoutMask' \(dropoutMask\(p=0.5\)\) has no ONNX export: dropout in training draws a random mask/,
    );
    const custom = defineOp({ name: 'cube', inputs: ['x'], forward: ([v]) => noGrad(() => v.mul(v).mul(v)), derivatives: {} });
    expect(() => exportOnnx((t) => custom.apply([t], undefined), { inputShape: [2, 2] })).toThrow(/exportOnnx: op 'cube' \(cube\) has no ONNX export; exportable ops: abs, add,/);
    expect(ONNX_EXPORTABLE_OPS).toContain('matmul');
  });

  it('checks its options', () => {
    const model = labNet();
    expect(() => exportOnnx(model, { inputShape: [] })).toThrow(/inputShape must be a non-empty list of positive integers, got \[\]/);
    expect(() => exportOnnx(model, { inputShape: [1, 2], dtype: 'int8' as 'float32' })).toThrow(/dtype must be 'float64' or 'float32', got 'int8'/);
    expect(() => exportOnnx(model, { inputShape: [1, 2], inputName: 'x', outputName: 'x' })).toThrow(GradlabError);
    expect(() => exportOnnx(model, { inputShape: [1, 3] })).toThrow(/3 features, expected 2/);
  });

  it('is reproducible: the same model gives the same bytes', () => {
    const a = exportOnnx(labNet(), { inputShape: [1, 2] });
    tensor([1, 2, 3]).mul(2); // other tensors in between change nothing
    expect(Buffer.from(exportOnnx(labNet(), { inputShape: [1, 2] })).equals(Buffer.from(a))).toBe(true);
  });
});
