// End to end: report → headless Chromium → PNG files. One browser launch for the whole file.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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
    'writes loss.png, comparison.png and boundary.png with the right size and class colors',
    async () => {
      dir = await mkdtemp(join(tmpdir(), 'gradlab-viz-png-'));
      const result = await writeReport(dir, reportInput(), { png: true, writeFile: (p, d) => writeFile(p, d) });
      expect(result.skipped).toEqual([]);
      expect(result.blockedRequests).toEqual([]); // the page made no network request
      expect((await readdir(dir)).sort()).toEqual(['boundary.png', 'comparison.png', 'graph.svg', 'loss.png', 'report.html']);

      const png = async (name: string): Promise<Buffer> => readFile(join(dir, name));
      const [loss, comparison, boundary] = await Promise.all(['loss.png', 'comparison.png', 'boundary.png'].map(png));
      for (const file of [loss, comparison, boundary]) expect(file.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);

      // width = (plot width + 2 × 14 px figure padding) × deviceScaleFactor 2
      const ls = pngSize(loss);
      expect(ls.width).toBe((720 + 28) * 2);
      expect(ls.height).toBeGreaterThan(360 * 2);
      expect(ls.height).toBeLessThan(520 * 2);
      const cs = pngSize(comparison);
      expect(cs.width).toBe((360 * 2 + 16 + 28) * 2);
      expect(cs.height).toBeGreaterThan(360 * 2);
      const bs = pngSize(boundary);
      expect(bs.width).toBe((420 + 28) * 2);
      expect(bs.height).toBeGreaterThan(420 * 2);

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
