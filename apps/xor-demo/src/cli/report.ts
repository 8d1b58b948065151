// The student's report: report.html (self-contained), loss.png, comparison.png, boundary.png, graph.svg.
import { noGrad, tensor, toDot } from '@gradlab/core';
import { decisionBoundaryGrid, renderGraphSvg, writeReport, type ReportInput } from '@gradlab/viz/node';
import { describeConfig } from '../lab/config.ts';
import { oneStepGraph } from '../lab/graph.ts';
import { writeFileAtomic } from './files.ts';
import { divergedLine, type RunResult } from './run.ts';

function points(result: RunResult): number[][] {
  const d = result.trainer.data.inputs.data;
  return Array.from({ length: d.length / 2 }, (_, i) => [d[2 * i], d[2 * i + 1]]);
}

function configTable(result: RunResult): Record<string, string | number | boolean> {
  const c = result.config;
  return {
    dataset: `${c.dataset} (${result.trainer.data.labels.size} points)`,
    network: `[${[2, ...c.hidden, 1].join(', ')}]`,
    activation: c.activation,
    'output activation': c.outputActivation,
    bias: c.bias,
    init: c.init,
    loss: c.loss,
    optimizer: c.optimizer === 'momentum' ? `momentum ${c.momentum}` : c.optimizer,
    'learning rate': c.lr,
    'batch size': c.batchSize,
    seed: c.seed,
    'stop rule': `every per-sample loss of a pass < ${c.lossThreshold}`,
    result: resultText(result),
  };
}

function resultText(result: RunResult): string {
  switch (result.stopReason) {
    case 'converged':
      return `converged at epoch ${result.epochs}`;
    case 'max-epochs':
      return `stopped at max epochs ${result.epochs}`;
    case 'diverged':
      return divergedLine(result.divergence!);
    default:
      return `interrupted at epoch ${result.epochs}`;
  }
}

export async function writeRunReport(dir: string, result: RunResult, options: { png: boolean }) {
  const { trainer } = result;
  const grid = decisionBoundaryGrid(
    (xy) => noGrad(() => Array.from(trainer.model.forward(tensor(xy)).data)),
    { xRange: [-0.05, 1.05], yRange: [-0.05, 1.05], resolution: 60 },
  );
  const labels = Array.from(trainer.data.labels.data);
  const graphSvg = await renderGraphSvg(toDot(oneStepGraph(trainer, 0), { precision: 4 }));
  const input: ReportInput = {
    title: `gradlab lab 1: ${describeConfig(result.config)}`,
    config: configTable(result),
    printout: result.printout,
    accuracy: result.accuracy,
    runs: [{ label: 'mean loss per pass', epochs: trainer.history.epochs, losses: trainer.history.meanLoss }],
    comparison: { points: points(result), labels, predictions: result.predictions },
    boundary: { grid, points: points(result), labels },
    graphSvg,
  };
  return writeReport(dir, input, { png: options.png, writeFile: writeFileAtomic });
}

export async function writeCompareReport(dir: string, results: RunResult[], names: string[], table: string, options: { png: boolean }) {
  const input: ReportInput = {
    title: `gradlab lab 1: comparison of ${results.length} runs`,
    config: Object.fromEntries(names.map((n, k) => [`run ${k + 1}`, `${n}: ${describeConfig(results[k].config)}`])),
    printout: table,
    runs: results.map((r, k) => ({ label: names[k], epochs: r.trainer.history.epochs, losses: r.trainer.history.meanLoss })),
    logScale: true,
  };
  return writeReport(dir, input, { png: options.png, writeFile: writeFileAtomic });
}
