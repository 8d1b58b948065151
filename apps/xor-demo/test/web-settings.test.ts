// The web demo's controls as data: form values ⇄ LabConfig, and the worker's message guard.
import { describe, expect, it } from 'vitest';
import { LAB_PRESET } from '../src/lab/config.ts';
import { isToWorker } from '../src/web/protocol.ts';
import { parseHidden } from '../src/lab/config.ts';
import { choiceLabel, configFromForm, formFromConfig, PAGE_LIMITS, SPEEDS, speedFromText, speedToText, type FormValues } from '../src/web/settings.ts';

const labForm = (): FormValues => formFromConfig(LAB_PRESET);

describe('settings form', () => {
  it('shows the lab preset and reads it back unchanged', () => {
    expect(labForm()).toEqual({
      dataset: 'xor',
      classes: '2',
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

  it('parses hidden sizes with commas or spaces (the lab parses them), and rejects what is not a size', () => {
    expect(parseHidden('3,3')).toEqual([3, 3]);
    expect(parseHidden(' 16, 8 4 ')).toEqual([16, 8, 4]);
    expect(() => parseHidden('')).toThrow("hidden: expected layer sizes such as 3,3, got ''");
    expect(() => parseHidden('3, 0')).toThrow("hidden: sizes must be positive integers, got '3, 0'");
    expect(() => parseHidden('3, 2.5')).toThrow("hidden: expected an integer, got '2.5'");
  });

  it('refuses sizes the page cannot train, saying so and naming the field', () => {
    expect(configFromForm({ ...labForm(), hidden: '1000' })).toEqual({
      ok: false,
      field: 'hidden',
      message: 'hidden: 1000 units in a layer is too many (at most 256) (the page stays responsive up to this; `pnpm demo` trains larger networks)',
    });
    expect(configFromForm({ ...labForm(), hidden: '8,8,8,8,8,8,8' })).toMatchObject({ ok: false, field: 'hidden', message: expect.stringMatching(/7 layers is too many \(at most 6\)/) as unknown });
    expect(configFromForm({ ...labForm(), hidden: '256,256' })).toMatchObject({
      ok: false,
      field: 'hidden',
      message: expect.stringMatching(/\[2,256,256,1\] has 66304 parameters, too many \(at most 40000\)/) as unknown,
    });
    // a large network the page accepts, with batch 1; a larger batch of it is too much work per step
    expect(configFromForm({ ...labForm(), hidden: '128, 128, 128', batchSize: '1' })).toMatchObject({ ok: true });
    expect(configFromForm({ ...labForm(), hidden: '128, 128, 128', batchSize: '2' })).toMatchObject({
      ok: false,
      field: 'batchSize',
      message: expect.stringMatching(/^\[2,128,128,128,1\] with batch size 2 is 66304 weight-sample products per step, too many \(at most 40000\)/) as unknown,
    });
    expect(configFromForm({ ...labForm(), hidden: '8, 8', batchSize: '100' })).toMatchObject({ ok: true });
    expect(PAGE_LIMITS.parameters).toBeLessThan(4_000_000);
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
