import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tensor } from '@gradlab/core';
import { Dense, mlp, modelToJSON } from '../src/index.ts';
import { loadModel, saveModel } from '../src/node.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradlab-nn-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('saveModel / loadModel', () => {
  it('round trips a model through a file, bit for bit', async () => {
    const model = mlp([2, 3, 3, 1], { bias: false, seed: 2 });
    const path = join(dir, 'xor.json');
    await saveModel(model, path);
    const loaded = await loadModel(path);
    expect(loaded.describe()).toBe(model.describe());
    loaded.parameters().forEach((p, i) => expect(p.data).toEqual(model.parameters()[i].data));
    const x = tensor([[1, 0]]);
    expect(loaded.forward(x).item()).toBe(model.forward(x).item());
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(modelToJSON(model));
  });

  it('writes atomically: replaces an existing file and leaves no temporary file', async () => {
    const sub = await mkdtemp(join(dir, 'atomic-'));
    const path = join(sub, 'model.json');
    await saveModel(mlp([2, 1], { seed: 1 }), path);
    await saveModel(mlp([2, 4, 1], { seed: 2 }), path);
    expect(await readdir(sub)).toEqual(['model.json']);
    expect((await loadModel(path)).describe()).toBe('Sequential(Dense(2→4), Sigmoid, Dense(4→1), Sigmoid)');
  });

  it('a failed save leaves the old file intact and no temporary file', async () => {
    const sub = await mkdtemp(join(dir, 'failed-'));
    const path = join(sub, 'model.json');
    await saveModel(mlp([2, 1], { seed: 1 }), path);
    const before = await readFile(path, 'utf8');
    const broken = new Dense(2, 1);
    broken.weight.data[0] = Number.POSITIVE_INFINITY;
    await expect(saveModel(broken, path)).rejects.toThrow('modelToJSON: parameter weight has Infinity');
    await expect(saveModel(mlp([2, 1]), join(sub, 'missing-dir', 'model.json'))).rejects.toThrow(
      `saveModel: cannot write ${join(sub, 'missing-dir', 'model.json')}`,
    );
    expect(await readFile(path, 'utf8')).toBe(before);
    expect(await readdir(sub)).toEqual(['model.json']);
  });

  describe('names the file and the problem for a corrupt file', () => {
    const good = () => JSON.stringify(modelToJSON(mlp([2, 2, 1], { seed: 3 })));
    const cases: [string, () => string, string][] = [
      ['bad JSON', () => good().slice(0, 40), 'is not valid JSON'],
      ['wrong format tag', () => good().replace('"gradlab-model"', '"keras"'), `format is "keras", expected 'gradlab-model'`],
      ['unknown version', () => good().replace('"version":1', '"version":7'), 'unsupported version 7'],
      ['unknown module kind', () => good().replace('"Sigmoid"', '"Softmaxx"'), 'architecture.modules[1]: unknown module kind "Softmaxx"'],
      ['missing parameter', () => good().replace('"2.bias"', '"2.bais"'), 'missing: 2.bias'],
      ['wrong shape', () => good().replace('"shape":[2,2]', '"shape":[4]'), '0.weight: shape [4] in the dict, [2,2] in the model'],
      ['non-finite number', () => good().replace(/"0\.bias":\{"shape":\[2\],"data":\[0,/, '"0.bias":{"shape":[2],"data":[1e999,'), '0.bias: value 0 is Infinity'],
    ];
    cases.forEach(([what, text, message], i) => {
      it(what, async () => {
        const path = join(dir, `corrupt-${i}.json`);
        const content = text();
        expect(content).not.toBe(good()); // the corruption applied
        await writeFile(path, content);
        await expect(loadModel(path)).rejects.toThrow(`loadModel: ${path}`);
        await expect(loadModel(path)).rejects.toThrow(message);
      });
    });

    it('missing file', async () => {
      const path = join(dir, 'nope.json');
      await expect(loadModel(path)).rejects.toThrow(`loadModel: cannot read ${path}: ENOENT`);
    });
  });
});
