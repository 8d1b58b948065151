import { describe, expect, it } from 'vitest';
import { lossCurveData } from '../src/index.ts';

describe('lossCurveData', () => {
  it('aligns runs on the union of epochs, with null where a run has no point', () => {
    const d = lossCurveData([
      { label: 'a', epochs: [1, 2, 4], losses: [0.5, 0.4, 0.2] },
      { label: 'b', epochs: [2, 3], losses: [0.9, 0.8] },
    ]);
    expect(d.data).toEqual([
      [1, 2, 3, 4],
      [0.5, 0.4, null, 0.2],
      [null, 0.9, 0.8, null],
    ]);
    expect(d.series.map((s) => s.label)).toEqual(['a', 'b']);
    expect(d.series[0].color).not.toBe(d.series[1].color);
    expect(d.logScale).toBe(false);
    expect(d.notes).toEqual([]);
  });

  it('accepts typed arrays (Tensor.data) and sorts unsorted epochs', () => {
    const d = lossCurveData([{ label: 'r', epochs: new Float64Array([3, 1, 2]), losses: new Float64Array([0.3, 0.1, 0.2]) }]);
    expect(d.data).toEqual([
      [1, 2, 3],
      [0.1, 0.2, 0.3],
    ]);
  });

  it('clamps losses <= 0 to the smallest positive loss on a log axis, with a note', () => {
    const d = lossCurveData(
      [
        { label: 'a', epochs: [1, 2, 3], losses: [0.5, 0, -1] },
        { label: 'b', epochs: [1, 2], losses: [0.25, 0.01] },
      ],
      { logScale: true },
    );
    expect(d.logScale).toBe(true);
    expect(d.data[1]).toEqual([0.5, 0.01, 0.01]);
    expect(d.data[2]).toEqual([0.25, 0.01, null]);
    expect(d.notes).toEqual(['a: 2 loss(es) <= 0 clamped to 0.01 for the log axis']);
  });

  it('falls back to a linear axis when no loss is positive', () => {
    const d = lossCurveData([{ label: 'a', epochs: [1, 2], losses: [0, 0] }], { logScale: true });
    expect(d.logScale).toBe(false);
    expect(d.data[1]).toEqual([0, 0]);
    expect(d.notes[0]).toMatch(/log scale disabled/);
  });

  it('drops non-finite losses (a diverged run) with a note', () => {
    const d = lossCurveData([{ label: 'a', epochs: [1, 2, 3], losses: [0.5, NaN, Infinity] }]);
    expect(d.data).toEqual([[1], [0.5]]);
    expect(d.notes).toEqual(['a: 2 non-finite point(s) dropped']);
  });

  it('downsamples long histories to maxPoints and says so', () => {
    const n = 1_000_000;
    const epochs = Float64Array.from({ length: n }, (_, i) => i + 1);
    const losses = Float64Array.from({ length: n }, (_, i) => 1 / (i + 1));
    const d = lossCurveData([{ label: 'long', epochs, losses }]);
    expect(d.data[0].length).toBeLessThanOrEqual(2000);
    expect(d.data[0][0]).toBe(1);
    expect(d.data[0][d.data[0].length - 1]).toBe(n);
    expect(d.notes[0]).toMatch(/1000000 points downsampled/);
  });

  it('rejects runs whose epochs and losses differ in length', () => {
    expect(() => lossCurveData([{ label: 'bad', epochs: [1, 2], losses: [1] }])).toThrow(/2 epochs but 1 losses/);
  });

  it('clips the epoch axis at xMax: a run going on is drawn to that edge, interpolated, with a note', () => {
    const d = lossCurveData(
      [
        { label: 'fast', epochs: [10, 20, 30], losses: [0.4, 0.2, 0.01] },
        { label: 'slow', epochs: [10, 20, 40, 80], losses: [0.4, 0.3, 0.2, 0.1] },
        { label: 'printed', epochs: [25, 50], losses: [0.3, 0.2], style: 'points', color: '#d62728' },
      ],
      { xMax: 30 },
    );
    expect(d.data[0]).toEqual([10, 20, 25, 30]);
    expect(d.data[1]).toEqual([0.4, 0.2, null, 0.01]);
    expect(d.data[2]).toEqual([0.4, 0.3, null, 0.25]); // 0.3 + (0.2 − 0.3)·(30 − 20)/(40 − 20)
    expect(d.data[3]).toEqual([null, null, 0.3, null]); // dots past the edge are dropped, not moved
    expect(d.series.map((s) => s.style)).toEqual(['line', 'line', 'points']);
    expect(d.series[2].color).toBe('#d62728');
    expect(d.notes).toContain('the epoch axis ends at 30; runs that went on are drawn to that edge');
  });
});
