// One training run from the command line: the lab's printout, then the outputs on disk.
import { MultiBar, Presets } from 'cli-progress';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { saveModel } from '@gradlab/nn/node';
import { describeConfig, type LabConfig } from '../lab/config.ts';
import { duration, numpyColumn, percent, pythonFloat } from '../lab/format.ts';
import { evaluate, LabTrainer, type Engine, type StopReason } from '../lab/trainer.ts';
import { writeFileAtomic } from './files.ts';

export interface RunResult {
  config: LabConfig;
  trainer: LabTrainer;
  stopReason: StopReason;
  epochs: number;
  finalLoss: number;
  accuracy: number;
  predictions: number[];
  classes: number[];
  milliseconds: number;
  printout: string;
}

export interface Printer {
  line(text: string): void;
}

/** Trains one configuration, printing as the lab does; a progress bar on a terminal for long runs. */
export async function trainWithPrintout(
  config: LabConfig,
  print: Printer,
  options: { progress: boolean; quiet?: boolean; engine?: Engine },
): Promise<RunResult> {
  const lines: string[] = [];
  const say = (text: string, always = false) => {
    lines.push(text);
    if (!options.quiet || always) print.line(text);
  };
  const trainer = new LabTrainer(config, { engine: options.engine });
  say(`gradlab lab 1: ${describeConfig(trainer.config)}`);
  say(`data: ${trainer.data.name} (${trainer.data.labels.size} points), stop when every per-sample loss of a pass < ${config.lossThreshold}`);

  const started = performance.now();
  let bars: MultiBar | null = null;
  let bar: ReturnType<MultiBar['create']> | null = null;
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
      bar = bars.create(config.maxEpochs, 0, { maxLoss: '-', speed: '' });
    }
    if (bar) {
      const seconds = (performance.now() - started) / 1000;
      bar.update(t.epoch, {
        maxLoss: (t.history.maxLoss.at(-1) ?? NaN).toFixed(4),
        speed: `${Math.round(t.epoch / seconds)} samples/s`,
      });
    }
  };
  // training is synchronous; hand the event loop a moment now and then so the bar can redraw
  let lastYield = performance.now();
  while (trainer.runPass(({ epoch, loss }) => log(`epoch ${epoch} loss: ${pythonFloat(loss)}`))) {
    onPass(trainer);
    if (options.progress && performance.now() - lastYield > 50) {
      await new Promise((resolve) => setImmediate(resolve));
      lastYield = performance.now();
    }
  }
  const stopReason = trainer.stopReason!;
  if (bars) {
    (bars as MultiBar).update(); // flush the log lines still buffered
    (bars as MultiBar).stop();
  }
  const milliseconds = performance.now() - started;

  if (stopReason === 'converged') {
    say(`converged at epoch ${trainer.epoch}: every per-sample loss of the last pass is below ${config.lossThreshold}`);
  } else {
    say(
      `NOT converged: stopped at --max-epochs ${config.maxEpochs} (largest per-sample loss of the last pass ${pythonFloat(trainer.history.maxLoss.at(-1) ?? NaN)})`,
    );
  }
  const predictions = trainer.predict();
  const { classes, correct, total, accuracy } = evaluate(predictions, trainer.data.labels.data);
  say(numpyColumn(predictions));
  say(`predictions (>= 0.5 is class 1): [${classes.join(', ')}]`);
  say(`accuracy: ${percent(accuracy)} (${correct}/${total})`, true);
  const perStep = (1000 * milliseconds) / Math.max(1, trainer.epoch / config.batchSize);
  say(`time: ${duration(milliseconds)} for ${trainer.epoch} epochs (${perStep.toFixed(1)} µs per step, ${trainer.engine})`, true);
  return {
    config: trainer.config,
    trainer,
    stopReason,
    epochs: trainer.epoch,
    finalLoss: trainer.history.meanLoss.at(-1) ?? NaN,
    accuracy,
    predictions,
    classes,
    milliseconds,
    printout: lines.join('\n'),
  };
}

export function lossCsv(result: RunResult): string {
  const h = result.trainer.history;
  const rows = h.epochs.map((e, i) => `${e},${i + 1},${h.meanLoss[i]},${h.maxLoss[i]}`);
  return `epoch,pass,mean_loss,max_loss\n${rows.join('\n')}\n`;
}

export function summaryOf(result: RunResult) {
  return {
    config: result.config,
    stopReason: result.stopReason,
    converged: result.stopReason === 'converged',
    epochs: result.epochs,
    passes: result.trainer.passes,
    finalMeanLoss: result.finalLoss,
    finalMaxLoss: result.trainer.history.maxLoss.at(-1) ?? null,
    accuracy: result.accuracy,
    predictions: result.predictions,
    seconds: result.milliseconds / 1000,
  };
}

/** model.json, loss.csv and summary.json in `dir`, each written atomically. */
export async function writeRunOutputs(dir: string, result: RunResult): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  await saveModel(result.trainer.model, join(dir, 'model.json'));
  await writeFileAtomic(join(dir, 'loss.csv'), lossCsv(result));
  await writeFileAtomic(join(dir, 'summary.json'), `${JSON.stringify(summaryOf(result), null, 2)}\n`);
  return ['model.json', 'loss.csv', 'summary.json'];
}
