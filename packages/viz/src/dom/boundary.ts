// Decision boundary: the model's output over the input square as a heat map, the 0.5 contour,
// and the data points on top. A k-class grid (grid.classes) is drawn as regions, one pale class
// color each (classTint), with the borders between classes and the points in their class colors.
import uPlot from 'uplot';
import { classColor, classLabel, classTint, outputColor } from '../colors.ts';
import { boundaryContour, classBoundaries, type BoundaryGrid, type Segment } from '../data/boundary.ts';
import { splitByClass, type ScatterPanel } from '../data/comparison.ts';
import { child, legendOnly, scatterPanelOptions, scatterPaths, type ChartHandle } from './common.ts';

/** n×2 points with their 0/1 labels (0…k−1 with a k-class grid). */
export interface LabeledPoints {
  points: ArrayLike<ArrayLike<number>>;
  labels: ArrayLike<number>;
}

export interface BoundaryFigureData {
  grid: BoundaryGrid;
  points: LabeledPoints;
}

export interface DecisionBoundaryOptions {
  title?: string;
  /** Plot area + axes, CSS pixels (default 420 × 420). */
  width?: number;
  height?: number;
  xLabel?: string;
  yLabel?: string;
  /** Contour level drawn as the boundary line (default 0.5); null draws none. A k-class grid draws its class borders unless null. */
  level?: number | null;
  /** Interpolate between grid samples (default true); false shows square cells. */
  smooth?: boolean;
}

const POINT = { radius: 5, lineWidth: 1.2, stroke: '#ffffff' };
const CONTOUR_COLOR = '#111111';

export function drawDecisionBoundary(
  el: HTMLElement,
  grid: BoundaryGrid,
  points: LabeledPoints,
  opts: DecisionBoundaryOptions = {},
): ChartHandle<BoundaryFigureData> {
  const root = child(el, 'div', 'gl-figure gl-boundary');
  const holder = child(root, 'div', 'gl-panel');
  const bar = child(root, 'div', 'gl-colorbar');
  const level = opts.level === undefined ? 0.5 : opts.level;
  const borders = (g: BoundaryGrid): Segment[] => (level === null ? [] : g.classes ? classBoundaries(g) : boundaryContour(g, level));
  const showBar = (g: BoundaryGrid): void => {
    bar.replaceChildren();
    if (g.classes) bar.style.display = 'none';
    else {
      bar.style.display = '';
      colorBar(bar);
    }
  };
  showBar(grid);

  // state read by the draw hooks; update() swaps it and redraws
  let image = heatImage(root.ownerDocument, grid);
  let contour: Segment[] = borders(grid);
  let current = grid;

  const hooks: uPlot.Hooks.Arrays = {
    drawClear: [(u) => drawHeat(u, image, current, opts.smooth ?? true)],
    drawAxes: [(u) => drawSegments(u, contour)],
  };
  const build = (g: BoundaryGrid, p: LabeledPoints): uPlot => {
    const series: uPlot.Series[] = Array.from({ length: g.classes ?? 2 }, (_, c) => ({
      label: classLabel(c),
      class: 'gl-dot',
      stroke: classColor(c),
      fill: classColor(c),
      paths: scatterPaths({ ...POINT, fill: classColor(c) }),
    }));
    if (level !== null) {
      series.push({ label: g.classes ? 'class border' : `output = ${level}`, class: 'gl-line', stroke: CONTOUR_COLOR, width: 2, paths: legendOnly });
    }
    return new uPlot(
      scatterPanelOptions(
        opts.title ?? 'Decision boundary',
        [g.xRange, g.yRange],
        { width: opts.width ?? 420, height: opts.height ?? 420 },
        { x: opts.xLabel ?? 'x1', y: opts.yLabel ?? 'x2' },
        series,
        hooks,
      ),
      plotData(p, level !== null, g.classes),
      holder,
    );
  };
  let plot = build(grid, points);

  return {
    root,
    update(next) {
      const sameLayout =
        next.grid.xRange.every((v, k) => v === current.xRange[k]) &&
        next.grid.yRange.every((v, k) => v === current.yRange[k]) &&
        next.grid.classes === current.classes;
      if (next.grid.classes !== current.classes) showBar(next.grid);
      image = heatImage(root.ownerDocument, next.grid);
      contour = borders(next.grid);
      current = next.grid;
      if (sameLayout) plot.setData(plotData(next.points, level !== null, next.grid.classes));
      else {
        plot.destroy();
        plot = build(next.grid, next.points);
      }
    },
    destroy() {
      plot.destroy();
      root.remove();
    },
  };
}

function plotData(p: LabeledPoints, withContourSeries: boolean, classes?: number): uPlot.AlignedData {
  const panel: ScatterPanel = splitByClass(p.points, p.labels, '', classes);
  const series: [number[], number[]][] = panel.classes.map((c) => [c.x, c.y]);
  if (withContourSeries) series.push([[], []]);
  return [null, ...series] as unknown as uPlot.AlignedData;
}

/** One pixel per grid cell, top row = largest y. */
function heatImage(doc: Document, grid: BoundaryGrid): HTMLCanvasElement {
  const canvas = doc.createElement('canvas');
  canvas.width = grid.nx;
  canvas.height = grid.ny;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('drawDecisionBoundary: no 2D canvas context');
  const img = ctx.createImageData(grid.nx, grid.ny);
  for (let j = 0; j < grid.ny; j++) {
    const row = grid.ny - 1 - j;
    for (let i = 0; i < grid.nx; i++) {
      const v = grid.values[j * grid.nx + i];
      const [r, g, b] = grid.classes ? classTint(v) : outputColor(v);
      const o = (row * grid.nx + i) * 4;
      img.data[o] = r;
      img.data[o + 1] = g;
      img.data[o + 2] = b;
      img.data[o + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
  return canvas;
}

function drawHeat(u: uPlot, image: HTMLCanvasElement, grid: BoundaryGrid, smooth: boolean): void {
  const x0 = u.valToPos(grid.xRange[0], 'x', true);
  const x1 = u.valToPos(grid.xRange[1], 'x', true);
  const y0 = u.valToPos(grid.yRange[0], 'y', true);
  const y1 = u.valToPos(grid.yRange[1], 'y', true);
  const ctx = u.ctx;
  ctx.save();
  ctx.beginPath();
  ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
  ctx.clip();
  ctx.imageSmoothingEnabled = smooth && !grid.classes; // classes are regions: no blending across borders
  ctx.drawImage(image, Math.min(x0, x1), Math.min(y0, y1), Math.abs(x1 - x0), Math.abs(y1 - y0));
  ctx.restore();
}

function drawSegments(u: uPlot, segments: Segment[]): void {
  if (segments.length === 0) return;
  const ctx = u.ctx;
  ctx.save();
  ctx.beginPath();
  ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
  ctx.clip();
  const path = new Path2D();
  for (const [xa, ya, xb, yb] of segments) {
    path.moveTo(u.valToPos(xa, 'x', true), u.valToPos(ya, 'y', true));
    path.lineTo(u.valToPos(xb, 'x', true), u.valToPos(yb, 'y', true));
  }
  ctx.strokeStyle = CONTOUR_COLOR;
  ctx.lineWidth = 2 * uPlot.pxRatio;
  ctx.lineCap = 'round';
  ctx.stroke(path);
  ctx.restore();
}

/** "model output 0 [red → white → blue] 1" under the chart. */
function colorBar(el: HTMLElement): void {
  const css = (y: number): string => `rgb(${outputColor(y).join(',')})`;
  const label = child(el, 'span', 'gl-colorbar-label');
  label.textContent = 'model output';
  const lo = child(el, 'span', 'gl-colorbar-tick');
  lo.textContent = '0';
  const bar = child(el, 'span', 'gl-colorbar-bar');
  bar.style.background = `linear-gradient(to right, ${css(0)}, ${css(0.5)}, ${css(1)})`;
  const hi = child(el, 'span', 'gl-colorbar-tick');
  hi.textContent = '1';
}
