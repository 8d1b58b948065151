// Initialisation as PyTorch's torch.nn.init: each function overwrites a tensor's values in place
// (through `set`, which counts the change, so a graph that used the old values refuses to
// backpropagate) and returns it. Random ones draw from a seeded source in row-major order:
// the same seed gives the same bits.
import { createRng, formatShape, GradlabError, rand, randn, Tensor, type RandomSource } from '@gradlab/core';
import { describeValue, expectNumber } from './check.ts';

/** Where the random numbers come from: `seed` (an integer, default 0) or an `rng` of your own (then `seed` is ignored). */
export interface InitRandomOptions {
  seed?: number;
  rng?: RandomSource;
}

/** The nonlinearities `calculateGain` knows (PyTorch's names camelCased). */
export type Nonlinearity =
  | 'linear'
  | 'conv1d'
  | 'conv2d'
  | 'conv3d'
  | 'convTranspose1d'
  | 'convTranspose2d'
  | 'convTranspose3d'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leakyRelu'
  | 'selu';

const NONLINEARITIES: readonly Nonlinearity[] = [
  'linear', 'conv1d', 'conv2d', 'conv3d', 'convTranspose1d', 'convTranspose2d', 'convTranspose3d', 'sigmoid', 'tanh', 'relu', 'leakyRelu', 'selu',
];

/**
 * PyTorch's `calculate_gain`: the factor that keeps the activations' variance through a layer.
 *   linear, conv, sigmoid: 1     tanh: 5/3     relu: √2     leakyRelu: √(2 / (1 + a²))  (a = param, default 0.01)     selu: 3/4
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear': case 'conv1d': case 'conv2d': case 'conv3d': case 'convTranspose1d': case 'convTranspose2d': case 'convTranspose3d': case 'sigmoid':
      return 1;
    case 'tanh':
      return 5.0 / 3;
    case 'relu':
      return Math.sqrt(2.0);
    case 'leakyRelu': {
      const slope = param === undefined ? 0.01 : expectNumber('calculateGain', 'param (the negative slope)', param);
      return Math.sqrt(2.0 / (1 + slope ** 2));
    }
    case 'selu':
      return 3.0 / 4;
  }
  throw new GradlabError(`calculateGain: unknown nonlinearity ${describeValue(nonlinearity)} (one of ${NONLINEARITIES.join(', ')})`);
}

/**
 * PyTorch's `_calculate_fan_in_and_fan_out` for a weight laid out as PyTorch lays it out:
 * [out, in] (Linear) or [out, in/groups, k…] (convolutions). With r = the product of the axes
 * after the second (the receptive field; 1 for a matrix):
 *   fanIn = shape[1]·r        fanOut = shape[0]·r
 * (Dense keeps its weight as [in, out]: its fans are the other way round.)
 */
export function fanInAndFanOut(t: Tensor | readonly number[], fn = 'fanInAndFanOut'): { fanIn: number; fanOut: number } {
  const shape = t instanceof Tensor ? t.shape : t;
  if (!Array.isArray(shape) && !(t instanceof Tensor)) throw new GradlabError(`${fn}: expected a Tensor or a shape, got ${describeValue(t)}`);
  if (shape.length < 2) {
    throw new GradlabError(`${fn}: fan in and fan out need a tensor of at least 2 dimensions ([out, in, …]), got shape ${formatShape(shape)}`);
  }
  let receptive = 1;
  for (let i = 2; i < shape.length; i++) receptive *= shape[i];
  return { fanIn: shape[1] * receptive, fanOut: shape[0] * receptive };
}

function target(fn: string, t: unknown): Tensor {
  if (!(t instanceof Tensor)) throw new GradlabError(`init.${fn}: expected a Tensor (a parameter) to fill, got ${describeValue(t)}`);
  if (!t.isLeaf) throw new GradlabError(`init.${fn}: the tensor of shape ${formatShape(t.shape)} is the result of an op; initialise leaves (parameters) only`);
  return t;
}

function source(fn: string, options: InitRandomOptions | undefined): RandomSource {
  if (options !== undefined && (typeof options !== 'object' || options === null)) throw new GradlabError(`init.${fn}: options must be an object, got ${describeValue(options)}`);
  const rng = options?.rng;
  if (rng !== undefined) {
    if (typeof rng !== 'object' || rng === null || typeof rng.next !== 'function') {
      throw new GradlabError(`init.${fn}: rng must have a next() method giving numbers in [0, 1) (e.g. createRng(seed)), got ${describeValue(rng)}`);
    }
    return rng;
  }
  const seed = options?.seed ?? 0;
  if (typeof seed !== 'number' || !Number.isInteger(seed)) throw new GradlabError(`init.${fn}: seed must be an integer, got ${describeValue(seed)}`);
  return createRng(seed);
}

function fillUniform(fn: string, t: Tensor, low: number, high: number, options: InitRandomOptions | undefined): Tensor {
  return t.set(rand(t.shape, source(fn, options), { low, high }));
}

function fillNormal(fn: string, t: Tensor, mean: number, std: number, options: InitRandomOptions | undefined): Tensor {
  return t.set(randn(t.shape, source(fn, options), { mean, std }));
}

/** U(a, b) in place (PyTorch's `uniform_`, default U(0, 1)). */
export function uniform(t: Tensor, options: InitRandomOptions & { a?: number; b?: number } = {}): Tensor {
  target('uniform', t);
  const a = expectNumber('init.uniform', 'a', options.a ?? 0);
  const b = expectNumber('init.uniform', 'b', options.b ?? 1, (v) => v >= a, `a finite number ≥ a (${a})`);
  return fillUniform('uniform', t, a, b, options);
}

/** N(mean, std²) in place (PyTorch's `normal_`, default N(0, 1)); Box–Muller draws, as `randn`. */
export function normal(t: Tensor, options: InitRandomOptions & { mean?: number; std?: number } = {}): Tensor {
  target('normal', t);
  const mean = expectNumber('init.normal', 'mean', options.mean ?? 0);
  const std = expectNumber('init.normal', 'std', options.std ?? 1, (s) => s >= 0, 'a finite number ≥ 0');
  return fillNormal('normal', t, mean, std, options);
}

/** Every value set to `value` (PyTorch's `constant_`). */
export function constant(t: Tensor, value: number): Tensor {
  target('constant', t);
  expectNumber('init.constant', 'value', value, () => true, 'a number');
  return t.set(new Float64Array(t.size).fill(value));
}

/** Every value 0 (PyTorch's `zeros_`). */
export function zeros(t: Tensor): Tensor {
  target('zeros', t);
  return t.set(new Float64Array(t.size));
}

/** Every value 1 (PyTorch's `ones_`). */
export function ones(t: Tensor): Tensor {
  target('ones', t);
  return t.set(new Float64Array(t.size).fill(1));
}

export interface XavierOptions extends InitRandomOptions {
  /** The gain (default 1; see `calculateGain`). */
  gain?: number;
}

/**
 * Glorot & Bengio's uniform initialisation (PyTorch's `xavier_uniform_`):
 *   std = gain·√(2 / (fanIn + fanOut)),   U(−a, a) with a = √3·std.
 */
export function xavierUniform(t: Tensor, options: XavierOptions = {}): Tensor {
  target('xavierUniform', t);
  const gain = expectNumber('init.xavierUniform', 'gain', options.gain ?? 1);
  const { fanIn, fanOut } = fanInAndFanOut(t, 'init.xavierUniform');
  const std = gain * Math.sqrt(2.0 / (fanIn + fanOut));
  const a = Math.sqrt(3.0) * std;
  return fillUniform('xavierUniform', t, -a, a, options);
}

/** Glorot & Bengio's normal initialisation (PyTorch's `xavier_normal_`): N(0, std²), std = gain·√(2 / (fanIn + fanOut)). */
export function xavierNormal(t: Tensor, options: XavierOptions = {}): Tensor {
  target('xavierNormal', t);
  const gain = expectNumber('init.xavierNormal', 'gain', options.gain ?? 1);
  const { fanIn, fanOut } = fanInAndFanOut(t, 'init.xavierNormal');
  return fillNormal('xavierNormal', t, 0, gain * Math.sqrt(2.0 / (fanIn + fanOut)), options);
}

export interface KaimingOptions extends InitRandomOptions {
  /** The negative slope of the leaky ReLU that follows (default 0; used by 'leakyRelu' only). */
  a?: number;
  /** Keep the variance of the activations ('fanIn', the default) or of the gradients ('fanOut'). */
  mode?: 'fanIn' | 'fanOut';
  /** The nonlinearity that follows (default 'leakyRelu', as PyTorch). */
  nonlinearity?: Nonlinearity;
}

function kaimingStd(fn: string, t: Tensor, options: KaimingOptions): number {
  const a = expectNumber(`init.${fn}`, 'a', options.a ?? 0);
  const mode = options.mode ?? 'fanIn';
  if (mode !== 'fanIn' && mode !== 'fanOut') throw new GradlabError(`init.${fn}: mode must be 'fanIn' or 'fanOut', got ${describeValue(mode)}`);
  const fans = fanInAndFanOut(t, `init.${fn}`);
  const fan = mode === 'fanIn' ? fans.fanIn : fans.fanOut;
  if (fan === 0) throw new GradlabError(`init.${fn}: the tensor of shape ${formatShape(t.shape)} has ${mode} 0`);
  const gain = calculateGain(options.nonlinearity ?? 'leakyRelu', a);
  return gain / Math.sqrt(fan);
}

/**
 * He et al.'s uniform initialisation (PyTorch's `kaiming_uniform_`):
 *   std = gain / √fan,   U(−b, b) with b = √3·std      (gain = calculateGain(nonlinearity, a); fan by mode).
 * Conv and Linear layers use it with a = √5 (b = 1/√fanIn).
 */
export function kaimingUniform(t: Tensor, options: KaimingOptions = {}): Tensor {
  target('kaimingUniform', t);
  const bound = Math.sqrt(3.0) * kaimingStd('kaimingUniform', t, options);
  return fillUniform('kaimingUniform', t, -bound, bound, options);
}

/** He et al.'s normal initialisation (PyTorch's `kaiming_normal_`): N(0, std²), std = gain / √fan. */
export function kaimingNormal(t: Tensor, options: KaimingOptions = {}): Tensor {
  target('kaimingNormal', t);
  return fillNormal('kaimingNormal', t, 0, kaimingStd('kaimingNormal', t, options), options);
}
