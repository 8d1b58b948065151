import { describe, expect, it } from 'vitest';
import { LAB_PRESET, describeConfig, validateConfig } from '../src/lab/config.ts';
import { duration, numpyColumn, pythonFloat } from '../src/lab/format.ts';
import { LabTrainer, evaluate } from '../src/lab/trainer.ts';

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

  it('a diverging run stops with a clear error instead of spreading NaN', () => {
    const t = new LabTrainer({ ...LAB_PRESET, activation: 'none', outputActivation: 'none', lr: 50, maxEpochs: 5000 });
    expect(() => t.run()).toThrow(/training diverged|not finite|NaN|Infinity/);
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
});
