// `pnpm demo digits`: a small CNN (or, with --model mlp, an MLP) trained on the UCI handwritten
// digits (src/lab/digits.ts), with the main command's output-folder checks, Ctrl-C handling and
// atomic writers. Writes checkpoint.json (model, Adam's state, epoch, the loader's RNG state),
// model.json, metrics.csv (streamed epoch by epoch), summary.json and the report.
import { Command, Option } from 'commander';
import { MultiBar, Presets } from 'cli-progress';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Tensor } from '@gradlab/core';
import { loadDigits } from '@gradlab/data';
import { openAtomicFile, saveModel } from '@gradlab/nn/node';
import {
  DIGITS_MODELS,
  DIGITS_PRESET,
  DigitsConfigError,
  DigitsTrainer,
  describeDigits,
  epochLine,
  METRICS_CSV_HEADER,
  metricsCsvRow,
  validateDigitsConfig,
  type DigitsConfig,
  type DigitsModelName,
  type EpochMetrics,
} from '../lab/digits.ts';
import { parseNumberField } from '../lab/config.ts';
import { timestampFolder, writeFileAtomic } from './files.ts';
import { cursorWasHidden, restoreCursor, type Interrupt } from './interrupt.ts';
import { UsageError } from './options.ts';
import { prepareOutDir } from './outdir.ts';

export interface DigitsRawOptions {
  model?: string;
  epochs?: string;
  lr?: string;
  batchSize?: string;
  seed?: string;
  resume?: string;
  out?: string;
  force?: boolean;
  allowInRepo?: boolean;
  eager?: boolean;
  report?: boolean;
  png?: boolean;
  quiet?: boolean;
}

export function addDigitsOptions(cmd: Command): Command {
  const p = DIGITS_PRESET;
  return cmd
    .addOption(new Option('--model <name>', `network: ${DIGITS_MODELS.join('|')}`).default(p.model))
    .addOption(new Option('--epochs <n>', 'passes over the training set').default(String(p.epochs)))
    .addOption(new Option('--lr <rate>', "Adam's learning rate").default(String(p.lr)))
    .addOption(new Option('--batch-size <n>', 'samples per update').default(String(p.batchSize)))
    .addOption(new Option('--seed <int>', 'seed of the weights and of the shuffling').default(String(p.seed)))
    .option('--resume <checkpoint>', "go on from a run's checkpoint.json, with its settings, bit for bit as if never stopped")
    .option('--out <dir>', 'output folder (default runs/digits-<timestamp>)')
    .option('--force', 'write into a folder that holds an earlier run (its files are removed first)')
    .option('--allow-in-repo', "allow an output folder inside gradlab's repository outside a runs/ folder")
    .option('--no-report', 'skip report.html and the figures')
    .option('--no-png', 'skip the PNG figures (they need Chromium)')
    .option('--eager', 'train with the eager graph, rebuilt every step (the default replays a compiled step)')
    .option('--quiet', 'print only the summary');
}

/** The settings the flags describe, checked (a bad one is a UsageError naming its flag). */
export function digitsConfigFromOptions(raw: DigitsRawOptions): DigitsConfig {
  const flag: Record<keyof DigitsConfig, string> = { model: '--model', epochs: '--epochs', lr: '--lr', batchSize: '--batch-size', seed: '--seed' };
  const number = (key: 'epochs' | 'lr' | 'batchSize' | 'seed', text: string | undefined, integer: boolean): number => {
    if (text === undefined) return DIGITS_PRESET[key];
    try {
      // the lab's parser: one wording for a bad number everywhere
      return parseNumberField(key === 'batchSize' ? 'batchSize' : key === 'epochs' ? 'maxEpochs' : key, text, integer);
    } catch (error) {
      throw new UsageError(`${flag[key]}: expected ${integer ? 'an integer' : 'a number'}, got '${text}'`, { cause: error });
    }
  };
  const config: DigitsConfig = {
    model: (raw.model ?? DIGITS_PRESET.model).trim() as DigitsModelName,
    epochs: number('epochs', raw.epochs, true),
    lr: number('lr', raw.lr, false),
    batchSize: number('batchSize', raw.batchSize, true),
    seed: number('seed', raw.seed, true),
  };
  try {
    return validateDigitsConfig(config);
  } catch (error) {
    if (error instanceof DigitsConfigError) throw new UsageError(`${flag[error.field]}: ${error.detail}`);
    throw error;
  }
}

export interface DigitsRunOptions {
  print: (text: string) => void;
  interrupt: Interrupt;
  /** A progress bar (on a terminal). */
  progress: boolean;
  /** Which flags were given on the command line (with --resume, only --epochs may be). */
  given?: ReadonlySet<string>;
  /** Tests: train on the first `trainLimit` training samples only (the test split stays whole). */
  trainLimit?: number;
}

export interface DigitsRunResult {
  code: number;
  dir: string;
  trainer: DigitsTrainer;
  written: string[];
  seconds: number;
}

export const DIGITS_FILES = ['checkpoint.json', 'model.json', 'metrics.csv', 'summary.json'] as const;

export async function digitsCommand(raw: DigitsRawOptions, options: DigitsRunOptions): Promise<DigitsRunResult> {
  const { print, interrupt } = options;
  const config = digitsConfigFromOptions(raw);
  let checkpoint: unknown = null;
  if (raw.resume !== undefined) {
    // the run goes on as it was set up (the cosine schedule's length is the epochs)
    const ignored = [...(options.given ?? [])].filter((f) => ['model', 'epochs', 'lr', 'batchSize', 'seed'].includes(f));
    if (ignored.length > 0) {
      throw new UsageError(`--resume: the checkpoint's settings are used; drop --${ignored.map((f) => f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)).join(', --')}`);
    }
    checkpoint = await readCheckpoint(raw.resume);
  }
  const dir = await prepareOutDir(raw.out, () => timestampFolder('digits-'), { force: raw.force, allowInRepo: raw.allowInRepo });
  const engine = raw.eager ? 'eager' : 'compiled';
  let data = loadDigits();
  if (options.trainLimit !== undefined) {
    const n = Math.min(options.trainLimit, data.train.y.size);
    const width = data.train.x.shape[1];
    const x = new Tensor(data.train.x.data.slice(0, n * width), [n, width]);
    data = { ...data, train: { x, y: new Tensor(data.train.y.data.slice(0, n), [n]), rows: data.train.rows.subarray(0, n) } };
  }
  let trainer: DigitsTrainer;
  try {
    trainer = checkpoint ? DigitsTrainer.resume(checkpoint, data, { engine }) : new DigitsTrainer(config, data, { engine });
  } catch (error) {
    if (checkpoint) throw new UsageError(`--resume: ${raw.resume}: ${(error as Error).message}`);
    throw error;
  }
  const say = (text: string) => {
    if (!raw.quiet) print(text);
  };
  say(`gradlab digits: ${describeDigits(trainer.config, trainer.parameterCount, engine)}`);
  say(`data: ${data.name}, ${data.train.y.size} training and ${data.test.y.size} test images of 8×8, ${data.classes} classes`);
  if (trainer.epoch > 0 || trainer.batchInEpoch > 0) say(`resumed at epoch ${trainer.epoch}${trainer.batchInEpoch > 0 ? `, batch ${trainer.batchInEpoch}` : ''} from ${raw.resume}`);

  const csv = await openAtomicFile(join(dir, 'metrics.csv'));
  csv.write(METRICS_CSV_HEADER);
  for (const m of trainer.history) csv.write(metricsCsvRow(m));
  const lines: string[] = trainer.history.map((m) => epochLine(m, trainer.config.epochs));

  let bars: MultiBar | null = null;
  let bar: ReturnType<MultiBar['create']> | null = null;
  const stopBars = () => {
    if (!bars) return;
    bars.update();
    bars.stop();
    bars = null;
    bar = null;
    restoreCursor();
  };
  if (options.progress && !raw.quiet) {
    bars = new MultiBar({ format: ' epoch {epoch} [{bar}] {value}/{total} batches · {speed}', hideCursor: true, clearOnComplete: true }, Presets.shades_classic);
    cursorWasHidden();
    bar = bars.create(trainer.batchesPerEpoch, trainer.batchInEpoch, { epoch: `${trainer.epoch + 1}/${trainer.config.epochs}`, speed: '' });
  }
  let stopped = false;
  const unsubscribe = interrupt.onInterrupt(() => {
    stopped = true;
    stopBars();
  });
  const started = performance.now();
  const log = (text: string) => {
    lines.push(text);
    if (raw.quiet) return;
    if (bars) bars.log(`${text}\n`);
    else print(text);
  };
  try {
    let lastYield = performance.now();
    let samples = 0;
    while (!trainer.done && !stopped) {
      const m: EpochMetrics | null = trainer.trainBatch();
      samples += trainer.config.batchSize;
      if (m) {
        log(epochLine(m, trainer.config.epochs));
        csv.write(metricsCsvRow(m));
        await csv.flush();
      }
      if (bar) {
        const seconds = (performance.now() - started) / 1000;
        bar.setTotal(trainer.batchesPerEpoch);
        bar.update(trainer.batchInEpoch, { epoch: `${Math.min(trainer.epoch + 1, trainer.config.epochs)}/${trainer.config.epochs}`, speed: `${Math.round(samples / seconds)} images/s` });
      }
      if (performance.now() - lastYield > 50) {
        await new Promise((resolve) => setImmediate(resolve)); // Ctrl-C is heard, the bar redraws
        lastYield = performance.now();
      }
    }
  } catch (error) {
    await csv.abort();
    throw error;
  } finally {
    unsubscribe();
    stopBars();
  }
  const seconds = (performance.now() - started) / 1000;
  const last = trainer.history.at(-1);
  const end = stopped
    ? `interrupted at epoch ${trainer.epoch}, batch ${trainer.batchInEpoch} of ${trainer.batchesPerEpoch}: checkpoint.json resumes from there (--resume)`
    : `done: ${trainer.config.epochs} epochs`;
  lines.push(end);
  print(end);
  const test = trainer.evaluate('test');
  const accuracyText = `test accuracy: ${(100 * test.accuracy).toFixed(2)}% (${Math.round(test.accuracy * data.test.y.size)}/${data.test.y.size})`;
  const timeText = `time: ${seconds.toFixed(1)} s of training and testing (${engine})`;
  lines.push(accuracyText, timeText);
  print(accuracyText);
  print(timeText);

  const written: string[] = [];
  await writeFileAtomic(join(dir, 'checkpoint.json'), `${JSON.stringify(trainer.checkpoint())}\n`);
  await saveModel(trainer.model, join(dir, 'model.json'));
  await csv.commit();
  const summary = {
    command: 'digits',
    config: trainer.config,
    engine,
    parameters: trainer.parameterCount,
    epochs: trainer.epoch,
    interrupted: stopped,
    trainSamples: data.train.y.size,
    testSamples: data.test.y.size,
    final: last ?? null,
    testAccuracy: test.accuracy,
    testLoss: test.loss,
    seconds,
  };
  await writeFileAtomic(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  written.push(...DIGITS_FILES);
  if (raw.report !== false) {
    const { writeDigitsReport } = await import('./digitsReport.ts'); // the report's tools only when asked
    const result = await writeDigitsReport(dir, trainer, test, lines.join('\n'), { png: raw.png !== false && !interrupt.requested });
    if (result.message) print(result.message);
    written.push(...result.written.map((p) => relative(dir, p)));
  }
  print(`outputs: ${dir}/ (${written.join(', ')})`);
  return { code: interrupt.requested ? interrupt.exitCode : 0, dir, trainer, written, seconds };
}

async function readCheckpoint(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--resume: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UsageError(`--resume: ${path} is not JSON (not a checkpoint.json)`);
  }
}
