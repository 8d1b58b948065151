import { describe, expect, it, vi } from 'vitest';
import { boundaryContour, decisionBoundaryGrid, outputColor } from '../src/index.ts';

describe('decisionBoundaryGrid', () => {
  it('samples cell centers row by row (bottom row first) in one batched call', () => {
    const predict = vi.fn((xy: number[][]) => xy.map(([x, y]) => 10 * x + y));
    const g = decisionBoundaryGrid(predict, { xRange: [0, 1], yRange: [0, 2], resolution: 2 });
    expect(predict).toHaveBeenCalledTimes(1);
    expect(predict.mock.calls[0][0]).toEqual([
      [0.25, 0.5],
      [0.75, 0.5],
      [0.25, 1.5],
      [0.75, 1.5],
    ]);
    expect(g.nx).toBe(2);
    expect(g.ny).toBe(2);
    expect(g.xs).toEqual([0.25, 0.75]);
    expect(g.ys).toEqual([0.5, 1.5]);
    expect(g.values).toEqual([3, 8, 4, 9]); // values[j*nx + i] = f(xs[i], ys[j])
  });

  it('defaults to the unit square at 50×50 and accepts [nx, ny] and typed-array outputs', () => {
    const g = decisionBoundaryGrid((xy) => new Float64Array(xy.length));
    expect([g.nx, g.ny, g.values.length]).toEqual([50, 50, 2500]);
    expect(g.xRange).toEqual([0, 1]);
    expect(g.xs[0]).toBeCloseTo(0.01);
    expect(g.xs[49]).toBeCloseTo(0.99);
    const h = decisionBoundaryGrid((xy) => xy.map(() => 0), { resolution: [3, 2] });
    expect([h.xs.length, h.ys.length, h.values.length]).toEqual([3, 2, 6]);
  });

  it('rejects a predict function that returns the wrong number of outputs', () => {
    expect(() => decisionBoundaryGrid(() => [1, 2], { resolution: 2 })).toThrow(/returned 2 values for 4 inputs/);
    expect(() => decisionBoundaryGrid(() => [], { resolution: 1 })).toThrow(/resolution/);
  });
});

describe('boundaryContour', () => {
  it('finds the 0.5 level of f(x, y) = x as the vertical line x = 0.5', () => {
    const g = decisionBoundaryGrid((xy) => xy.map(([x]) => x), { resolution: 4 });
    const segs = boundaryContour(g);
    expect(segs).toHaveLength(3); // one per row of cells
    for (const [x1, y1, x2, y2] of segs) {
      expect(x1).toBeCloseTo(0.5);
      expect(x2).toBeCloseTo(0.5);
      expect(Math.abs(y2 - y1)).toBeCloseTo(0.25);
    }
  });

  it('finds nothing when the output never crosses the level', () => {
    const g = decisionBoundaryGrid((xy) => xy.map(() => 0.9), { resolution: 5 });
    expect(boundaryContour(g)).toEqual([]);
  });
});

describe('outputColor', () => {
  it('is pale red at 0, white at 0.5, pale blue at 1, and clamps', () => {
    expect(outputColor(0.5)).toEqual([255, 255, 255]);
    const [r0, , b0] = outputColor(0);
    const [r1, , b1] = outputColor(1);
    expect(r0).toBeGreaterThan(b0);
    expect(b1).toBeGreaterThan(r1);
    expect(outputColor(-3)).toEqual(outputColor(0));
    expect(outputColor(7)).toEqual(outputColor(1));
  });
});
