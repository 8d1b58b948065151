// The controls panel as data: form values ⇄ a LabConfig, with one readable error per bad field.
import { datasetNames } from '@gradlab/data';
import { ACTIVATIONS } from '@gradlab/nn';
import { LAB_PRESET, LOSSES, OPTIMIZERS, validateConfig, type LabConfig } from '../lab/config.ts';
import type { Speed } from './protocol.ts';

/** What the form holds: text as typed, choices as their option values. */
export interface FormValues {
  dataset: string;
  hidden: string;
  activation: string;
  outputActivation: string;
  bias: boolean;
  loss: string;
  optimizer: string;
  lr: string;
  batchSize: string;
  seed: string;
}

export type FormField = keyof FormValues;

export type FormResult = { ok: true; config: LabConfig } | { ok: false; field: FormField; message: string };

/** The choices of each select, in menu order (the lab's first). */
export const CHOICES = {
  dataset: datasetNames,
  activation: ACTIVATIONS,
  outputActivation: ACTIVATIONS,
  loss: LOSSES,
  optimizer: OPTIMIZERS,
} as const;

/** Menu text of a choice: data set names get the lab's spelling. */
export function choiceLabel(field: keyof typeof CHOICES, value: string): string {
  if (field === 'dataset') return DATASET_LABELS[value] ?? value;
  if (field === 'optimizer') return { sgd: 'SGD', momentum: 'SGD + momentum', adam: 'Adam' }[value] ?? value;
  if (field === 'loss') return { mse: 'MSE', bce: 'binary cross-entropy' }[value] ?? value;
  return value;
}

const DATASET_LABELS: Record<string, string> = {
  xor: 'XOR-easy (lab)',
  linear: 'linear (lab)',
  circle: 'circle',
  spiral: 'spiral',
  moons: 'moons',
  gaussians: 'gaussians',
};

export function formFromConfig(c: LabConfig): FormValues {
  return {
    dataset: c.dataset,
    hidden: c.hidden.join(', '),
    activation: c.activation,
    outputActivation: c.outputActivation,
    bias: c.bias,
    loss: c.loss,
    optimizer: c.optimizer,
    lr: String(c.lr),
    batchSize: String(c.batchSize),
    seed: String(c.seed),
  };
}

/** "3, 3" or "3,3" or "8 8" → [3, 3]; throws a message for anything else. */
export function parseHidden(text: string): number[] {
  const parts = text.split(/[\s,]+/).filter((s) => s !== '');
  if (parts.length === 0) throw new Error('give at least one layer size, e.g. 3, 3');
  return parts.map((p) => {
    const n = Number(p);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`'${p}' is not a positive whole number`);
    if (n > 256) throw new Error(`${n} units is more than this page trains comfortably (at most 256)`);
    return n;
  });
}

function parseNumber(text: string, integer: boolean): number {
  const v = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(v)) throw new Error(`'${text}' is not a number`);
  if (integer && !Number.isInteger(v)) throw new Error(`'${text}' is not a whole number`);
  return v;
}

/** The run the form describes: the lab's preset with the form's fields replaced. */
export function configFromForm(v: FormValues, base: Readonly<LabConfig> = LAB_PRESET): FormResult {
  const fields: [FormField, () => Partial<LabConfig>][] = [
    ['hidden', () => ({ hidden: parseHidden(v.hidden) })],
    ['lr', () => ({ lr: parseNumber(v.lr, false) })],
    ['batchSize', () => ({ batchSize: parseNumber(v.batchSize, true) })],
    ['seed', () => ({ seed: parseNumber(v.seed, true) })],
  ];
  const config: LabConfig = {
    ...base,
    hidden: [...base.hidden],
    dataset: v.dataset as LabConfig['dataset'],
    activation: v.activation as LabConfig['activation'],
    outputActivation: v.outputActivation as LabConfig['outputActivation'],
    bias: v.bias,
    loss: v.loss as LabConfig['loss'],
    optimizer: v.optimizer as LabConfig['optimizer'],
  };
  for (const [field, parse] of fields) {
    try {
      Object.assign(config, parse());
    } catch (error) {
      return { ok: false, field, message: (error as Error).message };
    }
  }
  try {
    return { ok: true, config: validateConfig(config) };
  } catch (error) {
    return { ok: false, field: fieldOf((error as Error).message), message: (error as Error).message };
  }
}

/** Which field validateConfig's message is about (its messages start with the setting's name). */
function fieldOf(message: string): FormField {
  const starts: [string, FormField][] = [
    ['dataset', 'dataset'],
    ['hidden', 'hidden'],
    ['each hidden', 'hidden'],
    ['activation', 'activation'],
    ['output activation', 'outputActivation'],
    ['loss', 'loss'],
    ['optimizer', 'optimizer'],
    ['lr', 'lr'],
    ['batch size', 'batchSize'],
    ['seed', 'seed'],
  ];
  let best: FormField = 'dataset';
  let bestLength = 0;
  for (const [prefix, field] of starts) {
    if (message.startsWith(prefix) && prefix.length > bestLength) {
      best = field;
      bestLength = prefix.length;
    }
  }
  return best;
}

/** The speed menu: passes over the data per second while playing (null: as fast as it goes). */
export const SPEEDS: readonly { label: string; value: Speed }[] = [
  { label: 'fastest', value: null },
  { label: '1000 passes/s', value: 1000 },
  { label: '100 passes/s', value: 100 },
  { label: '10 passes/s', value: 10 },
  { label: '1 pass/s', value: 1 },
];

export function speedFromText(text: string): Speed {
  if (text === 'fastest') return null;
  const v = Number(text);
  return Number.isFinite(v) && v > 0 ? v : null;
}

export function speedToText(speed: Speed): string {
  return speed === null ? 'fastest' : String(speed);
}
