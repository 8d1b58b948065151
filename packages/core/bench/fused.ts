// The oracle: the lab's per-sample training step written by hand as Float64Array loops.
// [2,3,3,1], sigmoid after every layer, no bias, MSE on one sample, W ← W − lr·∂L/∂W.
// It lives only here, as the limit the library is measured against; the library never uses it.

export interface FusedNet {
  /** Row-major weights: W1 [2,3], W2 [3,3], W3 [3,1]. */
  w1: Float64Array;
  w2: Float64Array;
  w3: Float64Array;
}

function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

// scratch, sized once
const h1 = new Float64Array(3);
const h2 = new Float64Array(3);
const d2 = new Float64Array(3);
const d1 = new Float64Array(3);

/** One step on sample (x0, x1) with label y; returns the loss before the update. */
export function fusedStep(net: FusedNet, x0: number, x1: number, y: number, lr: number): number {
  const { w1, w2, w3 } = net;
  // forward
  for (let j = 0; j < 3; j++) h1[j] = sigmoid(x0 * w1[j] + x1 * w1[3 + j]);
  for (let j = 0; j < 3; j++) h2[j] = sigmoid(h1[0] * w2[j] + h1[1] * w2[3 + j] + h1[2] * w2[6 + j]);
  const o = sigmoid(h2[0] * w3[0] + h2[1] * w3[1] + h2[2] * w3[2]);
  const diff = o - y;
  const loss = diff * diff;
  // backward: ∂L/∂z3 = 2(o − y)·o(1 − o), then down through each layer
  const dz3 = 2 * diff * o * (1 - o);
  for (let i = 0; i < 3; i++) d2[i] = w3[i] * dz3 * h2[i] * (1 - h2[i]);
  for (let i = 0; i < 3; i++) {
    d1[i] = (w2[3 * i] * d2[0] + w2[3 * i + 1] * d2[1] + w2[3 * i + 2] * d2[2]) * h1[i] * (1 - h1[i]);
  }
  // update (after every gradient is known)
  for (let i = 0; i < 3; i++) w3[i] -= lr * h2[i] * dz3;
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) w2[3 * i + j] -= lr * h1[i] * d2[j];
  for (let j = 0; j < 3; j++) {
    w1[j] -= lr * x0 * d1[j];
    w1[3 + j] -= lr * x1 * d1[j];
  }
  return loss;
}
