// The model's output sampled on a grid over the input square, for a decision-boundary heat map.

export type Range = [min: number, max: number];

export interface BoundaryGridOptions {
  xRange?: Range;
  yRange?: Range;
  /** Cells per axis: one number for both, or `[nx, ny]` (default 50). */
  resolution?: number | [nx: number, ny: number];
  /**
   * k ≥ 2: a k-class model. `predict` then returns k scores per input (row-major, n·k numbers:
   * logits or probabilities), and each cell keeps the class with the largest score (the first
   * on a tie). Absent: one output per input (the binary lab's ŷ), kept as it is.
   */
  classes?: number;
}

/**
 * `values[j * nx + i]` is the model's output at `(xs[i], ys[j])`: row-major, bottom row
 * (smallest y) first. Samples sit at cell centers, so cell (i, j) covers
 * `[xRange[0] + i·dx, xRange[0] + (i+1)·dx] × [yRange[0] + j·dy, …]`.
 */
export interface BoundaryGrid {
  nx: number;
  ny: number;
  xRange: Range;
  yRange: Range;
  xs: number[];
  ys: number[];
  /** The model's output per cell, or with `classes` the class (0…k−1) it assigns the cell. */
  values: number[];
  /** Set for a k-class grid (see BoundaryGridOptions.classes). */
  classes?: number;
}

/** Line segments `[x1, y1, x2, y2]` in data coordinates. */
export type Segment = [x1: number, y1: number, x2: number, y2: number];

/** Samples `predict` at every cell center in ONE batched call (rows of `[x, y]`). */
export function decisionBoundaryGrid(
  predict: (xy: number[][]) => ArrayLike<number>,
  options: BoundaryGridOptions = {},
): BoundaryGrid {
  const xRange: Range = options.xRange ?? [0, 1];
  const yRange: Range = options.yRange ?? [0, 1];
  const resolution = options.resolution ?? 50;
  const [nx, ny] = typeof resolution === 'number' ? [resolution, resolution] : resolution;
  for (const n of [nx, ny]) {
    if (!Number.isInteger(n) || n < 2) throw new Error(`decisionBoundaryGrid: resolution must be an integer >= 2, got ${n}`);
  }
  const xs = centers(xRange, nx);
  const ys = centers(yRange, ny);
  const inputs: number[][] = [];
  for (const y of ys) for (const x of xs) inputs.push([x, y]);
  const k = options.classes;
  if (k !== undefined && (!Number.isInteger(k) || k < 2)) throw new Error(`decisionBoundaryGrid: classes must be an integer >= 2, got ${k}`);
  const out = predict(inputs);
  const per = k ?? 1;
  if (out.length !== inputs.length * per) {
    const expected = k === undefined ? `${inputs.length}` : `${inputs.length * k} (${k} scores for each of ${inputs.length}`;
    throw new Error(`decisionBoundaryGrid: predict returned ${out.length} values for ${inputs.length} inputs, expected ${expected}${k === undefined ? '' : ')'}`);
  }
  const grid: BoundaryGrid = { nx, ny, xRange: [...xRange], yRange: [...yRange], xs, ys, values: k === undefined ? Array.from(out) : argmaxRows(out, k) };
  if (k !== undefined) grid.classes = k;
  return grid;
}

/** The index of each row's largest score (the first on a tie; NaN never wins). */
function argmaxRows(scores: ArrayLike<number>, k: number): number[] {
  const rows = scores.length / k;
  const out = new Array<number>(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (scores[r * k + c] > scores[r * k + best] || Number.isNaN(scores[r * k + best])) best = c;
    out[r] = best;
  }
  return out;
}

/**
 * The borders between classes of a k-class grid: one segment on the shared edge of every two
 * neighbouring cells (left-right or below-above) assigned different classes.
 */
export function classBoundaries(grid: BoundaryGrid): Segment[] {
  const { nx, ny, xs, ys, values, xRange, yRange } = grid;
  const dx = (xRange[1] - xRange[0]) / nx;
  const dy = (yRange[1] - yRange[0]) / ny;
  const segments: Segment[] = [];
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const c = values[j * nx + i];
      if (i + 1 < nx && values[j * nx + i + 1] !== c) {
        const x = xs[i] + dx / 2;
        segments.push([x, ys[j] - dy / 2, x, ys[j] + dy / 2]);
      }
      if (j + 1 < ny && values[(j + 1) * nx + i] !== c) {
        const y = ys[j] + dy / 2;
        segments.push([xs[i] - dx / 2, y, xs[i] + dx / 2, y]);
      }
    }
  }
  return segments;
}

/**
 * The `level` contour of the grid (default 0.5: the decision boundary) by marching squares
 * over the cell centers, with linear interpolation along each cell edge.
 */
export function boundaryContour(grid: BoundaryGrid, level = 0.5): Segment[] {
  const { nx, ny, xs, ys, values } = grid;
  const v = (i: number, j: number): number => values[j * nx + i];
  const segments: Segment[] = [];
  for (let j = 0; j + 1 < ny; j++) {
    for (let i = 0; i + 1 < nx; i++) {
      // corners: a bottom-left, b bottom-right, c top-right, d top-left
      const corners: [number, number][] = [
        [i, j],
        [i + 1, j],
        [i + 1, j + 1],
        [i, j + 1],
      ];
      const vals = corners.map(([ci, cj]) => v(ci, cj));
      const above = vals.map((val) => val >= level);
      // crossing on edge k (between corner k and corner k+1), or null
      const cross = [0, 1, 2, 3].map((k): [number, number] | null => {
        const k2 = (k + 1) % 4;
        if (above[k] === above[k2]) return null;
        const t = (level - vals[k]) / (vals[k2] - vals[k]);
        const [i1, j1] = corners[k];
        const [i2, j2] = corners[k2];
        return [xs[i1] + t * (xs[i2] - xs[i1]), ys[j1] + t * (ys[j2] - ys[j1])];
      });
      const edges = cross.flatMap((p, k) => (p ? [k] : []));
      const seg = (k1: number, k2: number): void => {
        const p = cross[k1];
        const q = cross[k2];
        if (p && q) segments.push([p[0], p[1], q[0], q[1]]);
      };
      if (edges.length === 2) seg(edges[0], edges[1]);
      else if (edges.length === 4) {
        // saddle: the mean of the corners decides which diagonal pair is connected
        const centerAbove = (vals[0] + vals[1] + vals[2] + vals[3]) / 4 >= level;
        if (centerAbove === above[0]) {
          seg(0, 1); // cut off corner b
          seg(2, 3); // cut off corner d
        } else {
          seg(3, 0); // cut off corner a
          seg(1, 2); // cut off corner c
        }
      }
    }
  }
  return segments;
}

function centers([lo, hi]: Range, n: number): number[] {
  const step = (hi - lo) / n;
  return Array.from({ length: n }, (_, i) => lo + (i + 0.5) * step);
}
