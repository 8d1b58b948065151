// The lab's comparison figure: "Ground truth" and "Predict result" panels, points split by class.
import { CLASS_COLORS, CLASS_LABELS } from '../colors.ts';

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
  /** `[class 0, class 1]`. */
  classes: [ClassPoints, ClassPoints];
}

export interface ComparisonData {
  groundTruth: ScatterPanel;
  prediction: ScatterPanel;
  /** 0 or 1 for each point: `prediction >= threshold`, exactly as the lab thresholds. */
  predictedClass: number[];
  correct: boolean[];
  /** Fraction of points whose predicted class equals the label (0 when there are no points). */
  accuracy: number;
  threshold: number;
}

export interface ComparisonDataOptions {
  /** Outputs at or above it are class 1 (default 0.5). */
  threshold?: number;
}

/** Splits n×2 points by their 0/1 class into one scatter panel. */
export function splitByClass(
  points: ArrayLike<ArrayLike<number>>,
  classes: ArrayLike<number>,
  title: string,
): ScatterPanel {
  if (points.length !== classes.length) {
    throw new Error(`splitByClass: ${points.length} points but ${classes.length} classes`);
  }
  const panel: ScatterPanel = {
    title,
    classes: [emptyClass(0), emptyClass(1)],
  };
  for (let i = 0; i < points.length; i++) {
    const p = points[i];
    const c = classes[i];
    if (p.length < 2) throw new Error(`splitByClass: point ${i} has ${p.length} coordinate(s), expected 2`);
    if (c !== 0 && c !== 1) throw new Error(`splitByClass: class of point ${i} is ${c}, expected 0 or 1`);
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
  if (predictions.length !== points.length) {
    throw new Error(`comparisonData: ${points.length} points but ${predictions.length} predictions`);
  }
  const predictedClass = Array.from(predictions, (p) => (p >= threshold ? 1 : 0));
  const groundTruth = splitByClass(points, labels, 'Ground truth');
  const prediction = splitByClass(points, predictedClass, 'Predict result');
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

function emptyClass(c: 0 | 1): ClassPoints {
  return { label: CLASS_LABELS[c], color: CLASS_COLORS[c], x: [], y: [], index: [] };
}
