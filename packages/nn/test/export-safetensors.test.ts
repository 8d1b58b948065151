// safetensors against PyTorch: fixtures/make_export_fixture.py wrote lab.safetensors and
// softmax.safetensors following the format's specification, loaded each into a torch.nn.Sequential
// with load_state_dict, and recorded PyTorch's outputs (export-reference.json).
import { readFileSync } from 'node:fs';
import { GradlabError, noGrad, tensor, type Tensor } from '@gradlab/core';
import { describe, expect, it } from 'vitest';
import { loadSafetensors, readSafetensors, saveSafetensors } from '../src/export/index.ts';
import { mlp, type Module, type StateDict } from '../src/index.ts';

interface Case {
  file: string;
  stateDict: StateDict;
  inputs: number[][];
  outputs: number[][];
}
const fixture = (name: string): URL => new URL(`./fixtures/${name}`, import.meta.url);
const reference = JSON.parse(readFileSync(fixture('export-reference.json'), 'utf8')) as { lab: Case; softmax: Case };
const bytesOf = (c: Case): Uint8Array => new Uint8Array(readFileSync(fixture(c.file)));

/** gradlab's networks of the fixture's layouts (their weights are then loaded). */
const labNet = (): Module => mlp([2, 3, 3, 1], { activation: 'sigmoid', bias: false, seed: 1 });
const softmaxNet = (): Module => mlp([2, 16, 16, 3], { activation: 'tanh', outputActivation: 'none', seed: 1 });
const nets: [string, () => Module, (m: Module, x: Tensor) => Tensor][] = [
  ['lab', labNet, (m, x) => m.forward(x)],
  ['softmax', softmaxNet, (m, x) => m.forward(x).softmax(-1)],
];

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

describe('safetensors with PyTorch', () => {
  for (const [name, make, run] of nets) {
    const c = reference[name as 'lab' | 'softmax'];

    it(`${name}: PyTorch's file loads with layout 'pytorch' and gives PyTorch's outputs to 1e-12`, () => {
      const model = make();
      model.loadStateDict(loadSafetensors(bytesOf(c), { layout: 'pytorch', model }));
      const y = noGrad(() => run(model, tensor(c.inputs)));
      expect(maxDiff(y.data, c.outputs.flat())).toBeLessThan(1e-12);
      // Linear's [out, in] became Dense's [in, out]
      const first = model.namedParameters()[0][1];
      const torchFirst = c.stateDict['0.weight'];
      expect(first.shape).toEqual([torchFirst.shape[1], torchFirst.shape[0]]);
      expect(first.data[1]).toBe(torchFirst.data[torchFirst.shape[1]]); // W[0][1] = Wᵀ[1][0]
    });

    it(`${name}: gradlab writes the same bytes as the specification's writer, for PyTorch's load_state_dict`, () => {
      const model = make();
      model.loadStateDict(loadSafetensors(bytesOf(c), { layout: 'pytorch', model }));
      expect(Buffer.from(saveSafetensors(model, { layout: 'pytorch' })).equals(Buffer.from(bytesOf(c)))).toBe(true);
    });
  }
});

describe('saveSafetensors / loadSafetensors', () => {
  it('round-trips every value bit for bit (F64), names and shapes as stateDict has them', () => {
    const model = mlp([2, 4, 3], { seed: 5 });
    const bytes = saveSafetensors(model, { metadata: { framework: 'gradlab' } });
    const again = mlp([2, 4, 3], { seed: 6 });
    again.loadStateDict(loadSafetensors(bytes));
    for (const [[name, p], [, q]] of model.namedParameters().map((e, i) => [e, again.namedParameters()[i]] as const)) {
      expect(q.shape, name).toEqual(p.shape);
      expect(Array.from(q.data).every((v, i) => Object.is(v, p.data[i])), name).toBe(true);
    }
    const file = readSafetensors(bytes);
    expect(Object.keys(file.tensors)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(file.tensors['0.weight']).toMatchObject({ dtype: 'F64', shape: [2, 4] });
    expect(file.metadata).toEqual({ framework: 'gradlab' });
  });

  it('takes a state dict as well as a model; F32 rounds each value to float32', () => {
    const state = mlp([3, 2], { seed: 2 }).stateDict();
    const back = loadSafetensors(saveSafetensors(state, { dtype: 'F32' }));
    expect(Object.keys(back)).toEqual(Object.keys(state));
    for (const name of Object.keys(state)) {
      expect(back[name].shape).toEqual(state[name].shape);
      expect(back[name].data).toEqual(state[name].data.map((v) => Math.fround(v)));
    }
  });

  it('writes an 8-byte little-endian size, then a JSON header padded with spaces to a multiple of 8', () => {
    const bytes = saveSafetensors({ w: { shape: [1], data: [1.5] } });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(header.trimEnd()).toBe('{"w":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}');
    expect(header.slice(header.trimEnd().length)).toMatch(/^ *$/);
    expect(new DataView(bytes.buffer).getFloat64(8 + n, true)).toBe(1.5);
    expect(bytes.length).toBe(8 + n + 8);
  });

  it("layout 'pytorch' transposes Dense weights only, and needs the model", () => {
    const model = mlp([2, 3], { seed: 1 });
    const file = readSafetensors(saveSafetensors(model, { layout: 'pytorch' }));
    expect(file.tensors['0.weight'].shape).toEqual([3, 2]);
    expect(file.tensors['0.bias'].shape).toEqual([3]);
    expect(() => saveSafetensors(model.stateDict(), { layout: 'pytorch' })).toThrow(/layout 'pytorch' needs the model/);
    expect(() => loadSafetensors(saveSafetensors(model), { layout: 'pytorch' })).toThrow(/layout 'pytorch' needs the model/);
  });
});

describe('readSafetensors rejects broken files, saying what is wrong', () => {
  /** A file with the given header text and data bytes. */
  function file(header: string, data = new Uint8Array(0), size?: number): Uint8Array {
    const text = new TextEncoder().encode(header);
    const out = new Uint8Array(8 + text.length + data.length);
    new DataView(out.buffer).setBigUint64(0, BigInt(size ?? text.length), true);
    out.set(text, 8);
    out.set(data, 8 + text.length);
    return out;
  }
  const f64 = (n: number) => new Uint8Array(8 * n);

  it('a file shorter than the size field', () => {
    expect(() => readSafetensors(new Uint8Array(5))).toThrow(/truncated file: 5 bytes, shorter than the 8-byte header size/);
  });
  it('a header that overruns the file', () => {
    expect(() => readSafetensors(file('{}', undefined, 4000))).toThrow(/the header \(4000 bytes\) overruns the file \(10 bytes\)/);
  });
  it('a header that is not JSON, or not an object', () => {
    expect(() => readSafetensors(file('{"a":'))).toThrow(/the header is not UTF-8 JSON/);
    expect(() => readSafetensors(file('[1,2]'))).toThrow(/the header is not a JSON object/);
  });
  it('an unknown dtype, and a known one gradlab does not read', () => {
    expect(() => readSafetensors(file('{"w":{"dtype":"F128","shape":[1],"data_offsets":[0,16]}}', f64(2)))).toThrow(/'w': unknown dtype "F128"/);
    expect(() => readSafetensors(file('{"w":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}', f64(1)))).toThrow(/'w': dtype I64 is not supported/);
  });
  it('tensor data past the end of the file', () => {
    expect(() => readSafetensors(file('{"w":{"dtype":"F64","shape":[4],"data_offsets":[0,32]}}', f64(2)))).toThrow(/truncated file: 'w' ends at byte 32 of the data, which has 16/);
  });
  it('offsets that do not fit the shape', () => {
    expect(() => readSafetensors(file('{"w":{"dtype":"F64","shape":[3],"data_offsets":[0,16]}}', f64(2)))).toThrow(/'w': data_offsets \[0, 16\] hold 16 bytes, but F64 \[3\] needs 24/);
  });
  it('overlapping offsets', () => {
    const header = '{"a":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},"b":{"dtype":"F64","shape":[2],"data_offsets":[8,24]}}';
    expect(() => readSafetensors(file(header, f64(3)))).toThrow(/offsets overlap: 'a' \[0, 16\] and 'b' \[8, 24\]/);
  });
  it('bytes that belong to no tensor', () => {
    expect(() => readSafetensors(file('{"a":{"dtype":"F64","shape":[1],"data_offsets":[8,16]}}', f64(2)))).toThrow(/bytes 0\.\.8 of the data belong to no tensor/);
    expect(() => readSafetensors(file('{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}', f64(2)))).toThrow(/bytes 8\.\.16 of the data belong to no tensor/);
  });
  it('metadata that is not strings', () => {
    expect(() => readSafetensors(file('{"__metadata__":{"epochs":3}}'))).toThrow(/__metadata__ must map strings to strings/);
  });
  it('every error is a GradlabError', () => {
    expect(() => readSafetensors(new Uint8Array(3))).toThrow(GradlabError);
  });
});
