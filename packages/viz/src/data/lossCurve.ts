// Learning curves → uPlot's aligned data: one shared x array (the union of every run's epochs)
// and one y array per run, with null where that run has no point.
import { runColor } from '../colors.ts';
import { downsampleMinMax } from './downsample.ts';

/** One training run's loss history. `epochs` counts samples, as the lab's printout does. */
export interface LossRun {
  label: string;
  epochs: ArrayLike<number>;
  losses: ArrayLike<number>;
  /** 'line' (default), or 'points': dots only (e.g. the losses a printout showed). */
  style?: 'line' | 'points';
  /** A color of its own (default: the run's place among the runs). */
  color?: string;
}

export interface LossCurveDataOptions {
  /**
   * Log-scale y axis. A log axis cannot show 0 or negative values, so every loss ≤ 0 is
   * clamped up to the smallest positive loss over all runs (and a note says how many were).
   * If no run has a positive loss, the chart falls back to a linear axis, with a note.
   */
  logScale?: boolean;
  /** Each run is min/max-downsampled to at most this many points (default 2000). */
  maxPoints?: number;
  /**
   * The x axis ends here: points further right are dropped, and a run that goes on past it is
   * drawn to this edge (its value there interpolated), with a note.
   */
  xMax?: number;
}

export interface LossSeries {
  label: string;
  color: string;
  style: 'line' | 'points';
}

export interface LossCurveData {
  /** uPlot AlignedData: `[x, y_run0, y_run1, …]`; `null` where a run has no point at that x. */
  data: [number[], ...(number | null)[][]];
  series: LossSeries[];
  /** Whether the y axis is logarithmic (false when requested but impossible). */
  logScale: boolean;
  /** Human-readable notes about what was dropped, clamped or downsampled. */
  notes: string[];
}

export function lossCurveData(runs: readonly LossRun[], options: LossCurveDataOptions = {}): LossCurveData {
  const maxPoints = options.maxPoints ?? 2000;
  const notes: string[] = [];

  // 1. Keep finite points only (a diverged run produces NaN/Infinity losses).
  const cleaned = runs.map((run) => {
    if (run.epochs.length !== run.losses.length) {
      throw new Error(
        `lossCurveData: run "${run.label}" has ${run.epochs.length} epochs but ${run.losses.length} losses`,
      );
    }
    const x: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < run.epochs.length; i++) {
      if (Number.isFinite(run.epochs[i]) && Number.isFinite(run.losses[i])) {
        x.push(run.epochs[i]);
        y.push(run.losses[i]);
      }
    }
    const dropped = run.epochs.length - x.length;
    if (dropped > 0) notes.push(`${run.label}: ${dropped} non-finite point(s) dropped`);
    const sorted = sortByX(x, y);
    return options.xMax === undefined ? sorted : clipAt(sorted, options.xMax, run.style === 'points');
  });
  if (options.xMax !== undefined && runs.some((r, i) => r.epochs.length > 0 && cleaned[i].x.length > 0 && maxOf(r.epochs) > options.xMax!)) {
    notes.push(`the epoch axis ends at ${options.xMax}; runs that went on are drawn to that edge`);
  }

  // 2. A log axis cannot show 0: clamp non-positive losses to the smallest positive one.
  let logScale = options.logScale ?? false;
  if (logScale) {
    let minPositive = Infinity;
    for (const run of cleaned) for (const v of run.y) if (v > 0 && v < minPositive) minPositive = v;
    if (minPositive === Infinity) {
      if (cleaned.some((run) => run.y.length > 0)) notes.push('no positive loss: log scale disabled, linear axis used');
      logScale = false;
    } else {
      cleaned.forEach((run, r) => {
        let clamped = 0;
        for (let i = 0; i < run.y.length; i++) {
          if (run.y[i] <= 0) {
            run.y[i] = minPositive;
            clamped++;
          }
        }
        if (clamped > 0) {
          notes.push(`${runs[r].label}: ${clamped} loss(es) <= 0 clamped to ${minPositive} for the log axis`);
        }
      });
    }
  }

  // 3. Downsample long histories, keeping each bucket's min and max.
  const shrunk = cleaned.map((run, r) => {
    if (run.x.length <= maxPoints) return run;
    notes.push(`${runs[r].label}: ${run.x.length} points downsampled to <= ${maxPoints} (min/max per bucket)`);
    return downsampleMinMax(run.x, run.y, maxPoints);
  });

  // 4. Align on the union of x values.
  const xs = [...new Set(shrunk.flatMap((run) => run.x))].sort((a, b) => a - b);
  const column = new Map<number, number>(xs.map((x, i) => [x, i]));
  const ys = shrunk.map((run) => {
    const y = new Array<number | null>(xs.length).fill(null);
    for (let i = 0; i < run.x.length; i++) y[column.get(run.x[i]) ?? 0] = run.y[i];
    return y;
  });

  return {
    data: [xs, ...ys],
    series: runs.map((run, r) => ({ label: run.label, color: run.color ?? runColor(r, runs.length), style: run.style ?? 'line' })),
    logScale,
    notes,
  };
}

/** The points up to `xMax`; a line going on past it ends at `xMax` with its value there interpolated. */
function clipAt(run: { x: number[]; y: number[] }, xMax: number, points: boolean): { x: number[]; y: number[] } {
  let k = 0;
  while (k < run.x.length && run.x[k] <= xMax) k++;
  if (k === run.x.length) return run;
  const out = { x: run.x.slice(0, k), y: run.y.slice(0, k) };
  if (points || k === 0 || out.x[k - 1] === xMax) return out;
  const [x0, y0, x1, y1] = [run.x[k - 1], run.y[k - 1], run.x[k], run.y[k]];
  out.x.push(xMax);
  out.y.push(y0 + ((y1 - y0) * (xMax - x0)) / (x1 - x0));
  return out;
}

function maxOf(values: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < values.length; i++) if (values[i] > m) m = values[i];
  return m;
}

/** Sorts points by x (stable), and for a repeated x keeps the last value. */
function sortByX(x: number[], y: number[]): { x: number[]; y: number[] } {
  let sorted = true;
  for (let i = 1; i < x.length && sorted; i++) if (x[i] <= x[i - 1]) sorted = false;
  if (sorted) return { x, y };
  const order = x.map((_, i) => i).sort((a, b) => x[a] - x[b] || a - b);
  const out = { x: [] as number[], y: [] as number[] };
  for (const i of order) {
    if (out.x.length > 0 && out.x[out.x.length - 1] === x[i]) out.y[out.y.length - 1] = y[i];
    else {
      out.x.push(x[i]);
      out.y.push(y[i]);
    }
  }
  return out;
}
