// The lab's printout as the page shows it, in the lab's words (src/lab/printout.ts): the loss
// every 5000 epochs, then why training stopped (or that it is paused), the raw predictions, the
// classes and the accuracy. Students paste this into their report.
import { logLine, resultLines, stopLine } from '../lab/printout.ts';
import type { Progress, RunData } from './protocol.ts';

export function printout(run: RunData, progress: Progress): string {
  const lines = progress.log.map(logLine);
  if (progress.log.length === 0) lines.push(`(the loss is printed every ${run.config.logEvery} epochs)`);
  if (progress.running) return lines.join('\n');
  const reason = progress.stopReason ?? (progress.passes > 0 ? 'paused' : null);
  if (reason === null) return lines.join('\n');
  lines.push(
    stopLine({
      reason,
      epoch: progress.epoch,
      lossThreshold: run.config.lossThreshold,
      maxEpochs: run.config.maxEpochs,
      lastMaxLoss: progress.maxLoss ?? NaN,
      divergence: progress.divergence,
    }),
  );
  const results = resultLines(progress.predictions, run.labels, run.outputs);
  lines.push(results.column, results.classes, results.accuracy);
  return lines.join('\n');
}
