// Backpropagation on the student's own network, in the terminal (`pnpm demo explain`) and in the
// report: the worked example of src/lab/explain.ts presented as text or HTML. Weight snapshots
// (snapshots.json in a run's folder) let it be worked at epoch 0, a chosen epoch or the end of a
// finished run without training again.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateDataset } from '@gradlab/data';
import type { ModuleConfig } from '@gradlab/nn';
import { configFromJson, type LabConfig } from '../lab/config.ts';
import { checkElement, parseElement, workedExample, type ElementRef, type WorkedExample } from '../lab/explain.ts';
import { LabTrainer, type WeightSnapshot } from '../lab/trainer.ts';
import { writeFileAtomic } from './files.ts';
import { UsageError } from './options.ts';

/** Significant digits of the numbers shown (sums and gradients are shown whole). */
const DIGITS = 6;

export function short(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-4 || a >= 1e6) return v.toExponential(DIGITS - 1).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(DIGITS)));
}

export function rowText(values: readonly number[]): string {
  return `[${values.map(short).join(', ')}]`;
}

export function matrixText(rows: readonly (readonly number[])[]): string {
  return rows.length === 1 ? `[${rowText(rows[0])}]` : `[${rows.map(rowText).join(', ')}]`;
}

/** `epoch 0 (the initial weights)`, `epoch 60123 (the end of training)`. */
export function epochText(epoch: number, end: number | null): string {
  if (epoch === 0) return 'epoch 0 (the initial weights)';
  return end !== null && epoch === end ? `epoch ${epoch} (the end of training)` : `epoch ${epoch}`;
}

/** The worked example as plain text, for the terminal. */
export function explainText(x: WorkedExample, endEpoch: number | null): string {
  const e = x.explanation;
  const pad = (rows: [string, string][]) => {
    const w = Math.max(...rows.map((r) => r[0].length));
    return rows.map(([a, b]) => `  ${a.padEnd(w)}  ${b}`);
  };
  const out = [
    `Backpropagation on your network: ∂loss/∂${e.element} at ${epochText(x.epoch, endEpoch)}, sample #${x.sample.index}: x = (${short(x.sample.x[0])}, ${short(x.sample.x[1])}), y = ${x.sample.y}`,
    `(chosen: ${x.why})`,
    '',
    `The weights at epoch ${x.epoch}:`,
    ...x.weights.map((w) => `  ${w.name} [${w.shape.join(',')}] = ${matrixText(w.rows)}`),
    '',
    'Forward, for this sample:',
    ...pad(x.forward.map((f) => [f.formula, `= ${rowText(f.values)}`])),
    '',
    `The chain rule: ∂loss/∂${e.element} is the sum over ${e.pathCount} path${e.pathCount === 1 ? '' : 's'} from the loss down to ${e.element} of the product of the`,
    "local derivatives along each path (the loss's own nodes folded into one factor ∂loss/∂ŷ):",
  ];
  e.paths.forEach((p, k) => {
    out.push('', `path ${k + 1}: ${p.chain}`);
    out.push(...pad(p.factors.map((f) => [`${f.derivative} = ${short(f.local)}`, `(${f.formula})`])));
    out.push(`  product = ${p.factors.map((f) => short(f.local)).join(' × ')} = ${short(p.product)}`);
  });
  if (e.paths.length < e.pathCount) out.push('', `… ${e.pathCount - e.paths.length} more paths not listed (their products are in the sum)`);
  out.push(
    '',
    `sum of the path products      = ${e.sum}`,
    `${e.element.replace('[', '.grad[')} from backward() = ${e.grad}`,
    `difference                    = ${Math.abs(e.sum - e.grad).toExponential(2)}`,
    '',
    "The lab's hand formula, with plain arrays (no graph): dW = Zᵀ·dz, np.kron(Z.T, dz) for one sample",
    ...pad(x.hand.steps.map((s) => [s.formula, `= ${matrixText(s.values)}`])),
    `  ${e.element.replace(/^(\w+)/, 'd$1')} = ${x.handValue}   (the graph's: ${e.grad}, difference ${Math.abs(x.handValue - e.grad).toExponential(2)})`,
  );
  return out.join('\n');
}

// ---- snapshots on disk ---------------------------------------------------------------------------

export const SNAPSHOTS_FILE = 'snapshots.json';
const SNAPSHOTS_FORMAT = 'gradlab-snapshots';
/** Numbers kept in snapshots.json at most (a 4,000,000-parameter net would make it 200 MB). */
export const SNAPSHOT_NUMBERS = 2_000_000;

export interface SnapshotsFile {
  format: typeof SNAPSHOTS_FORMAT;
  version: 1;
  architecture: ModuleConfig;
  snapshots: WeightSnapshot[];
}

/** Writes the snapshots (epoch 0, chosen epochs, the end) unless they hold too many numbers; returns the file name or null. */
export async function writeSnapshots(dir: string, architecture: ModuleConfig, snapshots: WeightSnapshot[]): Promise<string | null> {
  const numbers = snapshots.reduce((n, s) => n + Object.values(s.parameters).reduce((m, p) => m + p.data.length, 0), 0);
  if (numbers > SNAPSHOT_NUMBERS) return null;
  const file: SnapshotsFile = { format: SNAPSHOTS_FORMAT, version: 1, architecture, snapshots };
  await writeFileAtomic(join(dir, SNAPSHOTS_FILE), `${JSON.stringify(file)}\n`);
  return SNAPSHOTS_FILE;
}

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--run: cannot read ${what} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): ${path}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`--run: ${path} is not valid JSON`);
  }
}

/** A finished run's settings (summary.json) and weight snapshots (snapshots.json). */
export async function readRun(dir: string): Promise<{ config: LabConfig; file: SnapshotsFile; endEpoch: number }> {
  const summary = (await readJson(join(dir, 'summary.json'), "the run's summary.json")) as { config?: LabConfig; epochs?: number };
  const file = (await readJson(join(dir, SNAPSHOTS_FILE), `the run's ${SNAPSHOTS_FILE}`)) as SnapshotsFile;
  if (file?.format !== SNAPSHOTS_FORMAT || !Array.isArray(file.snapshots) || file.snapshots.length === 0) {
    throw new UsageError(`--run: ${join(dir, SNAPSHOTS_FILE)} is not a gradlab snapshots file`);
  }
  let config: LabConfig;
  try {
    config = configFromJson(summary.config);
  } catch (error) {
    throw new UsageError(`--run: summary.json's settings are not a lab configuration (${(error as Error).message})`);
  }
  return { config, file, endEpoch: summary.epochs ?? file.snapshots[file.snapshots.length - 1].epoch };
}

// ---- choosing what to explain --------------------------------------------------------------------

export interface ExplainChoice {
  element?: ElementRef;
  sample?: number;
  /** An epoch, or 'end'. */
  epoch: number | 'end';
}

/** `--explain W1[1,0] --explain-sample 3 --explain-epoch 0|N|end`, checked (exit 2 with one line). */
export function explainChoice(raw: { explain?: string; explainSample?: string; explainEpoch?: string }): ExplainChoice {
  let element: ElementRef | undefined;
  if (raw.explain !== undefined) {
    try {
      element = parseElement(raw.explain);
    } catch (error) {
      throw new UsageError(`--explain: ${(error as Error).message}`);
    }
  }
  const integer = (flag: string, text: string) => {
    const v = Number(text);
    if (text.trim() === '' || !Number.isInteger(v) || v < 0) throw new UsageError(`--${flag}: expected an integer ≥ 0, got '${text}'`);
    return v;
  };
  const sample = raw.explainSample === undefined ? undefined : integer('explain-sample', raw.explainSample);
  const epochText = raw.explainEpoch ?? '0';
  const epoch = epochText === 'end' ? 'end' : integer('explain-epoch', epochText);
  return { element, sample, epoch };
}

/** The example for a snapshot of a run, the user's choices checked against the network and the data. */
export function exampleFor(config: LabConfig, architecture: ModuleConfig, snapshot: WeightSnapshot, choice: ExplainChoice): WorkedExample {
  const data = generateDataset(config.dataset, { n: config.n, seed: config.dataSeed, noise: config.noise });
  if (choice.sample !== undefined && choice.sample >= data.labels.size) {
    throw new UsageError(`--explain-sample: ${choice.sample} is outside the data (samples 0..${data.labels.size - 1})`);
  }
  try {
    return workedExample(config, architecture, snapshot, data, { sample: choice.sample, element: choice.element });
  } catch (error) {
    throw new UsageError(`--explain: ${(error as Error).message}`);
  }
}

/** Checks --explain against the network before training (so a typo does not cost a run). */
export function checkChoiceAgainst(config: LabConfig, choice: ExplainChoice): void {
  if (config.loss === 'ce' && (choice.element !== undefined || choice.sample !== undefined || choice.epoch !== 0)) {
    throw new UsageError(`--explain: ${CE_NOT_EXPLAINED}`);
  }
  if (choice.element) {
    try {
      checkElement(choice.element, config);
    } catch (error) {
      throw new UsageError(`--explain: ${(error as Error).message}`);
    }
  }
  if (typeof choice.epoch === 'number' && choice.epoch > config.maxEpochs) {
    throw new UsageError(`--explain-epoch: ${choice.epoch} is beyond --max-epochs ${config.maxEpochs}`);
  }
}

/**
 * `pnpm demo explain`: from a finished run's folder (`--run DIR`: its snapshots), or by training
 * the flags' configuration up to the epoch asked (epoch 0 needs no training).
 */
/** Why the worked example is not made for a cross-entropy run. */
export const CE_NOT_EXPLAINED =
  "the worked example of backpropagation is the lab's, for one output unit (--loss mse or bce); --loss ce has one output per class";

export async function explainCommand(config: LabConfig, choice: ExplainChoice, runDir: string | undefined, print: (text: string) => void): Promise<void> {
  if (runDir === undefined && config.loss === 'ce') throw new UsageError(`explain: ${CE_NOT_EXPLAINED}`);
  if (runDir !== undefined) {
    const run = await readRun(runDir);
    if (run.config.loss === 'ce') throw new UsageError(`--run: ${CE_NOT_EXPLAINED}`);
    const epochs = run.file.snapshots.map((s) => s.epoch);
    const snapshot =
      choice.epoch === 'end' ? run.file.snapshots[run.file.snapshots.length - 1] : run.file.snapshots.find((s) => s.epoch === choice.epoch);
    if (!snapshot) {
      throw new UsageError(`--explain-epoch: the run kept the weights at epochs ${epochs.join(', ')} only, not ${choice.epoch} (train with --explain-epoch ${choice.epoch} to keep them)`);
    }
    print(explainText(exampleFor(run.config, run.file.architecture, snapshot, choice), run.endEpoch));
    return;
  }
  checkChoiceAgainst(config, choice);
  const trainer = new LabTrainer(config, { snapshotEpochs: typeof choice.epoch === 'number' ? [choice.epoch] : [] });
  let snapshot = trainer.snapshots[0];
  if (choice.epoch !== 0) {
    const target = choice.epoch;
    while (!trainer.done && (target === 'end' || trainer.snapshots.length < 2)) trainer.runPass();
    snapshot = target === 'end' || trainer.snapshots.length < 2 ? trainer.snapshot() : trainer.snapshots[1];
    print(`(trained to epoch ${snapshot.epoch}${trainer.stopReason ? `; training stopped: ${trainer.stopReason} at epoch ${trainer.epoch}` : ''})`);
  }
  print(explainText(exampleFor(trainer.config, trainer.model.config(), snapshot, choice), trainer.done ? trainer.epoch : null));
}
