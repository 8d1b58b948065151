// One training run from the command line: the lab's printout, then the outputs on disk.
//
// Nothing of a finished run is lost: the output folder is made before training (outdir.ts);
// loss.csv is streamed into it pass by pass (memory holds a thinned history for the figure, not
// the whole one); a run that diverges or is interrupted still writes model.json (the last finite
// weights), loss.csv and summary.json saying why it stopped.
import { MultiBar, Presets } from 'cli-progress';
import { join } from 'node:path';
import { openAtomicFile, saveModel, type AtomicFile } from '@gradlab/nn/node';
import type { LabConfig } from '../lab/config.ts';
import { pythonFloat } from '../lab/format.ts';
import { divergedLine, headerLines, logLine, resultLines, stopLine, timeLine } from '../lab/printout.ts';
import { evaluate, LabTrainer, type Divergence, type Engine, type PassRecord, type StopReason } from '../lab/trainer.ts';
import { writeFileAtomic, writeModelExports } from './files.ts';
import type { ExportFormat } from './options.ts';
import { cursorWasHidden, restoreCursor, type Interrupt } from './interrupt.ts';

export interface RunResult {
  config: LabConfig;
  trainer: LabTrainer;
  stopReason: StopReason;
  /** Set when stopReason is 'diverged'. */
  divergence: Divergence | null;
  epochs: number;
  finalLoss: number;
  accuracy: number;
  predictions: number[];
  classes: number[];
  milliseconds: number;
  /** The printout (its first and last PRINTOUT_KEEP lines when longer; every line was printed). */
  printout: string;
  /** The loss history streamed to `<dir>/loss.csv` (committed by writeRunOutputs). */
  csv: AtomicFile;
}

export interface Printer {
  line(text: string): void;
}

/** Lines of the printout kept at each end for the report (a run can log millions of lines). */
export const PRINTOUT_KEEP = 500;

/** The printout with bounded memory: the first and the last PRINTOUT_KEEP entries. */
export class BoundedPrintout {
  private readonly head: string[] = [];
  private tail: string[] = [];
  private dropped = 0;

  constructor(private readonly keep = PRINTOUT_KEEP) {}

  push(text: string): void {
    if (this.head.length < this.keep) {
      this.head.push(text);
      return;
    }
    this.tail.push(text);
    if (this.tail.length >= 2 * this.keep) {
      this.dropped += this.tail.length - this.keep;
      this.tail = this.tail.slice(-this.keep);
    }
  }

  toString(): string {
    let tail = this.tail;
    let dropped = this.dropped;
    if (tail.length > this.keep) {
      dropped += tail.length - this.keep;
      tail = tail.slice(-this.keep);
    }
    const gap = dropped > 0 ? [`... (${dropped} lines not kept here; all of them were printed)`] : [];
    return [...this.head, ...gap, ...tail].join('\n');
  }
}

export interface TrainOptions {
  progress: boolean;
  quiet?: boolean;
  engine?: Engine;
  /** The output folder (made already): loss.csv is streamed into it. */
  dir: string;
  /** Ctrl-C: stops training at the next pass. */
  interrupt?: Interrupt;
  /** Loss history points kept in memory (the trainer's default otherwise). */
  historyCapacity?: number;
  /** Epochs whose weights to keep (epoch 0 always is), for the worked example. */
  snapshotEpochs?: readonly number[];
}

/** `epoch,pass,mean_loss,max_loss`: one row per pass of the learning curve. */
export const LOSS_CSV_HEADER = 'epoch,pass,mean_loss,max_loss\n';

function csvRow(r: PassRecord): string {
  return `${r.epoch},${r.pass},${r.meanLoss},${r.maxLoss}\n`;
}

/** The one line a diverged run ends with, naming the CLI's flag. */
export function cliDivergedLine(d: Divergence): string {
  return divergedLine(d, CLI_NAMES.lr);
}

/** The CLI names settings by their flags. */
const CLI_NAMES = { lr: '--lr', maxEpochs: '--max-epochs' };

/** Trains one configuration, printing as the lab does; a progress bar on a terminal for long runs. */
export async function trainWithPrintout(config: LabConfig, print: Printer, options: TrainOptions): Promise<RunResult> {
  const lines = new BoundedPrintout();
  const say = (text: string, always = false) => {
    lines.push(text);
    if (!options.quiet || always) print.line(text);
  };
  const trainer = new LabTrainer(config, { engine: options.engine, historyCapacity: options.historyCapacity, snapshotEpochs: options.snapshotEpochs });
  const csv = await openAtomicFile(join(options.dir, 'loss.csv'));
  csv.write(LOSS_CSV_HEADER);
  for (const line of headerLines(trainer.config, trainer.data.name, trainer.data.labels.size)) say(line);

  const started = performance.now();
  let bars: MultiBar | null = null;
  let bar: ReturnType<MultiBar['create']> | null = null;
  const stopBars = () => {
    if (!bars) return;
    bars.update(); // flush the log lines still buffered
    bars.stop(); // shows the cursor again
    bars = null;
    bar = null;
    restoreCursor();
  };
  const unsubscribe = options.interrupt?.onInterrupt(() => {
    trainer.interrupt();
    stopBars();
  });
  const log = (text: string) => {
    lines.push(text);
    if (options.quiet) return;
    if (bars) bars.log(`${text}\n`);
    else print.line(text);
  };
  const onPass = (t: LabTrainer) => {
    if (!options.progress || options.quiet) return;
    if (!bars && performance.now() - started > 1000 && !t.done) {
      bars = new MultiBar(
        { format: ' training [{bar}] {value} epochs · pass max loss {maxLoss} · {speed}', hideCursor: true, clearOnComplete: true },
        Presets.shades_classic,
      );
      cursorWasHidden();
      bar = bars.create(config.maxEpochs, 0, { maxLoss: '-', speed: '' });
    }
    if (bar) {
      const seconds = (performance.now() - started) / 1000;
      bar.update(t.epoch, {
        maxLoss: (t.lastPass?.maxLoss ?? NaN).toFixed(4),
        speed: `${Math.round(t.epoch / seconds)} samples/s`,
      });
    }
  };
  try {
    // training is synchronous: hand the event loop a moment every 50 ms, so that Ctrl-C is
    // heard, the bar redraws and loss.csv goes to disk; flush it at least every 10 s
    let lastYield = performance.now();
    let lastFlush = lastYield;
    const onLog = (line: { epoch: number; loss: number }) => log(logLine(line));
    const onRecord = (r: PassRecord) => csv.write(csvRow(r));
    const pauseNow = () => performance.now() - lastYield > 50; // also in the middle of a long pass
    while (trainer.runPass(onLog, onRecord, pauseNow)) {
      onPass(trainer);
      const now = performance.now();
      if (now - lastYield > 50) {
        await new Promise((resolve) => setImmediate(resolve));
        if (now - lastFlush > 10_000) {
          await csv.flush();
          lastFlush = now;
        }
        lastYield = performance.now();
      }
    }
  } catch (error) {
    await csv.abort();
    throw error;
  } finally {
    unsubscribe?.();
    stopBars();
  }
  const stopReason = trainer.stopReason!;
  const milliseconds = performance.now() - started;

  const end = {
    reason: stopReason,
    epoch: trainer.epoch,
    lossThreshold: config.lossThreshold,
    maxEpochs: config.maxEpochs,
    lastMaxLoss: trainer.lastPass?.maxLoss ?? NaN,
    divergence: trainer.divergence,
  };
  say(stopLine(end, CLI_NAMES), stopReason === 'diverged' || stopReason === 'interrupted');
  const predictions = trainer.predict();
  const { classes, accuracy } = evaluate(predictions, trainer.data.labels.data, trainer.outputs);
  const results = resultLines(predictions, trainer.data.labels.data, trainer.outputs);
  say(results.column);
  say(results.classes);
  say(results.accuracy, true);
  say(timeLine(milliseconds, trainer.epoch, config.batchSize, trainer.engine), true);
  return {
    config: trainer.config,
    trainer,
    stopReason,
    divergence: trainer.divergence,
    epochs: trainer.epoch,
    finalLoss: trainer.lastPass?.meanLoss ?? NaN,
    accuracy,
    predictions,
    classes,
    milliseconds,
    printout: lines.toString(),
    csv,
  };
}

export function summaryOf(result: RunResult) {
  const d = result.divergence;
  return {
    config: result.config,
    stopReason: result.stopReason,
    converged: result.stopReason === 'converged',
    // JSON has no NaN/Infinity: the loss that diverged is written as text ('inf', 'nan', '1e+09')
    diverged: d ? { epoch: d.epoch, loss: pythonFloat(d.loss), what: d.what } : null,
    epochs: result.epochs,
    passes: result.trainer.passes,
    finalMeanLoss: result.finalLoss,
    finalMaxLoss: result.trainer.lastPass?.maxLoss ?? null,
    accuracy: result.accuracy,
    predictions: result.predictions,
    seconds: result.milliseconds / 1000,
  };
}

/**
 * model.json, loss.csv and summary.json in `dir` (made already), each written atomically, and
 * the model in the `exports` formats beside model.json (model.onnx, model.safetensors).
 */
export async function writeRunOutputs(dir: string, result: RunResult, exports: readonly ExportFormat[] = []): Promise<string[]> {
  const { model, data } = result.trainer;
  await saveModel(model, join(dir, 'model.json'));
  await result.csv.commit();
  await writeFileAtomic(join(dir, 'summary.json'), `${JSON.stringify(summaryOf(result), null, 2)}\n`);
  // last, so that the run's own files are on disk whatever happens to an export
  const exported = await writeModelExports(dir, model, data.inputs.shape[1], exports);
  return ['model.json', ...exported, 'loss.csv', 'summary.json'];
}
