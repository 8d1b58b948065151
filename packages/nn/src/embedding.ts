// Embedding: a lookup table, row i of the weight for index i.
import { createRng, eq, formatShape, GradlabError, peek, randn, tensor, type DType, type Tensor } from '@gradlab/core';
import { expectDType, expectPositiveInteger, expectSeed, expectTensor } from './check.ts';
import { Module, type ModuleConfig } from './module.ts';

export interface EmbeddingOptions {
  /** An index whose row starts at 0 and gets no gradient (PyTorch's padding_idx); negative counts from the end. */
  paddingIdx?: number | null;
  /** Seed of the initialisation (default 0). */
  seed?: number;
  /** The weight's dtype (default float64); float32 is the float64 draw rounded. */
  dtype?: DType;
}

/**
 * PyTorch's Embedding: indices of any shape [...] (integers in [0, numEmbeddings)) → [..., embeddingDim],
 * y[..., :] = W[index, :]. W starts as N(0, 1) from `createRng(seed)`, as PyTorch's.
 *
 * Core has no gather op yet, so the lookup is a product with a one-hot matrix:
 *   y = onehot(indices) · W,   onehot[k, i] = [index_k = i]     ∂L/∂W = onehot(indices)ᵀ · ∂L/∂y
 * which is exact (each row of y sums one term) and costs O(count · numEmbeddings · embeddingDim).
 * The one-hot matrix is made with `eq` against 0…numEmbeddings−1; the padding index's column is
 * left out, so its row gets no gradient (its output row is 0, which is its value as long as it is
 * never set otherwise).
 */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  /** W [numEmbeddings, embeddingDim]. */
  readonly weight: Tensor;
  /** The weight's dtype. */
  readonly dtype: DType;
  private readonly columns: Tensor;

  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingOptions = {}) {
    super();
    const { paddingIdx = null, seed = 0, dtype = 'float64' } = options;
    this.numEmbeddings = expectPositiveInteger('Embedding', 'numEmbeddings', numEmbeddings);
    this.embeddingDim = expectPositiveInteger('Embedding', 'embeddingDim', embeddingDim);
    this.dtype = expectDType('Embedding', dtype);
    if (paddingIdx !== null && (!Number.isInteger(paddingIdx) || paddingIdx < -numEmbeddings || paddingIdx >= numEmbeddings)) {
      throw new GradlabError(`Embedding: paddingIdx must be an integer in [${-numEmbeddings}, ${numEmbeddings}), got ${String(paddingIdx)}`);
    }
    this.paddingIdx = paddingIdx === null ? null : paddingIdx < 0 ? paddingIdx + numEmbeddings : paddingIdx;
    const weight = randn([numEmbeddings, embeddingDim], createRng(expectSeed('Embedding', seed)), { requiresGrad: true, name: 'weight', dtype });
    if (this.paddingIdx !== null) weight.data.fill(0, this.paddingIdx * embeddingDim, (this.paddingIdx + 1) * embeddingDim);
    this.weight = this.registerParameter('weight', weight);
    // the one-hot comparison's right side: 0, 1, …, n−1 (the padding index replaced by −1, which no index equals)
    const ids = Array.from({ length: numEmbeddings }, (_, i) => (i === this.paddingIdx ? -1 : i));
    this.columns = tensor(ids, { shape: [1, numEmbeddings], dtype });
  }

  forward(indices: Tensor): Tensor {
    expectTensor(this.describe(), 'indices', indices);
    const values = peek(indices); // a check only (allowed while compile records)
    for (let k = 0; k < values.length; k++) {
      const v = values[k];
      if (!Number.isInteger(v) || v < 0 || v >= this.numEmbeddings) {
        throw new GradlabError(
          `${this.describe()}: indices of shape ${formatShape(indices.shape)} hold ${v} at element ${k}; each must be an integer in [0, ${this.numEmbeddings})`,
        );
      }
    }
    // the one-hot matrix in the weight's dtype (float64 indices against float32 columns compare in float64)
    let oneHot = eq(indices.reshape([indices.size, 1]), this.columns);
    if (oneHot.dtype !== this.dtype) oneHot = oneHot.to(this.dtype);
    return oneHot.matmul(this.weight).reshape([...indices.shape, this.embeddingDim]);
  }

  override describe(): string {
    return `Embedding(${this.numEmbeddings}, ${this.embeddingDim})`;
  }

  override config(): ModuleConfig {
    return { kind: 'Embedding', numEmbeddings: this.numEmbeddings, embeddingDim: this.embeddingDim, paddingIdx: this.paddingIdx, ...(this.dtype === 'float32' ? { dtype: this.dtype } : {}) };
  }
}
