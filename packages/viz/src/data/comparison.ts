// The lab's comparison figure: "Ground truth" and "Predict result" panels, points split by class.
import { classColor, classLabel } from '../colors.ts';

/** Points of one class in one panel. `index` maps each point back to its row in the input. */
export interface ClassPoints {
  label: string;
  color: string;
  x: number[];
  y: number[];
  index: number[];
}

export interface ScatterPanel {
  title: string;
  /** `[class 0, class 1, …]`: two for the lab, k for a k-class model. */
  classes: ClassPoints[];
}

export interface ComparisonData {
  groundTruth: ScatterPanel;
  prediction: ScatterPanel;
  /** 0 or 1 for each point: `prediction >= threshold`, exactly as the lab thresholds (k classes: the predictions as given). */
  predictedClass: number[];
  correct: boolean[];
  /** Fraction of points whose predicted class equals the label (0 when there are no points). */
  accuracy: number;
  threshold: number;
}

export interface ComparisonDataOptions {
  /** Outputs at or above it are class 1 (default 0.5). */
  threshold?: number;
  /**
   * k ≥ 2: a k-class model whose `predictions` are already class indices (e.g. an argmax); they
   * are not thresholded. Absent: the lab's two classes and raw outputs.
   */
  classes?: number;
}

/** Splits n×2 points by their class (0 or 1; 0…classCount−1 for more) into one scatter panel. */
export function splitByClass(
  points: ArrayLike<ArrayLike<number>>,
  classes: ArrayLike<number>,
  title: string,
  classCount = 2,
): ScatterPanel {
  if (points.length !== classes.length) {
    throw new Error(`splitByClass: ${points.length} points but ${classes.length} classes`);
  }
  if (!Number.isInteger(classCount) || classCount < 2) throw new Error(`splitByClass: classCount must be an integer >= 2, got ${classCount}`);
  const panel: ScatterPanel = {
    title,
    classes: Array.from({ length: classCount }, (_, c) => emptyClass(c)),
  };
  for (let i = 0; i < points.length; i++) {
    const p = points[i];
    const c = classes[i];
    if (p.length < 2) throw new Error(`splitByClass: point ${i} has ${p.length} coordinate(s), expected 2`);
    if (!Number.isInteger(c) || c < 0 || c >= classCount) {
      throw new Error(`splitByClass: class of point ${i} is ${c}, expected ${classCount === 2 ? '0 or 1' : `an integer in 0…${classCount - 1}`}`);
    }
    const group = panel.classes[c];
    group.x.push(p[0]);
    group.y.push(p[1]);
    group.index.push(i);
  }
  return panel;
}

/**
 * Ground truth vs prediction. `labels` are 0/1; `predictions` are the network's raw outputs
 * (or already-thresholded 0/1 classes, which thresholding leaves unchanged).
 */
export function comparisonData(
  points: ArrayLike<ArrayLike<number>>,
  labels: ArrayLike<number>,
  predictions: ArrayLike<number>,
  options: ComparisonDataOptions = {},
): ComparisonData {
  const threshold = options.threshold ?? 0.5;
  const k = options.classes;
  if (predictions.length !== points.length) {
    throw new Error(`comparisonData: ${points.length} points but ${predictions.length} predictions`);
  }
  const predictedClass = k === undefined ? Array.from(predictions, (p) => (p >= threshold ? 1 : 0)) : Array.from(predictions);
  const groundTruth = splitByClass(points, labels, 'Ground truth', k);
  const prediction = splitByClass(points, predictedClass, 'Predict result', k);
  const correct = predictedClass.map((c, i) => c === labels[i]);
  const hits = correct.filter(Boolean).length;
  return {
    groundTruth,
    prediction,
    predictedClass,
    correct,
    accuracy: points.length === 0 ? 0 : hits / points.length,
    threshold,
  };
}

function emptyClass(c: number): ClassPoints {
  return { label: classLabel(c), color: classColor(c), x: [], y: [], index: [] };
}
