// Models as JSON: the architecture (what to build) and the state (parameters and buffers to load
// into it). Pure functions, no I/O: they work in a browser as well as in Node (file I/O is in node.ts).
//
// A file is untrusted input. `modelFromJSON` reads the architecture without recursion (a deeply
// nested Sequential cannot overflow the stack; nesting is limited to MAX_DEPTH), checks every
// module's arguments, and for the built-in kinds works out the name and shape of every parameter
// and buffer they would make, then checks them against the values present in the file, all
// BEFORE building anything: a 150-byte file declaring a 10⁹×1 Dense is refused at once instead
// of allocating 8 GB. Only then are the modules built and the values loaded.
import { formatShape, GradlabError, MAX_ELEMENTS, type DType } from '@gradlab/core';
import { ELU, Flatten, GELU, Identity, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Softplus, Tanh } from './activations.ts';
import { describeValue } from './check.ts';
import { Dense } from './dense.ts';
import { Embedding } from './embedding.ts';
import { Linear } from './linear.ts';
import { checkTensorState, Module, StateDictError, type AnyModule, type ModuleConfig, type StateDict } from './module.ts';
import { BatchNorm1d, BatchNorm2d, LayerNorm } from './normalization.ts';
import { Conv1d, Conv2d } from './conv.ts';
import { Dropout } from './dropout.ts';
import { AvgPool2d, MaxPool2d } from './pooling.ts';
import { GRUCell, RecurrentCell, RNN, RNNCell } from './recurrent.ts';
import { Sequential } from './sequential.ts';

export const MODEL_FORMAT = 'gradlab-model';
export const MODEL_VERSION = 1;
/** How deeply modules may nest in a saved model (a Sequential in a Sequential in …). */
export const MAX_DEPTH = 256;
/** How many modules a saved model may hold. */
export const MAX_MODULES = 100_000;

/** A saved model: `JSON.stringify` of it is the file's content. */
export interface ModelJSON {
  format: typeof MODEL_FORMAT;
  version: typeof MODEL_VERSION;
  architecture: ModuleConfig;
  /** Parameters and buffers (see `StateDict`). */
  parameters: StateDict;
}

// ---------------------------------------------------------------------------------------------
// The registry of custom kinds

/** Builds a module of your own from its config (the object its `config()` returns). */
export type ModuleFactory = (config: ModuleConfig) => AnyModule;

/** A class with a static `fromConfig`. */
export interface ModuleClassWithConfig {
  fromConfig(config: ModuleConfig): AnyModule;
}

const registry = new Map<string, ModuleFactory>();

/**
 * Makes a module kind of your own loadable: `registerModule('Residual', factory)`, where factory is
 * - a function `(config) => new Residual(config.features as number)`, or
 * - a class with a static `fromConfig(config)`, or
 * - a Module subclass, built as `new Residual(...config.args)` (its `config()` then returns
 *   `{ kind: 'Residual', args: [ …its constructor's arguments ] }`).
 * The module's `config()` returns `{ kind: 'Residual', … }`. The factory gets untrusted data from
 * a file: it should check its arguments (a clear GradlabError, and no huge allocation).
 */
export function registerModule(kind: string, factory: ModuleFactory | ModuleClassWithConfig | (abstract new (...args: never[]) => AnyModule)): void {
  if (typeof kind !== 'string' || kind === '' || kind.length > 100) throw new GradlabError(`registerModule: kind must be a non-empty string (at most 100 characters), got ${describeValue(kind)}`);
  if (Object.hasOwn(BUILT_IN, kind)) throw new GradlabError(`registerModule: '${kind}' is a built-in kind`);
  let make: ModuleFactory;
  const withConfig = factory as Partial<ModuleClassWithConfig>;
  if ((typeof factory === 'function' || (typeof factory === 'object' && factory !== null)) && typeof withConfig.fromConfig === 'function') {
    make = (config) => withConfig.fromConfig!(config);
  } else if (typeof factory === 'function' && factory.prototype instanceof Module) {
    const Class = factory as unknown as new (...args: unknown[]) => AnyModule;
    make = (config) => {
      const args = config.args ?? [];
      if (!Array.isArray(args)) throw new GradlabError(`${kind}: args must be a list of constructor arguments, got ${describeValue(args)}`);
      return new Class(...(args as unknown[]));
    };
  } else if (typeof factory === 'function') {
    make = factory as ModuleFactory;
  } else {
    throw new GradlabError(`registerModule: '${kind}' needs a factory (config) => module, a class with fromConfig, or a Module subclass, got ${describeValue(factory)}`);
  }
  registry.set(kind, make);
}

/** Forgets a registered kind (true if it was registered). */
export function unregisterModule(kind: string): boolean {
  return registry.delete(kind);
}

/** The kinds `modelFromJSON` can build: the built-in ones, then the registered ones. */
export function moduleKinds(): { builtIn: string[]; registered: string[] } {
  return { builtIn: Object.keys(BUILT_IN), registered: [...registry.keys()] };
}

// ---------------------------------------------------------------------------------------------
// The built-in kinds: their arguments, the state they make, their children, how to build them

type Config = Record<string, unknown>;
type Fail = (what: string) => never;

interface BuiltIn<A> {
  /** The arguments, checked (fail names the field and the value). */
  parse(config: Config, fail: Fail): A;
  /** The parameters and buffers the module makes, by local name, in state-dict order. */
  state(args: A): [string, number[]][];
  /** The sub-modules' configs by local name. */
  children?(config: Config, fail: Fail): [string, unknown][];
  build(args: A, children: AnyModule[], fail: Fail): AnyModule;
}

/** A value for an error message, as it reads in the file (bounded). */
const show = (v: unknown): string =>
  v === undefined ? 'nothing' : typeof v === 'string' ? JSON.stringify(v.slice(0, 40)) : typeof v === 'number' || typeof v === 'boolean' || v === null ? String(v) : describeValue(v);

const fields = (config: Config, fail: Fail, allowed: readonly string[]): void => {
  for (const key of Object.keys(config)) if (key !== 'kind' && !allowed.includes(key)) fail(`unexpected field '${key.slice(0, 40)}' (${String(config.kind)} has ${allowed.join(', ') || 'none'})`);
};
const positiveInteger = (config: Config, fail: Fail, name: string): number => {
  const v = config[name];
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) return fail(`${String(config.kind)} ${name} must be a positive integer, got ${show(v)}`);
  return v;
};
const integer = (config: Config, fail: Fail, name: string): number => {
  const v = config[name];
  if (typeof v !== 'number' || !Number.isInteger(v)) return fail(`${String(config.kind)} ${name} must be an integer, got ${show(v)}`);
  return v;
};
const finite = (config: Config, fail: Fail, name: string, ok: (x: number) => boolean = () => true, range = 'a finite number'): number => {
  const v = config[name];
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) return fail(`${String(config.kind)} ${name} must be ${range}, got ${show(v)}`);
  return v;
};
const flag = (config: Config, fail: Fail, name: string): boolean => {
  const v = config[name];
  if (typeof v !== 'boolean') return fail(`${String(config.kind)} ${name} must be true or false, got ${show(v)}`);
  return v;
};
const oneOf = <T extends string>(config: Config, fail: Fail, name: string, values: readonly T[]): T => {
  const v = config[name];
  if (!values.includes(v as T)) return fail(`${String(config.kind)} ${name} must be ${values.map((x) => `'${x}'`).join(' or ')}, got ${show(v)}`);
  return v as T;
};

/** The optional `dtype` field of a layer with parameters: 'float32', or 'float64' when absent (files from before dtype). */
const dtypeOf = (config: Config, fail: Fail): DType => (config.dtype === undefined ? 'float64' : oneOf(config, fail, 'dtype', ['float32', 'float64'] as const));

/** A kind without arguments or state (activations). */
const plain = (make: () => AnyModule): BuiltIn<null> => ({
  parse: (config, fail) => (fields(config, fail, []), null),
  state: () => [],
  build: () => make(),
});

const dense: BuiltIn<{ inFeatures: number; outFeatures: number; bias: boolean; dtype: DType }> = {
  parse: (c, fail) => {
    fields(c, fail, ['inFeatures', 'outFeatures', 'bias', 'dtype']);
    return { inFeatures: positiveInteger(c, fail, 'inFeatures'), outFeatures: positiveInteger(c, fail, 'outFeatures'), bias: flag(c, fail, 'bias'), dtype: dtypeOf(c, fail) };
  },
  state: ({ inFeatures, outFeatures, bias }) => (bias ? [['weight', [inFeatures, outFeatures]], ['bias', [outFeatures]]] : [['weight', [inFeatures, outFeatures]]]),
  build: (a) => new Dense(a.inFeatures, a.outFeatures, { bias: a.bias, dtype: a.dtype }),
};

const linear: BuiltIn<{ inFeatures: number; outFeatures: number; bias: boolean; dtype: DType }> = {
  parse: (c, fail) => dense.parse(c, fail),
  state: ({ inFeatures, outFeatures, bias }) => (bias ? [['weight', [outFeatures, inFeatures]], ['bias', [outFeatures]]] : [['weight', [outFeatures, inFeatures]]]),
  build: (a) => new Linear(a.inFeatures, a.outFeatures, { bias: a.bias, dtype: a.dtype }),
};

type BatchNormArgs = { numFeatures: number; eps: number; momentum: number | null; affine: boolean; trackRunningStats: boolean; dtype: DType };
const batchNorm1d: BuiltIn<BatchNormArgs> = {
  parse: (c, fail) => {
    fields(c, fail, ['numFeatures', 'eps', 'momentum', 'affine', 'trackRunningStats', 'dtype']);
    return {
      numFeatures: positiveInteger(c, fail, 'numFeatures'),
      eps: finite(c, fail, 'eps', (e) => e > 0, 'a finite number > 0'),
      momentum: c.momentum === null ? null : finite(c, fail, 'momentum', (m) => m >= 0 && m <= 1, 'in [0, 1] or null'),
      affine: flag(c, fail, 'affine'),
      trackRunningStats: flag(c, fail, 'trackRunningStats'),
      dtype: dtypeOf(c, fail),
    };
  },
  state: ({ numFeatures: C, affine, trackRunningStats }) => [
    ...(affine ? ([['weight', [C]], ['bias', [C]]] as [string, number[]][]) : []),
    ...(trackRunningStats ? ([['runningMean', [C]], ['runningVar', [C]], ['numBatchesTracked', []]] as [string, number[]][]) : []),
  ],
  build: (a) => new BatchNorm1d(a.numFeatures, a),
};
const batchNorm2d: BuiltIn<BatchNormArgs> = { ...batchNorm1d, build: (a) => new BatchNorm2d(a.numFeatures, a) };

/** A list of `n` integers ≥ min (a per-axis size). */
const sizes = (config: Config, fail: Fail, name: string, n: number, min: number): number[] => {
  const v = config[name];
  if (!Array.isArray(v) || v.length !== n || !v.every((d) => Number.isInteger(d) && (d as number) >= min && (d as number) <= MAX_ELEMENTS)) {
    return fail(`${String(config.kind)} ${name} must be a list of ${n} integers ≥ ${min}, got ${describeValue(v)}`);
  }
  return [...(v as number[])];
};

type ConvArgs = { inChannels: number; outChannels: number; kernelSize: number[]; stride: number[]; padding: number[] | 'same'; dilation: number[]; groups: number; bias: boolean; dtype: DType };
const conv = (spatial: 1 | 2): BuiltIn<ConvArgs> => ({
  parse: (c, fail) => {
    fields(c, fail, ['inChannels', 'outChannels', 'kernelSize', 'stride', 'padding', 'dilation', 'groups', 'bias', 'dtype']);
    const inChannels = positiveInteger(c, fail, 'inChannels');
    const outChannels = positiveInteger(c, fail, 'outChannels');
    const groups = positiveInteger(c, fail, 'groups');
    if (inChannels % groups !== 0 || outChannels % groups !== 0) fail(`Conv${spatial}d groups ${groups} must divide inChannels ${inChannels} and outChannels ${outChannels}`);
    return {
      inChannels,
      outChannels,
      kernelSize: sizes(c, fail, 'kernelSize', spatial, 1),
      stride: sizes(c, fail, 'stride', spatial, 1),
      padding: c.padding === 'same' ? 'same' : sizes(c, fail, 'padding', spatial, 0),
      dilation: sizes(c, fail, 'dilation', spatial, 1),
      groups,
      bias: flag(c, fail, 'bias'),
      dtype: dtypeOf(c, fail),
    };
  },
  state: ({ inChannels, outChannels, kernelSize, groups, bias }) => [
    ['weight', [outChannels, inChannels / groups, ...kernelSize]],
    ...(bias ? ([['bias', [outChannels]]] as [string, number[]][]) : []),
  ],
  build: (a) => new (spatial === 2 ? Conv2d : Conv1d)(a.inChannels, a.outChannels, a.kernelSize, a),
});

const maxPool2d: BuiltIn<{ kernelSize: number[]; stride: number[]; padding: number[]; dilation: number[] }> = {
  parse: (c, fail) => {
    fields(c, fail, ['kernelSize', 'stride', 'padding', 'dilation']);
    return { kernelSize: sizes(c, fail, 'kernelSize', 2, 1), stride: sizes(c, fail, 'stride', 2, 1), padding: sizes(c, fail, 'padding', 2, 0), dilation: sizes(c, fail, 'dilation', 2, 1) };
  },
  state: () => [],
  build: (a) => new MaxPool2d(a.kernelSize, a),
};

const avgPool2d: BuiltIn<{ kernelSize: number[]; stride: number[]; padding: number[]; countIncludePad: boolean }> = {
  parse: (c, fail) => {
    fields(c, fail, ['kernelSize', 'stride', 'padding', 'countIncludePad']);
    return { kernelSize: sizes(c, fail, 'kernelSize', 2, 1), stride: sizes(c, fail, 'stride', 2, 1), padding: sizes(c, fail, 'padding', 2, 0), countIncludePad: flag(c, fail, 'countIncludePad') };
  },
  state: () => [],
  build: (a) => new AvgPool2d(a.kernelSize, a),
};

const dropout: BuiltIn<{ p: number; seed: number }> = {
  parse: (c, fail) => {
    fields(c, fail, ['p', 'seed']);
    return { p: finite(c, fail, 'p', (p) => p >= 0 && p <= 1, 'a probability in [0, 1]'), seed: integer(c, fail, 'seed') };
  },
  state: () => [],
  build: (a) => new Dropout(a.p, { seed: a.seed }),
};

const layerNorm: BuiltIn<{ normalizedShape: number[]; eps: number; elementwiseAffine: boolean; dtype: DType }> = {
  parse: (c, fail) => {
    fields(c, fail, ['normalizedShape', 'eps', 'elementwiseAffine', 'dtype']);
    const shape = c.normalizedShape;
    if (!Array.isArray(shape) || shape.length === 0 || shape.length > 32 || !shape.every((d) => Number.isInteger(d) && (d as number) > 0)) {
      fail(`LayerNorm normalizedShape must be a list of 1 to 32 positive integers, got ${describeValue(shape)}`);
    }
    return { normalizedShape: [...(shape as number[])], eps: finite(c, fail, 'eps', (e) => e > 0, 'a finite number > 0'), elementwiseAffine: flag(c, fail, 'elementwiseAffine'), dtype: dtypeOf(c, fail) };
  },
  state: ({ normalizedShape, elementwiseAffine }) => (elementwiseAffine ? [['weight', normalizedShape], ['bias', normalizedShape]] : []),
  build: (a) => new LayerNorm(a.normalizedShape, a),
};

const embedding: BuiltIn<{ numEmbeddings: number; embeddingDim: number; paddingIdx: number | null; dtype: DType }> = {
  parse: (c, fail) => {
    fields(c, fail, ['numEmbeddings', 'embeddingDim', 'paddingIdx', 'dtype']);
    const numEmbeddings = positiveInteger(c, fail, 'numEmbeddings');
    const paddingIdx = c.paddingIdx === null ? null : integer(c, fail, 'paddingIdx');
    if (paddingIdx !== null && (paddingIdx < 0 || paddingIdx >= numEmbeddings)) fail(`Embedding paddingIdx must be in [0, ${numEmbeddings}) or null, got ${paddingIdx}`);
    return { numEmbeddings, embeddingDim: positiveInteger(c, fail, 'embeddingDim'), paddingIdx, dtype: dtypeOf(c, fail) };
  },
  state: ({ numEmbeddings, embeddingDim }) => [['weight', [numEmbeddings, embeddingDim]]],
  build: (a) => new Embedding(a.numEmbeddings, a.embeddingDim, { paddingIdx: a.paddingIdx, dtype: a.dtype }),
};

type CellArgs = { inputSize: number; hiddenSize: number; bias: boolean; nonlinearity: 'tanh' | 'relu'; dtype: DType };
const cellState = (gates: number) => ({ inputSize, hiddenSize, bias }: CellArgs): [string, number[]][] => [
  ['weightIh', [gates * hiddenSize, inputSize]],
  ['weightHh', [gates * hiddenSize, hiddenSize]],
  ...(bias ? ([['biasIh', [gates * hiddenSize]], ['biasHh', [gates * hiddenSize]]] as [string, number[]][]) : []),
];
const rnnCell: BuiltIn<CellArgs> = {
  parse: (c, fail) => {
    fields(c, fail, ['inputSize', 'hiddenSize', 'bias', 'nonlinearity', 'dtype']);
    return { inputSize: positiveInteger(c, fail, 'inputSize'), hiddenSize: positiveInteger(c, fail, 'hiddenSize'), bias: flag(c, fail, 'bias'), nonlinearity: oneOf(c, fail, 'nonlinearity', ['tanh', 'relu']), dtype: dtypeOf(c, fail) };
  },
  state: cellState(1),
  build: (a) => new RNNCell(a.inputSize, a.hiddenSize, a),
};
const gruCell: BuiltIn<CellArgs> = {
  parse: (c, fail) => {
    fields(c, fail, ['inputSize', 'hiddenSize', 'bias', 'dtype']);
    return { inputSize: positiveInteger(c, fail, 'inputSize'), hiddenSize: positiveInteger(c, fail, 'hiddenSize'), bias: flag(c, fail, 'bias'), nonlinearity: 'tanh', dtype: dtypeOf(c, fail) };
  },
  state: cellState(3),
  build: (a) => new GRUCell(a.inputSize, a.hiddenSize, a),
};

const sequential: BuiltIn<null> = {
  parse: (c, fail) => {
    fields(c, fail, ['modules']);
    if (!Array.isArray(c.modules)) fail(`Sequential needs a 'modules' array`);
    const rnn = (c.modules as unknown[]).findIndex((m) => typeof m === 'object' && m !== null && (m as Config).kind === 'RNN');
    if (rnn >= 0) fail(`Sequential modules[${rnn}] is an RNN, which does not map one tensor to one tensor`);
    return null;
  },
  state: () => [],
  children: (c) => (c.modules as unknown[]).map((m, i) => [String(i), m]),
  build: (_a, children, fail) => {
    const bad = children.findIndex((m) => m instanceof RNN);
    if (bad >= 0) fail(`Sequential modules[${bad}] (${children[bad].describe()}) does not map one tensor to one tensor`);
    return new Sequential(...(children as Module[]));
  },
};

const rnn: BuiltIn<{ batchFirst: boolean }> = {
  parse: (c, fail) => {
    fields(c, fail, ['cell', 'batchFirst']);
    const cell = c.cell;
    if (typeof cell !== 'object' || cell === null || ((cell as Config).kind !== 'RNNCell' && (cell as Config).kind !== 'GRUCell')) {
      fail(`RNN cell must be an RNNCell or a GRUCell, got ${describeValue(cell)}`);
    }
    return { batchFirst: flag(c, fail, 'batchFirst') };
  },
  state: () => [],
  children: (c) => [['cell', c.cell]],
  build: (a, [cell]) => new RNN(cell as RecurrentCell, a),
};

/** One spec in the table (its argument type inferred from parse). */
const kind = <A,>(spec: BuiltIn<A>): BuiltIn<never> => spec as unknown as BuiltIn<never>;

const BUILT_IN: Record<string, BuiltIn<never>> = {
  Sequential: kind(sequential),
  Dense: kind(dense),
  Linear: kind(linear),
  Sigmoid: kind(plain(() => new Sigmoid())),
  Tanh: kind(plain(() => new Tanh())),
  ReLU: kind(plain(() => new ReLU())),
  Identity: kind(plain(() => new Identity())),
  LeakyReLU: kind({
    parse: (c, fail) => (fields(c, fail, ['slope']), finite(c, fail, 'slope')),
    state: () => [],
    build: (slope) => new LeakyReLU(slope),
  }),
  Softmax: kind({ parse: (c, fail) => (fields(c, fail, ['dim']), integer(c, fail, 'dim')), state: () => [], build: (dim) => new Softmax(dim) }),
  LogSoftmax: kind({ parse: (c, fail) => (fields(c, fail, ['dim']), integer(c, fail, 'dim')), state: () => [], build: (dim) => new LogSoftmax(dim) }),
  GELU: kind({
    parse: (c, fail) => (fields(c, fail, ['approximate']), oneOf(c, fail, 'approximate', ['none', 'tanh'] as const)),
    state: () => [],
    build: (approximate) => new GELU(approximate),
  }),
  ELU: kind({ parse: (c, fail) => (fields(c, fail, ['alpha']), finite(c, fail, 'alpha')), state: () => [], build: (alpha) => new ELU(alpha) }),
  Softplus: kind({
    parse: (c, fail) => (fields(c, fail, ['beta']), finite(c, fail, 'beta', (b) => b > 0, 'a finite number > 0')),
    state: () => [],
    build: (beta) => new Softplus(beta),
  }),
  Flatten: kind({
    parse: (c, fail) => (fields(c, fail, ['startDim', 'endDim']), [integer(c, fail, 'startDim'), integer(c, fail, 'endDim')] as const),
    state: () => [],
    build: ([start, end]) => new Flatten(start, end),
  }),
  BatchNorm1d: kind(batchNorm1d),
  BatchNorm2d: kind(batchNorm2d),
  Conv1d: kind(conv(1)),
  Conv2d: kind(conv(2)),
  MaxPool2d: kind(maxPool2d),
  AvgPool2d: kind(avgPool2d),
  Dropout: kind(dropout),
  LayerNorm: kind(layerNorm),
  Embedding: kind(embedding),
  RNNCell: kind(rnnCell),
  GRUCell: kind(gruCell),
  RNN: kind(rnn),
};

// ---------------------------------------------------------------------------------------------
// Reading an architecture without recursion

interface Node {
  config: Config;
  /** Where it is in the file, for errors: `architecture.modules[2].cell`. */
  path: string;
  /** Its state-dict prefix: `2.cell.` (empty for the root). */
  prefix: string;
  depth: number;
  /** A built-in kind's spec and checked arguments, or a custom kind's factory. */
  builtIn: BuiltIn<never> | null;
  args: unknown;
  factory: ModuleFactory | null;
  children: number[];
}

interface Plan {
  nodes: Node[];
  /** Every parameter and buffer the built-in modules will make, by qualified name (custom modules' are unknown until built). */
  declared: Map<string, number[]>;
  /** Whether every module is built-in (then `declared` is the whole state). */
  allBuiltIn: boolean;
}

/** Reads and checks a whole architecture, depth first with an explicit stack; builds nothing. */
function plan(root: unknown, rootPath: string): Plan {
  const nodes: Node[] = [];
  const declared = new Map<string, number[]>();
  let allBuiltIn = true;
  const stack: { config: unknown; path: string; prefix: string; depth: number; parent: number }[] = [{ config: root, path: rootPath, prefix: '', depth: 0, parent: -1 }];
  while (stack.length > 0) {
    const { config, path, prefix, depth, parent } = stack.pop()!;
    const fail: Fail = (what) => {
      throw new GradlabError(`modelFromJSON: ${path}: ${what}`);
    };
    if (depth > MAX_DEPTH) fail(`modules nest deeper than ${MAX_DEPTH} levels`);
    if (nodes.length >= MAX_MODULES) fail(`more than ${MAX_MODULES} modules`);
    if (typeof config !== 'object' || config === null || Array.isArray(config)) fail(`expected a module description, got ${describeValue(config)}`);
    const c = config as Config;
    const kind = c.kind;
    const builtIn = typeof kind === 'string' && Object.hasOwn(BUILT_IN, kind) ? BUILT_IN[kind] : null;
    const factory = typeof kind === 'string' && !builtIn ? (registry.get(kind) ?? null) : null;
    if (!builtIn && !factory) {
      const { builtIn: kinds, registered } = moduleKinds();
      fail(
        `unknown module kind ${typeof kind === 'string' ? JSON.stringify(kind.slice(0, 60)) : '(missing)'} (built-in kinds: ${kinds.join(', ')}; ` +
          `registered: ${registered.length > 0 ? registered.join(', ') : 'none'}; a kind of your own is made loadable with registerModule)`,
      );
    }
    const index = nodes.length;
    const node: Node = { config: c, path, prefix, depth, builtIn, args: null, factory, children: [] };
    nodes.push(node);
    if (parent >= 0) nodes[parent].children.push(index);
    if (!builtIn) {
      allBuiltIn = false;
      continue;
    }
    node.args = builtIn.parse(c, fail);
    for (const [name, shape] of builtIn.state(node.args as never)) {
      const size = shape.reduce((a, b) => a * b, 1);
      if (size > MAX_ELEMENTS) fail(`${String(kind)} would make ${name} of shape ${formatShape(shape)}: ${size} values, above the limit of ${MAX_ELEMENTS}`);
      declared.set(`${prefix}${name}`, shape);
    }
    const children = builtIn.children?.(c, fail) ?? [];
    // pushed in reverse so that they are read (and numbered) in order
    for (let i = children.length - 1; i >= 0; i--) {
      const [local, child] = children[i];
      const childPath = kind === 'Sequential' ? `${path}.modules[${local}]` : `${path}.${local}`;
      stack.push({ config: child, path: childPath, prefix: `${prefix}${local}.`, depth: depth + 1, parent: index });
    }
  }
  // children were attached in the order they were read: the reverse push makes that their order
  return { nodes, declared, allBuiltIn };
}

/** Builds the planned modules, children before parents (no recursion). */
function build(p: Plan): AnyModule {
  const built: AnyModule[] = new Array<AnyModule>(p.nodes.length);
  for (let i = p.nodes.length - 1; i >= 0; i--) {
    const node = p.nodes[i];
    const fail: Fail = (what) => {
      throw new GradlabError(`modelFromJSON: ${node.path}: ${what}`);
    };
    if (node.builtIn) {
      built[i] = node.builtIn.build(node.args as never, node.children.map((c) => built[c]), fail);
    } else {
      let m: unknown;
      try {
        m = node.factory!(node.config as ModuleConfig);
      } catch (e) {
        if (e instanceof GradlabError) fail(e.message);
        throw new GradlabError(`modelFromJSON: ${node.path}: the factory of '${String(node.config.kind)}' failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
      if (!(m instanceof Module)) fail(`the factory of '${String(node.config.kind)}' returned ${describeValue(m)}, not a Module`);
      built[i] = m as AnyModule;
    }
  }
  return built[0];
}

/** What the file's values lack against what the built-in modules will make: every problem, found before building. */
function checkDeclared(p: Plan, parameters: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const [name, shape] of p.declared) {
    if (!Object.hasOwn(parameters, name)) problems.push(`missing: ${name}`);
    else problems.push(...checkTensorState(name, parameters[name], shape));
  }
  if (p.allBuiltIn) for (const name of Object.keys(parameters)) if (!p.declared.has(name)) problems.push(`unexpected: ${name.slice(0, 100)}`);
  return problems;
}

// ---------------------------------------------------------------------------------------------
// The public functions

/**
 * The model as a JSON-ready object. Throws if a value is NaN or ±Infinity (JSON has no such
 * numbers), or if a module's kind is neither built-in nor registered (it could not be loaded).
 */
export function modelToJSON(model: AnyModule): ModelJSON {
  if (!(model instanceof Module)) throw new GradlabError(`modelToJSON: expected a Module, got ${describeValue(model)}`);
  const parameters = model.stateDict();
  for (const [name, { data }] of Object.entries(parameters)) {
    const bad = data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new GradlabError(`modelToJSON: parameter ${name} has ${data[bad]} at element ${bad}; JSON cannot store it`);
  }
  const architecture = model.config();
  const stack: [unknown, string][] = [[architecture, 'architecture']];
  while (stack.length > 0) {
    const [c, path] = stack.pop()!;
    const kind = (c as Config | null)?.kind;
    if (typeof kind !== 'string') throw new GradlabError(`modelToJSON: ${path}: config() must return { kind, … }, got ${describeValue(c)}`);
    if (Object.hasOwn(BUILT_IN, kind)) {
      for (const [local, child] of BUILT_IN[kind].children?.(c as Config, (what) => { throw new GradlabError(`modelToJSON: ${path}: ${what}`); }) ?? []) {
        stack.push([child, kind === 'Sequential' ? `${path}.modules[${local}]` : `${path}.${local}`]);
      }
    } else if (!registry.has(kind)) {
      throw new GradlabError(`modelToJSON: ${path}: kind '${kind}' is not registered, so the file could not be loaded: call registerModule('${kind}', factory) first`);
    }
  }
  return { format: MODEL_FORMAT, version: MODEL_VERSION, architecture, parameters };
}

/**
 * Rebuilds a model from `modelToJSON`'s output (or its parsed JSON text): checks the format tag,
 * the version, the architecture (iteratively) and the declared sizes against the values present,
 * then builds the modules and loads the values (names, shapes, finite values). Any problem throws
 * a GradlabError saying where (`architecture.modules[2]`) and what is wrong. `M` is the caller's
 * word for what it builds (by default a module from a tensor to a tensor).
 */
export function modelFromJSON<M extends AnyModule = Module>(value: unknown): M {
  const fail = (what: string): never => {
    throw new GradlabError(`modelFromJSON: ${what}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(`expected an object, got ${describeValue(value)}`);
  const v = value as Record<string, unknown>;
  if (v.format !== MODEL_FORMAT) {
    return fail(`format is ${typeof v.format === 'string' ? JSON.stringify(v.format.slice(0, 40)) : v.format === undefined ? 'missing' : describeValue(v.format)}, expected '${MODEL_FORMAT}'`);
  }
  if (v.version !== MODEL_VERSION) {
    return fail(`unsupported version ${typeof v.version === 'number' ? v.version : v.version === undefined ? '(missing)' : describeValue(v.version)} (this gradlab reads version ${MODEL_VERSION})`);
  }
  const parameters = v.parameters;
  if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) return fail(`parameters: expected an object, got ${describeValue(parameters)}`);
  const p = plan(v.architecture, 'architecture');
  const problems = checkDeclared(p, parameters as Record<string, unknown>);
  if (problems.length > 0) fail(`parameters do not fit the architecture:\n  ${problems.join('\n  ')}`);
  const model = build(p);
  try {
    model.loadStateDict(parameters as StateDict);
  } catch (e) {
    if (e instanceof StateDictError) fail(`parameters do not fit ${e.target}:\n  ${e.problems.join('\n  ')}`);
    throw e;
  }
  return model as M;
}

/**
 * Builds the module a config describes, with fresh parameters (checked as `modelFromJSON` checks
 * it). `path` names it in errors. `M` is the caller's word for what it builds (by default a module
 * from a tensor to a tensor, as Sequential and every layer but RNN).
 */
export function moduleFromConfig<M extends AnyModule = Module>(config: unknown, path = 'config'): M {
  return build(plan(config, path)) as M;
}
