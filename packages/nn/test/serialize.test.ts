import { describe, expect, it } from 'vitest';
import { tensor } from '@gradlab/core';
import { Dense, LeakyReLU, mlp, modelFromJSON, modelToJSON, Sequential, Tanh, type Module } from '../src/index.ts';

const roundTrip = (model: Module): Module => modelFromJSON(JSON.parse(JSON.stringify(modelToJSON(model))));

describe('modelToJSON / modelFromJSON', () => {
  it('writes the format tag, version, architecture tree and parameters', () => {
    const json = modelToJSON(mlp([2, 3, 1], { bias: false, activation: 'tanh', seed: 5 }));
    expect(json.format).toBe('gradlab-model');
    expect(json.version).toBe(1);
    expect(json.architecture).toEqual({
      kind: 'Sequential',
      modules: [
        { kind: 'Dense', inFeatures: 2, outFeatures: 3, bias: false },
        { kind: 'Tanh' },
        { kind: 'Dense', inFeatures: 3, outFeatures: 1, bias: false },
        { kind: 'Sigmoid' },
      ],
    });
    expect(Object.keys(json.parameters)).toEqual(['0.weight', '2.weight']);
    expect(json.parameters['2.weight'].shape).toEqual([3, 1]);
  });

  it('rebuilds an unknown-shaped model bit for bit through JSON text', () => {
    const model = new Sequential(new Dense(3, 4, { seed: 1 }), new LeakyReLU(0.3), new Sequential(new Dense(4, 2, { seed: 2 }), new Tanh()));
    model.parameters()[1].data.set([0.1, -0.2, 1 / 3, Math.PI]);
    const copy = roundTrip(model);
    expect(copy.describe()).toBe(model.describe());
    expect(copy.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '2.0.weight', '2.0.bias']);
    copy.parameters().forEach((p, i) => expect(p.data).toEqual(model.parameters()[i].data));
    const x = tensor([[0.5, -1, 2]]);
    expect(copy.forward(x).data).toEqual(model.forward(x).data);
  });

  it('refuses to write a non-finite parameter (JSON would turn it into null)', () => {
    const model = new Dense(1, 2);
    model.bias!.data[1] = Number.NaN;
    expect(() => modelToJSON(model)).toThrow('modelToJSON: parameter bias has NaN at element 1');
  });

  describe('reports what is wrong with bad input', () => {
    const good = () => JSON.parse(JSON.stringify(modelToJSON(mlp([2, 2, 1], { seed: 3 })))) as Record<string, unknown> & {
      architecture: { modules: Record<string, unknown>[] };
      parameters: Record<string, { shape: number[]; data: unknown[] }>;
    };
    const cases: [string, (j: ReturnType<typeof good>) => unknown, string][] = [
      ['not an object', () => [1, 2], 'modelFromJSON: expected an object, got an array'],
      ['wrong format tag', (j) => ({ ...j, format: 'onnx' }), `modelFromJSON: format is "onnx", expected 'gradlab-model'`],
      ['missing format tag', (j) => ({ ...j, format: undefined }), 'format is missing'],
      ['unknown version', (j) => ({ ...j, version: 2 }), 'modelFromJSON: unsupported version 2 (this gradlab reads version 1)'],
      ['no parameters', (j) => ({ ...j, parameters: null }), 'modelFromJSON: parameters: expected an object, got null'],
      ['no architecture', (j) => ({ ...j, architecture: undefined }), 'modelFromJSON: architecture: expected a module description'],
      [
        'unknown module kind',
        (j) => ((j.architecture.modules[1] = { kind: 'Conv3d' }), j),
        `modelFromJSON: architecture.modules[1]: unknown module kind "Conv3d"`,
      ],
      [
        'bad Dense size',
        (j) => ((j.architecture.modules[0].inFeatures = -2), j),
        'modelFromJSON: architecture.modules[0]: Dense inFeatures must be a positive integer, got -2',
      ],
      ['missing parameter', (j) => (delete j.parameters['2.bias'], j), 'missing: 2.bias'],
      ['wrong shape', (j) => ((j.parameters['0.weight'].shape = [1, 4]), j), '0.weight: shape [1,4] in the dict, [2,2] in the model'],
      ['null value (NaN after JSON)', (j) => ((j.parameters['0.bias'].data[1] = null), j), '0.bias: value 1 is null, not a finite number'],
    ];
    for (const [what, corrupt, message] of cases) {
      it(what, () => {
        expect(() => modelFromJSON(corrupt(good()))).toThrow(message);
      });
    }
  });
});
