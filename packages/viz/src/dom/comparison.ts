// The lab's comparison figure: "Ground truth" and "Predict result" side by side.
import uPlot from 'uplot';
import type { Range } from '../data/boundary.ts';
import type { ComparisonData, ScatterPanel } from '../data/comparison.ts';
import { child, paddedRange, scatterPanelOptions, scatterPaths, type ChartHandle } from './common.ts';

export interface ComparisonOptions {
  /** Each panel's plot area + axes, CSS pixels (default 360 × 360). */
  width?: number;
  height?: number;
  xLabel?: string;
  yLabel?: string;
  /** Ring the misclassified points in the "Predict result" panel (default true). */
  showErrors?: boolean;
  /** A line under the panels; default "Accuracy: 95.24% (20/21)". Pass '' for none. */
  caption?: string;
}

const POINT = { radius: 5, lineWidth: 1, stroke: '#ffffff' };
const ERROR_RING = { radius: 8.5, lineWidth: 1.6, stroke: '#111111' };

export function drawComparison(
  el: HTMLElement,
  data: ComparisonData,
  opts: ComparisonOptions = {},
): ChartHandle<ComparisonData> {
  const root = child(el, 'div', 'gl-figure gl-comparison');
  const panels = child(root, 'div', 'gl-panels');
  const caption = child(root, 'div', 'gl-caption');
  let plots: uPlot[] = [];
  let layout = '';

  const build = (d: ComparisonData): void => {
    const range = dataRange(d);
    layout = layoutKey(d, opts);
    plots = [
      new uPlot(panelOptions(d.groundTruth, range, opts, null), panelData(d, 'groundTruth', false), child(panels, 'div', 'gl-panel')),
      new uPlot(
        panelOptions(d.prediction, range, opts, showErrors(opts) ? errorCount(d) : null),
        panelData(d, 'prediction', showErrors(opts)),
        child(panels, 'div', 'gl-panel'),
      ),
    ];
  };
  const setCaption = (d: ComparisonData): void => {
    const hits = d.correct.filter(Boolean).length;
    caption.textContent = opts.caption ?? `Accuracy: ${(d.accuracy * 100).toFixed(2)}% (${hits}/${d.correct.length})`;
    caption.style.display = caption.textContent ? '' : 'none';
  };

  build(data);
  setCaption(data);
  return {
    root,
    update(next) {
      if (layoutKey(next, opts) === layout) {
        plots[0].setData(panelData(next, 'groundTruth', false));
        plots[1].setData(panelData(next, 'prediction', showErrors(opts)));
      } else {
        for (const p of plots) p.destroy();
        panels.replaceChildren();
        build(next);
      }
      setCaption(next);
    },
    destroy() {
      for (const p of plots) p.destroy();
      root.remove();
    },
  };
}

function showErrors(opts: ComparisonOptions): boolean {
  return opts.showErrors ?? true;
}

function errorCount(d: ComparisonData): number {
  return d.correct.filter((c) => !c).length;
}

/** Both panels share one padded range, so the same point sits at the same place. */
function dataRange(d: ComparisonData): [Range, Range] {
  const all = d.groundTruth.classes;
  return [paddedRange(all.flatMap((c) => c.x)), paddedRange(all.flatMap((c) => c.y))];
}

/** What forces a rebuild rather than setData: the axes' ranges and the legend's error count. */
function layoutKey(d: ComparisonData, opts: ComparisonOptions): string {
  const errors = showErrors(opts) ? errorCount(d) : -1;
  return JSON.stringify([dataRange(d), errors]);
}

/** uPlot mode-2 data: `[null, [xs, ys] per series]`; the last series holds the wrong points. */
function panelData(d: ComparisonData, key: 'groundTruth' | 'prediction', errors: boolean): uPlot.AlignedData {
  const panel = d[key];
  const series: [number[], number[]][] = panel.classes.map((c) => [c.x, c.y]);
  if (errors) {
    const wrong: [number[], number[]] = [[], []];
    for (const c of panel.classes) {
      c.index.forEach((idx, k) => {
        if (!d.correct[idx]) {
          wrong[0].push(c.x[k]);
          wrong[1].push(c.y[k]);
        }
      });
    }
    series.push(wrong);
  }
  return [null, ...series] as unknown as uPlot.AlignedData;
}

function panelOptions(
  panel: ScatterPanel,
  range: [Range, Range],
  opts: ComparisonOptions,
  errors: number | null,
): uPlot.Options {
  const series: uPlot.Series[] = panel.classes.map((c) => ({
    label: c.label,
    class: 'gl-dot',
    stroke: c.color,
    fill: c.color,
    paths: scatterPaths({ ...POINT, fill: c.color }),
  }));
  if (errors !== null) {
    series.push({
      label: `misclassified: ${errors}`,
      class: 'gl-ring',
      stroke: ERROR_RING.stroke,
      fill: 'transparent',
      paths: scatterPaths(ERROR_RING),
    });
  }
  return scatterPanelOptions(
    panel.title,
    range,
    { width: opts.width ?? 360, height: opts.height ?? 360 },
    { x: opts.xLabel ?? 'x1', y: opts.yLabel ?? 'x2' },
    series,
  );
}
