// The web demo's controls as data: form values ⇄ LabConfig, and the worker's message guard.
import { describe, expect, it } from 'vitest';
import { LAB_PRESET } from '../src/lab/config.ts';
import { isToWorker } from '../src/web/protocol.ts';
import { choiceLabel, configFromForm, formFromConfig, parseHidden, SPEEDS, speedFromText, speedToText, type FormValues } from '../src/web/settings.ts';

const labForm = (): FormValues => formFromConfig(LAB_PRESET);

describe('settings form', () => {
  it('shows the lab preset and reads it back unchanged', () => {
    expect(labForm()).toEqual({
      dataset: 'xor',
      hidden: '3, 3',
      activation: 'sigmoid',
      outputActivation: 'sigmoid',
      bias: false,
      loss: 'mse',
      optimizer: 'sgd',
      lr: '0.8',
      batchSize: '1',
      seed: '11',
    });
    expect(configFromForm(labForm())).toEqual({ ok: true, config: { ...LAB_PRESET } });
  });

  it('takes every edited field into the config', () => {
    const result = configFromForm({ ...labForm(), dataset: 'moons', hidden: '8 4', activation: 'relu', bias: true, optimizer: 'adam', lr: '0.01', batchSize: '7', seed: '-3' });
    expect(result.ok && result.config).toMatchObject({ dataset: 'moons', hidden: [8, 4], activation: 'relu', bias: true, optimizer: 'adam', lr: 0.01, batchSize: 7, seed: -3 });
  });

  it('parses hidden sizes with commas or spaces, and rejects what is not a size', () => {
    expect(parseHidden('3,3')).toEqual([3, 3]);
    expect(parseHidden(' 16, 8 4 ')).toEqual([16, 8, 4]);
    expect(() => parseHidden('')).toThrow('at least one layer size');
    expect(() => parseHidden('3, 0')).toThrow("'0' is not a positive whole number");
    expect(() => parseHidden('3, 2.5')).toThrow("'2.5'");
    expect(() => parseHidden('1000')).toThrow('at most 256');
  });

  it('names the field of a bad value, with a readable message', () => {
    expect(configFromForm({ ...labForm(), hidden: 'x' })).toEqual({ ok: false, field: 'hidden', message: "'x' is not a positive whole number" });
    expect(configFromForm({ ...labForm(), lr: 'fast' })).toEqual({ ok: false, field: 'lr', message: "'fast' is not a number" });
    expect(configFromForm({ ...labForm(), lr: '-1' })).toMatchObject({ ok: false, field: 'lr', message: 'lr must be a positive number, got -1' });
    expect(configFromForm({ ...labForm(), batchSize: '0' })).toMatchObject({ ok: false, field: 'batchSize' });
    expect(configFromForm({ ...labForm(), seed: '1.5' })).toMatchObject({ ok: false, field: 'seed' });
    expect(configFromForm({ ...labForm(), outputActivation: 'cube' })).toMatchObject({ ok: false, field: 'outputActivation' });
    expect(configFromForm({ ...labForm(), dataset: 'mnist' })).toMatchObject({ ok: false, field: 'dataset' });
  });

  it('labels menu choices in the lab’s words', () => {
    expect(choiceLabel('dataset', 'xor')).toBe('XOR-easy (lab)');
    expect(choiceLabel('optimizer', 'momentum')).toBe('SGD + momentum');
    expect(choiceLabel('activation', 'tanh')).toBe('tanh');
  });

  it('round-trips every speed through its option text', () => {
    for (const { value } of SPEEDS) expect(speedFromText(speedToText(value))).toBe(value);
    expect(speedFromText('nonsense')).toBeNull();
  });
});

describe('worker messages', () => {
  it('accepts the messages the worker handles and nothing else', () => {
    expect(isToWorker({ type: 'play' })).toBe(true);
    expect(isToWorker({ type: 'configure', config: { ...LAB_PRESET } })).toBe(true);
    expect(isToWorker({ type: 'speed', speed: null })).toBe(true);
    expect(isToWorker({ type: 'speed', speed: 100 })).toBe(true);
    expect(isToWorker({ type: 'weights', requestId: 3 })).toBe(true);
    expect(isToWorker({ type: 'speed', speed: -1 })).toBe(false);
    expect(isToWorker({ type: 'configure' })).toBe(false);
    expect(isToWorker({ type: 'weights' })).toBe(false);
    expect(isToWorker({ type: 'fly' })).toBe(false);
    expect(isToWorker('play')).toBe(false);
    expect(isToWorker(null)).toBe(false);
  });
});
