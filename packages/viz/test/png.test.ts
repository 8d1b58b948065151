// End to end: report → headless Chromium → PNG files and report.pdf, in one browser launch.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { CLASS_COLORS, findChromium, writeReport } from '../src/node.ts';
import { reportInput } from './helpers/fixture.ts';
import { countColor, decodePng, PNG_SIGNATURE, pngSize } from './helpers/png.ts';

const chromium = findChromium();
const [RED, BLUE] = CLASS_COLORS;

describe('PNG figures through headless Chromium', () => {
  let dir = '';
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.skipIf(!chromium)(
    'writes loss.png, comparison.png, boundary.png (right size, class colors) and report.pdf, and companions’ figures, in one launch',
    async () => {
      dir = await mkdtemp(join(tmpdir(), 'gradlab-viz-png-'));
      await mkdir(join(dir, 'other'));
      const { chromium: pw } = await import('playwright-core');
      const launch = vi.spyOn(pw, 'launch');
      const companion = { ...reportInput(), boundary: undefined, runs: [] };
      const result = await writeReport(dir, reportInput(), { png: true, writeFile: (p, d) => writeFile(p, d), companions: [{ dir: join(dir, 'other'), input: companion }] });
      expect(launch).toHaveBeenCalledTimes(1);
      launch.mockRestore();
      expect(result.skipped).toEqual([]);
      expect(result.blockedRequests).toEqual([]); // the page made no network request
      expect((await readdir(dir)).sort()).toEqual(['boundary.png', 'comparison.png', 'graph.svg', 'loss.png', 'other', 'report.html', 'report.pdf']);
      expect(await readdir(join(dir, 'other'))).toEqual(['comparison.png']);
      const pdf = await readFile(join(dir, 'report.pdf'));
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(pdf.toString('latin1')).toMatch(/\/MediaBox \[0 0 59[45]\.\d+ 84[12]\.\d+\]/); // A4 in points

      const png = async (name: string): Promise<Buffer> => readFile(join(dir, name));
      const [loss, comparison, boundary] = await Promise.all(['loss.png', 'comparison.png', 'boundary.png'].map(png));
      for (const file of [loss, comparison, boundary]) expect(file.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);

      // width = (plot width + 2 × 14 px figure padding) × deviceScaleFactor 2
      const ls = pngSize(loss);
      expect(ls.width).toBe((660 + 28) * 2); // sized to fit an A4 page, so the PDF prints it unscaled
      expect(ls.height).toBeGreaterThan(330 * 2);
      expect(ls.height).toBeLessThan(520 * 2);
      const cs = pngSize(comparison);
      expect(cs.width).toBe((315 * 2 + 16 + 28) * 2);
      expect(cs.height).toBeGreaterThan(315 * 2);
      const bs = pngSize(boundary);
      expect(bs.width).toBe((400 + 28) * 2);
      expect(bs.height).toBeGreaterThan(400 * 2);

      const cmp = decodePng(comparison);
      expect(countColor(cmp, RED)).toBeGreaterThan(500);
      expect(countColor(cmp, BLUE)).toBeGreaterThan(500);
      const bnd = decodePng(boundary);
      expect(countColor(bnd, RED)).toBeGreaterThan(500);
      expect(countColor(bnd, BLUE)).toBeGreaterThan(500);
      const lossImg = decodePng(loss);
      expect(countColor(lossImg, '#222222', 30)).toBeGreaterThan(500); // the single run's line
    },
    60_000,
  );
});
