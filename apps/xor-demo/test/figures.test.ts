// What the lab's figures plot: the printed losses beside the curve, when the loss axis is
// logarithmic, where a comparison's epoch axis ends; and the report and compare outputs built on it.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { findChromium, PAYLOAD_ID, type ReportPayload } from '@gradlab/viz/node';
import { comparisonEpochLimit, learningCurveRuns, spansDecades, wantsLogAxis } from '../src/lab/figures.ts';
import { run } from './helpers/cli.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradlab-figures-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => vi.restoreAllMocks());

async function payloadOf(folder: string): Promise<ReportPayload> {
  const html = await readFile(join(folder, 'report.html'), 'utf8');
  const m = new RegExp(`<script type="application/json" id="${PAYLOAD_ID}">([\\s\\S]*?)</script>`).exec(html)!;
  return JSON.parse(m[1]) as ReportPayload;
}

describe('the figures’ rules', () => {
  it('the curve has the mean loss per pass and the printed losses as dots', () => {
    const runs = learningCurveRuns({ epochs: [21, 42], meanLoss: [0.3, 0.2] }, [{ epoch: 40, loss: 0.25 }], 20);
    expect(runs.map((r) => [r.label, r.style ?? 'line'])).toEqual([
      ['mean loss per pass', 'line'],
      ["printed loss (the last sample's, every 20 epochs)", 'points'],
    ]);
    expect(learningCurveRuns({ epochs: [21], meanLoss: [0.3] }, [], 5000)).toHaveLength(1);
  });

  it('a log axis when the plotted losses span more than two decades', () => {
    expect(spansDecades([0.3, 0.004])).toBe(false);
    expect(spansDecades([0.3, 0.002, 0, Number.NaN])).toBe(true);
    expect(wantsLogAxis(learningCurveRuns({ epochs: [21], meanLoss: [0.3] }, [{ epoch: 20, loss: 1e-5 }], 20))).toBe(true);
  });

  it('a comparison ends at the slowest run that converged (none or all converged: no limit)', () => {
    const c = (converged: boolean, epochs: number) => ({ converged, epochs });
    expect(comparisonEpochLimit([c(true, 60123), c(false, 1_000_000), c(true, 113274)])).toBe(113274);
    expect(comparisonEpochLimit([c(true, 10), c(true, 20)])).toBeUndefined();
    expect(comparisonEpochLimit([c(false, 10), c(false, 20)])).toBeUndefined();
  });
});

describe('in the report', () => {
  it("the lab's run: log axis by default (the printed losses reach 1e-5), dots, captions; --no-log-loss forces a linear axis", async () => {
    const out = join(dir, 'lab');
    expect((await run('--out', out, '--no-png', '--quiet')).code).toBe(0);
    const p = await payloadOf(out);
    expect(p.loss!.logScale).toBe(true);
    expect(p.loss!.series.map((s) => s.style)).toEqual(['line', 'points']);
    expect(p.loss!.data[2].filter((v) => v !== null)).toHaveLength(12); // epoch 5000 … 60000
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).toContain("the dots are the losses the printout shows (the last sample&#39;s loss every 5000 epochs)");
    expect(html).not.toContain('figures show'); // the note on thinned points is a caption now, not a setting
    const linear = join(dir, 'linear');
    expect((await run('--out', linear, '--no-png', '--quiet', '--no-log-loss')).code).toBe(0);
    expect((await payloadOf(linear)).loss!.logScale).toBe(false);
  });

  it("compare clips at the slowest converged run, marks the others, and writes each run's comparison figure", async () => {
    const out = join(dir, 'compare');
    const r = await run('compare', '--lr', '0.8,2', '--max-epochs', '150000', '--out', out, '--quiet');
    expect(r.code).toBe(0);
    const p = await payloadOf(out);
    expect(p.loss!.series.map((s) => s.label)).toEqual(['lr=0.8', 'lr=2 (did not converge)']);
    expect(Math.max(...p.loss!.data[0])).toBe(60123); // not 150000
    expect(p.loss!.notes).toContain('the epoch axis ends at 60123; runs that went on are drawn to that edge');
    if (findChromium()) {
      for (const k of [1, 2]) expect(await readdir(join(out, `run-${k}`))).toContain('comparison.png');
      expect(r.out).toContain('run-1/comparison.png');
    }
  });
});
