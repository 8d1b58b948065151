// mlp: a multilayer perceptron, Dense layers with an activation after each one.
import { createRng, GradlabError, type DType } from '@gradlab/core';
import { describeValue } from './check.ts';
import { Identity, LeakyReLU, ReLU, Sigmoid, Tanh } from './activations.ts';
import { Dense, type DenseInit } from './dense.ts';
import type { Module } from './module.ts';
import { Sequential } from './sequential.ts';

export type ActivationName = 'sigmoid' | 'tanh' | 'relu' | 'leaky-relu' | 'none';

export const ACTIVATIONS: readonly ActivationName[] = ['sigmoid', 'tanh', 'relu', 'leaky-relu', 'none'];

export interface MlpOptions {
  /** After every hidden Dense layer (default 'sigmoid', as in the lab). */
  activation?: ActivationName;
  /** After the last Dense layer (default 'sigmoid', as in the lab). */
  outputActivation?: ActivationName;
  /** The slope α of 'leaky-relu' (default 0.01). */
  slope?: number;
  bias?: boolean;
  init?: DenseInit;
  /** Seeds every layer's initialisation (default 1): the same seed gives the same weights. */
  seed?: number;
  /** The parameters' dtype (default float64), as Dense's. */
  dtype?: DType;
}

/**
 * `mlp([d₀, d₁, …, d_L])` = Sequential(Dense(d₀→d₁), act, Dense(d₁→d₂), act, …, Dense(d_{L−1}→d_L), outAct).
 * 'none' is an `Identity` module, so the layout never changes: layer k is child 2k, its
 * parameters are `2k.weight` and `2k.bias`. Layer k's seed is the k-th 32-bit draw of
 * `createRng(seed)`. `mlp([2, 3, 3, 1], { bias: false })` is the lab's `NN(dim=[2,3,3,1])`.
 */
export function mlp(dims: readonly number[], options: MlpOptions = {}): Sequential {
  const { activation = 'sigmoid', outputActivation = 'sigmoid', slope = 0.01, bias = true, init = 'normal', seed = 1, dtype } = options;
  if (dims.length < 2) {
    throw new GradlabError(`mlp: dims must list at least an input and an output size, got ${Array.isArray(dims) ? `[${dims.map((d) => (typeof d === 'number' ? String(d) : describeValue(d))).join(',')}]` : describeValue(dims)}`);
  }
  dims.forEach((d, i) => {
    if (!Number.isInteger(d) || d <= 0) throw new GradlabError(`mlp: dims[${i}] must be a positive integer, got ${describeValue(d)}`);
  });
  for (const [what, a] of [['activation', activation], ['outputActivation', outputActivation]] as const) {
    if (!ACTIVATIONS.includes(a)) {
      throw new GradlabError(`mlp: unknown ${what} '${typeof a === 'string' ? a : describeValue(a)}' (expected one of ${ACTIVATIONS.join(', ')})`);
    }
  }
  if (!Number.isInteger(seed)) throw new GradlabError(`mlp: seed must be an integer, got ${describeValue(seed)}`);
  const rng = createRng(seed);
  const modules: Module[] = [];
  for (let k = 0; k + 1 < dims.length; k++) {
    modules.push(new Dense(dims[k], dims[k + 1], { bias, init, seed: rng.nextUint32(), dtype }));
    modules.push(activationModule(k + 2 < dims.length ? activation : outputActivation, slope));
  }
  return new Sequential(...modules);
}

export function activationModule(name: ActivationName, slope = 0.01): Module {
  switch (name) {
    case 'sigmoid':
      return new Sigmoid();
    case 'tanh':
      return new Tanh();
    case 'relu':
      return new ReLU();
    case 'leaky-relu':
      return new LeakyReLU(slope);
    case 'none':
      return new Identity();
  }
  throw new GradlabError(`mlp: unknown activation '${typeof name === 'string' ? name : describeValue(name)}' (expected one of ${ACTIVATIONS.join(', ')})`);
}
