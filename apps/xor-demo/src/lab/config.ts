// A training run's settings. The defaults are the lab's preset (apps/xor-demo/LAB.md).
import { datasetNames, type DatasetName } from '@gradlab/data';
import { ACTIVATIONS, DENSE_INITS, type ActivationName, type DenseInit } from '@gradlab/nn';

export const OPTIMIZERS = ['sgd', 'momentum', 'adam'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];
export const LOSSES = ['mse', 'bce'] as const;
export type LossName = (typeof LOSSES)[number];

export interface LabConfig {
  dataset: DatasetName;
  /** Points for the generated sets (XOR-easy is always 21). */
  n: number;
  /** Seed of the generated data (the linear set's points). */
  dataSeed: number;
  /** Gaussian jitter of the extra sets (undefined: each set's default). */
  noise?: number;
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

/** Checks every field; throws one clear line naming the setting and the value. */
export function validateConfig(c: LabConfig): LabConfig {
  const fail = (what: string): never => {
    throw new Error(what);
  };
  const positiveInt = (name: string, v: number) => {
    if (!Number.isInteger(v) || v <= 0) fail(`${name} must be a positive integer, got ${v}`);
  };
  if (!(datasetNames as readonly string[]).includes(c.dataset)) {
    fail(`dataset must be one of ${datasetNames.join(', ')}, got '${c.dataset}'`);
  }
  positiveInt('n', c.n);
  if (!Number.isInteger(c.dataSeed)) fail(`data seed must be an integer, got ${c.dataSeed}`);
  if (c.noise !== undefined && !(c.noise >= 0)) fail(`noise must be a number ≥ 0, got ${c.noise}`);
  if (c.hidden.length === 0) fail('hidden must list at least one layer size');
  c.hidden.forEach((h) => positiveInt('each hidden size', h));
  if (!ACTIVATIONS.includes(c.activation)) fail(`activation must be one of ${ACTIVATIONS.join(', ')}, got '${c.activation}'`);
  if (!ACTIVATIONS.includes(c.outputActivation)) {
    fail(`output activation must be one of ${ACTIVATIONS.join(', ')}, got '${c.outputActivation}'`);
  }
  if (!DENSE_INITS.includes(c.init)) fail(`init must be one of ${DENSE_INITS.join(', ')}, got '${c.init}'`);
  if (!LOSSES.includes(c.loss)) fail(`loss must be one of ${LOSSES.join(', ')}, got '${c.loss}'`);
  if (!OPTIMIZERS.includes(c.optimizer)) fail(`optimizer must be one of ${OPTIMIZERS.join(', ')}, got '${c.optimizer}'`);
  if (!(c.lr > 0) || !Number.isFinite(c.lr)) fail(`lr must be a positive number, got ${c.lr}`);
  if (!(c.momentum >= 0 && c.momentum < 1)) fail(`momentum must be in [0, 1), got ${c.momentum}`);
  positiveInt('batch size', c.batchSize);
  if (!Number.isInteger(c.seed)) fail(`seed must be an integer, got ${c.seed}`);
  positiveInt('log-every', c.logEvery);
  if (!(c.lossThreshold > 0)) fail(`loss threshold must be a positive number, got ${c.lossThreshold}`);
  positiveInt('max epochs', c.maxEpochs);
  return c;
}

/** A one-line description: `[2,3,3,1] sigmoid, no bias, MSE, SGD lr 0.8, batch 1, seed 1`. */
export function describeConfig(c: LabConfig): string {
  const dims = [2, ...c.hidden, 1].join(',');
  const act = c.activation === c.outputActivation ? c.activation : `${c.activation} (output ${c.outputActivation})`;
  const opt = c.optimizer === 'momentum' ? `SGD+momentum ${c.momentum}` : c.optimizer === 'adam' ? 'Adam' : 'SGD';
  return `[${dims}] ${act}, ${c.bias ? 'bias' : 'no bias'}, ${c.init} init, ${c.loss.toUpperCase()}, ${opt} lr ${c.lr}, batch ${c.batchSize}, seed ${c.seed}`;
}
