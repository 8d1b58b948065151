import { describe, expect, it } from 'vitest';
import { LAB_PRESET, describeConfig, validateConfig } from '../src/lab/config.ts';
import { duration, numpyColumn, pythonFloat, shortList } from '../src/lab/format.ts';
import { DIVERGENCE_FACTOR, LabTrainer, LOG_CAPACITY, ThinnedHistory, evaluate } from '../src/lab/trainer.ts';

describe('the lab preset', () => {
  it('is the lab: XOR-easy, [2,3,3,1], sigmoid, no bias, MSE, SGD lr 0.8, batch 1, threshold 0.04, log every 5000', () => {
    expect(describeConfig(LAB_PRESET)).toBe('[2,3,3,1] sigmoid, no bias, normal init, MSE, SGD lr 0.8, batch 1, seed 11');
    expect(LAB_PRESET).toMatchObject({ dataset: 'xor', lossThreshold: 0.04, logEvery: 5000, batchSize: 1 });
  });

  it('converges to 100% on XOR-easy from the default seed, logging every 5000 samples', () => {
    const t = new LabTrainer(LAB_PRESET);
    const lines: number[] = [];
    expect(t.run(({ epoch }) => lines.push(epoch))).toBe('converged');
    expect(lines).toEqual(Array.from({ length: lines.length }, (_, i) => 5000 * (i + 1)));
    expect(lines.length).toBeGreaterThan(3);
    const { accuracy, classes } = evaluate(t.predict(), t.data.labels.data);
    expect(accuracy).toBe(1);
    expect(classes).toEqual([0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
    // the stop rule: every per-sample loss of the last pass is below 0.04
    expect(t.history.maxLoss.at(-1)).toBeLessThan(0.04);
    expect(t.history.maxLoss.slice(0, -1).every((l) => l >= 0.04)).toBe(true);
    expect(t.epoch % 21).toBe(0);
  });

  it('converges to 100% on the linear set from the default seed', () => {
    const t = new LabTrainer({ ...LAB_PRESET, dataset: 'linear' });
    expect(t.run()).toBe('converged');
    expect(evaluate(t.predict(), t.data.labels.data).accuracy).toBe(1);
  });

  it('stops at max epochs and says so', () => {
    const t = new LabTrainer({ ...LAB_PRESET, maxEpochs: 100 });
    expect(t.run()).toBe('max-epochs');
    expect(t.epoch).toBe(100);
    // the last pass (16 of 21 samples) is cut short: the learning curve keeps only full passes
    expect(t.history.epochs).toEqual([21, 42, 63, 84]);
  });

  it('the same seed gives the same run bit for bit; another seed differs', () => {
    const a = new LabTrainer({ ...LAB_PRESET, maxEpochs: 2000 });
    const b = new LabTrainer({ ...LAB_PRESET, maxEpochs: 2000 });
    const c = new LabTrainer({ ...LAB_PRESET, maxEpochs: 2000, seed: 12 });
    a.run();
    b.run();
    c.run();
    expect(a.history.meanLoss).toEqual(b.history.meanLoss);
    expect(a.predict()).toEqual(b.predict());
    expect(c.predict()).not.toEqual(a.predict());
  });

  it('mini-batches count samples as epochs and still learn', () => {
    const t = new LabTrainer({ ...LAB_PRESET, batchSize: 4, maxEpochs: 42 });
    t.run();
    expect(t.epoch).toBe(42);
    expect(t.history.epochs).toEqual([21, 42]);
  });

  it('rejects bad settings with a message naming the setting', () => {
    expect(() => validateConfig({ ...LAB_PRESET, lr: -1 })).toThrow('lr must be a positive number, got -1');
    expect(() => validateConfig({ ...LAB_PRESET, hidden: [3, 0] })).toThrow('each hidden size must be a positive integer, got 0');
    expect(() => validateConfig({ ...LAB_PRESET, batchSize: 1.5 })).toThrow('batch size must be a positive integer, got 1.5');
  });

  it('a diverging run stops as diverged before any weight turns NaN, and says where', () => {
    const t = new LabTrainer({ ...LAB_PRESET, activation: 'none', outputActivation: 'none', lr: 50, maxEpochs: 5000 });
    expect(t.run()).toBe('diverged');
    const d = t.divergence!;
    expect(d.epoch).toBe(t.epoch + 1); // the step that diverged was not applied
    expect(d.epoch).toBeLessThan(100);
    expect(d.what).toBe('loss');
    expect(d.loss > DIVERGENCE_FACTOR || !Number.isFinite(d.loss)).toBe(true);
    for (const p of t.model.parameters()) expect(p.data.every(Number.isFinite)).toBe(true); // still savable
    expect(t.runPass()).toBe(false);
  });

  it('every engine and optimizer reports divergence the same way (no optimizer error escapes)', () => {
    for (const optimizer of ['sgd', 'momentum', 'adam'] as const) {
      for (const engine of ['compiled', 'eager'] as const) {
        const t = new LabTrainer({ ...LAB_PRESET, activation: 'none', outputActivation: 'none', optimizer, lr: 1e6, maxEpochs: 2000 }, { engine });
        expect(t.run(), `${optimizer} ${engine}`).toBe('diverged');
        expect(t.model.parameters().every((p) => p.data.every(Number.isFinite))).toBe(true);
      }
    }
  });

  it('interrupt() stops at the next pass with stopReason interrupted', () => {
    const t = new LabTrainer({ ...LAB_PRESET, maxEpochs: 100_000 });
    t.runPass();
    t.interrupt();
    expect(t.runPass()).toBe(false);
    expect(t.stopReason).toBe('interrupted');
    expect(t.epoch).toBe(21);
  });

  it('a pass paused and resumed (pauseNow) is the same run bit for bit', () => {
    const config = { ...LAB_PRESET, dataset: 'linear' as const, maxEpochs: 1000 };
    const whole = new LabTrainer(config);
    whole.run();
    const sliced = new LabTrainer(config);
    let calls = 0;
    while (sliced.runPass(undefined, undefined, () => true)) calls++;
    expect(calls).toBeGreaterThan(50); // paused every 16 steps: 1000 / 16
    expect(sliced.passes).toBe(whole.passes);
    expect(sliced.history.meanLoss).toEqual(whole.history.meanLoss);
    expect(sliced.predict()).toEqual(whole.predict());
  });

  it('keeps a bounded loss history and log however long the run (the last pass always in)', () => {
    // a threshold no pass reaches: 3000 passes
    const t = new LabTrainer({ ...LAB_PRESET, logEvery: 1, lossThreshold: 1e-12, maxEpochs: 21 * 3000 }, { historyCapacity: 64 });
    let records = 0;
    while (t.runPass(undefined, () => records++));
    expect(records).toBe(3000);
    expect(t.history.epochs.length).toBeLessThanOrEqual(64);
    expect(t.history.epochs[0]).toBe(21);
    expect(t.history.epochs.at(-1)).toBe(21 * 3000);
    expect(t.lastPass).toMatchObject({ pass: 3000, epoch: 63000 });
    expect(t.log.length).toBeLessThan(2 * LOG_CAPACITY);
    expect(t.log.at(-1)?.epoch).toBe(63000);
  });
});

describe('ThinnedHistory', () => {
  it('holds at most capacity points, evenly spread, first and latest pass in', () => {
    const h = new ThinnedHistory(8);
    let longest = 0;
    let lastIsLatest = true;
    for (let pass = 1; pass <= 1_000_000; pass++) {
      h.push({ pass, epoch: 10 * pass, meanLoss: 1 / pass, maxLoss: 2 / pass });
      longest = Math.max(longest, h.epochs.length);
      lastIsLatest &&= h.epochs[h.epochs.length - 1] === 10 * pass;
    }
    expect(longest).toBe(8);
    expect(lastIsLatest).toBe(true);
    // the stride is 2^18 = 262144 after 1e6 passes: passes 1, 262145, 524289, 786433, and the last
    expect(h.epochs).toEqual([1, 262145, 524289, 786433, 1_000_000].map((p) => 10 * p));
    expect(h.meanLoss.at(-1)).toBe(1e-6);
    expect(h.maxLoss[1]).toBe(2 / 262145);
  });

  it('keeps every pass while under capacity, then every other, and so on', () => {
    const h = new ThinnedHistory(4);
    for (let pass = 1; pass <= 4; pass++) h.push({ pass, epoch: pass, meanLoss: pass, maxLoss: pass });
    expect(h.epochs).toEqual([1, 2, 3, 4]);
    h.push({ pass: 5, epoch: 5, meanLoss: 5, maxLoss: 5 });
    expect(h.epochs).toEqual([1, 3, 5]);
    h.push({ pass: 6, epoch: 6, meanLoss: 6, maxLoss: 6 });
    expect(h.epochs).toEqual([1, 3, 5, 6]);
    h.push({ pass: 7, epoch: 7, meanLoss: 7, maxLoss: 7 });
    expect(h.epochs).toEqual([1, 3, 5, 7]);
    h.push({ pass: 8, epoch: 8, meanLoss: 8, maxLoss: 8 });
    expect(h.epochs).toEqual([1, 3, 5, 7, 8].filter((p) => p !== 3 && p !== 7)); // stride 4: 1, 5, and the latest
  });
});

describe('printing like the lab', () => {
  it('prints floats as Python repr does', () => {
    expect(pythonFloat(0.16234523253277644)).toBe('0.16234523253277644');
    expect(pythonFloat(3.273179273915227e-5)).toBe('3.273179273915227e-05');
    expect(pythonFloat(0.0001)).toBe('0.0001');
    expect(pythonFloat(1)).toBe('1.0');
    expect(pythonFloat(1e16)).toBe('1e+16');
    expect(pythonFloat(NaN)).toBe('nan');
  });

  it('prints a column as numpy does', () => {
    expect(numpyColumn([0.01025062, 0.99730607])).toBe('[[0.01025062]\n [0.99730607]]');
    expect(numpyColumn([0.5, 0.25])).toBe('[[0.5 ]\n [0.25]]');
    expect(numpyColumn([1, -0.5])).toBe('[[ 1. ]\n [-0.5]]');
    expect(duration(1234)).toBe('1.23 s');
  });

  it('summarises more than 1000 values as numpy does (first and last 3), for any length', () => {
    const values = Array.from({ length: 150_000 }, (_, i) => (i % 4) / 4);
    expect(numpyColumn(values)).toBe('[[0.  ]\n [0.25]\n [0.5 ]\n ...\n [0.25]\n [0.5 ]\n [0.75]]');
    expect(numpyColumn(values.slice(0, 1000)).split('\n')).toHaveLength(1000);
    expect(shortList(values.map((v) => (v >= 0.5 ? 1 : 0)))).toBe('[0, 0, 1, ..., 0, 1, 1]');
    expect(shortList([0, 1, 1])).toBe('[0, 1, 1]');
  });
});
