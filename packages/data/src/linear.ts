// The lab's `generate_linear(n=100)`: points uniform in the unit square, split by the diagonal.
import { createRng } from '@gradlab/core';
import { makeDataset, type Dataset } from './dataset.ts';
import { checkN, checkSeed } from './validate.ts';

/**
 * n points (x0, x1) uniform in [0, 1)², drawn x0 then x1 per point from `createRng(seed).next()`;
 * label 0 if x0 > x1 (below the diagonal), else 1. Inputs [n, 2], labels [n, 1].
 */
export function generateLinear(n = 100, { seed = 1 }: { seed?: number } = {}): Dataset {
  checkN('generateLinear', n);
  checkSeed('generateLinear', seed);
  const rng = createRng(seed);
  const points = new Float64Array(2 * n);
  const labels = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x0 = rng.next();
    const x1 = rng.next();
    points[2 * i] = x0;
    points[2 * i + 1] = x1;
    labels[i] = x0 > x1 ? 0 : 1;
  }
  return makeDataset('linear', points, labels);
}
