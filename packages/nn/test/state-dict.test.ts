import { describe, expect, it } from 'vitest';
import { tensor } from '@gradlab/core';
import { mlp, StateDictError, type StateDict } from '../src/index.ts';

const snapshot = (params: { data: ArrayLike<number> }[]) => params.map((p) => Array.from(p.data));

describe('stateDict / loadStateDict', () => {
  it('state dict is names → { shape, data } copies in namedParameters order', () => {
    const model = mlp([2, 3, 1], { seed: 4 });
    const dict = model.stateDict();
    expect(Object.keys(dict)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(dict['0.weight'].shape).toEqual([2, 3]);
    expect(dict['0.weight'].data).toEqual(Array.from(model.parameters()[0].data));
    expect(dict['0.bias']).toEqual({ shape: [3], data: [0, 0, 0] });
    dict['0.bias'].data[0] = 99; // a copy: the model is untouched
    expect(model.parameters()[1].data[0]).toBe(0);
  });

  it('round trips through JSON into the same tensors of another model', () => {
    const a = mlp([2, 3, 1], { seed: 4 });
    const b = mlp([2, 3, 1], { seed: 5 });
    const tensorsBefore = b.parameters();
    b.loadStateDict(JSON.parse(JSON.stringify(a.stateDict())) as StateDict);
    b.parameters().forEach((p, i) => expect(p).toBe(tensorsBefore[i])); // same objects: optimizers keep working
    expect(snapshot(b.parameters())).toEqual(snapshot(a.parameters()));
    const x = tensor([[0.3, -0.2]]);
    expect(b.forward(x).data).toEqual(a.forward(x).data);
  });

  it('lists every mismatch (missing, unexpected, wrong shape) and changes nothing', () => {
    const model = mlp([2, 3, 1], { seed: 4 });
    const before = snapshot(model.parameters());
    const dict = mlp([2, 3, 1], { seed: 9 }).stateDict();
    delete dict['2.bias'];
    dict['4.weight'] = { shape: [1], data: [1] };
    dict['2.weight'] = { shape: [1, 3], data: [1, 2, 3] };
    let error: unknown;
    try {
      model.loadStateDict(dict);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StateDictError);
    expect((error as StateDictError).problems).toEqual([
      'missing: 2.bias',
      'unexpected: 4.weight',
      '2.weight: shape [1,3] in the dict, [3,1] in the model',
    ]);
    expect((error as Error).message).toContain('loadStateDict: the state dict does not fit Sequential(Dense(2→3), Sigmoid');
    // 0.weight and 0.bias were fine, but nothing was copied
    expect(snapshot(model.parameters())).toEqual(before);
  });

  it('reports each kind of problem on its own', () => {
    const model = mlp([2, 1], { bias: false });
    const fits = () => model.stateDict();
    expect(() => model.loadStateDict({})).toThrow('missing: 0.weight');
    expect(() => model.loadStateDict({ ...fits(), extra: { shape: [1], data: [0] } })).toThrow('unexpected: extra');
    expect(() => model.loadStateDict({ '0.weight': { shape: [1, 2], data: [1, 2] } })).toThrow(
      '0.weight: shape [1,2] in the dict, [2,1] in the model',
    );
    expect(() => model.loadStateDict({ '0.weight': { shape: [2, 1], data: [1] } })).toThrow(
      '0.weight: 1 values for shape [2,1] (needs 2)',
    );
    expect(() => model.loadStateDict({ '0.weight': { shape: [2, 1], data: [1, Number.NaN] } })).toThrow(
      '0.weight: value 1 is NaN, not a finite number',
    );
  });
});
