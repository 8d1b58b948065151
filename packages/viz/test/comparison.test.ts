import { describe, expect, it } from 'vitest';
import { CLASS_COLORS, comparisonData, splitByClass } from '../src/index.ts';

const points = [
  [0, 0],
  [0, 1],
  [0.1, 0.1],
  [0.1, 0.9],
];
const labels = [0, 1, 0, 1];

describe('comparisonData', () => {
  it('splits ground truth by label and prediction by thresholded output', () => {
    const d = comparisonData(points, labels, [0.01, 0.99, 0.6, 0.5]);
    expect(d.predictedClass).toEqual([0, 1, 1, 1]); // 0.5 counts as class 1, like `>= 0.5`
    expect(d.groundTruth.title).toBe('Ground truth');
    expect(d.prediction.title).toBe('Predict result');

    const [gt0, gt1] = d.groundTruth.classes;
    expect(gt0).toEqual({ label: 'class 0', color: '#d62728', x: [0, 0.1], y: [0, 0.1], index: [0, 2] });
    expect(gt1).toEqual({ label: 'class 1', color: '#1f77b4', x: [0, 0.1], y: [1, 0.9], index: [1, 3] });

    const [p0, p1] = d.prediction.classes;
    expect(p0.index).toEqual([0]);
    expect(p1.index).toEqual([1, 2, 3]);
    expect(p1.x).toEqual([0, 0.1, 0.1]);
    expect(p1.y).toEqual([1, 0.1, 0.9]);
  });

  it('reports per-point correctness and accuracy', () => {
    const d = comparisonData(points, labels, [0.01, 0.99, 0.6, 0.5]);
    expect(d.correct).toEqual([true, true, false, true]);
    expect(d.accuracy).toBe(0.75);
    expect(comparisonData(points, labels, [0, 1, 0, 1]).accuracy).toBe(1);
    expect(comparisonData([], [], []).accuracy).toBe(0);
  });

  it('uses the configured threshold', () => {
    expect(comparisonData(points, labels, [0.2, 0.3, 0.2, 0.3], { threshold: 0.25 }).accuracy).toBe(1);
  });

  it('keeps class colors fixed: class 0 red, class 1 blue', () => {
    expect(CLASS_COLORS).toEqual(['#d62728', '#1f77b4']);
  });

  it('rejects labels that are not 0/1 and mismatched lengths', () => {
    expect(() => splitByClass(points, [0, 1, 2, 0], 't')).toThrow(/class of point 2 is 2/);
    expect(() => comparisonData(points, labels, [1, 0])).toThrow(/4 points but 2 predictions/);
    expect(() => splitByClass([[1]], [0], 't')).toThrow(/1 coordinate/);
  });
});

describe('comparisonData with k classes', () => {
  it('takes the predictions as class indices (no threshold) and splits both panels into k classes', () => {
    const pts = [[0, 0], [1, 0], [0, 1], [1, 1], [0.5, 0.5]];
    const d = comparisonData(pts, [0, 1, 2, 2, 1], [0, 1, 2, 1, 1], { classes: 3 });
    expect(d.predictedClass).toEqual([0, 1, 2, 1, 1]);
    expect(d.correct).toEqual([true, true, true, false, true]);
    expect(d.accuracy).toBe(0.8);
    expect(d.groundTruth.classes.map((c) => c.index)).toEqual([[0], [1, 4], [2, 3]]);
    expect(d.prediction.classes.map((c) => c.index)).toEqual([[0], [1, 3, 4], [2]]);
    expect(d.prediction.classes.map((c) => [c.label, c.color])).toEqual([
      ['class 0', '#d62728'],
      ['class 1', '#1f77b4'],
      ['class 2', '#2ca02c'],
    ]);
  });

  it('refuses a class outside 0…k−1 naming the point', () => {
    expect(() => splitByClass(points, [0, 1, 3, 0], 't', 3)).toThrow(/class of point 2 is 3, expected an integer in 0…2/);
    expect(() => splitByClass(points, [0, 1, 0.5, 0], 't', 3)).toThrow(/class of point 2 is 0.5/);
  });
});
