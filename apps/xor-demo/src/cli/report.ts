// The student's report: report.html (self-contained), loss.png, comparison.png, boundary.png, graph.svg.
import { noGrad, tensor } from '@gradlab/core';
import { decisionBoundaryGrid, renderGraphSvg, writeReport, type ReportInput } from '@gradlab/viz/node';
import { join } from 'node:path';
import { describeConfig, outputUnits } from '../lab/config.ts';
import { comparisonEpochLimit, comparisonFor, learningCurveCaption, learningCurveRuns, wantsLogAxis } from '../lab/figures.ts';
import { buildStepGraph, sampleOf } from '../lab/graph.ts';
import { graphView, viewDot } from '../lab/graphView.ts';
import type { WeightSnapshot } from '../lab/trainer.ts';
import { exampleFor, type ExplainChoice } from './explain.ts';
import { writeFileAtomic } from './files.ts';
import { EXPLAIN_SECTION_ID, explainHtml, graphCaption } from './reportExplain.ts';
import { cliDivergedLine, type RunResult } from './run.ts';

/**
 * Points drawn in the figures at most: a report of 1,000,000 points would be a 140 MB page that
 * neither Chromium (for the PNGs) nor a reader's browser opens. Beyond this the figures show
 * every k-th point (the accuracy and summary.json still cover all of them).
 */
export const FIGURE_POINTS = 5000;

/** The indices drawn: all, or every k-th so that at most FIGURE_POINTS remain. */
function drawnIndices(n: number): { indices: number[]; stride: number } {
  const stride = Math.max(1, Math.ceil(n / FIGURE_POINTS));
  const indices: number[] = [];
  for (let i = 0; i < n; i += stride) indices.push(i);
  return { indices, stride };
}

function figureData(result: RunResult) {
  const d = result.trainer.data.inputs.data;
  const y = result.trainer.data.labels.data;
  const { indices, stride } = drawnIndices(y.length);
  const k = result.trainer.outputs;
  const compared = comparisonFor(result.predictions, k);
  return {
    points: indices.map((i) => [d[2 * i], d[2 * i + 1]]),
    labels: indices.map((i) => y[i]),
    predictions: indices.map((i) => compared.predictions[i]),
    classes: compared.options.classes,
    note: stride > 1 ? `every ${stride}th point (${indices.length} of ${y.length}); the accuracy counts all` : null,
  };
}

function configTable(result: RunResult): Record<string, string | number | boolean> {
  const c = result.config;
  return {
    dataset: `${c.dataset} (${result.trainer.data.labels.size} points)`,
    network: `[${[2, ...c.hidden, outputUnits(c)].join(', ')}]`,
    ...(c.classes > 2 ? { classes: c.classes } : {}),
    activation: c.activation,
    'output activation': c.loss === 'ce' ? 'none (logits; the softmax is inside the loss)' : c.outputActivation,
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
      return cliDivergedLine(result.divergence!);
    default:
      return `interrupted at epoch ${result.epochs}`;
  }
}

/** The snapshot the worked example uses: the one of the epoch asked (or the first after it), else the end. */
function snapshotFor(snapshots: readonly WeightSnapshot[], epoch: number | 'end'): { snapshot: WeightSnapshot; note: string } {
  const last = snapshots[snapshots.length - 1];
  if (epoch === 'end') return { snapshot: last, note: '' };
  const found = snapshots.find((s) => s.epoch >= epoch);
  if (found) return { snapshot: found, note: '' };
  return { snapshot: last, note: ` (training stopped at epoch ${last.epoch}, before epoch ${epoch})` };
}

export interface RunReportOptions {
  png: boolean;
  /** Which weight, sample and epoch the worked example explains (default: the rule's choice at epoch 0). */
  explain?: ExplainChoice;
  /** The run's weight snapshots (epoch 0 first, the end last). */
  snapshots?: readonly WeightSnapshot[];
  /** A log-scale loss axis (default: when the curve spans more than two decades). */
  logLoss?: boolean;
}

export async function writeRunReport(dir: string, result: RunResult, options: RunReportOptions) {
  const { trainer } = result;
  const grid = decisionBoundaryGrid(
    (xy) => noGrad(() => Array.from(trainer.model.forward(tensor(xy)).data)),
    // k classes are drawn cell by cell (no contour to interpolate), so their grid is finer
    { xRange: [-0.05, 1.05], yRange: [-0.05, 1.05], ...(trainer.outputs > 1 ? { resolution: 150, classes: trainer.outputs } : { resolution: 60 }) },
  );
  const figure = figureData(result);
  const { points, labels } = figure;
  const snapshots = options.snapshots ?? [...trainer.snapshots, trainer.snapshot()];
  const { snapshot, note } = snapshotFor(snapshots, options.explain?.epoch ?? 0);
  let graphSvg: string;
  let caption: string;
  let sections: ReportInput['sections'];
  if (result.config.loss === 'ce') {
    // the graph of one step (sample 0, the weights at epoch 0) with the loss folded; no worked example
    const graph = buildStepGraph(trainer.model.config(), snapshots[0].parameters, 'ce', sampleOf(trainer.data, 0));
    graphSvg = await renderGraphSvg(viewDot(graphView(graph, { loss: 'ce', foldLoss: true }), { rankdir: 'TB', edgeLabels: 'full' }));
    caption =
      `One training step for sample 0 (class ${graph.sample.y}) with the weights at epoch 0: the loss node is ` +
      `−mean(ln softmax(ŷ)[y]), its edge ∂loss/∂ŷ = softmax(ŷ) − onehot(y). The worked example of backpropagation ` +
      `(pnpm demo explain) is the lab's, for one output unit (--loss mse or bce).`;
    sections = [];
  } else {
    const example = exampleFor(result.config, trainer.model.config(), snapshot, options.explain ?? { epoch: 0 });
    const view = graphView(example.graph, { loss: result.config.loss, foldLoss: true });
    graphSvg = await renderGraphSvg(viewDot(view, { rankdir: 'TB', edgeLabels: 'full' }));
    caption = graphCaption(example, result.epochs, describeConfig(result.config)) + note;
    sections = [{ id: EXPLAIN_SECTION_ID, title: 'Backpropagation on your network', html: explainHtml(example, result.epochs) }];
  }
  const curve = learningCurveRuns(trainer.history, trainer.log, result.config.logEvery);
  const input: ReportInput = {
    title: `gradlab lab 1: ${describeConfig(result.config)}`,
    config: configTable(result),
    printout: result.printout,
    accuracy: result.accuracy,
    runs: curve,
    logScale: options.logLoss ?? wantsLogAxis(curve),
    captions: {
      loss: learningCurveCaption(result.config.logEvery, trainer.log.length > 0),
      ...(figure.note ? { comparison: `Showing ${figure.note}.`, boundary: `Showing ${figure.note}.` } : {}),
    },
    comparison: { points, labels, predictions: figure.predictions, classes: figure.classes },
    boundary: { grid, points, labels },
    graphSvg,
    graphCaption: caption,
    sections,
  };
  return writeReport(dir, input, { png: options.png, writeFile: writeFileAtomic });
}

export async function writeCompareReport(
  dir: string,
  results: RunResult[],
  names: string[],
  table: string,
  options: { png: boolean; logLoss?: boolean },
) {
  const xMax = comparisonEpochLimit(results.map((r) => ({ converged: r.stopReason === 'converged', epochs: r.epochs })));
  const label = (r: RunResult, k: number) => (r.stopReason === 'converged' || xMax === undefined ? names[k] : `${names[k]} (did not converge)`);
  const input: ReportInput = {
    title: `gradlab lab 1: comparison of ${results.length} runs`,
    config: Object.fromEntries(names.map((n, k) => [`run ${k + 1}`, `${n}: ${describeConfig(results[k].config)}`])),
    printout: table,
    runs: results.map((r, k) => ({ label: label(r, k), epochs: r.trainer.history.epochs, losses: r.trainer.history.meanLoss })),
    logScale: options.logLoss ?? true,
    xMax,
    captions: {
      loss:
        'Each line is the mean per-sample loss of each pass of one run.' +
        (xMax === undefined ? '' : ` The epoch axis ends where the slowest run that converged stopped (${xMax}); runs marked "did not converge" went on and are drawn to that edge.`),
    },
  };
  // each run's comparison figure ("Ground truth" / "Predict result") in its own folder, made in the same Chromium launch
  const companions = results.map((r, k) => {
    const figure = figureData(r);
    const companion: ReportInput = {
      title: `run ${k + 1}: ${names[k]}`,
      config: {},
      printout: '',
      runs: [],
      comparison: { points: figure.points, labels: figure.labels, predictions: figure.predictions, classes: figure.classes },
    };
    return { dir: join(dir, `run-${k + 1}`), input: companion };
  });
  return writeReport(dir, input, { png: options.png, writeFile: writeFileAtomic, companions });
}
