// Dropout: PyTorch's nn.Dropout over core's seeded dropout op.
import { dropout, type RandomSource, type Tensor } from '@gradlab/core';
import { expectNumber, expectTensor } from './check.ts';
import { initSource } from './conv.ts';
import { Module, type ModuleConfig } from './module.ts';

export interface DropoutLayerOptions {
  /** Seed of the masks' random stream (default 0). */
  seed?: number;
  /** A random source of your own instead of `seed`. */
  rng?: RandomSource;
}

/**
 * PyTorch's nn.Dropout(p = 0.5). In training mode each element is zeroed with probability p and
 * the others scaled by 1/(1 − p), so E[y] = x:   y = x ⊙ m,  mᵢ ∈ {0, 1/(1 − p)},  ∂y/∂x = m.
 * In eval mode y is x itself. The masks are drawn from one stream, `createRng(seed)`, made when
 * the layer is: the same seed and the same calls give the same masks, bit for bit (and a
 * `compile`d step replays them: each run draws a fresh mask from the same stream).
 */
export class Dropout extends Module {
  readonly p: number;
  readonly seed: number;
  /** The stream the masks are drawn from. */
  readonly rng: RandomSource;

  constructor(p = 0.5, options: DropoutLayerOptions = {}) {
    super();
    this.p = expectNumber('Dropout', 'p', p, (v) => v >= 0 && v <= 1, 'a probability in [0, 1]');
    const { seed = 0, rng } = options ?? {};
    this.rng = initSource('Dropout', seed, rng);
    this.seed = seed;
  }

  forward(x: Tensor): Tensor {
    expectTensor(this.describe(), 'x', x);
    return dropout(x, this.p, this.rng, { training: this.training });
  }

  override describe(): string {
    return `Dropout(${this.p})`;
  }

  override config(): ModuleConfig {
    return { kind: 'Dropout', p: this.p, seed: this.seed };
  }
}
