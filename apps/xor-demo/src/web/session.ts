// One training run as the worker drives it: passes in time slices, and snapshots for the page.
// Pure logic over LabTrainer (no worker or DOM APIs), so it is tested in Node.
import { noGrad, tensor } from '@gradlab/core';
import { toRows } from '@gradlab/data';
import { decisionBoundaryGrid, downsampleMinMax, type BoundaryGrid, type Range } from '@gradlab/viz';
import { describeConfig, outputUnits, parameterCount, type LabConfig } from '../lab/config.ts';
import { evaluate, LabTrainer } from '../lab/trainer.ts';
import type { Progress, RunData, Speed } from './protocol.ts';

/** Points kept of the loss history per message (min/max per bucket, so spikes stay visible). */
export const HISTORY_POINTS = 1500;
/** Lines of the lab's printout kept per message (1e6 epochs / 5000 is 200). */
export const LOG_LINES = 200;
/** Cells per axis of the decision-boundary grid (for small networks; see gridResolution). */
export const GRID_RESOLUTION = 60;
/** Multiply-adds one decision-boundary grid may cost (cells × parameters): ~20 ms in a browser. */
export const GRID_WORK = 4_000_000;
/** Numbers the weight snapshots may hold in all (the inspector's epoch picker). */
export const SNAPSHOT_NUMBERS = 2_000_000;

/**
 * Cells per axis of the boundary grid: 60 for the lab's network, fewer for a large one, so that
 * the grid never holds the worker (and Pause) up: cells × parameters ≤ GRID_WORK, at least 12.
 */
export function gridResolution(parameters: number): number {
  return Math.max(12, Math.min(GRID_RESOLUTION, Math.floor(Math.sqrt(GRID_WORK / Math.max(1, parameters)))));
}

/** The epochs whose weights the session keeps: every logEvery samples, within SNAPSHOT_NUMBERS. */
export function snapshotEpochs(config: LabConfig, parameters: number): number[] {
  const count = Math.min(Math.floor(config.maxEpochs / config.logEvery), Math.floor(SNAPSHOT_NUMBERS / Math.max(1, parameters)) - 1);
  return Array.from({ length: Math.max(0, count) }, (_, k) => (k + 1) * config.logEvery);
}

export class TrainingSession {
  readonly trainer: LabTrainer;
  readonly run: RunData;
  private readonly xRange: Range;
  private readonly yRange: Range;

  /** Cells per axis of this run's boundary grid. */
  readonly resolution: number;

  constructor(config: LabConfig) {
    const parameters = parameterCount(config.hidden, config.bias, outputUnits(config));
    this.trainer = new LabTrainer(config, { snapshotEpochs: snapshotEpochs(config, parameters) });
    this.resolution = gridResolution(parameters);
    const { x, y } = toRows(this.trainer.data);
    this.run = { config: this.trainer.config, description: describeConfig(this.trainer.config), points: x, labels: y, outputs: this.trainer.outputs };
    this.xRange = plotRange(x.map((p) => p[0]));
    this.yRange = plotRange(x.map((p) => p[1]));
  }

  get done(): boolean {
    return this.trainer.done;
  }

  /**
   * Trains until `budgetMs` has passed on `now()`, or `maxPasses` passes are complete, or training
   * stops. The clock is read every 16 steps, also inside a pass: a long pass is cut there and the
   * next call goes on where it stopped (bit for bit the same run), so the worker yields within
   * about 16 steps whatever the network. Returns the number of passes completed.
   */
  runFor(budgetMs: number, now: () => number, maxPasses = Infinity): number {
    const start = now();
    const before = this.trainer.passes;
    const pauseNow = () => now() - start >= budgetMs;
    while (this.trainer.passes - before < maxPasses && !this.trainer.done) {
      this.trainer.runPass(undefined, undefined, pauseNow);
      if (pauseNow()) break;
    }
    return this.trainer.passes - before;
  }

  /** Completes one pass (the Step button), however long it takes. */
  stepPass(): void {
    const before = this.trainer.passes;
    while (this.trainer.passes === before && !this.trainer.done) this.trainer.runPass();
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
      resolution: this.resolution,
      ...(this.trainer.outputs > 1 ? { classes: this.trainer.outputs } : {}),
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
      accuracy: evaluate(predictions, this.run.labels, this.run.outputs).accuracy,
      grid: withGrid ? this.boundaryGrid() : null,
      snapshots: t.snapshots.map((snap) => snap.epoch),
    };
  }

  /** The weights now, or those kept at `epoch` (one of progress.snapshots). */
  weights(epoch: number | null = null) {
    const snapshot = epoch === null ? null : this.trainer.snapshots.find((snap) => snap.epoch === epoch);
    const parameters = snapshot ? snapshot.parameters : this.trainer.model.stateDict();
    return { epoch: snapshot ? snapshot.epoch : this.trainer.epoch, current: snapshot === null || snapshot === undefined, architecture: this.trainer.model.config(), parameters };
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
