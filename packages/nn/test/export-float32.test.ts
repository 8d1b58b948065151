// Exporting float32 models (ONNX and safetensors: float32 weights stay float32, never widened
// unless asked) and a CNN of nn's layers in eval mode, run in onnxruntime (onnxruntime-node, CPU)
// against gradlab's own forward: float64 to 1e-12, float32 to 1e-5.
import { argmax, createRng, rand, randn, tensor, type Tensor } from '@gradlab/core';
import * as ort from 'onnxruntime-node';
import protobuf from 'protobufjs/light.js';
import { describe, expect, it } from 'vitest';
import { exportOnnx, loadSafetensors, readSafetensors, saveSafetensors } from '../src/export/index.ts';
import { ONNX_DTYPE, ONNX_SCHEMA } from '../src/export/onnx-schema.ts';
import { BatchNorm2d, Conv2d, Dense, Dropout, Flatten, Linear, MaxPool2d, mlp, ReLU, Sequential, Tanh } from '../src/index.ts';
import { maxDiff, runOnnx, TOLERANCE } from './onnx-runtime.ts';

interface DecodedModel {
  graph: {
    initializer: { name: string; dataType: number; rawData: Uint8Array }[];
    input: { type: { tensorType: { elemType: number } } }[];
    output: { type: { tensorType: { elemType: number } } }[];
  };
}
const decode = (bytes: Uint8Array): DecodedModel =>
  protobuf.Root.fromJSON(ONNX_SCHEMA).lookupType('onnx.ModelProto').toObject(protobuf.Root.fromJSON(ONNX_SCHEMA).lookupType('onnx.ModelProto').decode(bytes)) as DecodedModel;

/** Runs the file on float32 values; returns the output and its element type as onnxruntime gives it. */
async function runFloat32(bytes: Uint8Array, x: Tensor): Promise<{ data: Float32Array; type: string; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes);
  const result = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', Float32Array.from(x.data), [...x.shape]) });
  const out = result[session.outputNames[0]];
  return { data: out.data as Float32Array, type: out.type, dims: out.dims };
}

const float32Model = (): Sequential =>
  new Sequential(new Linear(4, 8, { seed: 1, dtype: 'float32' }), new ReLU(), new Linear(8, 8, { seed: 2, dtype: 'float32' }), new Tanh(), new Dense(8, 3, { seed: 3, dtype: 'float32' }));

describe('exportOnnx: a float32 model', () => {
  const x = randn([6, 4], createRng(5), { dtype: 'float32' });

  it('gives a float32 file by default: float32 input, output and initializers, the weights bit for bit', () => {
    const model = float32Model();
    const { graph } = decode(exportOnnx(model, { inputShape: [1, 4] }));
    expect(graph.input[0].type.tensorType.elemType).toBe(ONNX_DTYPE.FLOAT);
    expect(graph.output[0].type.tensorType.elemType).toBe(ONNX_DTYPE.FLOAT);
    expect(graph.initializer.filter((t) => t.dataType !== ONNX_DTYPE.FLOAT && t.dataType !== ONNX_DTYPE.INT64)).toEqual([]);
    const weights = model.parameters().map((p) => Buffer.from(new Uint8Array((p.data as Float32Array).slice().buffer)).toString('hex'));
    const written = graph.initializer.map((t) => Buffer.from(t.rawData).toString('hex'));
    for (const w of weights) expect(written).toContain(w);
  });

  it('Linear → ReLU → Linear → Tanh → Dense runs in onnxruntime as float32 and agrees with gradlab (any batch)', async () => {
    const model = float32Model();
    const got = await runFloat32(exportOnnx(model, { inputShape: [1, 4] }), x);
    const want = model.forward(x);
    expect(want.dtype).toBe('float32');
    expect(got.type).toBe('float32');
    expect(got.dims).toEqual([6, 3]);
    expect(maxDiff(got.data, want.data)).toBeLessThan(TOLERANCE.float32);
  });

  it("mlp({ dtype: 'float32' }) too", async () => {
    const model = mlp([4, 5, 2], { dtype: 'float32', seed: 4 });
    const got = await runFloat32(exportOnnx(model, { inputShape: [1, 4] }), x);
    expect(got.type).toBe('float32');
    expect(maxDiff(got.data, model.forward(x).data)).toBeLessThan(TOLERANCE.float32);
  });

  it("dtype: 'float64' widens it on purpose: the float32 weights written exactly as float64", async () => {
    const model = float32Model();
    const bytes = exportOnnx(model, { inputShape: [1, 4], dtype: 'float64' });
    const { graph } = decode(bytes);
    expect(graph.initializer.every((t) => t.dataType !== ONNX_DTYPE.FLOAT)).toBe(true);
    // the same weights computing in float64: as gradlab's float64 copy of the model
    const wide = new Sequential(new Linear(4, 8, { seed: 1 }), new ReLU(), new Linear(8, 8, { seed: 2 }), new Tanh(), new Dense(8, 3, { seed: 3 }));
    wide.loadStateDict(model.stateDict());
    const x64 = x.clone({ dtype: 'float64' });
    const got = await runOnnx(bytes, x64, 'float64');
    expect(maxDiff(got.data, wide.forward(x64).data)).toBeLessThan(TOLERANCE.float64);
  });
});

describe('saveSafetensors: a float32 model', () => {
  it('writes float32 parameters as F32 (exactly), float64 ones as F64, and reads them back', () => {
    const model = new Sequential(new Linear(4, 8, { seed: 1, dtype: 'float32' }), new ReLU(), new Linear(8, 3, { seed: 2 }));
    const file = readSafetensors(saveSafetensors(model));
    expect(Object.fromEntries(Object.entries(file.tensors).map(([name, t]) => [name, t.dtype]))).toEqual({
      '0.weight': 'F32', '0.bias': 'F32', '2.weight': 'F64', '2.bias': 'F64',
    });
    for (const [name, p] of model.namedParameters()) expect(Array.from(file.tensors[name].data)).toEqual(Array.from(p.data));
    // Linear already has PyTorch's [out, in]: not transposed
    expect(readSafetensors(saveSafetensors(model, { layout: 'pytorch' })).tensors['0.weight'].shape).toEqual([8, 4]);
    const copy = new Sequential(new Linear(4, 8, { seed: 9, dtype: 'float32' }), new ReLU(), new Linear(8, 3, { seed: 9 }));
    copy.loadStateDict(loadSafetensors(saveSafetensors(model, { layout: 'pytorch' }), { layout: 'pytorch', model: copy }));
    for (const [name, p] of copy.namedParameters()) expect(Array.from(p.data)).toEqual(Array.from(model.stateDict()[name].data));
  });

  it("a float32 Dense in PyTorch's layout is F32 too; dtype 'F64' widens every tensor, a state dict is F64", () => {
    const model = mlp([3, 4, 2], { dtype: 'float32', seed: 2 });
    const pytorch = readSafetensors(saveSafetensors(model, { layout: 'pytorch' }));
    expect(new Set(Object.values(pytorch.tensors).map((t) => t.dtype))).toEqual(new Set(['F32']));
    expect(pytorch.tensors['0.weight'].shape).toEqual([4, 3]);
    expect(new Set(Object.values(readSafetensors(saveSafetensors(model, { dtype: 'F64' })).tensors).map((t) => t.dtype))).toEqual(new Set(['F64']));
    expect(new Set(Object.values(readSafetensors(saveSafetensors(model.stateDict())).tensors).map((t) => t.dtype))).toEqual(new Set(['F64']));
  });
});

/** Conv2d → BatchNorm2d → ReLU → MaxPool2d, twice, → Dropout → Flatten → Linear: [N, 1, 8, 8] → [N, 3]. */
function smallCnn(): Sequential {
  const model = new Sequential(
    new Conv2d(1, 4, 3, { padding: 1, seed: 1 }),
    new BatchNorm2d(4),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(4, 6, 3, { padding: 1, seed: 2 }),
    new BatchNorm2d(6),
    new ReLU(),
    new MaxPool2d(2),
    new Dropout(0.3, { seed: 3 }),
    new Flatten(),
    new Linear(6 * 2 * 2, 3, { seed: 4 }),
  );
  // running statistics from a few training batches, and a scale and shift that are not 1 and 0
  const rng = createRng(8);
  for (let step = 0; step < 3; step++) model.forward(randn([4, 1, 8, 8], rng).mul(2).add(0.5));
  for (const [name, p] of model.namedParameters()) {
    if (/^[15]\./.test(name)) p.data.set(rand(p.shape, rng, { low: 0.5, high: 1.5 }).data.map((v) => (name.endsWith('bias') ? v - 1 : v)));
  }
  return model.eval();
}

describe('exportOnnx: a CNN of nn layers (BatchNorm and Dropout in eval mode)', () => {
  const batch = randn([5, 1, 8, 8], createRng(3));
  for (const dtype of ['float64', 'float32'] as const) {
    it(`Conv2d → BatchNorm2d → ReLU → MaxPool2d ×2 → Dropout → Flatten → Linear (${dtype}): traced with 1 image, run on 5`, async () => {
      const model = smallCnn();
      const bytes = exportOnnx(model, { inputShape: [1, 1, 8, 8], dtype });
      const got = await runOnnx(bytes, batch, dtype);
      const want = model.forward(batch);
      expect(got.dims).toEqual([5, 3]);
      expect(maxDiff(got.data, want.data)).toBeLessThan(TOLERANCE[dtype]);
      const classes = (values: ArrayLike<number>) => Array.from({ length: 5 }, (_, i) => argmax(tensor(Array.from(values).slice(3 * i, 3 * i + 3))).data[0]);
      expect(classes(got.data)).toEqual(classes(want.data));
    });
  }

  it('in training mode it is refused (BatchNorm writes its running statistics), and the statistics are left as they were', () => {
    const model = smallCnn();
    const before = model.stateDict();
    model.train();
    expect(() => exportOnnx(model, { inputShape: [2, 1, 8, 8] })).toThrow(
      /exportOnnx: op 'assign' \(assign\(.*\)\) has no ONNX export: it writes a buffer in place .* only in training; export the model in eval mode/,
    );
    expect(model.stateDict()).toEqual(before);
  });
});
