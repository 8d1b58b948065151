// The command line: flags shared by a single run and by `compare` (where they take lists).
import { Command, Option } from 'commander';
import { datasetNames } from '@gradlab/data';
import { ACTIVATIONS, DENSE_INITS } from '@gradlab/nn';
import {
  checkLimits,
  CLI_LIMITS,
  ConfigError,
  configFromText,
  LAB_PRESET,
  LOSSES,
  MAX_CLASSES,
  MULTI_CLASS_DATASETS,
  OPTIMIZERS,
  type ConfigText,
  type LabConfig,
} from '../lab/config.ts';

/** A bad flag value: the CLI prints its message on one line and exits with code 2. */
export class UsageError extends Error {}

/**
 * What the CLI accepts, checked before anything is built: more points, units or runs than this
 * would take minutes or gigabytes before the first epoch (`--hidden 1000000000` used to fill
 * the memory for minutes). `--n` 1,000,000 is ~2 s per pass of per-sample SGD for the lab's net.
 */
export const LIMITS = { ...CLI_LIMITS, /** Runs of one `compare`. */ sweep: 64 } as const;

export interface RawOptions {
  dataset?: string;
  n?: string;
  dataSeed?: string;
  noise?: string;
  classes?: string;
  hidden?: string;
  activation?: string;
  outputActivation?: string;
  bias?: boolean;
  init?: string;
  loss?: string;
  optimizer?: string;
  lr?: string;
  momentum?: string;
  batchSize?: string;
  seed?: string;
  logEvery?: string;
  lossThreshold?: string;
  maxEpochs?: string;
  out?: string;
  force?: boolean;
  allowInRepo?: boolean;
  eager?: boolean;
  report?: boolean;
  png?: boolean;
  quiet?: boolean;
  logLoss?: boolean;
  explain?: string;
  explainSample?: string;
  explainEpoch?: string;
  run?: string;
  export?: string;
}

/** Adds the settings' flags to a command. In `compare`, sweepable flags take lists. */
export function addTrainingOptions(cmd: Command, sweep: boolean): Command {
  const list = (what: string) => (sweep ? `${what}; a comma-separated list sweeps over them` : what);
  const p = LAB_PRESET;
  return cmd
    .addOption(new Option('--dataset <name>', list(`data set: ${datasetNames.join('|')}`)).default(p.dataset))
    .addOption(new Option('--n <count>', list('points in a generated data set (XOR-easy always has 21)')).default(String(p.n)))
    .addOption(new Option('--data-seed <int>', 'seed of the generated data').default(String(p.dataSeed)))
    .addOption(new Option('--noise <std>', 'gaussian jitter of the extra data sets'))
    .addOption(new Option('--classes <k>', `classes of the data (${p.classes}; up to ${MAX_CLASSES} for ${MULTI_CLASS_DATASETS.join('|')}, with --loss ce)`))
    .addOption(
      new Option('--hidden <sizes>', sweep ? 'hidden layer sizes, e.g. 3,3; alternatives separated by /, e.g. 2,2/3,3/8,8' : 'hidden layer sizes, e.g. 3,3').default(
        p.hidden.join(','),
      ),
    )
    .addOption(new Option('--activation <name>', list(`hidden activation: ${ACTIVATIONS.join('|')}`)).default(p.activation))
    // no commander default: with --loss ce the lab's default is 'none' (ce takes logits)
    .addOption(new Option('--output-activation <name>', `output activation: ${ACTIVATIONS.join('|')} (default: ${p.outputActivation}; none with --loss ce)`))
    .option('--bias', 'add a bias to every Dense layer')
    .option('--no-bias', 'no bias (the lab)')
    .addOption(new Option('--init <name>', list(`weight init: ${DENSE_INITS.join('|')}`)).default(p.init))
    .addOption(new Option('--loss <name>', list(`loss: ${LOSSES.join('|')}`)).default(p.loss))
    .addOption(new Option('--optimizer <name>', list(`optimizer: ${OPTIMIZERS.join('|')}`)).default(p.optimizer))
    .addOption(new Option('--lr <rate>', list('learning rate')).default(String(p.lr)))
    .addOption(new Option('--momentum <mu>', 'momentum of --optimizer momentum').default(String(p.momentum)))
    .addOption(new Option('--batch-size <n>', list('samples per update (1 = the lab)')).default(String(p.batchSize)))
    .addOption(new Option('--seed <int>', list('seed of the weight initialisation')).default(String(p.seed)))
    .addOption(new Option('--log-every <epochs>', 'print the loss every this many samples').default(String(p.logEvery)))
    .addOption(
      new Option('--loss-threshold <loss>', 'stop when every per-sample loss of a pass is below this').default(String(p.lossThreshold)),
    )
    .addOption(new Option('--max-epochs <epochs>', 'give up after this many samples').default(String(p.maxEpochs)));
}

/** The flags of the worked example of backpropagation (the report's section, `pnpm demo explain`). */
export function addExplainOptions(cmd: Command): Command {
  return cmd
    .option('--explain <element>', "the weight element to explain, e.g. W1[1,0] (default: W1's element with the largest |gradient|)")
    .option('--explain-sample <index>', 'the sample of the worked example (default: the one with the largest loss)')
    .option('--explain-epoch <epoch>', "the weights of the worked example: 0 (the initial ones, the default), an epoch, or 'end'");
}

/** Where and what a run writes. */
export function addOutputOptions(cmd: Command): Command {
  return cmd
    .option('--out <dir>', 'output folder (default runs/<timestamp>)')
    .option('--force', 'write into a folder that holds an earlier run (its files are removed first)')
    .option('--allow-in-repo', "allow an output folder inside gradlab's repository outside a runs/ folder")
    .option('--log-loss', 'a log-scale loss axis in the learning curve (default: when the curve spans more than two decades)')
    .option('--no-log-loss', 'a linear loss axis, from 0')
    .option('--no-report', 'skip report.html and the figures')
    .option('--no-png', 'skip the PNG figures (they need Chromium)')
    .option('--eager', 'train with the eager graph, rebuilt every step (the default uses the fastest correct path)')
    .option('--quiet', 'print only the summary');
}

/** What `--export` writes beside model.json: model.onnx, model.safetensors. */
export const EXPORT_FORMATS = ['onnx', 'safetensors'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The --export flag of a single run. */
export function addExportOption(cmd: Command): Command {
  return cmd.option(
    '--export <formats>',
    'also write the trained model beside model.json: onnx (model.onnx, float64, any batch size), safetensors (model.safetensors, PyTorch\'s layout), or onnx,safetensors',
  );
}

/** `--export onnx,safetensors` as a list (none without the flag), checked before training. */
export function exportFormats(raw: RawOptions): ExportFormat[] {
  if (raw.export === undefined) return [];
  const formats: ExportFormat[] = [];
  for (const part of raw.export.split(',').map((s) => s.trim())) {
    const format = EXPORT_FORMATS.find((f) => f === part);
    if (!format) throw new UsageError(`--export: expected onnx, safetensors or onnx,safetensors, got '${raw.export}'`);
    if (formats.includes(format)) throw new UsageError(`--export: '${format}' is listed twice in '${raw.export}'`);
    formats.push(format);
  }
  return formats;
}

/** A ConfigError in the CLI's words: the field named as its flag (`--lr: expected a number, got 'abc'`). */
export function usageError(error: ConfigError): UsageError {
  return new UsageError(error.style === 'value' ? `--${flagName(error.field)}: ${error.detail}` : error.message);
}

type Sweepable = 'dataset' | 'n' | 'hidden' | 'activation' | 'init' | 'loss' | 'optimizer' | 'lr' | 'batchSize' | 'seed';
export const SWEEPABLE: readonly Sweepable[] = ['dataset', 'n', 'hidden', 'activation', 'init', 'loss', 'optimizer', 'lr', 'batchSize', 'seed'];

/** The values of each sweepable flag (one value each for a single run). */
function alternatives(raw: RawOptions, key: Sweepable, sweep: boolean): (string | undefined)[] {
  const text = raw[key];
  if (text === undefined) return [undefined]; // the preset's
  const parts = sweep ? text.split(key === 'hidden' ? '/' : ',') : [text];
  if (!sweep && key !== 'hidden' && text.includes(',')) {
    throw new UsageError(`--${flagName(key)}: one value expected, got '${text}' (use 'compare' to sweep over several)`);
  }
  return parts.map((s) => s.trim());
}

export function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Every configuration the flags describe: one for a run, the cartesian product for a sweep. */
export function configsFromOptions(raw: RawOptions, sweep: boolean): { configs: LabConfig[]; varied: Sweepable[] } {
  const values = Object.fromEntries(SWEEPABLE.map((k) => [k, alternatives(raw, k, sweep)])) as Record<Sweepable, (string | undefined)[]>;
  const varied = SWEEPABLE.filter((k) => values[k].length > 1);
  // counted before the product is built: `--seed 1,...,1000 --lr 1,...,1000` is refused at once
  const combinations = SWEEPABLE.reduce((product, k) => product * values[k].length, 1);
  if (combinations > LIMITS.sweep) {
    throw new UsageError(`compare: ${combinations} combinations is too many (at most ${LIMITS.sweep})`);
  }
  let combos: Partial<Record<Sweepable, string | undefined>>[] = [{}];
  for (const key of SWEEPABLE) combos = combos.flatMap((c) => values[key].map((v) => ({ ...c, [key]: v })));
  const configs = combos.map((c) => {
    // every field the flags give as text, parsed and checked by the lab (defaults: the preset's)
    const text: ConfigText = {
      ...c,
      dataSeed: raw.dataSeed,
      noise: raw.noise,
      classes: raw.classes,
      outputActivation: raw.outputActivation,
      bias: raw.bias === undefined ? undefined : String(raw.bias),
      momentum: raw.momentum,
      logEvery: raw.logEvery,
      lossThreshold: raw.lossThreshold,
      maxEpochs: raw.maxEpochs,
    };
    try {
      const config = configFromText(text);
      checkLimits(config, LIMITS);
      return config;
    } catch (error) {
      if (error instanceof ConfigError) throw usageError(error);
      throw error;
    }
  });
  return { configs, varied };
}
