// The lab's printout, as the handout's Python prints it: the loss every 5000 epochs, then the
// raw predictions, and the accuracy. Students paste this into their report.
import { numpyColumn, pythonFloat } from '../lab/format.ts';
import { evaluate } from '../lab/trainer.ts';
import { percent } from './format.ts';
import type { Progress, RunData } from './protocol.ts';

export function printout(run: RunData, progress: Progress): string {
  const lines = progress.log.map(({ epoch, loss }) => `epoch ${epoch} loss: ${pythonFloat(loss)}`);
  if (progress.log.length === 0) lines.push(`(the loss is printed every ${run.config.logEvery} epochs)`);
  if (progress.running) return lines.join('\n');
  if (progress.stopReason === 'converged') {
    lines.push(`converged at epoch ${progress.epoch}: every per-sample loss of the last pass is below ${run.config.lossThreshold}`);
  } else if (progress.stopReason === 'max-epochs') {
    lines.push(`stopped at max epochs (${progress.epoch})`);
  } else if (progress.stopReason === 'diverged') {
    lines.push(`diverged after epoch ${progress.epoch} (the loss or a gradient blew up): try a smaller learning rate`);
  } else if (progress.passes > 0) {
    lines.push(`paused at epoch ${progress.epoch}`);
  }
  if (progress.passes > 0 || progress.stopReason) {
    const { correct, total, accuracy } = evaluate(progress.predictions, run.labels);
    lines.push(numpyColumn(progress.predictions), `accuracy: ${percent(accuracy)} (${correct}/${total})`);
  }
  return lines.join('\n');
}
