// The lab's printout, from plain numbers, in the words of the handout's Python: the CLI prints it
// line by line, the page shows it live, the report keeps it. One wording for each event.
import { describeConfig, type LabConfig } from './config.ts';
import { duration, numpyColumn, percent, pythonFloat, shortList } from './format.ts';
import type { Divergence, LogLine, StopReason } from './trainer.ts';
import { evaluate } from './trainer.ts';

/** `gradlab lab 1: [2,3,3,1] sigmoid, …` and `data: xor (21 points), stop when …`. */
export function headerLines(config: LabConfig, dataName: string, points: number): string[] {
  return [
    `gradlab lab 1: ${describeConfig(config)}`,
    `data: ${dataName} (${points} points), stop when every per-sample loss of a pass < ${config.lossThreshold}`,
  ];
}

/** `epoch 5000 loss: 0.2932126280801493`: the last sample's loss, every logEvery samples. */
export function logLine({ epoch, loss }: LogLine): string {
  return `epoch ${epoch} loss: ${pythonFloat(loss)}`;
}

/** The one line a diverged run ends with; `lr` is how the face names the learning rate. */
export function divergedLine(d: Divergence, lr = 'learning rate'): string {
  const what = d.what === 'gradient' ? `loss ${pythonFloat(d.loss)}, a gradient not finite` : `loss ${pythonFloat(d.loss)}`;
  return `diverged at epoch ${d.epoch} (${what}): try a smaller ${lr}`;
}

/** Where training stands when the results are printed. 'paused' is the page's pause. */
export interface PrintoutEnd {
  reason: StopReason | 'paused';
  epoch: number;
  lossThreshold: number;
  maxEpochs: number;
  /** The largest per-sample loss of the last recorded pass (NaN if none). */
  lastMaxLoss: number;
  divergence: Divergence | null;
}

/** How a face names the settings a printout line points at (the CLI: `--lr`, `--max-epochs`). */
export interface SettingNames {
  lr: string;
  maxEpochs: string;
}
export const PLAIN_NAMES: SettingNames = { lr: 'learning rate', maxEpochs: 'max epochs' };

/** The line that says why training stopped. */
export function stopLine(end: PrintoutEnd, names: SettingNames = PLAIN_NAMES): string {
  const { lr } = names;
  switch (end.reason) {
    case 'converged':
      return `converged at epoch ${end.epoch}: every per-sample loss of the last pass is below ${end.lossThreshold}`;
    case 'max-epochs':
      return `NOT converged: stopped at ${names.maxEpochs} ${end.maxEpochs} (largest per-sample loss of the last pass ${pythonFloat(end.lastMaxLoss)})`;
    case 'diverged':
      return end.divergence ? divergedLine(end.divergence, lr) : `diverged at epoch ${end.epoch}: try a smaller ${lr}`;
    case 'interrupted':
      return `interrupted at epoch ${end.epoch}: the results below are those of the weights at that point`;
    case 'paused':
      return `paused at epoch ${end.epoch}: the results below are those of the weights at that point`;
  }
}

/**
 * The raw predictions as numpy prints a column, the classes (≥ 0.5 is 1) and the accuracy line.
 * With k = `outputs` > 1 per sample (cross-entropy), the classes are each row's largest output.
 */
export function resultLines(predictions: readonly number[], labels: ArrayLike<number>, outputs = 1): { column: string; classes: string; accuracy: string } {
  const { classes, correct, total, accuracy } = evaluate(predictions, labels, outputs);
  if (outputs > 1) {
    return {
      column: `outputs: ${classes.length} rows of ${outputs} logits (summary.json has them all)`,
      classes: `predictions (the largest of the ${outputs} outputs): ${shortList(classes)}`,
      accuracy: accuracyLine(accuracy, correct, total),
    };
  }
  return {
    column: numpyColumn(predictions),
    classes: `predictions (>= 0.5 is class 1): ${shortList(classes)}`,
    accuracy: accuracyLine(accuracy, correct, total),
  };
}

/** `accuracy: 100.00% (21/21)`. */
export function accuracyLine(accuracy: number, correct: number, total: number): string {
  return `accuracy: ${percent(accuracy)} (${correct}/${total})`;
}

/** `time: 42 ms for 60123 epochs (0.7 µs per step, compiled)`. */
export function timeLine(milliseconds: number, epochs: number, batchSize: number, engine: string): string {
  const perStep = (1000 * milliseconds) / Math.max(1, epochs / batchSize);
  return `time: ${duration(milliseconds)} for ${epochs} epochs (${perStep.toFixed(1)} µs per step, ${engine})`;
}
