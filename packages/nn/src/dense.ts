// Dense (fully connected) layer: y = x·W + b.
import { createRng, formatShape, GradlabError, rand, randn, zeros, type DType, type Tensor } from '@gradlab/core';
import { Module, type ModuleConfig } from './module.ts';

/**
 * How the weights start (the bias always starts at 0); n_in = inFeatures, n_out = outFeatures.
 * - `normal`:  W ~ N(0, 1), the lab's `np.random.randn(n_in, n_out)`.
 * - `uniform`: W ~ U[−1/√n_in, 1/√n_in] (the bound of PyTorch's nn.Linear default).
 * - `xavier`:  W ~ U[−a, a], a = √(6 / (n_in + n_out)) (Glorot & Bengio 2010).
 * - `he`:      W ~ N(0, 2/n_in), i.e. std √(2/n_in) (He et al. 2015, for ReLU).
 */
export type DenseInit = 'normal' | 'uniform' | 'xavier' | 'he';

export const DENSE_INITS: readonly DenseInit[] = ['normal', 'uniform', 'xavier', 'he'];

export interface DenseOptions {
  /** Add a bias b (default true). Without it, y = x·W exactly as in the lab. */
  bias?: boolean;
  init?: DenseInit;
  /** Seed of the weight initialisation (default 0): the same seed gives the same weights. */
  seed?: number;
  /** The parameters' dtype (default float64); float32 weights are the float64 ones rounded. */
  dtype?: DType;
}

export class Dense extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** W, shape [inFeatures, outFeatures]. */
  readonly weight: Tensor;
  /** b, shape [outFeatures], or null without bias. */
  readonly bias: Tensor | null;

  constructor(inFeatures: number, outFeatures: number, options: DenseOptions = {}) {
    super();
    const { bias = true, init = 'normal', seed = 0, dtype = 'float64' } = options;
    for (const [what, n] of [['inFeatures', inFeatures], ['outFeatures', outFeatures]] as const) {
      if (!Number.isInteger(n) || n <= 0) throw new GradlabError(`Dense: ${what} must be a positive integer, got ${n}`);
    }
    if (!DENSE_INITS.includes(init)) {
      throw new GradlabError(`Dense: unknown init '${String(init)}' (expected one of ${DENSE_INITS.join(', ')})`);
    }
    if (!Number.isInteger(seed)) throw new GradlabError(`Dense: seed must be an integer, got ${seed}`);
    if (dtype !== 'float32' && dtype !== 'float64') throw new GradlabError(`Dense: dtype must be 'float32' or 'float64', got ${String(dtype)}`);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = this.registerParameter('weight', initWeight(inFeatures, outFeatures, init, seed, dtype));
    this.bias = bias ? this.registerParameter('bias', zeros([outFeatures], { requiresGrad: true, name: 'bias', dtype })) : null;
  }

  /** x: [batch, in] → [batch, out] (a single sample [in] → [out]). b broadcasts over the batch. */
  forward(x: Tensor): Tensor {
    if (x.rank < 1 || x.rank > 2) {
      throw new GradlabError(`${this.label()}: input of shape ${formatShape(x.shape)} must be [batch, ${this.inFeatures}] or [${this.inFeatures}]`);
    }
    const features = x.shape[x.rank - 1];
    if (features !== this.inFeatures) {
      throw new GradlabError(`${this.label()}: input of shape ${formatShape(x.shape)} has ${features} features, expected ${this.inFeatures}`);
    }
    if (x.rank === 1) return this.forward(x.reshape([1, this.inFeatures])).reshape([this.outFeatures]);
    const z = x.matmul(this.weight);
    return this.bias ? z.add(this.bias) : z;
  }

  override describe(): string {
    return this.bias ? this.label() : `Dense(${this.inFeatures}→${this.outFeatures}, no bias)`;
  }

  override config(): ModuleConfig {
    return { kind: 'Dense', inFeatures: this.inFeatures, outFeatures: this.outFeatures, bias: this.bias !== null, ...(this.weight.dtype === 'float32' ? { dtype: 'float32' } : {}) };
  }

  private label(): string {
    return `Dense(${this.inFeatures}→${this.outFeatures})`;
  }
}

function initWeight(nIn: number, nOut: number, init: DenseInit, seed: number, dtype: DType): Tensor {
  const rng = createRng(seed);
  const options = { requiresGrad: true, name: 'weight', dtype };
  const shape = [nIn, nOut];
  switch (init) {
    case 'normal':
      return randn(shape, rng, options);
    case 'uniform': {
      const a = 1 / Math.sqrt(nIn);
      return rand(shape, rng, { ...options, low: -a, high: a });
    }
    case 'xavier': {
      const a = Math.sqrt(6 / (nIn + nOut));
      return rand(shape, rng, { ...options, low: -a, high: a });
    }
    case 'he':
      return randn(shape, rng, { ...options, std: Math.sqrt(2 / nIn) });
  }
}
