import { describe, expect, it, vi } from 'vitest';
import { boundaryContour, classBoundaries, classColor, classTint, decisionBoundaryGrid, outputColor } from '../src/index.ts';

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

describe('decisionBoundaryGrid with k classes', () => {
  // three classes by region: class 0 left of x = 0.5, class 1 right of it below y = 0.5, class 2 above
  const scores = (xy: number[][]) =>
    xy.flatMap(([x, y]) => (x < 0.5 ? [2, 0, 1] : y < 0.5 ? [0, 3, 1] : [-1, 0, 0.5]));

  it('keeps the class with the largest score at each cell, point by point (bottom row first)', () => {
    const predict = vi.fn(scores);
    const g = decisionBoundaryGrid(predict, { resolution: 4, classes: 3 });
    expect(predict).toHaveBeenCalledTimes(1);
    expect(g.classes).toBe(3);
    // cell centers 0.125, 0.375, 0.625, 0.875 on both axes
    expect(g.values).toEqual([
      0, 0, 1, 1, // y = 0.125
      0, 0, 1, 1, // y = 0.375
      0, 0, 2, 2, // y = 0.625
      0, 0, 2, 2, // y = 0.875
    ]);
  });

  it('takes the first class on a tie and never a NaN score', () => {
    const g = decisionBoundaryGrid((xy) => xy.flatMap(() => [1, 1, 0]), { resolution: 2, classes: 3 });
    expect(g.values).toEqual([0, 0, 0, 0]);
    const h = decisionBoundaryGrid((xy) => xy.flatMap(() => [Number.NaN, -5, -7]), { resolution: 2, classes: 3 });
    expect(h.values).toEqual([1, 1, 1, 1]);
  });

  it('leaves a binary grid as it was (no classes field, raw outputs)', () => {
    const g = decisionBoundaryGrid((xy) => xy.map(([x]) => x), { resolution: 2 });
    expect(g.classes).toBeUndefined();
    expect(g.values).toEqual([0.25, 0.75, 0.25, 0.75]);
  });

  it('refuses a predict that does not return k scores per input, and a bad k', () => {
    expect(() => decisionBoundaryGrid((xy) => xy.map(() => 0), { resolution: 2, classes: 3 })).toThrow(
      /returned 4 values for 4 inputs, expected 12 \(3 scores for each of 4\)/,
    );
    expect(() => decisionBoundaryGrid(scores, { resolution: 2, classes: 1 })).toThrow(/classes must be an integer >= 2, got 1/);
  });
});

describe('classBoundaries', () => {
  it('puts one segment on each shared edge of differently classed neighbours', () => {
    const g = decisionBoundaryGrid((xy) => xy.flatMap(([x, y]) => (x < 0.5 ? [1, 0, 0] : y < 0.5 ? [0, 1, 0] : [0, 0, 1])), {
      resolution: 2,
      classes: 3,
    });
    // cells: (0,0)=0 (1,0)=1 / (0,1)=0 (1,1)=2 → borders x = 0.5 on both rows, y = 0.5 in the right column
    expect(classBoundaries(g)).toEqual([
      [0.5, 0, 0.5, 0.5], // bottom row, between cells 0 and 1
      [0.5, 0.5, 1, 0.5], // right column, between rows 0 and 1
      [0.5, 0.5, 0.5, 1], // top row, between cells 0 and 2
    ]);
  });

  it('finds no border in a region of one class', () => {
    const g = decisionBoundaryGrid((xy) => xy.flatMap(() => [0, 0, 1]), { resolution: 3, classes: 3 });
    expect(classBoundaries(g)).toEqual([]);
  });
});

describe('classTint and classColor', () => {
  it('keeps the lab’s red and blue for classes 0 and 1 and gives tab10 colors after', () => {
    expect([classColor(0), classColor(1), classColor(2), classColor(12)]).toEqual(['#d62728', '#1f77b4', '#2ca02c', '#2ca02c']);
    // 35% of the way from white to #2ca02c = (44, 160, 44)
    expect(classTint(2)).toEqual([Math.round(255 - 0.35 * 211), Math.round(255 - 0.35 * 95), Math.round(255 - 0.35 * 211)]);
  });
});
