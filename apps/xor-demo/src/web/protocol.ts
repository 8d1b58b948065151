// Messages between the page and the training worker: one discriminated union each way.
import type { ModuleConfig, StateDict } from '@gradlab/nn';
import type { BoundaryGrid } from '@gradlab/viz';
import type { LabConfig } from '../lab/config.ts';
import type { Divergence, LogLine, StopReason } from '../lab/trainer.ts';

/** Passes per second while playing; null runs as fast as the worker can. */
export type Speed = number | null;

/** Page → worker. */
export type ToWorker =
  /** Start a new run with these settings (a fresh model; the old run is dropped). */
  | { type: 'configure'; config: LabConfig }
  | { type: 'play' }
  | { type: 'pause' }
  /** One pass over the data, then pause. */
  | { type: 'step' }
  /** The same settings from the start again. */
  | { type: 'reset' }
  | { type: 'speed'; speed: Speed }
  /** Ask for the weights now, or kept at `epoch` (answered by a 'weights' message with the same id). */
  | { type: 'weights'; requestId: number; epoch?: number | null };

/** The data set of a run, for the charts and the inspector's sample picker. */
export interface RunData {
  config: LabConfig;
  /** One line: `[2,3,3,1] sigmoid, no bias, …`. */
  description: string;
  /** n × 2 points and their labels (0/1; 0…k−1 with k classes), in the data's order. */
  points: number[][];
  labels: number[];
  /** Outputs per point in Progress.predictions: 1 (ŷ), or k logits with the ce loss. */
  outputs: number;
}

/** Where training is, sent after every time slice. */
export interface Progress {
  /** Samples seen (the lab's "epoch"). */
  epoch: number;
  passes: number;
  running: boolean;
  stopReason: StopReason | null;
  /** Where and how training diverged (stopReason 'diverged'). */
  divergence: Divergence | null;
  /** Mean and largest per-sample loss of the last pass (null before the first pass). */
  meanLoss: number | null;
  maxLoss: number | null;
  /** Mean loss per pass against epoch, min/max-downsampled to a few thousand points. */
  history: { epochs: number[]; meanLoss: number[] };
  /** The lab's printout so far: `epoch N loss: X` every logEvery samples (the last LOG_LINES). */
  log: LogLine[];
  /** The model's output for every sample, and the accuracy of thresholding them at 0.5. */
  predictions: number[];
  accuracy: number;
  /** The model's output over the input plane; null when not recomputed for this message. */
  grid: BoundaryGrid | null;
  /** The epochs whose weights the worker keeps (0, then every logEvery samples reached). */
  snapshots: number[];
}

/** Worker → page. */
export type FromWorker =
  | { type: 'ready'; run: RunData; progress: Progress }
  | { type: 'progress'; progress: Progress }
  | { type: 'weights'; requestId: number; epoch: number; current: boolean; architecture: ModuleConfig; parameters: StateDict }
  | { type: 'error'; message: string };

const TO_WORKER_TYPES: readonly ToWorker['type'][] = ['configure', 'play', 'pause', 'step', 'reset', 'speed', 'weights'];

/** A message the worker can act on (anything else is ignored by it). */
export function isToWorker(value: unknown): value is ToWorker {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  if (!TO_WORKER_TYPES.includes(type as ToWorker['type'])) return false;
  const m = value as Record<string, unknown>;
  if (type === 'configure') return typeof m.config === 'object' && m.config !== null;
  if (type === 'speed') return m.speed === null || (typeof m.speed === 'number' && m.speed > 0);
  if (type === 'weights') return typeof m.requestId === 'number' && (m.epoch === undefined || m.epoch === null || typeof m.epoch === 'number');
  return true;
}
