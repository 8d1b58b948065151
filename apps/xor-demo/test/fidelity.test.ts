// The demo's per-sample training matches a plain implementation of the lab's step, written here
// with loops over arrays and the lab's hand-derived backward pass: no graph involved.
import { describe, expect, it } from 'vitest';
import { LAB_PRESET } from '../src/lab/config.ts';
import { LabTrainer } from '../src/lab/trainer.ts';

type Matrix = number[][];

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

function matmul(a: Matrix, b: Matrix): Matrix {
  return a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
}
const transpose = (a: Matrix): Matrix => a[0].map((_, j) => a.map((row) => row[j]));
const elementwise = (a: Matrix, b: Matrix, f: (x: number, y: number) => number): Matrix =>
  a.map((row, i) => row.map((v, j) => f(v, b[i][j])));

/** The lab's NN: predict, backprop (MSE, sigmoid everywhere, no bias), update W −= lr·dW. */
function labStep(weights: Matrix[], x: number[], y: number, lr: number): void {
  const layers: Matrix[] = [[x]];
  for (const W of weights) layers.push(matmul(layers.at(-1)!, W).map((r) => r.map(sigmoid)));
  const out = layers.at(-1)![0][0];
  // ∂L/∂ŷ for L = mean((ŷ − y)²) over one element; then through each sigmoid: σ' = σ(1 − σ)
  let dZ: Matrix = [[2 * (out - y)]];
  const grads: Matrix[] = [];
  for (let i = weights.length - 1; i >= 0; i--) {
    const a = layers[i + 1];
    dZ = elementwise(dZ, a, (d, s) => d * s * (1 - s)); // ∂L/∂(Z W)
    grads[i] = matmul(transpose(layers[i]), dZ); // ∂L/∂W = Zᵀ · ∂L/∂(Z W)
    dZ = matmul(dZ, transpose(weights[i])); // ∂L/∂Z
  }
  weights.forEach((W, i) => W.forEach((row, r) => row.forEach((_, c) => (row[c] -= lr * grads[i][r][c]))));
}

function toMatrix(data: number[], shape: number[]): Matrix {
  const [rows, cols] = shape as [number, number];
  return Array.from({ length: rows }, (_, r) => data.slice(r * cols, (r + 1) * cols));
}

describe('fidelity to the lab', () => {
  for (const dataset of ['xor', 'linear'] as const) {
    it(`per-sample training on ${dataset} equals the plain lab step for 10,000 steps (to 1e-9)`, () => {
      const trainer = new LabTrainer({ ...LAB_PRESET, dataset, maxEpochs: 10_000 });
      const state = trainer.model.stateDict();
      const names = Object.keys(state);
      expect(names).toEqual(['0.weight', '2.weight', '4.weight']);
      const weights = names.map((n) => toMatrix(state[n].data, state[n].shape));

      const xs = trainer.data.inputs.data;
      const ys = trainer.data.labels.data;
      const n = ys.length;
      for (let step = 0; step < 10_000; step++) {
        const i = step % n;
        labStep(weights, [xs[2 * i], xs[2 * i + 1]], ys[i], 0.8);
      }
      while (trainer.runPass()) {
        /* until max epochs */
      }
      expect(trainer.epoch).toBe(10_000);
      const trained = trainer.model.stateDict();
      let worst = 0;
      names.forEach((name, k) => {
        trained[name].data.forEach((v, j) => {
          worst = Math.max(worst, Math.abs(v - weights[k].flat()[j]));
        });
      });
      expect(worst).toBeLessThan(1e-9);
      // the weights moved: the comparison is not between two untouched copies
      expect(Math.abs(trained['0.weight'].data[0] - state['0.weight'].data[0])).toBeGreaterThan(1e-3);
    });
  }
});
