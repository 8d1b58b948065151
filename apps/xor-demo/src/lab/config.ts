// A training run's settings. The defaults are the lab's preset (apps/xor-demo/LAB.md).
import { datasetNames, datasets, type DatasetName } from '@gradlab/data';
import { ACTIVATIONS, DENSE_INITS, type ActivationName, type DenseInit } from '@gradlab/nn';

export const OPTIMIZERS = ['sgd', 'momentum', 'adam'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];
/** 'ce': softmax cross-entropy on the network's raw outputs (one unit per class), for k ≥ 2 classes. */
export const LOSSES = ['mse', 'bce', 'ce'] as const;
export type LossName = (typeof LOSSES)[number];

export interface LabConfig {
  dataset: DatasetName;
  /** Points for the generated sets (XOR-easy is always 21). */
  n: number;
  /** Seed of the generated data (the linear set's points). */
  dataSeed: number;
  /** Gaussian jitter of the extra sets (undefined: each set's default). */
  noise?: number;
  /**
   * Classes of the data (2: the lab's). More need a set that has any number (spiral, gaussians,
   * blobs) and the 'ce' loss; the output layer has one unit per class with 'ce', one unit otherwise.
   */
  classes: number;
  /** Hidden layer sizes: [3, 3] is the lab's. */
  hidden: number[];
  activation: ActivationName;
  outputActivation: ActivationName;
  bias: boolean;
  init: DenseInit;
  loss: LossName;
  optimizer: OptimizerName;
  lr: number;
  /** μ for 'momentum'. */
  momentum: number;
  /** Samples per update; 1 is the lab's per-sample gradient descent. */
  batchSize: number;
  /** Seed of the weights' initialisation. */
  seed: number;
  /** Print `epoch N loss: X` every this many samples (the lab's 5000). */
  logEvery: number;
  /** Stop when every per-sample loss of a pass is below this (the lab's 0.04). */
  lossThreshold: number;
  /** Stop after this many samples ("epochs" in the lab's sense) if not converged. */
  maxEpochs: number;
}

/**
 * The lab: XOR-easy, [2,3,3,1], sigmoid everywhere, no bias, standard-normal weights, MSE,
 * per-sample SGD at lr 0.8 in the data's order, stop when every loss of a pass is < 0.04.
 * The seed is one with which the lab's run converges to 100% on XOR-easy and on linear.
 */
export const LAB_PRESET: Readonly<LabConfig> = Object.freeze({
  dataset: 'xor',
  n: 100,
  dataSeed: 1,
  classes: 2,
  hidden: [3, 3],
  activation: 'sigmoid',
  outputActivation: 'sigmoid',
  bias: false,
  init: 'normal',
  loss: 'mse',
  optimizer: 'sgd',
  lr: 0.8,
  momentum: 0.9,
  batchSize: 1,
  seed: 11,
  logEvery: 5000,
  lossThreshold: 0.04,
  maxEpochs: 1_000_000,
});

/** A setting of LabConfig. */
export type ConfigField = keyof LabConfig;

/** How the lab names each setting in its messages (the CLI's flags and the page's labels follow). */
export const FIELD_NAMES: Readonly<Record<ConfigField, string>> = {
  dataset: 'dataset',
  n: 'n',
  dataSeed: 'data seed',
  noise: 'noise',
  classes: 'classes',
  hidden: 'hidden',
  activation: 'activation',
  outputActivation: 'output activation',
  bias: 'bias',
  init: 'init',
  loss: 'loss',
  optimizer: 'optimizer',
  lr: 'lr',
  momentum: 'momentum',
  batchSize: 'batch size',
  seed: 'seed',
  logEvery: 'log-every',
  lossThreshold: 'loss threshold',
  maxEpochs: 'max epochs',
};

/**
 * A bad setting: which field, and one line saying what is wrong. `message` reads alone
 * (`lr must be a positive number, got -1`, `lr: expected a number, got 'abc'`); `detail` is the
 * part after the field's name, for a face that names the field its own way (the CLI's `--lr`).
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly field: ConfigField,
    readonly detail: string,
    /** 'sentence': the message is a sentence starting with the field's name; 'value': `name: detail`. */
    readonly style: 'sentence' | 'value' = 'value',
  ) {
    super(style === 'sentence' ? detail : `${FIELD_NAMES[field]}: ${detail}`);
  }
}

/** Checks every field; throws a ConfigError naming the setting and the value. */
export function validateConfig(c: LabConfig): LabConfig {
  const fail = (field: ConfigField, what: string): never => {
    throw new ConfigError(field, what, 'sentence');
  };
  const positiveInt = (field: ConfigField, name: string, v: number) => {
    if (!Number.isInteger(v) || v <= 0) fail(field, `${name} must be a positive integer, got ${v}`);
  };
  if (!(datasetNames as readonly string[]).includes(c.dataset)) {
    fail('dataset', `dataset must be one of ${datasetNames.join(', ')}, got '${c.dataset}'`);
  }
  positiveInt('n', 'n', c.n);
  if (!Number.isInteger(c.dataSeed)) fail('dataSeed', `data seed must be an integer, got ${c.dataSeed}`);
  if (c.noise !== undefined && !(c.noise >= 0)) fail('noise', `noise must be a number ≥ 0, got ${c.noise}`);
  if (!Array.isArray(c.hidden) || c.hidden.length === 0) fail('hidden', 'hidden must list at least one layer size');
  c.hidden.forEach((h) => positiveInt('hidden', 'each hidden size', h));
  if (!ACTIVATIONS.includes(c.activation)) fail('activation', `activation must be one of ${ACTIVATIONS.join(', ')}, got '${c.activation}'`);
  if (!ACTIVATIONS.includes(c.outputActivation)) {
    fail('outputActivation', `output activation must be one of ${ACTIVATIONS.join(', ')}, got '${c.outputActivation}'`);
  }
  if (!DENSE_INITS.includes(c.init)) fail('init', `init must be one of ${DENSE_INITS.join(', ')}, got '${c.init}'`);
  if (!LOSSES.includes(c.loss)) fail('loss', `loss must be one of ${LOSSES.join(', ')}, got '${c.loss}'`);
  checkClasses(c, fail);
  if (!OPTIMIZERS.includes(c.optimizer)) fail('optimizer', `optimizer must be one of ${OPTIMIZERS.join(', ')}, got '${c.optimizer}'`);
  if (!(c.lr > 0) || !Number.isFinite(c.lr)) fail('lr', `lr must be a positive number, got ${c.lr}`);
  if (!(c.momentum >= 0 && c.momentum < 1)) fail('momentum', `momentum must be in [0, 1), got ${c.momentum}`);
  positiveInt('batchSize', 'batch size', c.batchSize);
  if (!Number.isInteger(c.seed)) fail('seed', `seed must be an integer, got ${c.seed}`);
  positiveInt('logEvery', 'log-every', c.logEvery);
  if (!(c.lossThreshold > 0)) fail('lossThreshold', `loss threshold must be a positive number, got ${c.lossThreshold}`);
  positiveInt('maxEpochs', 'max epochs', c.maxEpochs);
  return c;
}

/** Classes at most: the figures' qualitative palette has 10 colors. */
export const MAX_CLASSES = 10;

/** The data sets that have any number of classes (the others have 2). */
export const MULTI_CLASS_DATASETS: readonly DatasetName[] = datasetNames.filter((d) => datasets[d].uses.includes('classes'));

/** classes against the data set, the loss and the output activation. */
function checkClasses(c: LabConfig, fail: (field: ConfigField, what: string) => never): void {
  const k = c.classes;
  if (!Number.isInteger(k) || k < 2 || k > MAX_CLASSES) fail('classes', `classes must be an integer from 2 to ${MAX_CLASSES}, got ${k}`);
  if (k > 2 && !MULTI_CLASS_DATASETS.includes(c.dataset)) {
    fail('classes', `classes ${k}: ${c.dataset} has 2 classes (any number: ${MULTI_CLASS_DATASETS.join(', ')})`);
  }
  if (k > 2 && c.loss !== 'ce') {
    fail('loss', `classes ${k} needs the ce loss (${c.loss} trains one output unit, for 2 classes), got loss ${c.loss}`);
  }
  if (c.loss === 'ce' && c.outputActivation !== 'none') {
    fail('outputActivation', `output activation must be none with the ce loss (it takes the raw outputs; the softmax is inside the loss), got '${c.outputActivation}'`);
  }
}

/** Output units: one per class with 'ce', else one (ŷ, read as the probability of class 1). */
export function outputUnits(c: Pick<LabConfig, 'loss' | 'classes'>): number {
  return c.loss === 'ce' ? c.classes : 1;
}

/** A configuration read back from a file (a run's summary.json), checked as any other. */
export function configFromJson(value: unknown): LabConfig {
  if (typeof value !== 'object' || value === null || !Array.isArray((value as LabConfig).hidden)) {
    throw new ConfigError('hidden', 'not a lab configuration (no hidden sizes)', 'sentence');
  }
  const c = value as LabConfig;
  return validateConfig({ ...LAB_PRESET, ...c, hidden: [...c.hidden] });
}

// ---- text → settings (the CLI's flags and the page's form both type text) ----------------------

/** A number typed as text; `integer` refuses fractions. Throws a ConfigError naming the field. */
export function parseNumberField(field: ConfigField, text: string, integer = false): number {
  const v = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
    throw new ConfigError(field, `expected ${integer ? 'an integer' : 'a number'}, got '${text}'`);
  }
  return v;
}

/** Hidden sizes typed as text: `3,3`, `3, 3` or `8 4` → [3, 3] / [8, 4]. */
export function parseHidden(text: string): number[] {
  const parts = text.split(/[\s,]+/).filter((s) => s !== '');
  if (parts.length === 0) throw new ConfigError('hidden', `expected layer sizes such as 3,3, got '${text}'`);
  const sizes = parts.map((s) => parseNumberField('hidden', s, true));
  const bad = sizes.find((s) => s <= 0);
  if (bad !== undefined) throw new ConfigError('hidden', `sizes must be positive integers, got '${text}'`);
  return sizes;
}

/** The settings a face lets its user type, each as text (absent: the preset's). */
export type ConfigText = Partial<Record<ConfigField, string>>;

const INTEGER_FIELDS: readonly ConfigField[] = ['n', 'dataSeed', 'classes', 'batchSize', 'seed', 'logEvery', 'maxEpochs'];
const NUMBER_FIELDS: readonly ConfigField[] = ['noise', 'lr', 'momentum', 'lossThreshold'];
const CHOICE_FIELDS: readonly ConfigField[] = ['dataset', 'activation', 'outputActivation', 'init', 'loss', 'optimizer'];

/**
 * The run the text describes: the preset with every given field parsed in (`bias` is
 * `true`/`false`), checked by validateConfig. The first bad field throws its ConfigError. With
 * the 'ce' loss and no output activation given, the output activation is 'none' (ce takes logits).
 */
export function configFromText(text: ConfigText, base: Readonly<LabConfig> = LAB_PRESET): LabConfig {
  const config: LabConfig = { ...base, hidden: [...base.hidden] };
  const out = config as unknown as Record<ConfigField, unknown>;
  for (const [field, value] of Object.entries(text) as [ConfigField, string | undefined][]) {
    if (value === undefined) continue;
    if (field === 'hidden') config.hidden = parseHidden(value);
    else if (field === 'bias') config.bias = value === 'true';
    else if (INTEGER_FIELDS.includes(field)) out[field] = parseNumberField(field, value, true);
    else if (NUMBER_FIELDS.includes(field)) out[field] = parseNumberField(field, value, false);
    else if (CHOICE_FIELDS.includes(field)) out[field] = value.trim();
  }
  if (config.loss === 'ce' && text.outputActivation === undefined) config.outputActivation = 'none';
  return validateConfig(config);
}

// ---- what a face can train ---------------------------------------------------------------------

/** The largest run a face accepts, checked before anything is built. */
export interface SizeLimits {
  /** Points of a generated data set. */
  n: number;
  /** Units of one hidden layer. */
  hiddenSize: number;
  /** Hidden layers. */
  hiddenLayers: number;
  /** Weights and biases of the whole network. */
  parameters: number;
  /** Parameters × batch size: the multiply-adds of one step's forward pass (null: no limit). */
  work: number | null;
}

/** Weights (and biases) of [2, ...hidden, outputs]. */
export function parameterCount(hidden: readonly number[], bias: boolean, outputs = 1): number {
  const dims = [2, ...hidden, outputs];
  let count = 0;
  for (let i = 0; i + 1 < dims.length; i++) count += dims[i] * dims[i + 1] + (bias ? dims[i + 1] : 0);
  return count;
}

/** Refuses a run larger than `limits`, with a ConfigError naming the field; `hint` ends the line. */
export function checkLimits(
  c: Pick<LabConfig, 'n' | 'hidden' | 'bias' | 'batchSize' | 'dataset'> & Partial<Pick<LabConfig, 'loss' | 'classes'>>,
  limits: SizeLimits,
  hint = '',
): void {
  const outputs = c.loss && c.classes ? outputUnits({ loss: c.loss, classes: c.classes }) : 1;
  const end = hint ? ` ${hint}` : '';
  if (c.n > limits.n) throw new ConfigError('n', `${c.n} points is too many (at most ${limits.n})${end}`);
  if (c.hidden.length > limits.hiddenLayers) {
    throw new ConfigError('hidden', `${c.hidden.length} layers is too many (at most ${limits.hiddenLayers})${end}`);
  }
  const big = c.hidden.find((s) => s > limits.hiddenSize);
  if (big !== undefined) throw new ConfigError('hidden', `${big} units in a layer is too many (at most ${limits.hiddenSize})${end}`);
  const parameters = parameterCount(c.hidden, c.bias, outputs);
  const dims = `[${[2, ...c.hidden, outputs].join(',')}]`;
  if (parameters > limits.parameters) {
    throw new ConfigError('hidden', `${dims} has ${parameters} parameters, too many (at most ${limits.parameters})${end}`);
  }
  if (limits.work !== null && parameters * c.batchSize > limits.work) {
    throw new ConfigError(
      'batchSize',
      `${dims} with batch size ${c.batchSize} is ${parameters * c.batchSize} weight-sample products per step, ` +
        `too many (at most ${limits.work}): use fewer units or a smaller batch${end}`,
      'sentence',
    );
  }
}

/** What the CLI trains: more would take minutes or gigabytes before the first epoch. */
export const CLI_LIMITS: Readonly<SizeLimits> = Object.freeze({
  n: 1_000_000,
  hiddenSize: 4096,
  hiddenLayers: 16,
  parameters: 4_000_000,
  work: null,
});

/** A one-line description: `[2,3,3,1] sigmoid, no bias, MSE, SGD lr 0.8, batch 1, seed 1`. */
export function describeConfig(c: LabConfig): string {
  const dims = [2, ...c.hidden, outputUnits(c)].join(',');
  const act =
    c.loss === 'ce' ? `${c.activation} (output: logits)` : c.activation === c.outputActivation ? c.activation : `${c.activation} (output ${c.outputActivation})`;
  const opt = c.optimizer === 'momentum' ? `SGD+momentum ${c.momentum}` : c.optimizer === 'adam' ? 'Adam' : 'SGD';
  const loss = c.loss === 'ce' ? `softmax CE, ${c.classes} classes` : c.loss.toUpperCase();
  return `[${dims}] ${act}, ${c.bias ? 'bias' : 'no bias'}, ${c.init} init, ${loss}, ${opt} lr ${c.lr}, batch ${c.batchSize}, seed ${c.seed}`;
}
