// What the lab's figures plot, the same for the report and the page: the learning curve (mean
// loss per pass, and the losses the printout showed as dots, so curve and printout agree), when
// its loss axis is logarithmic, and where a comparison's epoch axis ends.
import type { LossRun } from '@gradlab/viz';
import { argmaxRows, type LossHistory, type LogLine } from './trainer.ts';

/**
 * What the comparison figure is given for the model's raw outputs: as they are (thresholded at
 * 0.5 by the figure) with one output per point; each point's class (the largest of its k outputs)
 * and `classes: k` with k outputs.
 */
export function comparisonFor(predictions: readonly number[], outputs: number): { predictions: number[]; options: { classes?: number } } {
  if (outputs === 1) return { predictions: [...predictions], options: {} };
  return { predictions: argmaxRows(predictions, outputs), options: { classes: outputs } };
}

/** The learning curve's two series: the mean loss per pass (a line), the printed losses (dots). */
export function learningCurveRuns(history: Pick<LossHistory, 'epochs' | 'meanLoss'>, log: readonly LogLine[], logEvery: number): LossRun[] {
  const runs: LossRun[] = [{ label: 'mean loss per pass', epochs: history.epochs, losses: history.meanLoss, color: '#222222' }];
  if (log.length > 0) {
    runs.push({
      label: `printed loss (the last sample's, every ${logEvery} epochs)`,
      epochs: log.map((l) => l.epoch),
      losses: log.map((l) => l.loss),
      style: 'points',
      color: '#d62728',
    });
  }
  return runs;
}

/** What the learning curve shows, in one sentence (under the figure). */
export function learningCurveCaption(logEvery: number, hasLog: boolean): string {
  return (
    'The line is the mean per-sample loss of each pass over the data' +
    (hasLog ? `; the dots are the losses the printout shows (the last sample's loss every ${logEvery} epochs), so they scatter around it.` : '.')
  );
}

/** Whether the curve's series together span more than two decades (then a log axis reads better). */
export function wantsLogAxis(runs: readonly LossRun[]): boolean {
  return spansDecades(runs.flatMap((r) => Array.from(r.losses)));
}

/** Whether positive values span more than `decades` powers of ten. */
export function spansDecades(values: ArrayLike<number>, decades = 2): boolean {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v > 0) || !Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return hi / lo > 10 ** decades;
}

/**
 * Where a comparison's epoch axis ends: at the slowest run that converged, so one run that never
 * does (drawn to that edge) does not squeeze the others into a sliver. Undefined if none converged.
 */
export function comparisonEpochLimit(runs: readonly { converged: boolean; epochs: number }[]): number | undefined {
  const converged = runs.filter((r) => r.converged).map((r) => r.epochs);
  if (converged.length === 0 || converged.length === runs.length) return undefined;
  return Math.max(...converged);
}
