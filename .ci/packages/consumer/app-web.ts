// The browser-facing entry points (and viz/node, which re-exports them) under the same settings,
// with the DOM library.
import { writeFile } from 'node:fs/promises';
import { decisionBoundaryGrid, drawLossCurve, lossCurveData, renderGraphSvg, type ChartHandle } from '@gradlab/viz';
import { buildReport, writeReport, type ReportInput } from '@gradlab/viz/node';

const curve = lossCurveData([{ label: 'lr=0.8', epochs: [1, 2], losses: [0.3, 0.1] }]);
export function draw(el: HTMLElement): ChartHandle<typeof curve> {
  return drawLossCurve(el, curve, { title: 'Learning curve' });
}
const grid = decisionBoundaryGrid((xy) => xy.map(([a = 0, b = 0]) => a * b), { xRange: [0, 1], yRange: [0, 1] });
const input: ReportInput = { title: 't', config: { lr: 0.8 }, printout: '', runs: [] };
export const pending = [renderGraphSvg('digraph { a -> b }'), buildReport(input), writeReport('out', input, { png: false, writeFile }), grid];
