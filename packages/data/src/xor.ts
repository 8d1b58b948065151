// The lab's `generate_XOR_easy()`: the two diagonals of the unit square, 21 points.
import { makeDataset, type Dataset } from './dataset.ts';

/**
 * For i = 0..10: the point (0.1·i, 0.1·i) with label 0 (main diagonal), then, unless
 * 0.1·i === 0.5 (where the diagonals cross), the point (0.1·i, 1 − 0.1·i) with label 1
 * (anti-diagonal). The arithmetic is Python's, float for float: 0.1·3 is 0.30000000000000004,
 * 1 − 0.1·7 is 0.29999999999999993. Inputs [21, 2], labels [21, 1]; no randomness.
 */
export function generateXOREasy(): Dataset {
  const points: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < 11; i++) {
    points.push(0.1 * i, 0.1 * i);
    labels.push(0);
    if (0.1 * i === 0.5) continue;
    points.push(0.1 * i, 1 - 0.1 * i);
    labels.push(1);
  }
  return makeDataset('xor', Float64Array.from(points), Float64Array.from(labels));
}
