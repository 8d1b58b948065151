// The page's state reducer, status line, printout and number formatting.
import { describe, expect, it } from 'vitest';
import { LAB_PRESET } from '../src/lab/config.ts';
import { percent } from '../src/lab/format.ts';
import { count, num } from '../src/web/format.ts';
import { printout } from '../src/web/printout.ts';
import type { Progress, RunData } from '../src/web/protocol.ts';
import { INITIAL_STATE, reduce, statusParts, statusText } from '../src/web/state.ts';

const run: RunData = { config: { ...LAB_PRESET }, description: 'lab', points: [[0, 0], [0, 1]], labels: [0, 1], outputs: 1 };

function progress(over: Partial<Progress> = {}): Progress {
  return {
    epoch: 0,
    passes: 0,
    running: false,
    stopReason: null,
    divergence: null,
    meanLoss: null,
    maxLoss: null,
    history: { epochs: [], meanLoss: [] },
    log: [],
    predictions: [0.4, 0.6],
    accuracy: 1,
    grid: null,
    snapshots: [0],
    ...over,
  };
}
const grid = { nx: 2, ny: 2, xRange: [0, 1] as [number, number], yRange: [0, 1] as [number, number], xs: [0.25, 0.75], ys: [0.25, 0.75], values: [0, 0, 1, 1] };

describe('reduce', () => {
  it('follows a run from ready through training to convergence', () => {
    let s = reduce(INITIAL_STATE, { type: 'ready', run, progress: progress({ grid }) });
    expect(s).toMatchObject({ phase: 'ready', run, grid, error: null });
    s = reduce(s, { type: 'progress', progress: progress({ running: true, passes: 5, epoch: 10 }) });
    expect(s.phase).toBe('running');
    expect(s.grid).toBe(grid); // kept while messages carry none
    s = reduce(s, { type: 'progress', progress: progress({ passes: 6 }) });
    expect(s.phase).toBe('paused');
    s = reduce(s, { type: 'progress', progress: progress({ passes: 9, stopReason: 'converged' }) });
    expect(s.phase).toBe('done');
  });

  it('stays in error until a new run is ready', () => {
    let s = reduce(INITIAL_STATE, { type: 'ready', run, progress: progress() });
    s = reduce(s, { type: 'error', message: 'training diverged' });
    expect(s).toMatchObject({ phase: 'error', error: 'training diverged' });
    s = reduce(s, { type: 'progress', progress: progress({ passes: 3 }) });
    expect(s.phase).toBe('error');
    s = reduce(s, { type: 'ready', run, progress: progress() });
    expect(s).toMatchObject({ phase: 'ready', error: null });
  });

  it('ignores progress from before the first run and weight replies', () => {
    expect(reduce(INITIAL_STATE, { type: 'progress', progress: progress() })).toBe(INITIAL_STATE);
    const weights = { type: 'weights', requestId: 1, epoch: 0, current: true, architecture: { kind: 'Identity' }, parameters: {} } as const;
    expect(reduce(INITIAL_STATE, weights)).toBe(INITIAL_STATE);
  });
});

describe('status line', () => {
  it('reads epoch, pass, loss, accuracy and phase', () => {
    const s = reduce(INITIAL_STATE, { type: 'ready', run, progress: progress() });
    expect(statusText(s)).toBe('epoch 0 · pass 0 · loss – · accuracy 100.00% · ready: press Play');
    const done = reduce(s, { type: 'progress', progress: progress({ epoch: 60123, passes: 2863, meanLoss: 0.00522213, stopReason: 'converged' }) });
    expect(statusParts(done)).toEqual({
      epoch: '60,123',
      passes: '2,863',
      loss: '0.005222',
      accuracy: '100.00%',
      phase: "converged: every sample's loss < 0.04",
    });
    expect(statusText(INITIAL_STATE)).toContain('starting…');
  });
});

describe('printout', () => {
  it('prints like the handout: loss lines, then predictions and accuracy when training stops', () => {
    const p = progress({
      epoch: 10000,
      passes: 476,
      stopReason: 'converged',
      log: [
        { epoch: 5000, loss: 0.25 },
        { epoch: 10000, loss: 0.1 },
      ],
      predictions: [0.01025062, 0.99730607],
    });
    expect(printout(run, p)).toBe(
      [
        'epoch 5000 loss: 0.25',
        'epoch 10000 loss: 0.1',
        'converged at epoch 10000: every per-sample loss of the last pass is below 0.04',
        '[[0.01025062]\n [0.99730607]]',
        'predictions (>= 0.5 is class 1): [0, 1]',
        'accuracy: 100.00% (2/2)',
      ].join('\n'),
    );
  });

  it('shows only the loss lines while running, and a note before the first one', () => {
    expect(printout(run, progress({ running: true, passes: 3 }))).toBe('(the loss is printed every 5000 epochs)');
    expect(printout(run, progress({ passes: 3, epoch: 63 }))).toContain('paused at epoch 63');
  });
});

describe('format', () => {
  it('prints numbers short, exact when asked, with ASCII minus', () => {
    expect(num(0.0018503556998300454)).toBe('0.00185036');
    expect(num(-0.0018503556998300454, 12)).toBe('-0.00185035569983');
    expect(num(2.44513575242e-9, 12)).toBe('2.44513575242e-9');
    expect(num(60123)).toBe('60123');
    expect(num(0)).toBe('0');
    expect(num(NaN)).toBe('NaN');
    expect(Number(num(-1.23456789e-7, 12))).toBe(-1.23456789e-7);
    expect(percent(20 / 21)).toBe('95.24%');
    expect(count(1000000)).toBe('1,000,000');
  });
});
