// What the page knows about the run, updated by one reducer per worker message, and the status line.
import type { BoundaryGrid } from '@gradlab/viz';
import { percent } from '../lab/format.ts';
import { count, num } from './format.ts';
import type { FromWorker, Progress, RunData } from './protocol.ts';

export type Phase = 'starting' | 'ready' | 'running' | 'paused' | 'done' | 'error';

export interface PageState {
  phase: Phase;
  run: RunData | null;
  progress: Progress | null;
  /** The last decision-boundary grid (progress messages carry one only now and then). */
  grid: BoundaryGrid | null;
  error: string | null;
}

export const INITIAL_STATE: PageState = { phase: 'starting', run: null, progress: null, grid: null, error: null };

function phaseOf(p: Progress): Phase {
  if (p.running) return 'running';
  if (p.stopReason) return 'done';
  return p.passes > 0 ? 'paused' : 'ready';
}

/** The next state after a worker message ('weights' answers go to the inspector, not here). */
export function reduce(state: PageState, msg: FromWorker): PageState {
  switch (msg.type) {
    case 'ready':
      return { phase: phaseOf(msg.progress), run: msg.run, progress: msg.progress, grid: msg.progress.grid, error: null };
    case 'progress':
      if (!state.run) return state; // a late message from a run that was replaced
      return {
        ...state,
        phase: state.phase === 'error' ? 'error' : phaseOf(msg.progress),
        progress: msg.progress,
        grid: msg.progress.grid ?? state.grid,
      };
    case 'error':
      return { ...state, phase: 'error', error: msg.message };
    case 'weights':
      return state;
  }
}

/** The status line's parts: epoch, pass, loss, accuracy, and what training is doing. */
export interface StatusParts {
  epoch: string;
  passes: string;
  loss: string;
  accuracy: string;
  phase: string;
}

export function statusParts(state: PageState): StatusParts {
  const p = state.progress;
  return {
    epoch: p ? count(p.epoch) : '0',
    passes: p ? count(p.passes) : '0',
    loss: p?.meanLoss == null ? '–' : num(p.meanLoss, 4),
    accuracy: p ? percent(p.accuracy) : '–',
    phase: phaseText(state),
  };
}

/** `epoch 60,123 · pass 2,863 · loss 0.0112 · accuracy 100.00% · converged: …`. */
export function statusText(state: PageState): string {
  const s = statusParts(state);
  return `epoch ${s.epoch} · pass ${s.passes} · loss ${s.loss} · accuracy ${s.accuracy} · ${s.phase}`;
}

function phaseText(state: PageState): string {
  switch (state.phase) {
    case 'starting':
      return 'starting…';
    case 'ready':
      return 'ready: press Play';
    case 'running':
      return 'training…';
    case 'paused':
      return 'paused';
    case 'done':
      switch (state.progress?.stopReason) {
        case 'converged':
          return `converged: every sample's loss < ${state.run?.config.lossThreshold ?? '?'}`;
        case 'diverged':
          return 'diverged: try a smaller learning rate';
        default:
          return 'stopped at max epochs';
      }
    case 'error':
      return `error: ${state.error ?? 'unknown'}`;
  }
}
