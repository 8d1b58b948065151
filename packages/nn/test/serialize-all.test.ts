// Saving and loading every built-in layer and registered custom modules; hostile model files
// (huge declared sizes, deep nesting) refused up front; property tests: random mutations of valid
// model files, state dicts and optimizer/scheduler state dicts give only GradlabErrors.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { GradlabError, createRng, randn, tensor, type Tensor } from '@gradlab/core';
import {
  Adam, BatchNorm1d, Dense, ELU, Embedding, Flatten, GELU, GRUCell, Identity, LayerNorm, LeakyReLU, Linear, LogSoftmax, Module, ReLU,
  RNN, RNNCell, Sequential, SGD, Sigmoid, Softmax, Softplus, StepLR, Tanh, modelFromJSON, modelToJSON, moduleFromConfig,
  registerModule, unregisterModule, type AnyModule, type ModuleConfig,
} from '../src/index.ts';
import { loadModel } from '../src/node.ts';

const roundTrip = <M extends AnyModule>(model: M): M => modelFromJSON<M>(JSON.parse(JSON.stringify(modelToJSON(model))));

/** Every built-in kind at least once. */
function everyLayer(): Sequential {
  return new Sequential(
    new Linear(3, 4, { seed: 1 }),
    new BatchNorm1d(4, { momentum: null }),
    new GELU('tanh'),
    new Dense(4, 4, { seed: 2, bias: false }),
    new LayerNorm([4], { eps: 1e-3 }),
    new ELU(0.5),
    new Sequential(new Softplus(2), new LeakyReLU(0.2), new Sigmoid(), new Tanh(), new ReLU(), new Identity()),
    new Linear(4, 3, { seed: 3 }),
    new Softmax(-1),
    new LogSoftmax(1),
    new Flatten(),
  );
}

class Residual extends Module {
  readonly inner: Sequential;
  constructor(readonly features: number, seed = 0) {
    super();
    this.inner = this.addModule('inner', new Sequential(new Linear(features, features, { seed }), new Tanh()));
  }
  forward(x: Tensor): Tensor {
    return x.add(this.inner.forward(x));
  }
  override config(): ModuleConfig {
    return { kind: 'Residual', args: [this.features] };
  }
}

/** A module with parameters of its own (not from a child layer), built by a factory. */
class Scale extends Module {
  readonly gain: Tensor;
  constructor(readonly size: number) {
    super();
    this.gain = this.registerParameter('gain', tensor(new Float64Array(size).fill(1), { requiresGrad: true }));
  }
  forward(x: Tensor): Tensor {
    return x.mul(this.gain);
  }
  override config(): ModuleConfig {
    return { kind: 'Scale', size: this.size };
  }
}

describe('every built-in layer saves and loads', () => {
  it('a Sequential of all of them, bit for bit, in train and eval mode', () => {
    const model = everyLayer();
    const x = randn([5, 3], createRng(1));
    model.forward(x); // moves BatchNorm's running statistics
    for (const p of model.parameters()) p.set(randn(p.shape, createRng(p.size)).data);
    const copy = roundTrip(model);
    expect(copy.describe()).toBe(model.describe());
    expect(copy.stateDict()).toEqual(model.stateDict());
    expect(copy.config()).toEqual(model.config());
    expect(Array.from(copy.eval().forward(x).data)).toEqual(Array.from(model.eval().forward(x).data));
  });

  it('Embedding, RNN of a GRUCell and an RNNCell', () => {
    const emb = new Embedding(7, 2, { paddingIdx: 3, seed: 4 });
    expect(roundTrip(emb).stateDict()).toEqual(emb.stateDict());
    for (const cell of [new GRUCell(2, 3, { seed: 5 }), new RNNCell(2, 3, { nonlinearity: 'relu', bias: false, seed: 6 })]) {
      const rnn = new RNN(cell, { batchFirst: true });
      const copy = roundTrip<RNN>(rnn);
      const x = randn([2, 4, 2], createRng(7));
      expect(Array.from(copy.forward(x)[0].data)).toEqual(Array.from(rnn.forward(x)[0].data));
      expect(copy.config()).toEqual(rnn.config());
    }
  });

  it('custom modules, by registering their kind (a class, or a factory)', () => {
    registerModule('Residual', Residual);
    registerModule('Scale', (config) => new Scale(config.size as number));
    try {
      const model = new Sequential(new Residual(3, 1), new Scale(3), new Residual(3, 2));
      (model.at(1) as Scale).gain.set([0.5, 2, -1]);
      const json = modelToJSON(model);
      expect(json.architecture.modules).toEqual([{ kind: 'Residual', args: [3] }, { kind: 'Scale', size: 3 }, { kind: 'Residual', args: [3] }]);
      expect(Object.keys(json.parameters)).toEqual(['0.inner.0.weight', '0.inner.0.bias', '1.gain', '2.inner.0.weight', '2.inner.0.bias']);
      const copy = modelFromJSON(JSON.parse(JSON.stringify(json)));
      const x = tensor([[0.1, -0.2, 0.3]]);
      expect(Array.from(copy.forward(x).data)).toEqual(Array.from(model.forward(x).data));
    } finally {
      unregisterModule('Residual');
      unregisterModule('Scale');
    }
    expect(() => modelToJSON(new Residual(2))).toThrow("modelToJSON: architecture: kind 'Residual' is not registered, so the file could not be loaded");
    expect(() => modelFromJSON({ format: 'gradlab-model', version: 1, architecture: { kind: 'Residual', args: [2] }, parameters: {} })).toThrow(
      'modelFromJSON: architecture: unknown module kind "Residual" (built-in kinds: Sequential, Dense, Linear,',
    );
    expect(() => registerModule('Dense', () => new Identity())).toThrow("registerModule: 'Dense' is a built-in kind");
  });
});

describe('hostile model files are refused before anything is built', () => {
  it('a 150-byte file declaring a 10⁹×1 Dense (and a 10⁸×1 one, under the element limit)', () => {
    const file = '{"format":"gradlab-model","version":1,"architecture":{"kind":"Dense","inFeatures":1000000000,"outFeatures":1,"bias":false},"parameters":{}}';
    expect(file.length).toBeLessThan(150);
    expect(() => modelFromJSON(JSON.parse(file))).toThrow(
      'modelFromJSON: architecture: Dense would make weight of shape [1000000000,1]: 1000000000 values, above the limit of 134217728',
    );
    // 10⁸ values fit the limit, but the file holds none of them: refused before the Dense is made
    let built = 0;
    registerModule('Counter', () => (built++, new Identity()));
    try {
      const smaller = JSON.parse(file.replace('1000000000', '100000000')) as { architecture: unknown };
      smaller.architecture = { kind: 'Sequential', modules: [{ kind: 'Counter' }, smaller.architecture] };
      expect(() => modelFromJSON(smaller)).toThrow('modelFromJSON: parameters do not fit the architecture:\n  missing: 1.weight');
      expect(built).toBe(0);
    } finally {
      unregisterModule('Counter');
    }
  });

  it('data of the wrong length is refused before building', () => {
    const json = modelToJSON(new Sequential(new Linear(2, 2), new BatchNorm1d(2)));
    json.parameters['1.runningVar'].data.push(1);
    expect(() => modelFromJSON(json)).toThrow('parameters do not fit the architecture:\n  1.runningVar: 3 values for shape [2] (needs 2)');
    delete json.parameters['1.runningVar'];
    json.parameters.extra = { shape: [1], data: [0] };
    expect(() => modelFromJSON(json)).toThrow(/missing: 1\.runningVar\n {2}unexpected: extra/);
  });

  it('a Sequential nested 100,000 deep is refused without overflowing the stack; 200 deep loads', () => {
    const nest = (depth: number) => {
      let architecture: ModuleConfig = { kind: 'Identity' };
      for (let i = 0; i < depth; i++) architecture = { kind: 'Sequential', modules: [architecture] };
      return { format: 'gradlab-model', version: 1, architecture, parameters: {} };
    };
    const text = JSON.stringify(nest(2000)); // JSON.stringify itself recurses: 2,000 is what it takes
    expect(() => modelFromJSON(JSON.parse(text))).toThrow(/modelFromJSON: architecture(\.modules\[0\]){257}: modules nest deeper than 256 levels/);
    expect(() => modelFromJSON(nest(100_000))).toThrow('modules nest deeper than 256 levels');
    expect(modelFromJSON(nest(200)).describe()).toMatch(/^(Sequential\(){200}Identity/);
  });

  it('unknown fields, wrong types and kinds are named with their path', () => {
    const good = () => JSON.parse(JSON.stringify(modelToJSON(new Sequential(new Linear(2, 2), new RNNCell(2, 2))))) as {
      architecture: { modules: Record<string, unknown>[] };
    };
    const cases: [(j: ReturnType<typeof good>) => void, string][] = [
      [(j) => (j.architecture.modules[0].extra = 1), "architecture.modules[0]: unexpected field 'extra' (Linear has inFeatures, outFeatures, bias, dtype)"],
      [(j) => (j.architecture.modules[1].nonlinearity = 'sigmoid'), "architecture.modules[1]: RNNCell nonlinearity must be 'tanh' or 'relu', got \"sigmoid\""],
      [(j) => (j.architecture.modules[0].bias = 'yes'), 'architecture.modules[0]: Linear bias must be true or false, got "yes"'],
      [(j) => Object.assign(j, { architecture: { kind: 'RNN', cell: { kind: 'Tanh' }, batchFirst: false } }), 'architecture: RNN cell must be an RNNCell or a GRUCell, got an object'],
      [(j) => (j.architecture.modules[1] = { kind: 'RNN', cell: { kind: 'RNNCell', inputSize: 2, hiddenSize: 2, bias: true, nonlinearity: 'tanh' }, batchFirst: false }), 'architecture: Sequential modules[1] is an RNN, which does not map one tensor to one tensor'],
    ];
    for (const [corrupt, message] of cases) {
      const j = good();
      corrupt(j);
      expect(() => modelFromJSON(j)).toThrow(message);
    }
    expect(() => moduleFromConfig({ kind: 'Dense', inFeatures: 2, outFeatures: 0, bias: true }, 'arch')).toThrow(
      'modelFromJSON: arch: Dense outFeatures must be a positive integer, got 0',
    );
  });
});

// ----------------------------------------------------------------------------- property tests

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path into a JSON value (as keys), containers included. */
function paths(value: Json, limit = 4000): (string | number)[][] {
  const out: (string | number)[][] = [[]];
  const stack: [Json, (string | number)[]][] = [[value, []]];
  while (stack.length > 0 && out.length < limit) {
    const [v, path] = stack.pop()!;
    const entries: [string | number, Json][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : v && typeof v === 'object' ? Object.entries(v) : [];
    for (const [k, x] of entries) {
      out.push([...path, k]);
      stack.push([x, [...path, k]]);
    }
  }
  return out;
}

const HOSTILE: Json[] = [
  null, true, false, 0, -1, 1.5, 1e9, -1e9, 1e300, 2 ** 31, '', 'x', 'Dense', 'NaN', [], {}, [1e9], [0, 0], [[1]], { kind: 'Dense' },
  { kind: 'Sequential', modules: [] }, { kind: 'Sequential', modules: null }, { shape: [1e9], data: [] }, { shape: [-1], data: [1] },
  { shape: [2], data: [1, 'a'] }, { step: -1 }, { step: 1, m: [1] }, { __proto__: 1 }, { constructor: 1 }, { toString: 1 },
];

/** A mutation: replace the value at a path, delete it, or wrap it in an array. */
const mutation = fc.record({
  at: fc.nat(),
  how: fc.constantFrom('replace', 'delete', 'wrap', 'number'),
  value: fc.oneof(fc.constantFrom(...HOSTILE), fc.double(), fc.integer(), fc.string({ maxLength: 4 })),
});

function mutate(original: Json, steps: { at: number; how: string; value: Json }[]): unknown {
  const doc = JSON.parse(JSON.stringify(original)) as Json;
  let root: Json = doc;
  for (const { at, how, value } of steps) {
    const all = paths(root);
    const path = all[at % all.length];
    if (path.length === 0) {
      root = how === 'wrap' ? [root] : value;
      continue;
    }
    let parent = root as Record<string | number, Json>;
    for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, Json>;
    const key = path[path.length - 1];
    if (how === 'delete') {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
    } else if (how === 'wrap') parent[key] = [parent[key]];
    else if (how === 'number') parent[key] = typeof value === 'number' ? value : Number.NaN;
    else parent[key] = value;
  }
  return root;
}

/** Runs f; anything thrown must be a GradlabError (StateDictError is one). */
function onlyGradlabErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof GradlabError)) throw new Error(`not a GradlabError: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`, { cause: e });
  }
}

const counts = { files: 0, refused: 0 };

describe('property: mutated files and state dicts give GradlabErrors only', () => {
  const models: [string, () => AnyModule][] = [
    ['every layer', everyLayer],
    ['an MLP of Dense layers', () => new Sequential(new Dense(2, 3), new Sigmoid(), new Dense(3, 1), new Sigmoid())],
    ['an RNN of a GRUCell', () => new RNN(new GRUCell(2, 3))],
    ['an Embedding', () => new Embedding(4, 2, { paddingIdx: 0 })],
  ];
  for (const [name, make] of models) {
    it(`model files of ${name}`, () => {
      const file = modelToJSON(make()) as unknown as Json;
      fc.assert(
        fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (steps) => {
          counts.files++;
          onlyGradlabErrors(() => {
            try {
              modelFromJSON(mutate(file, steps));
            } catch (e) {
              counts.refused++;
              throw e;
            }
          });
        }),
        { numRuns: 300, seed: 42 },
      );
    }, 60_000);

    it(`state dicts of ${name}`, () => {
      const model = make();
      const dict = model.stateDict() as unknown as Json;
      fc.assert(
        fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (steps) => {
          onlyGradlabErrors(() => model.loadStateDict(mutate(dict, steps) as never));
        }),
        { numRuns: 200, seed: 7 },
      );
    }, 60_000);
  }

  it('optimizer and scheduler state dicts', () => {
    const model = new Sequential(new Linear(2, 3), new Tanh(), new Linear(3, 1));
    const makeAll = () => {
      const adam = new Adam([{ params: model.parameters().slice(0, 2) }, { params: model.parameters().slice(2), lr: 0.01 }], { weightDecay: 0.1 });
      const sgd = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true });
      return { adam, sgd, schedule: new StepLR(sgd, { stepSize: 2 }) };
    };
    const { adam, sgd, schedule } = makeAll();
    model.forward(tensor([[1, 2]])).sum().backward();
    adam.step();
    sgd.step();
    schedule.step();
    const dicts = { adam: adam.stateDict(), sgd: sgd.stateDict(), schedule: schedule.stateDict() } as unknown as Record<string, Json>;
    fc.assert(
      fc.property(fc.constantFrom('adam', 'sgd', 'schedule'), fc.array(mutation, { minLength: 1, maxLength: 4 }), (which, steps) => {
        const fresh = makeAll();
        onlyGradlabErrors(() => (fresh[which] as { loadStateDict(d: unknown): void }).loadStateDict(mutate(dicts[which], steps)));
      }),
      { numRuns: 400, seed: 3 },
    );
  }, 60_000);

  it('model files as text, cut and corrupted, through loadModel', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gradlab-fuzz-'));
    try {
      const text = JSON.stringify(modelToJSON(new Sequential(new Linear(2, 2), new BatchNorm1d(2))));
      const samples = fc.sample(fc.tuple(fc.nat(text.length), fc.nat(text.length), fc.string({ maxLength: 3 })), { numRuns: 60, seed: 5 });
      for (const [i, [cut, at, insert]] of samples.entries()) {
        const path = join(dir, `m${i}.json`);
        await writeFile(path, text.slice(0, Math.max(cut, at)) + insert + text.slice(Math.max(cut, at) + 1));
        await loadModel(path).catch((e: unknown) => {
          if (!(e instanceof GradlabError)) throw e;
        });
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  afterAll(() => {
    console.log(`property tests: ${counts.files} mutated model files, ${counts.refused} refused with a GradlabError, the rest loaded`);
  });
});
