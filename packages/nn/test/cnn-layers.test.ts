// Conv1d, Conv2d, MaxPool2d, AvgPool2d, Dropout, BatchNorm2d and init beyond the PyTorch fixture
// (layers-reference.test.ts): defaults, errors naming the layer and the shapes, saving and loading,
// dropout's masks, init's bounds and spreads against PyTorch's formulas, and determinism.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRng, GradlabError, noGrad, randn, tensor, zeros, type Tensor } from '@gradlab/core';
import {
  Adam, AvgPool2d, BatchNorm2d, calculateGain, Conv1d, Conv2d, CrossEntropyLoss, Dropout, fanInAndFanOut, Flatten, init, kaimingNormal,
  kaimingUniform, Linear, MaxPool2d, modelFromJSON, modelToJSON, type ModelJSON, ReLU, Sequential, xavierNormal, xavierUniform, type Nonlinearity,
} from '../src/index.ts';
import { loadModel, saveModel } from '../src/node.ts';
import { reference } from './reference.ts';

const roundTrip = <M extends Sequential>(model: M): M => modelFromJSON<M>(JSON.parse(JSON.stringify(modelToJSON(model))));
/** A model file of a Sequential as plain JSON data, to spoil. */
interface Spoilable {
  architecture: { modules: Record<string, unknown>[] };
  parameters: Record<string, { shape: number[]; data: number[] }>;
}
const copyOf = (json: ModelJSON): Spoilable => JSON.parse(JSON.stringify(json)) as Spoilable;

function digitsCnn(): Sequential {
  return new Sequential(
    new Conv2d(1, 8, 3, { padding: 1 }),
    new BatchNorm2d(8),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(8, 16, 3, { padding: 1, seed: 1 }),
    new ReLU(),
    new AvgPool2d(2),
    new Flatten(),
    new Dropout(0.25, { seed: 5 }),
    new Linear(16 * 2 * 2, 10, { seed: 2 }),
  );
}

describe('Conv1d and Conv2d', () => {
  it('have PyTorch shapes, names and default initialisation bounds (U(±1/√fanIn) for weight and bias)', () => {
    for (const { name, fanIn, bound } of reference.init.layers) {
      const layer = name.startsWith('Conv1d') ? new Conv1d(5, 7, 4) : name.includes('groups') ? new Conv2d(4, 6, [2, 3], { groups: 2 }) : new Conv2d(3, 8, 3);
      expect(fanInAndFanOut(layer.weight).fanIn).toBe(fanIn);
      const w = Array.from(layer.weight.data);
      const b = Array.from(layer.bias!.data);
      expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
      expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.8 * bound);
      expect(Math.max(...b.map(Math.abs))).toBeLessThanOrEqual(bound);
    }
    const conv = new Conv2d(3, 8, [3, 5], { stride: 2, padding: [1, 2], groups: 1 });
    expect(conv.weight.shape).toEqual([8, 3, 3, 5]);
    expect(conv.namedParameters().map(([n]) => n)).toEqual(['weight', 'bias']);
    expect(conv.describe()).toBe('Conv2d(3→8, 3×5, stride 2, padding 1×2)');
    expect(conv.forward(zeros([2, 3, 9, 10])).shape).toEqual([2, 8, 5, 5]);
    expect(new Conv1d(4, 6, 3, { groups: 2, bias: false }).weight.shape).toEqual([6, 2, 3]);
  });

  it("padding 'same' keeps the spatial size (an odd total puts the extra zero after); 'valid' is none", () => {
    const x = randn([2, 3, 7, 6], createRng(4));
    for (const [k, d] of [[3, 1], [4, 1], [2, 3], [[2, 5], [2, 1]]] as [number | number[], number | number[]][]) {
      const conv = new Conv2d(3, 4, k, { padding: 'same', dilation: d });
      expect(conv.forward(x).shape, `kernel ${String(k)} dilation ${String(d)}`).toEqual([2, 4, 7, 6]);
      expect(conv.config().padding).toBe('same');
      expect(roundTrip(new Sequential(conv)).describe()).toBe(`Sequential(${conv.describe()})`);
    }
    expect(new Conv1d(2, 2, 4, { padding: 'same' }).forward(zeros([1, 2, 5])).shape).toEqual([1, 2, 5]);
    expect(new Conv2d(3, 4, 3, { padding: 'valid' }).forward(x).shape).toEqual([2, 4, 5, 4]);
    expect(new Conv2d(3, 4, 4, { padding: 'same' }).describe()).toBe("Conv2d(3→4, 4×4, padding 'same')");
    expect(() => new Conv2d(3, 4, 3, { padding: 'same', stride: 2 })).toThrow(/Conv2d: padding 'same' needs stride 1, got stride \[2,2\]/);
    expect(() => new Conv2d(3, 4, 3, { padding: 'full' as 'same' })).toThrow(/Conv2d: padding must be an integer ≥ 0 or a list of 2 of them, got string 'full'/);
  });

  it('the same seed gives the same weights, bit for bit; another seed others', () => {
    const a = new Conv2d(2, 4, 3, { seed: 9 });
    expect(Array.from(new Conv2d(2, 4, 3, { seed: 9 }).weight.data)).toEqual(Array.from(a.weight.data));
    expect(Array.from(new Conv2d(2, 4, 3, { seed: 10 }).weight.data)).not.toEqual(Array.from(a.weight.data));
    const shared = createRng(3);
    const first = new Conv2d(2, 4, 3, { rng: shared });
    const second = new Conv2d(2, 4, 3, { rng: shared });
    expect(Array.from(second.weight.data)).not.toEqual(Array.from(first.weight.data));
  });

  it('errors name the layer and the shapes', () => {
    const conv = new Conv2d(1, 8, 3, { padding: 1 });
    expect(() => conv.forward(zeros([5, 64]))).toThrow(/Conv2d\(1→8, 3×3, padding 1\): x of shape \[5,64\] must be \[N, 1, H, W\].*reshape/);
    expect(() => conv.forward(zeros([5, 2, 8, 8]))).toThrow(/Conv2d\(1→8.*x of shape \[5,2,8,8\] must be \[N, 1, H, W\]/);
    expect(() => new Conv2d(1, 8, 5).forward(zeros([1, 1, 3, 3]))).toThrow(/Conv2d\(1→8, 5×5\) on x of shape \[1,1,3,3\]: conv2d: the kernel 5×5 is larger/);
    expect(() => new Conv1d(3, 4, 2).forward(zeros([2, 4, 5]))).toThrow(/Conv1d\(3→4, 2\): x of shape \[2,4,5\] must be \[N, 3, L\]/);
    expect(() => new Conv2d(3, 4, 3, { groups: 2 })).toThrow(/Conv2d: groups \(2\) must divide inChannels \(3\)/);
    expect(() => new Conv2d(2, 4, 0)).toThrow(/Conv2d: kernelSize must be an integer ≥ 1 or a list of 2/);
    expect(() => new Conv2d(2, 4, [3, 3, 3])).toThrow(/kernelSize/);
    expect(() => new Conv2d(2, 4, 3, { padding: -1 })).toThrow(/Conv2d: padding must be an integer ≥ 0/);
    expect(() => new Conv2d(0, 4, 3)).toThrow(/Conv2d: inChannels must be a positive integer, got 0/);
    expect(() => new Conv2d(2, 4, 3, { seed: 1.5 })).toThrow(GradlabError);
  });
});

describe('MaxPool2d and AvgPool2d', () => {
  it('stride defaults to the kernel size; errors name the layer and x', () => {
    const x = randn([2, 3, 8, 6], createRng(1));
    expect(new MaxPool2d(2).forward(x).shape).toEqual([2, 3, 4, 3]);
    expect(new AvgPool2d([2, 3]).forward(x).shape).toEqual([2, 3, 4, 2]);
    expect(new MaxPool2d(3, { stride: 1, padding: 1 }).forward(x).shape).toEqual([2, 3, 8, 6]);
    expect(new MaxPool2d(2).describe()).toBe('MaxPool2d(2)');
    expect(() => new MaxPool2d(2).forward(zeros([4, 64]))).toThrow(/MaxPool2d\(2\): x of shape \[4,64\] must be \[N, C, H, W\]/);
    expect(() => new AvgPool2d(5).forward(zeros([1, 1, 3, 3]))).toThrow(/AvgPool2d\(5\) on x of shape \[1,1,3,3\]: avgPool2d: the kernel 5×5 is larger/);
    expect(() => new MaxPool2d(2, { padding: 2 })).toThrow(/MaxPool2d: padding 2 must be at most half the kernel size 2/);
    expect(() => new AvgPool2d(2, { countIncludePad: 1 as unknown as boolean })).toThrow(/AvgPool2d: countIncludePad must be true or false/);
  });
});

describe('Dropout', () => {
  it('is the identity in eval mode and for p = 0 (the same tensor)', () => {
    const x = randn([3, 4], createRng(2));
    expect(new Dropout(0.5).eval().forward(x)).toBe(x);
    expect(new Dropout(0).forward(x)).toBe(x);
  });

  it('zeroes a fraction p and scales the rest by 1/(1 − p): mean, keep rate and gradient', () => {
    const p = 0.3;
    const n = 100_000;
    const x = tensor(new Float64Array(n).fill(2), { requiresGrad: true });
    const y = new Dropout(p, { seed: 11 }).forward(x);
    const values = Array.from(y.data);
    const kept = values.filter((v) => v !== 0);
    expect(kept.every((v) => v === 2 / (1 - p))).toBe(true);
    // binomial: the kept count is within 5 standard deviations of n(1 − p)
    const sd = Math.sqrt(n * p * (1 - p));
    expect(Math.abs(kept.length - n * (1 - p))).toBeLessThan(5 * sd);
    const mean = values.reduce((a, b) => a + b, 0) / n;
    expect(Math.abs(mean - 2)).toBeLessThan((5 * 2 * sd) / (n * (1 - p)));
    y.sum().backward();
    expect(Array.from(x.grad!.data)).toEqual(values.map((v) => v / 2));
  });

  it('the same seed gives the same masks, call after call; another seed others', () => {
    const x = randn([50], createRng(3));
    const a = new Dropout(0.5, { seed: 4 });
    const b = new Dropout(0.5, { seed: 4 });
    const first = Array.from(a.forward(x).data);
    expect(Array.from(b.forward(x).data)).toEqual(first);
    const second = Array.from(a.forward(x).data);
    expect(second).not.toEqual(first);
    expect(Array.from(b.forward(x).data)).toEqual(second);
    expect(Array.from(new Dropout(0.5, { seed: 5 }).forward(x).data)).not.toEqual(first);
    expect(() => new Dropout(1.5)).toThrow(/Dropout: p must be a probability in \[0, 1\], got 1.5/);
  });
});

describe('BatchNorm2d', () => {
  it('keeps running statistics as buffers, not parameters; errors name the shapes', () => {
    const bn = new BatchNorm2d(4);
    expect(bn.namedParameters().map(([n]) => n)).toEqual(['weight', 'bias']);
    expect(bn.namedBuffers().map(([n]) => n)).toEqual(['runningMean', 'runningVar', 'numBatchesTracked']);
    expect(Object.keys(bn.stateDict())).toEqual(['weight', 'bias', 'runningMean', 'runningVar', 'numBatchesTracked']);
    expect(() => bn.forward(zeros([2, 4]))).toThrow(/BatchNorm2d\(4\): x of shape \[2,4\] must be \[N, 4, H, W\]/);
    expect(() => bn.forward(zeros([1, 4, 1, 1]))).toThrow(/training needs more than 1 value per feature/);
    expect(noGrad(() => bn.eval().forward(zeros([1, 4, 1, 1]))).shape).toEqual([1, 4, 1, 1]);
  });
});

describe('saving and loading the new layers', () => {
  it('a CNN round-trips through modelToJSON / modelFromJSON and saveModel / loadModel, bit for bit', async () => {
    const model = digitsCnn();
    const x = randn([4, 1, 8, 8], createRng(6));
    model.forward(x); // moves BatchNorm2d's running statistics and Dropout's stream
    const copy = roundTrip(model);
    expect(copy.describe()).toBe(model.describe());
    expect(copy.config()).toEqual(model.config());
    expect(copy.stateDict()).toEqual(model.stateDict());
    expect(Array.from(copy.eval().forward(x).data)).toEqual(Array.from(model.eval().forward(x).data));
    const dir = await mkdtemp(join(tmpdir(), 'gradlab-cnn-'));
    try {
      const file = join(dir, 'cnn.json');
      await saveModel(model, file);
      const loaded = await loadModel<Sequential>(file);
      expect(Array.from(loaded.eval().forward(x).data)).toEqual(Array.from(model.forward(x).data));
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it('the loader checks sizes and arguments before building', () => {
    const json = modelToJSON(new Sequential(new Conv2d(2, 4, 3), new BatchNorm2d(4), new MaxPool2d(2), new Dropout(0.1)));
    const huge = copyOf(json);
    huge.architecture.modules[0].outChannels = 1e9;
    expect(() => modelFromJSON(huge)).toThrow(/Conv2d would make weight of shape \[1000000000,2,3,3\].*above the limit/);
    const wrong = copyOf(json);
    wrong.parameters['0.weight'].shape = [4, 2, 3, 2];
    expect(() => modelFromJSON(wrong)).toThrow(/0\.weight: shape \[4,2,3,2\] in the dict, \[4,2,3,3\] in the model/);
    const badGroups = copyOf(json);
    badGroups.architecture.modules[0].groups = 3;
    expect(() => modelFromJSON(badGroups)).toThrow(/architecture\.modules\[0\]: Conv2d groups 3 must divide/);
    const badKernel = copyOf(json);
    badKernel.architecture.modules[2].kernelSize = [2];
    expect(() => modelFromJSON(badKernel)).toThrow(/modules\[2\]: MaxPool2d kernelSize must be a list of 2 integers ≥ 1/);
    const badP = copyOf(json);
    badP.architecture.modules[3].p = 2;
    expect(() => modelFromJSON(badP)).toThrow(/modules\[3\]: Dropout p must be a probability in \[0, 1\], got 2/);
    const missing = copyOf(json);
    delete missing.parameters['1.runningVar'];
    expect(() => modelFromJSON(missing)).toThrow(/missing: 1\.runningVar/);
  });

  it('a small CNN learns: the loss falls below a quarter of its start in 40 Adam steps from a fixed seed', () => {
    const model = digitsCnn();
    const rng = createRng(7);
    const x = randn([16, 1, 8, 8], rng);
    const labels = tensor(Array.from({ length: 16 }, (_, i) => i % 10));
    const loss = new CrossEntropyLoss();
    const first = loss.forward(model.forward(x), labels).item();
    let last = first;
    const optimizer = new Adam(model.parameters(), { lr: 0.01 });
    for (let step = 0; step < 40; step++) {
      optimizer.zeroGrad();
      const l = loss.forward(model.forward(x), labels);
      l.backward();
      optimizer.step();
      last = l.item();
    }
    expect(last).toBeLessThan(0.25 * first);
  });
});

describe('init', () => {
  const build = (shape: number[]): Tensor => zeros(shape, { requiresGrad: true });
  const FNS = { xavierUniform, xavierNormal, kaimingUniform, kaimingNormal } as const;

  it("fans and gains are PyTorch's", () => {
    for (const { shape, fanIn, fanOut } of reference.init.fans) expect(fanInAndFanOut(shape)).toEqual({ fanIn, fanOut });
    for (const { nonlinearity, param, gain } of reference.init.gains) {
      expect(calculateGain(nonlinearity as Nonlinearity, param ?? undefined)).toBe(gain);
    }
    expect(() => fanInAndFanOut([5])).toThrow(/at least 2 dimensions.*\[5\]/);
    expect(() => calculateGain('swish' as Nonlinearity)).toThrow(/calculateGain: unknown nonlinearity string 'swish'/);
  });

  it("each initialiser's bound and spread are PyTorch's (its formula, and torch's own sample)", () => {
    for (const { fn, shape, options, std, bound, torchMaxAbs, torchStd } of reference.init.inits) {
      const t = build(shape);
      const before = t.version;
      FNS[fn as keyof typeof FNS](t, { ...options, seed: 1 });
      expect(t.version).toBe(before + 1); // in place, through set(): counted as a change
      const v = Array.from(t.data);
      const n = v.length;
      const mean = v.reduce((a, b) => a + b, 0) / n;
      const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
      // the sample sd's own spread is about sd/√(2n) (normal) or less (uniform): 6 of those
      const tolerance = (6 * std) / Math.sqrt(2 * n);
      expect(Math.abs(sd - std), `${fn} ${JSON.stringify(options)}: sd ${sd} vs ${std}`).toBeLessThan(tolerance);
      expect(Math.abs(torchStd - std)).toBeLessThan(tolerance);
      if (bound !== null) {
        const maxAbs = Math.max(...v.map(Math.abs));
        expect(maxAbs).toBeLessThanOrEqual(bound);
        expect(maxAbs).toBeGreaterThan(0.99 * bound);
        expect(torchMaxAbs).toBeLessThanOrEqual(bound);
      }
    }
  });

  it('the same seed gives the same bits; an rng continues its stream', () => {
    const a = kaimingNormal(build([8, 4, 3]), { seed: 3, mode: 'fanOut' });
    const b = kaimingNormal(build([8, 4, 3]), { seed: 3, mode: 'fanOut' });
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
    expect(Array.from(kaimingNormal(build([8, 4, 3]), { seed: 4, mode: 'fanOut' }).data)).not.toEqual(Array.from(a.data));
    const rng = createRng(3);
    const c = init.normal(build([2, 3]), { rng, std: 2 });
    const d = init.normal(build([2, 3]), { rng, std: 2 });
    expect(Array.from(d.data)).not.toEqual(Array.from(c.data));
  });

  it('normal, uniform, constant, zeros and ones; errors name the function', () => {
    const u = init.uniform(build([1000]), { a: -2, b: 3, seed: 1 });
    expect(Math.min(...u.data)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...u.data)).toBeLessThan(3);
    expect(Array.from(init.constant(build([3]), 0.5).data)).toEqual([0.5, 0.5, 0.5]);
    expect(Array.from(init.ones(build([2])).data)).toEqual([1, 1]);
    expect(Array.from(init.zeros(init.ones(build([2]))).data)).toEqual([0, 0]);
    const n = init.normal(build([20000]), { mean: 1, std: 0.5, seed: 2 });
    const mean = n.data.reduce((a, b) => a + b, 0) / n.size;
    expect(Math.abs(mean - 1)).toBeLessThan((6 * 0.5) / Math.sqrt(n.size));
    expect(() => xavierUniform(build([4]))).toThrow(/init\.xavierUniform: fan in and fan out need a tensor of at least 2 dimensions/);
    expect(() => init.uniform(build([2]), { a: 1, b: 0 })).toThrow(/init\.uniform: b must be a finite number ≥ a \(1\), got 0/);
    expect(() => kaimingUniform(build([2, 2]), { mode: 'in' as 'fanIn' })).toThrow(/init\.kaimingUniform: mode must be 'fanIn' or 'fanOut'/);
    expect(() => init.zeros([1, 2] as unknown as Tensor)).toThrow(/init\.zeros: expected a Tensor/);
    const p = build([2, 2]);
    const y = p.mul(p).sum();
    init.constant(p, 1); // a graph that used the old values refuses to backpropagate
    expect(() => y.backward()).toThrow(GradlabError);
  });

  it('initialising a model through apply, as PyTorch does', () => {
    const model = digitsCnn();
    model.apply((m) => {
      if (m instanceof Conv2d) {
        kaimingNormal(m.weight, { nonlinearity: 'relu', seed: 1 });
        if (m.bias) init.zeros(m.bias);
      }
    });
    const conv = model.layers[0] as Conv2d;
    expect(Array.from(conv.bias!.data)).toEqual(new Array(8).fill(0));
    expect(Array.from(conv.weight.data)).toEqual(Array.from(kaimingNormal(build([8, 1, 3, 3]), { nonlinearity: 'relu', seed: 1 }).data));
  });
});
