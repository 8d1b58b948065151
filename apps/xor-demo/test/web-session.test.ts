// The worker's training session: time slices, throttling, snapshots for the page.
import { describe, expect, it } from 'vitest';
import { LAB_PRESET, type LabConfig } from '../src/lab/config.ts';
import { GRID_RESOLUTION, gridResolution, HISTORY_POINTS, passesDue, plotRange, snapshotEpochs, TrainingSession } from '../src/web/session.ts';

const lab = (over: Partial<LabConfig> = {}): LabConfig => ({ ...LAB_PRESET, hidden: [...LAB_PRESET.hidden], ...over });

/** A clock that advances `step` ms each time it is read. */
const fakeClock = (step: number) => {
  let t = 0;
  return () => (t += step);
};

describe('TrainingSession', () => {
  it('starts with the run data and a snapshot before any pass', () => {
    const s = new TrainingSession(lab());
    expect(s.run.points).toHaveLength(21);
    expect(s.run.points[1]).toEqual([0, 1]);
    expect(s.run.labels.slice(0, 4)).toEqual([0, 1, 0, 1]);
    expect(s.run.description).toBe('[2,3,3,1] sigmoid, no bias, normal init, MSE, SGD lr 0.8, batch 1, seed 11');
    const p = s.progress(false, true);
    expect(p).toMatchObject({ epoch: 0, passes: 0, running: false, stopReason: null, meanLoss: null, maxLoss: null, log: [] });
    expect(p.predictions).toHaveLength(21);
    expect(p.grid?.values).toHaveLength(GRID_RESOLUTION * GRID_RESOLUTION);
    expect(p.grid?.xRange).toEqual([-0.08, 1.08]);
  });

  it('trains until the time budget is spent, reading the clock every 16 steps, also inside a pass', () => {
    const s = new TrainingSession(lab());
    // XOR-easy has 21 samples: the clock is read after step 16 of a pass and after each pass;
    // at 10 ms a reading, the budget of 30 ms ends after 3 readings: step 16, pass 1, step 16 of pass 2
    expect(s.runFor(30, fakeClock(10))).toBe(1);
    expect(s.trainer.passes).toBe(1);
    expect(s.trainer.epoch).toBe(21 + 16);
    expect(s.runFor(1000, fakeClock(0), 2)).toBe(2); // capped by maxPasses (the cut pass finishes first)
    expect(s.runFor(1000, fakeClock(0), 0)).toBe(0);
    const p = s.progress(true, false);
    expect(p.grid).toBeNull();
    expect(p.history.epochs).toEqual([21, 42, 63]);
    expect(p.meanLoss).toBe(s.trainer.history.meanLoss[2]);
  });

  it('a pass cut short by the clock goes on where it stopped: the same run bit for bit', () => {
    const cut = new TrainingSession(lab({ dataset: 'moons', hidden: [16, 16] }));
    const whole = new TrainingSession(lab({ dataset: 'moons', hidden: [16, 16] }));
    for (let k = 0; k < 40; k++) {
      const before = cut.trainer.epoch;
      cut.runFor(1, fakeClock(1)); // every slice stops at the first clock reading: after 16 steps or at the pass's end
      expect(cut.trainer.epoch - before).toBeGreaterThan(0);
      expect(cut.trainer.epoch - before).toBeLessThanOrEqual(16);
    }
    expect(cut.trainer.epoch).toBe(580); // 100 samples a pass: slices of 16,16,16,16,16,16,4
    while (whole.trainer.epoch < 600) whole.stepPass();
    while (cut.trainer.epoch < whole.trainer.epoch) cut.runFor(1000, fakeClock(0), 1);
    expect(cut.trainer.epoch).toBe(whole.trainer.epoch);
    expect(cut.trainer.history.meanLoss).toEqual(whole.trainer.history.meanLoss);
    expect(cut.trainer.model.stateDict()).toEqual(whole.trainer.model.stateDict());
  });

  it('keeps the weights every logEvery epochs for the inspector, within a budget of numbers', () => {
    expect(snapshotEpochs(lab(), 15).slice(0, 3)).toEqual([5000, 10000, 15000]);
    expect(snapshotEpochs(lab(), 15)).toHaveLength(200);
    expect(snapshotEpochs(lab(), 40_000)).toHaveLength(49); // 2,000,000 numbers: 50 copies of 40,000, epoch 0 included
    const s = new TrainingSession(lab({ logEvery: 21 }));
    s.runFor(1000, fakeClock(0), 3);
    expect(s.progress(false, false).snapshots).toEqual([0, 21, 42, 63]);
    expect(s.weights(21)).toMatchObject({ epoch: 21, current: false });
    expect(s.weights()).toMatchObject({ epoch: 63, current: true });
  });

  it('draws a coarser boundary grid for a large network, so the grid never holds the worker up', () => {
    expect(gridResolution(15)).toBe(GRID_RESOLUTION);
    expect(gridResolution(40_000)).toBe(12);
    expect(gridResolution(4000)).toBe(31);
  });

  it('trains the lab on XOR-easy to convergence and 100% accuracy', () => {
    const s = new TrainingSession(lab());
    while (!s.done) s.runFor(50, () => performance.now());
    const p = s.progress(false, false);
    expect(p.stopReason).toBe('converged');
    expect(p.accuracy).toBe(1);
    expect(p.maxLoss).toBeLessThan(0.04);
    // the history is downsampled for the page but keeps both ends
    expect(p.history.epochs.length).toBeLessThanOrEqual(HISTORY_POINTS);
    expect(p.history.epochs[0]).toBe(21);
    expect(p.history.epochs.at(-1)).toBe(p.epoch);
    expect(p.log[0].epoch).toBe(5000);
    expect(s.runFor(50, () => 0)).toBe(0); // nothing more to do
  });

  it('hands out its weights in a form the page can rebuild', () => {
    const s = new TrainingSession(lab({ bias: true }));
    const w = s.weights();
    expect(w.epoch).toBe(0);
    expect(w.architecture.kind).toBe('Sequential');
    expect(Object.keys(w.parameters)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias', '4.weight', '4.bias']);
    expect(w.parameters['0.weight'].shape).toEqual([2, 3]);
  });

  it('frames the boundary grid around the generated data', () => {
    const s = new TrainingSession(lab({ dataset: 'gaussians' }));
    const xs = s.run.points.map((p) => p[0]);
    const grid = s.boundaryGrid();
    expect(grid.xRange[0]).toBeLessThan(Math.min(...xs));
    expect(grid.xRange[1]).toBeGreaterThan(Math.max(...xs));
    expect(grid.values.every((v) => v > 0 && v < 1)).toBe(true);
  });
});

describe('passesDue', () => {
  it('is unlimited at full speed', () => {
    expect(passesDue(null, 10, 5)).toBe(Infinity);
  });
  it('paces a throttled run and never bursts past the cap', () => {
    expect(passesDue(100, 0, 0)).toBe(0);
    expect(passesDue(100, 35, 0)).toBe(3);
    expect(passesDue(100, 35, 3)).toBe(0);
    expect(passesDue(100, 1000, 40)).toBe(60);
    expect(passesDue(1000, 60_000, 0)).toBe(1000);
    expect(passesDue(10, 50, 2)).toBe(0);
  });
});

describe('plotRange', () => {
  it('pads the data span by 8% each side', () => {
    expect(plotRange([0, 1])).toEqual([-0.08, 1.08]);
    expect(plotRange([-2, 2, 0])).toEqual([-2.32, 2.32]);
  });
  it('copes with one value and with none', () => {
    expect(plotRange([3, 3])).toEqual([2.92, 3.08]);
    expect(plotRange([])).toEqual([0, 1]);
  });
});
