// The web demo in real Chromium: loads clean and offline, the inspector's chain rule adds up, the
// backward walk reaches the inputs, and the lab trains to 100%. One page, tests in order.
import { readdirSync, readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { DOCS, launchChromium, screenshot, watchPage, type PageProblems } from './browser.ts';

const baseUrl = inject('baseUrl');
const distDir = inject('distDir');
/** UPDATE_DOCS=1 also writes the README's screenshots into docs/. */
const updateDocs = process.env.UPDATE_DOCS === '1';

let browser: Browser;
let page: Page;
let problems: PageProblems;

const text = async (testid: string): Promise<string> => (await page.getByTestId(testid).first().textContent())?.trim() ?? '';
const number = async (testid: string): Promise<number> => Number(await text(testid));

/** Waits until the inspector shows the weights the status line reports, for sample `sample`. */
async function inspectorShows(sample: number): Promise<void> {
  await page.waitForFunction((n) => {
    const caption = document.getElementById('inspector-caption')?.textContent ?? '';
    const epoch = document.getElementById('status-epoch')?.textContent ?? '?';
    return caption.startsWith(`Weights at epoch ${epoch}, sample #${n}:`) && document.querySelector('#graph svg') !== null;
  }, sample);
}

/** Reads the explanation of `element` (e.g. 'W1[1,0]'): the displayed path sum, grad and path count. */
async function explain(element: string): Promise<{ sum: number; grad: number; paths: number }> {
  const weight = element.slice(0, element.indexOf('['));
  await page.selectOption('#explain-weight', weight);
  await page.selectOption('#explain-element', { label: element });
  return { sum: await number('path-sum'), grad: await number('weight-grad'), paths: await page.locator('#explanation ol.paths > li').count() };
}

/** docs/inspector.png: a viewport tall enough for the whole graph (its box is sticky, as tall as the window). */
async function docsInspectorShot(): Promise<void> {
  const viewport = page.viewportSize()!;
  await page.setViewportSize({ width: viewport.width, height: 1720 });
  await page.locator('#inspector').evaluate((el) => el.scrollIntoView());
  await page.locator('#inspector').screenshot({ path: `${DOCS}inspector.png` });
  await page.setViewportSize(viewport);
}

beforeAll(async () => {
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  page.setDefaultTimeout(60_000);
  problems = watchPage(page, baseUrl);
  // the page must work with no network: anything off-host is refused (and recorded above)
  await page.route('**/*', (route) => (route.request().url().startsWith(baseUrl) ? route.continue() : route.abort()));
});

afterAll(async () => {
  await browser?.close();
});

describe('web demo', () => {
  test('loads with no console errors, failed requests or requests to other hosts', async () => {
    await page.goto(baseUrl);
    await page.waitForSelector('body[data-phase="ready"]');
    for (const chart of ['#loss-chart', '#boundary-chart', '#comparison-chart']) await page.waitForSelector(`${chart} canvas`);
    await page.waitForSelector('#graph svg g.node');
    await inspectorShows(1); // the rule's example: the sample with the largest loss (0, 1)
    await screenshot(page, '1-loaded');
    expect(problems.pageErrors).toEqual([]);
    expect(problems.consoleErrors).toEqual([]);
    expect(problems.failedRequests).toEqual([]);
    expect(problems.offHostRequests).toEqual([]);
    expect(problems.requests.some((u) => /worker[^/]*\.js$/.test(u))).toBe(true); // training runs in a worker
  });

  test('the build references no other host', () => {
    const files = [`${distDir}/index.html`, ...readdirSync(`${distDir}/assets`).map((f) => `${distDir}/assets/${f}`)];
    const urls = files.flatMap((f) => readFileSync(f, 'latin1').match(/https?:\/\/[\w.-]+[^\s"'`)\\]*/g) ?? []);
    // XML namespace names and the SVG DTD are identifiers, never fetched
    expect(urls.filter((u) => !u.startsWith('http://www.w3.org/'))).toEqual([]);
  });

  test("the inspector's path sum for a chosen weight equals its grad as displayed", async () => {
    await page.selectOption('#sample', '1'); // (0, 1) → 1: x₂ = 1, so W1's second row gets gradient
    await inspectorShows(1);
    const { sum, grad, paths } = await explain('W1[1,0]');
    expect(Number.isFinite(sum) && Number.isFinite(grad)).toBe(true);
    expect(Math.abs(grad)).toBeGreaterThan(1e-4);
    expect(Math.abs(sum - grad)).toBeLessThanOrEqual(1e-9 * Math.abs(grad));
    // [2,3,3,1]: W1[1,0] reaches the loss once through each unit of the second hidden layer
    expect(paths).toBe(3);

    // clicking a node in the picture shows its details; clicking a weight explains it
    await page.locator('#graph g.node', { hasText: 'z2 = matmul' }).click();
    expect(await text('node-label')).toBe('z2');
    expect(await page.locator('#node-details table.locals tr').count()).toBe(3); // header + inputs a, b
    await page.locator('#graph g.node', { hasText: 'W3' }).click();
    expect(await page.locator('#explain-weight').inputValue()).toBe('W3');
    const w3 = await number('path-sum');
    expect(Math.abs(w3 - (await number('weight-grad')))).toBeLessThanOrEqual(1e-9 * Math.abs(w3));

    await explain('W1[1,0]');
    await page.locator('#graph g.node', { hasText: 'W1' }).click();
    await page.locator('#explanation details').first().evaluate((d) => ((d as HTMLDetailsElement).open = true));
    await screenshot(page, '2-inspector');
  });

  test('step-through walks the backward pass from the loss to the inputs', async () => {
    const seen: string[] = [];
    const position = () => page.locator('#step-position').innerText();
    while (!(await page.locator('#step-next').isDisabled())) {
      await page.click('#step-next');
      await page.waitForFunction((k) => document.getElementById('step-position')?.textContent?.startsWith(`step ${k} of`), seen.length + 1);
      seen.push(await text('step-node'));
      if (seen.at(-1) === 'z2' && updateDocs) await docsInspectorShot();
    }
    expect(await position()).toBe(`step ${seen.length} of ${seen.length}`);
    expect(seen[0]).toBe('loss');
    // reverse topological order: the output side first, the first layer last
    expect(seen.indexOf('ŷ')).toBeLessThan(seen.indexOf('z2'));
    expect(seen.indexOf('z2')).toBeLessThan(seen.indexOf('z1'));
    expect(seen.at(-1)).toBe('W1');
    expect(await page.getByTestId('step-leaf').count()).toBe(1);
    expect(await page.locator('#step-body').innerText()).toContain('reached the inputs');
    expect(await page.locator('#graph g.node.bw-current').count()).toBe(1);
    await screenshot(page, '3-step-through');
  });

  test('training the lab preset on XOR-easy drives the loss down to 100% accuracy', async () => {
    expect(await page.locator('select[name="dataset"]').inputValue()).toBe('xor');
    expect(await page.locator('input[name="hidden"]').inputValue()).toBe('3, 3');
    await page.click('#step');
    await page.waitForFunction(() => document.getElementById('status-passes')?.textContent === '1');
    const firstLoss = await number('loss');
    expect(firstLoss).toBeGreaterThan(0.1);

    await page.selectOption('#speed', 'fastest');
    const started = Date.now();
    await page.click('#play');
    await page.waitForSelector('body[data-phase="done"]', { timeout: 90_000 });
    const seconds = (Date.now() - started) / 1000;

    const finalLoss = await number('loss');
    expect(finalLoss).toBeLessThan(firstLoss / 10);
    expect(await text('accuracy')).toBe('100.00%');
    expect(await text('phase')).toContain('converged');
    expect(await page.locator('#comparison-chart .gl-caption').textContent()).toBe('Accuracy: 100.00% (21/21)');
    console.log(`XOR-easy: converged in ${seconds.toFixed(1)} s at epoch ${await text('epoch')}, mean loss ${firstLoss} → ${finalLoss}`);

    // the inspector follows: it redraws with the trained weights, and the chain rule still adds up
    await inspectorShows(1);
    const { sum, grad } = await explain('W1[1,0]');
    expect(Math.abs(sum - grad)).toBeLessThanOrEqual(1e-9 * Math.max(Math.abs(grad), 1e-12));
    await page.waitForTimeout(300); // the last chart frame
    await screenshot(page, '4-trained');
    if (updateDocs) {
      const run = (await page.locator('section.run').boundingBox())!;
      await page.screenshot({ path: `${DOCS}trained.png`, fullPage: true, clip: { x: 0, y: 0, width: 1440, height: Math.ceil(run.y + run.height + 14) } });
    }
  });

  test('nothing went wrong in the page along the way', () => {
    expect(problems.pageErrors).toEqual([]);
    expect(problems.consoleErrors).toEqual([]);
    expect(problems.failedRequests).toEqual([]);
    expect(problems.offHostRequests).toEqual([]);
  });
});
