// One training run as the worker drives it: passes in time slices, and snapshots for the page.
// Pure logic over LabTrainer (no worker or DOM APIs), so it is tested in Node.
import { noGrad, tensor } from '@gradlab/core';
import { toRows } from '@gradlab/data';
import { decisionBoundaryGrid, downsampleMinMax, type BoundaryGrid, type Range } from '@gradlab/viz';
import { describeConfig, type LabConfig } from '../lab/config.ts';
import { evaluate, LabTrainer } from '../lab/trainer.ts';
import type { Progress, RunData, Speed } from './protocol.ts';

/** Points kept of the loss history per message (min/max per bucket, so spikes stay visible). */
export const HISTORY_POINTS = 1500;
/** Lines of the lab's printout kept per message (1e6 epochs / 5000 is 200). */
export const LOG_LINES = 200;
/** Cells per axis of the decision-boundary grid. */
export const GRID_RESOLUTION = 60;

export class TrainingSession {
  readonly trainer: LabTrainer;
  readonly run: RunData;
  private readonly xRange: Range;
  private readonly yRange: Range;

  constructor(config: LabConfig) {
    this.trainer = new LabTrainer(config);
    const { x, y } = toRows(this.trainer.data);
    this.run = { config: this.trainer.config, description: describeConfig(this.trainer.config), points: x, labels: y };
    this.xRange = plotRange(x.map((p) => p[0]));
    this.yRange = plotRange(x.map((p) => p[1]));
  }

  get done(): boolean {
    return this.trainer.done;
  }

  /**
   * Runs whole passes until `budgetMs` has passed on `now()` or `maxPasses` are done or training
   * stops; at least one pass if any is allowed. Returns the number of passes run.
   */
  runFor(budgetMs: number, now: () => number, maxPasses = Infinity): number {
    const start = now();
    let passes = 0;
    while (passes < maxPasses && !this.trainer.done) {
      this.trainer.runPass();
      passes++;
      if (now() - start >= budgetMs) break;
    }
    return passes;
  }

  /** The model's output at each row `[x, y]` (one batched forward, no graph). */
  predictRows(rows: number[][]): number[] {
    const flat = rows.flatMap((r) => [r[0], r[1]]);
    return noGrad(() => Array.from(this.trainer.model.forward(tensor(flat, { shape: [rows.length, 2] })).data));
  }

  boundaryGrid(): BoundaryGrid {
    return decisionBoundaryGrid((rows) => this.predictRows(rows), {
      xRange: this.xRange,
      yRange: this.yRange,
      resolution: GRID_RESOLUTION,
    });
  }

  progress(running: boolean, withGrid: boolean): Progress {
    const t = this.trainer;
    const { epochs, meanLoss, maxLoss } = t.history;
    const last = epochs.length - 1;
    const history = downsampleMinMax(epochs, meanLoss, HISTORY_POINTS);
    const predictions = t.predict();
    return {
      epoch: t.epoch,
      passes: t.passes,
      running,
      stopReason: t.stopReason,
      divergence: t.divergence,
      meanLoss: last >= 0 ? meanLoss[last] : null,
      maxLoss: last >= 0 ? maxLoss[last] : null,
      history: { epochs: history.x, meanLoss: history.y },
      log: t.log.slice(-LOG_LINES),
      predictions,
      accuracy: evaluate(predictions, this.run.labels).accuracy,
      grid: withGrid ? this.boundaryGrid() : null,
    };
  }

  weights() {
    return { epoch: this.trainer.epoch, architecture: this.trainer.model.config(), parameters: this.trainer.model.stateDict() };
  }
}

/**
 * How many passes a throttled run still owes: `speed` passes per second over `elapsedMs`,
 * minus the `done` ones, at most `cap` at once (so a stalled tab does not catch up in a burst).
 * A null speed means "as many as fit the time slice" and returns Infinity.
 */
export function passesDue(speed: Speed, elapsedMs: number, done: number, cap = 1000): number {
  if (speed === null) return Infinity;
  return Math.max(0, Math.min(cap, Math.floor((speed * elapsedMs) / 1000) - done));
}

/** The span of `values`, padded by 8% each side; [0, 1] data (the lab's sets) gives [-0.08, 1.08]. */
export function plotRange(values: readonly number[], fraction = 0.08): Range {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  const span = hi - lo || 1;
  return [lo - span * fraction, hi + span * fraction];
}
