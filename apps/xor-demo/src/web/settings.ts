// The controls panel as data: form values ⇄ a LabConfig, with one readable error per bad field.
import { datasetNames } from '@gradlab/data';
import { ACTIVATIONS } from '@gradlab/nn';
import { checkLimits, ConfigError, configFromText, LAB_PRESET, LOSSES, OPTIMIZERS, type LabConfig, type SizeLimits } from '../lab/config.ts';
import type { Speed } from './protocol.ts';

/** What the form holds: text as typed, choices as their option values. */
export interface FormValues {
  dataset: string;
  /** Classes of the data (2; more for spiral, gaussians, blobs with the ce loss). */
  classes: string;
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
  if (field === 'loss') return { mse: 'MSE', bce: 'binary cross-entropy', ce: 'softmax cross-entropy' }[value] ?? value;
  return value;
}

const DATASET_LABELS: Record<string, string> = {
  xor: 'XOR-easy (lab)',
  linear: 'linear (lab)',
  circle: 'circle',
  spiral: 'spiral',
  moons: 'moons',
  gaussians: 'gaussians',
  blobs: 'blobs',
};

export function formFromConfig(c: LabConfig): FormValues {
  return {
    dataset: c.dataset,
    classes: String(c.classes),
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

/**
 * What the page trains while staying responsive: the worker checks the clock every 16 steps, so
 * 16 steps of the largest network must take well under 100 ms on a slow machine (measured in
 * the e2e test: Pause acts within 100 ms at these limits). The data sets have 100 points or fewer.
 */
export const PAGE_LIMITS: Readonly<SizeLimits> = Object.freeze({
  n: 1000,
  hiddenSize: 256,
  hiddenLayers: 6,
  parameters: 40_000,
  work: 40_000,
});

/** The run the form describes: the lab's preset with the form's fields (the lab parses and checks them). */
export function configFromForm(v: FormValues, base: Readonly<LabConfig> = LAB_PRESET): FormResult {
  try {
    const config = configFromText(
      {
        dataset: v.dataset,
        classes: v.classes,
        hidden: v.hidden,
        activation: v.activation,
        // with ce the output layer gives logits (the softmax is in the loss): the menu is not used
        outputActivation: v.loss === 'ce' ? undefined : v.outputActivation,
        bias: String(v.bias),
        loss: v.loss,
        optimizer: v.optimizer,
        lr: v.lr,
        batchSize: v.batchSize,
        seed: v.seed,
      },
      base,
    );
    checkLimits(config, PAGE_LIMITS, '(the page stays responsive up to this; `pnpm demo` trains larger networks)');
    return { ok: true, config };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const field = (FORM_FIELDS as readonly string[]).includes(error.field) ? (error.field as FormField) : 'hidden';
    return { ok: false, field, message: error.message };
  }
}

const FORM_FIELDS: readonly FormField[] = ['dataset', 'classes', 'hidden', 'activation', 'outputActivation', 'bias', 'loss', 'optimizer', 'lr', 'batchSize', 'seed'];

/** The speed menu: passes over the data per second while playing (null: as fast as it goes). */
export const SPEEDS: readonly { label: string; value: Speed }[] = [
  { label: 'fastest', value: null },
  { label: '1000 passes/s', value: 1000 },
  { label: '100 passes/s', value: 100 },
  { label: '10 passes/s (for a lecture)', value: 10 },
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
