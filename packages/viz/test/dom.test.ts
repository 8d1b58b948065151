// The drawing code in a real browser: draw, update (same layout and new layout), destroy, and
// renderGraphSvg's wasm in the page. One Chromium launch for the file.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium as playwright, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChromium } from '../src/node.ts';

const chromium = findChromium();

const HARNESS = `
import * as viz from '../src/index.ts';
(window as unknown as { viz: typeof viz }).viz = viz;
`;

describe.skipIf(!chromium)('drawing in Chromium', () => {
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    const bundle = await build({
      stdin: { contents: HARNESS, resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'ts' },
      bundle: true,
      format: 'iife',
      write: false,
      logLevel: 'silent',
    });
    browser = await playwright.launch({ executablePath: chromium ?? undefined, args: ['--no-sandbox', '--disable-gpu'] });
    page = await browser.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.setContent('<!doctype html><html><head></head><body><div id="host"></div></body></html>');
    await page.addScriptTag({ content: bundle.outputFiles[0].text });
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('draws, updates and destroys all three figures without errors', async () => {
    const result = await page.evaluate(async () => {
      type Viz = typeof import('../src/index.ts');
      const v = (window as unknown as { viz: Viz }).viz;
      const host = document.getElementById('host') as HTMLElement;
      const frame = (): Promise<void> => new Promise((r) => requestAnimationFrame(() => r()));
      const counts = (): number[] => ['.gl-loss', '.gl-comparison', '.gl-boundary', '.uplot'].map((s) => host.querySelectorAll(s).length);

      const run = (n: number) => ({ label: 'run', epochs: [1, 2, 3].map((e) => e * n), losses: [0.3, 0.2, 0.1] });
      const loss = v.drawLossCurve(host, v.lossCurveData([run(1)]));
      const pts = [[0, 0], [0, 1], [1, 0], [1, 1]];
      const labels = [0, 1, 1, 0];
      const cmp = v.drawComparison(host, v.comparisonData(pts, labels, [0.1, 0.9, 0.4, 0.2]));
      const f = (xy: number[][]) => xy.map(([a, b]) => Math.abs(a - b));
      const bnd = v.drawDecisionBoundary(host, v.decisionBoundaryGrid(f, { resolution: 8 }), { points: pts, labels });
      await frame();
      const drawn = counts();
      const caption = host.querySelector('.gl-caption')?.textContent;

      loss.update(v.lossCurveData([run(2)])); // same layout: setData
      loss.update(v.lossCurveData([run(1), run(3)], { logScale: true })); // new layout: rebuilt
      cmp.update(v.comparisonData(pts, labels, [0.1, 0.9, 0.9, 0.2]));
      cmp.update(v.comparisonData(pts.map(([a, b]) => [a * 2, b]), labels, [0.1, 0.9, 0.9, 0.2]));
      bnd.update({ grid: v.decisionBoundaryGrid(f, { resolution: 8 }), points: { points: pts, labels } });
      bnd.update({ grid: v.decisionBoundaryGrid(f, { resolution: 4, xRange: [-1, 2] }), points: { points: pts, labels } });
      await frame();
      const updated = counts();
      const legend = [...host.querySelectorAll('.gl-loss .u-legend .u-label')].map((e) => e.textContent);
      const captionAfter = host.querySelector('.gl-caption')?.textContent;

      loss.destroy();
      cmp.destroy();
      bnd.destroy();
      const svg = await v.renderGraphSvg('digraph { a -> b }');
      return { drawn, caption, updated, legend, captionAfter, destroyed: counts(), svg: svg.includes('<svg') };
    });
    expect(errors).toEqual([]);
    expect(result.drawn).toEqual([1, 1, 1, 4]); // one loss chart, two comparison panels, one boundary chart
    expect(result.caption).toBe('Accuracy: 75.00% (3/4)');
    expect(result.updated).toEqual([1, 1, 1, 4]);
    expect(result.legend).toEqual(['run', 'run']);
    expect(result.captionAfter).toBe('Accuracy: 100.00% (4/4)');
    expect(result.destroyed).toEqual([0, 0, 0, 0]);
    expect(result.svg).toBe(true);
  }, 30_000);
});
