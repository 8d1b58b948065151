// @gradlab/viz (browser-safe): data shaping for the lab's figures, uPlot drawing, and graph
// pictures. Node-only pieces (the HTML report, PNGs through Chromium) live in ./node.ts.
export { CLASS_COLORS, CLASS_LABELS, CLASS_PALETTE, classColor, classLabel, classTint, RUN_COLORS, runColor, outputColor } from './colors.ts';

export {
  lossCurveData,
  type LossRun,
  type LossCurveDataOptions,
  type LossCurveData,
  type LossSeries,
} from './data/lossCurve.ts';
export { downsampleMinMax, type XYSeries } from './data/downsample.ts';
export {
  comparisonData,
  splitByClass,
  type ComparisonData,
  type ComparisonDataOptions,
  type ScatterPanel,
  type ClassPoints,
} from './data/comparison.ts';
export {
  decisionBoundaryGrid,
  boundaryContour,
  classBoundaries,
  type BoundaryGrid,
  type BoundaryGridOptions,
  type Range,
  type Segment,
} from './data/boundary.ts';

export {
  confusionData,
  imageGridData,
  type ConfusionCell,
  type ConfusionData,
  type GridImage,
  type ImageGridData,
} from './data/classification.ts';

export { formatTick, type ChartHandle } from './dom/common.ts';
export { drawLossCurve, type LossCurveOptions } from './dom/lossCurve.ts';
export { drawComparison, type ComparisonOptions } from './dom/comparison.ts';
export {
  drawDecisionBoundary,
  type DecisionBoundaryOptions,
  type LabeledPoints,
  type BoundaryFigureData,
} from './dom/boundary.ts';

export { renderGraphSvg, svgForInline } from './graph/renderGraphSvg.ts';
