// The live figures: learning curve, decision boundary, and the lab's comparison panels.
import {
  comparisonData,
  drawComparison,
  drawDecisionBoundary,
  drawLossCurve,
  lossCurveData,
  type BoundaryGrid,
  type ChartHandle,
  type ComparisonData,
  type BoundaryFigureData,
  type LossCurveData,
} from '@gradlab/viz';
import { LAB_PRESET } from '../lab/config.ts';
import { comparisonFor } from '../lab/figures.ts';
import { learningCurveRuns } from '../lab/figures.ts';
import type { Progress, RunData } from './protocol.ts';

export interface ChartElements {
  loss: HTMLElement;
  boundary: HTMLElement;
  comparison: HTMLElement;
}

export interface ChartSizes {
  loss: { width: number; height: number };
  boundary: number;
  comparison: number;
}

export class LiveCharts {
  private loss: ChartHandle<LossCurveData> | null = null;
  private boundary: ChartHandle<BoundaryFigureData> | null = null;
  private comparison: ChartHandle<ComparisonData> | null = null;
  private run: RunData | null = null;
  logScale = false;

  constructor(
    private readonly els: ChartElements,
    private readonly sizes: ChartSizes,
  ) {}

  /** A new run: every figure is drawn afresh (the data set may have changed). */
  start(run: RunData, progress: Progress, grid: BoundaryGrid | null): void {
    this.destroy();
    this.run = run;
    this.loss = drawLossCurve(this.els.loss, this.lossData(progress), {
      title: 'Learning curve',
      ...this.sizes.loss,
    });
    const points = { points: run.points, labels: run.labels };
    if (grid) {
      this.boundary = drawDecisionBoundary(this.els.boundary, grid, points, {
        title: 'Decision boundary',
        width: this.sizes.boundary,
        height: this.sizes.boundary,
      });
    }
    this.comparison = drawComparison(this.els.comparison, this.comparisonData(run, progress), {
      width: this.sizes.comparison,
      height: this.sizes.comparison,
    });
  }

  update(progress: Progress, grid: BoundaryGrid | null): void {
    const run = this.run;
    if (!run) return;
    this.loss?.update(this.lossData(progress));
    if (grid) this.boundary?.update({ grid, points: { points: run.points, labels: run.labels } });
    this.comparison?.update(this.comparisonData(run, progress));
  }

  private comparisonData(run: RunData, progress: Progress): ComparisonData {
    const c = comparisonFor(progress.predictions, run.outputs);
    return comparisonData(run.points, run.labels, c.predictions, c.options);
  }

  private lossData(progress: Progress): LossCurveData {
    // the same two series as the report: the mean loss per pass, and the printed losses as dots
    return lossCurveData(learningCurveRuns(progress.history, progress.log, this.run?.config.logEvery ?? LAB_PRESET.logEvery), { logScale: this.logScale });
  }

  destroy(): void {
    this.loss?.destroy();
    this.boundary?.destroy();
    this.comparison?.destroy();
    this.loss = this.boundary = this.comparison = null;
  }
}
