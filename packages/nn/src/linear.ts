// Linear: PyTorch's nn.Linear, y = x·Wᵀ + b with W of shape [out, in] (Dense keeps the lab's [in, out]).
import { createRng, formatShape, GradlabError, rand, type DType, type Tensor } from '@gradlab/core';
import { expectBoolean, expectPositiveInteger, expectSeed, expectTensor } from './check.ts';
import { Module, type ModuleConfig } from './module.ts';

export interface LinearOptions {
  /** Add a bias b (default true). */
  bias?: boolean;
  /** Seed of the initialisation (default 0). */
  seed?: number;
  /** The parameters' dtype (default float64); float32 ones are the float64 draws rounded. */
  dtype?: DType;
}

/**
 * y = x·Wᵀ + b, x of shape [..., in] → [..., out]. As PyTorch initialises it, W and b are drawn
 * from U(−1/√in, 1/√in) (W first, row by row, then b, from `createRng(seed)`).
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** W [out, in]. */
  readonly weight: Tensor;
  /** b [out], or null. */
  readonly bias: Tensor | null;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    const { bias = true, seed = 0, dtype = 'float64' } = options;
    this.inFeatures = expectPositiveInteger('Linear', 'inFeatures', inFeatures);
    this.outFeatures = expectPositiveInteger('Linear', 'outFeatures', outFeatures);
    expectBoolean('Linear', 'bias', bias);
    if (dtype !== 'float32' && dtype !== 'float64') throw new GradlabError(`Linear: dtype must be 'float32' or 'float64', got ${String(dtype)}`);
    const rng = createRng(expectSeed('Linear', seed));
    const a = 1 / Math.sqrt(inFeatures);
    this.weight = this.registerParameter('weight', rand([outFeatures, inFeatures], rng, { low: -a, high: a, requiresGrad: true, name: 'weight', dtype }));
    this.bias = bias ? this.registerParameter('bias', rand([outFeatures], rng, { low: -a, high: a, requiresGrad: true, name: 'bias', dtype })) : null;
  }

  forward(x: Tensor): Tensor {
    expectTensor(this.describe(), 'x', x);
    if (x.rank < 1 || x.shape[x.rank - 1] !== this.inFeatures) {
      throw new GradlabError(`${this.describe()}: x of shape ${formatShape(x.shape)} must end in ${this.inFeatures} features`);
    }
    const rows = x.rank === 2 ? x : x.reshape([-1, this.inFeatures]);
    let y = rows.matmul(this.weight.transpose());
    if (this.bias) y = y.add(this.bias);
    return x.rank === 2 ? y : y.reshape([...x.shape.slice(0, -1), this.outFeatures]);
  }

  override describe(): string {
    return `Linear(${this.inFeatures}→${this.outFeatures}${this.bias ? '' : ', no bias'})`;
  }

  override config(): ModuleConfig {
    return { kind: 'Linear', inFeatures: this.inFeatures, outFeatures: this.outFeatures, bias: this.bias !== null, ...(this.weight.dtype === 'float32' ? { dtype: 'float32' } : {}) };
  }
}
