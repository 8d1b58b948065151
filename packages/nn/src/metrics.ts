// Classification metrics on plain numbers (no graph): accuracy, the confusion matrix, and
// precision / recall / F1 per class.
import { formatShape, GradlabError, type Tensor } from '@gradlab/core';
import { expectNumber, expectTensor } from './check.ts';

export interface MetricOptions {
  /** For binary outputs ([N] or [N, 1]): a value ≥ threshold is class 1 (without it, 0.5 for values that are not class indices; use 0 for logits). */
  threshold?: number;
}

/**
 * The predicted class of each of N samples, from
 * - scores [N, C] with C ≥ 2 (logits or probabilities): the argmax of each row (the first on ties);
 * - binary outputs [N] or [N, 1] given a threshold: 1 where ≥ threshold, else 0;
 * - class indices [N] or [N, 1] (non-negative integers): themselves;
 * - other [N] or [N, 1] values (probabilities): 1 where ≥ 0.5, else 0 (without a threshold).
 */
export function predictedClasses(fn: string, argument: string, t: Tensor, threshold: number | null): Int32Array {
  if (t.rank === 2 && t.shape[1] >= 2) {
    const [N, C] = t.shape;
    const out = new Int32Array(N);
    for (let n = 0; n < N; n++) {
      let best = 0;
      for (let c = 1; c < C; c++) if (t.data[n * C + c] > t.data[n * C + best]) best = c;
      out[n] = best;
    }
    return out;
  }
  if (t.rank > 2 || (t.rank === 2 && t.shape[1] !== 1) || t.rank === 0) {
    throw new GradlabError(`${fn}: ${argument} of shape ${formatShape(t.shape)} must be class scores [N, C], class indices [N] or binary outputs [N, 1]`);
  }
  const values = t.data;
  if (threshold === null && values.every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 31)) return Int32Array.from(values);
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) throw new GradlabError(`${fn}: ${argument} holds NaN at element ${i}`);
  }
  const cut = threshold ?? 0.5;
  return Int32Array.from(values, (v) => (v >= cut ? 1 : 0));
}

function pair(fn: string, input: unknown, target: unknown, options?: MetricOptions): [Int32Array, Int32Array] {
  const x = expectTensor(fn, 'input', input);
  const y = expectTensor(fn, 'target', target);
  const threshold = options?.threshold === undefined ? null : expectNumber(fn, 'threshold', options.threshold);
  const predicted = predictedClasses(fn, 'input', x, threshold);
  const actual = predictedClasses(fn, 'target', y, null);
  if (predicted.length !== actual.length) {
    throw new GradlabError(`${fn}: input of shape ${formatShape(x.shape)} has ${predicted.length} samples, target of shape ${formatShape(y.shape)} has ${actual.length}`);
  }
  return [predicted, actual];
}

/** The fraction of samples whose predicted class is the target's (see `predictedClasses`); NaN for no samples. */
export function accuracy(input: Tensor, target: Tensor, options?: MetricOptions): number {
  const [predicted, actual] = pair('accuracy', input, target, options);
  let right = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === actual[i]) right++;
  return right / predicted.length;
}

/**
 * m[i][j] = the number of samples of true class i predicted as class j (rows: truth, columns:
 * prediction, as scikit-learn). `numClasses` defaults to 1 + the largest class seen.
 */
export function confusionMatrix(input: Tensor, target: Tensor, options?: MetricOptions & { numClasses?: number }): number[][] {
  const [predicted, actual] = pair('confusionMatrix', input, target, options);
  let largest = -1;
  for (let i = 0; i < predicted.length; i++) largest = Math.max(largest, predicted[i], actual[i]);
  const k = options?.numClasses ?? largest + 1;
  expectNumber('confusionMatrix', 'numClasses', k, (v) => Number.isInteger(v) && v > largest && v <= 1 << 16, `an integer above the largest class (${largest}), at most 65536`);
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < predicted.length; i++) m[actual[i]][predicted[i]]++;
  return m;
}

export interface ClassReport {
  /** Of the samples predicted as this class, the fraction that are (NaN if none was predicted). */
  precision: number;
  /** Of the samples of this class, the fraction predicted as it (NaN if there are none). */
  recall: number;
  /** 2·precision·recall / (precision + recall) (0 when both are 0, NaN if either is NaN). */
  f1: number;
  /** How many samples of this class there are. */
  support: number;
}

/** Precision, recall and F1 of each class, from the confusion matrix. */
export function classificationReport(input: Tensor, target: Tensor, options?: MetricOptions & { numClasses?: number }): ClassReport[] {
  const m = confusionMatrix(input, target, options);
  return m.map((row, c) => {
    const support = row.reduce((a, b) => a + b, 0);
    const predictedAs = m.reduce((a, r) => a + r[c], 0);
    const precision = m[c][c] / predictedAs;
    const recall = m[c][c] / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { precision, recall, f1, support };
  });
}
