// The learning curve: loss against epoch, one line per run.
import uPlot from 'uplot';
import type { LossCurveData } from '../data/lossCurve.ts';
import { axis, child, tickValues, type ChartHandle } from './common.ts';

export interface LossCurveOptions {
  title?: string;
  /** Plot area + axes, CSS pixels (default 720 × 360). */
  width?: number;
  height?: number;
  xLabel?: string;
  yLabel?: string;
}

export function drawLossCurve(
  el: HTMLElement,
  data: LossCurveData,
  opts: LossCurveOptions = {},
): ChartHandle<LossCurveData> {
  const root = child(el, 'div', 'gl-figure gl-loss');
  let current = data;
  let plot = new uPlot(plotOptions(data, opts), data.data, root);
  return {
    root,
    update(next) {
      if (sameLayout(current, next)) plot.setData(next.data);
      else {
        plot.destroy();
        plot = new uPlot(plotOptions(next, opts), next.data, root);
      }
      current = next;
    },
    destroy() {
      plot.destroy();
      root.remove();
    },
  };
}

/** Tick steps for a count: 1, 2, 5, 10, 20, 50, … up to 5·10¹². */
const WHOLE_INCREMENTS = Array.from({ length: 39 }, (_, i) => [1, 2, 5][i % 3] * 10 ** Math.floor(i / 3));

function plotOptions(data: LossCurveData, opts: LossCurveOptions): uPlot.Options {
  const yLabel = opts.yLabel ?? (data.logScale ? 'loss (log scale)' : 'loss');
  return {
    title: opts.title ?? 'Learning curve',
    width: opts.width ?? 720,
    height: opts.height ?? 360,
    legend: { live: false },
    cursor: { points: { show: false } },
    scales: {
      x: { time: false },
      y: data.logScale ? { distr: 3, log: 10 } : { range: (_u, min, max) => [Math.min(0, min), niceMax(max)] },
    },
    axes: [
      // epochs are whole numbers: ticks at 1, 2, 5, 10, … so that a short run's axis reads 1, 2, 3
      // rather than 1.2, 1.4, …
      axis(opts.xLabel ?? 'epoch', { incrs: WHOLE_INCREMENTS }),
      data.logScale
        ? axis(yLabel, {
            values: tickValues,
            grid: { stroke: 'rgba(0,0,0,0.09)', width: 1, filter: decadesOnly },
            ticks: { stroke: 'rgba(0,0,0,0.25)', width: 1, size: 5, filter: decadesOnly },
          })
        : axis(yLabel, { values: tickValues }),
    ],
    series: [
      { label: opts.xLabel ?? 'epoch' },
      ...data.series.map(
        (s): uPlot.Series =>
          s.style === 'points'
            ? {
                label: s.label,
                class: 'gl-points',
                stroke: s.color,
                width: 1.5,
                paths: () => null, // dots only, no line between them
                points: { show: true, size: 7, width: 1.5, stroke: s.color, fill: '#ffffff' },
              }
            : {
                label: s.label,
                class: 'gl-line',
                stroke: s.color,
                width: 1.5,
                spanGaps: true, // runs logged at different epochs stay continuous lines
                points: { show: false },
              },
      ),
    ],
  };
}

/** On a log axis, grid lines and ticks only at powers of ten (labels already are). */
const decadesOnly: uPlot.Axis.Filter = (_u, splits) =>
  splits.map((v) => (Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9 ? v : null));

/** A linear loss axis starts at 0 and ends a little above the largest loss. */
function niceMax(max: number): number {
  if (!Number.isFinite(max) || max <= 0) return 1;
  const mag = 10 ** Math.floor(Math.log10(max));
  return Math.ceil((max * 1.05) / (mag / 2)) * (mag / 2);
}

function sameLayout(a: LossCurveData, b: LossCurveData): boolean {
  return (
    a.logScale === b.logScale &&
    a.series.length === b.series.length &&
    a.series.every((s, i) => s.label === b.series[i].label && s.color === b.series[i].color && s.style === b.series[i].style)
  );
}
