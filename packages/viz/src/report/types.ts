// What a report is made of (input), and what the page receives as JSON (payload).
import type { BoundaryGrid } from '../data/boundary.ts';
import type { GridImage } from '../data/classification.ts';
import type { ComparisonData } from '../data/comparison.ts';
import type { LossCurveData, LossRun } from '../data/lossCurve.ts';

export interface ReportInput {
  title: string;
  /** The run's settings (learning rate, hidden units, seed, …), shown as a table. */
  config: Record<string, string | number | boolean>;
  /** What training printed ("epoch 5000 loss : …", predictions, accuracy). */
  printout: string;
  /** Shown under the title; defaults to the comparison's accuracy when that is given. */
  accuracy?: number;
  /** One or more loss histories, overlaid in one learning curve (several for sweeps). */
  runs: LossRun[];
  /** Log-scale loss axis (losses ≤ 0 are clamped, see lossCurveData). */
  logScale?: boolean;
  /** The learning curve's epoch axis ends here (see lossCurveData's xMax). */
  xMax?: number;
  /**
   * Ground truth vs prediction. `predictions` are raw outputs, thresholded at `threshold` (0.5);
   * with `classes` (k ≥ 2) they are class indices, as comparisonData's option.
   */
  comparison?: {
    points: ArrayLike<ArrayLike<number>>;
    labels: ArrayLike<number>;
    predictions: ArrayLike<number>;
    threshold?: number;
    classes?: number;
  };
  /** A precomputed grid of model outputs (decisionBoundaryGrid, k-class or not) and the points to draw on it. */
  boundary?: {
    grid: BoundaryGrid;
    points: ArrayLike<ArrayLike<number>>;
    labels: ArrayLike<number>;
  };
  /** The learning curve's axes when its epochs are not the lab's samples (default x 'epoch'). */
  lossAxis?: { xLabel?: string; yLabel?: string; title?: string };
  /** Accuracy histories (e.g. train and test per epoch), values in [0, 1], drawn in their own figure. */
  accuracyRuns?: LossRun[];
  /** A k-class confusion matrix, `matrix[true][predicted]` counts, drawn as a heat map with counts. */
  confusion?: { matrix: number[][]; classNames?: string[]; title?: string };
  /** A grid of small grayscale images with captions (e.g. the misclassified digits). */
  gallery?: {
    heading: string;
    title?: string;
    images: GridImage[];
    width: number;
    height: number;
    /** The pixel values' [white, black] (the digits' [0, 16]). */
    range: [number, number];
    /** Images drawn at most (the caption says how many more there were). */
    maxImages?: number;
  };
  /** SVG text of the computational graph (renderGraphSvg), inlined in the page. */
  graphSvg?: string;
  /** Captions under the figures (what is plotted, what was thinned out). */
  captions?: { loss?: string; comparison?: string; boundary?: string; accuracy?: string; confusion?: string; gallery?: string };
  /** A caption under the graph: which sample, epoch and weights it shows. */
  graphCaption?: string;
  /**
   * Sections of the caller's own, placed before the graph: `html` is inserted as it is (the
   * caller escapes its text, e.g. with escapeHtml); `id` becomes the section's id.
   */
  sections?: { id: string; title: string; html: string }[];
}

/** The figures' data, embedded in the page as JSON and drawn by page.ts. */
export interface ReportPayload {
  loss?: LossCurveData;
  lossAxis?: { xLabel?: string; yLabel?: string; title?: string };
  accuracy?: LossCurveData;
  comparison?: ComparisonData;
  boundary?: { grid: BoundaryGrid; points: number[][]; labels: number[] };
}

/** Element ids of the figures (stable: PNG export and tests select them). */
export const FIGURE_IDS = {
  loss: 'loss',
  comparison: 'comparison',
  boundary: 'boundary',
  accuracy: 'accuracy',
  confusion: 'confusion',
  gallery: 'misclassified',
  graph: 'graph',
} as const;

/** Id of the `<script type="application/json">` holding the ReportPayload. */
export const PAYLOAD_ID = 'gradlab-data';
