// Shared pieces of the uPlot figures: the handle type, scatter drawing, axis sizing.
import uPlot from 'uplot';
import type { Range } from '../data/boundary.ts';
import { ensureStyles } from './styles.ts';

/** A drawn figure: redraw it with new data, or remove it. */
export interface ChartHandle<T> {
  /** The figure's outer element (inside the container passed to draw*). */
  readonly root: HTMLElement;
  update(data: T): void;
  destroy(): void;
}

/** Figure fonts: one family for axes, labels and titles. */
export const FONT_FAMILY = 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif';
const AXIS_FONT = `12px ${FONT_FAMILY}`;
const LABEL_FONT = `bold 13px ${FONT_FAMILY}`;

/** A uPlot axis with a label, sized to fit its tick labels. */
export function axis(label: string, extra: uPlot.Axis = {}): uPlot.Axis {
  return {
    label,
    font: AXIS_FONT,
    labelFont: LABEL_FONT,
    labelSize: 22,
    stroke: '#333',
    grid: { stroke: 'rgba(0,0,0,0.09)', width: 1 },
    ticks: { stroke: 'rgba(0,0,0,0.25)', width: 1, size: 5 },
    size: fitTickLabels,
    ...extra,
  };
}

/**
 * A tick label without float noise, switching to exponent notation for tiny or huge values
 * (uPlot's default shows 1e-4 as "0" on a log axis): 0.30000000000000004 → "0.3", 1e-5 → "1e-5".
 */
export function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e6) return String(Number(v.toPrecision(6)));
  const [mantissa, exponent] = v.toExponential().split('e');
  return `${Number(Number(mantissa).toPrecision(6))}e${Number(exponent)}`;
}

/** Axis tick labels through formatTick (null splits stay hidden). */
export const tickValues: uPlot.Axis.DynamicValues = (_u, splits) =>
  splits.map((v) => (v === null || v === undefined ? null : formatTick(v)));

/** Width of a y axis (height of an x axis) that fits the longest tick label. */
function fitTickLabels(u: uPlot, values: string[] | null, axisIdx: number): number {
  const side = u.axes[axisIdx].side ?? (axisIdx === 0 ? 2 : 3);
  if (side % 2 === 0) return 34; // horizontal axis: one line of text + ticks
  const longest = (values ?? []).reduce((m, v) => Math.max(m, String(v).length), 0);
  return Math.max(40, 12 + longest * 7.2);
}

/** How a scatter series draws each point. */
export interface MarkerStyle {
  /** Radius in CSS pixels. */
  radius: number;
  fill?: string;
  stroke?: string;
  /** Outline width in CSS pixels. */
  lineWidth?: number;
}

/**
 * uPlot 1.6.32 draws nothing for mode-2 (scatter) series by itself: this path builder draws
 * one circle per point of the series' `[xs, ys]` data straight onto the canvas.
 */
export function scatterPaths(style: MarkerStyle): uPlot.Series.PathBuilder {
  return (u, seriesIdx) => {
    const [xs, ys] = u.data[seriesIdx] as unknown as [number[], number[]];
    const facets = u.series[seriesIdx].facets ?? [{ scale: 'x' }, { scale: 'y' }];
    const ratio = uPlot.pxRatio;
    const r = style.radius * ratio;
    const lineWidth = (style.lineWidth ?? 0) * ratio;
    const pad = r + lineWidth;
    const { left, top, width, height } = u.bbox;
    const path = new Path2D();
    for (let i = 0; i < xs.length; i++) {
      const cx = u.valToPos(xs[i], facets[0].scale, true);
      const cy = u.valToPos(ys[i], facets[1].scale, true);
      // skip points outside the plot area (e.g. after zooming), keeping edge points whole
      if (cx < left - pad || cx > left + width + pad || cy < top - pad || cy > top + height + pad) continue;
      path.moveTo(cx + r, cy);
      path.arc(cx, cy, r, 0, 2 * Math.PI);
    }
    const ctx = u.ctx;
    ctx.save();
    if (style.fill) {
      ctx.fillStyle = style.fill;
      ctx.fill(path);
    }
    if (style.stroke && lineWidth > 0) {
      ctx.strokeStyle = style.stroke;
      ctx.lineWidth = lineWidth;
      ctx.stroke(path);
    }
    ctx.restore();
    return null;
  };
}

/** uPlot options for a scatter (mode 2) panel with fixed x/y ranges. */
export function scatterPanelOptions(
  title: string,
  [xRange, yRange]: [Range, Range],
  size: { width: number; height: number },
  labels: { x: string; y: string },
  series: uPlot.Series[],
  hooks: uPlot.Hooks.Arrays = {},
): uPlot.Options {
  const facets: uPlot.Series.Facet[] = [
    { scale: 'x', auto: false },
    { scale: 'y', auto: false },
  ];
  return {
    mode: 2,
    title,
    width: size.width,
    height: size.height,
    legend: { live: false },
    cursor: { points: { show: false }, drag: { x: false, y: false } },
    scales: {
      x: { time: false, auto: false, range: xRange },
      y: { auto: false, range: yRange },
    },
    axes: [axis(labels.x, { space: 40 }), axis(labels.y, { space: 40 })],
    series: [{}, ...series.map((s) => ({ facets, ...s }))],
    hooks: { ...hooks, drawClear: [forgetPaths, ...(hooks.drawClear ?? [])] },
  };
}

/**
 * uPlot caches what a path builder returns and may redraw from that cache; scatter paths draw
 * directly and return null, so the cache must be dropped before every redraw.
 */
function forgetPaths(u: uPlot): void {
  for (const s of u.series) (s as { _paths?: unknown })._paths = null;
}

/** A series that draws nothing: it only adds an entry to the legend. */
export const legendOnly: uPlot.Series.PathBuilder = () => null;

/** Data range padded by `fraction` of its span on each side. */
export function paddedRange(values: readonly number[], fraction = 0.06): Range {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === Infinity) return [0, 1];
  const span = hi - lo || Math.abs(hi) || 1;
  return [lo - span * fraction, hi + span * fraction];
}

/** Creates `<tag class=…>` inside `parent`. */
export function child<K extends keyof HTMLElementTagNameMap>(
  parent: HTMLElement,
  tag: K,
  className: string,
): HTMLElementTagNameMap[K] {
  ensureStyles(parent.ownerDocument);
  const el = parent.ownerDocument.createElement(tag);
  el.className = className;
  parent.appendChild(el);
  return el;
}
