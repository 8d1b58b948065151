// The web demo as a teacher and a student use it, in real Chromium: the inspector opens on a
// readable example, a weight's paths and the backward walk light up on the graph, lecture mode's
// fonts at 1024×768, every screen (390×844, keyboard, axe-core), the URL round trip, downloads,
// and a large network that still pauses at once.
import { AxeBuilder } from '@axe-core/playwright';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { DOCS, launchChromium, screenshot, watchPage, type PageProblems } from './browser.ts';

const baseUrl = inject('baseUrl');
const updateDocs = process.env.UPDATE_DOCS === '1';

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function open(url: string, viewport = { width: 1024, height: 768 }): Promise<{ page: Page; problems: PageProblems }> {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  const problems = watchPage(page, baseUrl);
  await page.goto(url);
  await page.waitForSelector('body[data-phase="ready"]');
  await page.waitForSelector('#graph svg g.node');
  return { page, problems };
}

const number = async (page: Page, testid: string) => Number((await page.getByTestId(testid).first().textContent())?.trim());

/** The highlighted edges as `from→to` by the nodes' names (each node's first word). */
async function litEdges(page: Page, cls: string): Promise<string[]> {
  return page.evaluate((c) => {
    const name = (id: string) => document.getElementById(id)?.querySelector('text')?.textContent?.trim().split(/\s+/)[0] ?? '?';
    return [...document.querySelectorAll(`#graph g.edge.${c}`)].map((g) => {
      const [, from, to] = /^e(\d+)-(\d+)$/.exec(g.id)!;
      return `${name(`n${from}`)}→${name(`n${to}`)}`;
    });
  }, cls);
}

describe('the inspector teaches on a readable example', () => {
  test('it opens on a non-zero gradient: the path sum equals the grad', async () => {
    const { page, problems } = await open(baseUrl);
    expect(await page.locator('#explain-element option:checked').textContent()).toBe('W1[1,0]');
    expect(await page.locator('#sample').inputValue()).toBe('1');
    const sum = await number(page, 'path-sum');
    const grad = await number(page, 'weight-grad');
    expect(Math.abs(grad)).toBeGreaterThan(1e-3); // not the 0 = 0 of sample (0,0)
    expect(Math.abs(sum - grad)).toBeLessThanOrEqual(1e-9 * Math.abs(grad));
    expect(problems.pageErrors).toEqual([]);
    expect(problems.consoleErrors).toEqual([]);
    await page.close();
  });

  test("selecting a weight highlights exactly its paths' edges; the walk highlights the edges it hands the gradient along", async () => {
    const { page } = await open(baseUrl);
    expect((await litEdges(page, 'on-path')).sort()).toEqual(['W1→z1', 'z1→a1', 'a1→z2', 'z2→a2', 'a2→z3', 'z3→ŷ', 'ŷ→loss'].sort());
    await page.selectOption('#explain-weight', 'W3');
    await page.selectOption('#explain-element', { label: 'W3[2,0]' });
    expect((await litEdges(page, 'on-path')).sort()).toEqual(['W3→z3', 'z3→ŷ', 'ŷ→loss'].sort());
    await page.selectOption('#explain-weight', 'W2');
    await page.selectOption('#explain-element', { label: 'W2[0,1]' });
    expect((await litEdges(page, 'on-path')).sort()).toEqual(['W2→z2', 'z2→a2', 'a2→z3', 'z3→ŷ', 'ŷ→loss'].sort());

    // the backward walk: at z2 = a1·W2 it hands ∂loss/∂z2 to a1 and W2, in matrix form
    for (;;) {
      await page.click('#step-next');
      if ((await page.getByTestId('step-node').textContent()) === 'z2') break;
    }
    expect((await litEdges(page, 'bw-edge')).sort()).toEqual(['W2→z2', 'a1→z2']);
    const rules = await page.getByTestId('step-rule').allTextContents();
    expect(rules).toEqual(['∂loss/∂a1 = ∂loss/∂z2 · W2ᵀ', '∂loss/∂W2 = a1ᵀ · ∂loss/∂z2']);
    await screenshot(page, 'lecture-1-paths-and-walk');
    await page.close();
  });

  test("the loss's helper nodes fold into one node, and unfold on a second click", async () => {
    const { page } = await open(baseUrl);
    const names = () => page.$$eval('#graph g.node text:first-of-type', (ts) => ts.map((t) => t.textContent?.trim() ?? ''));
    expect(await names()).toContain('loss = mean((ŷ−y)²)');
    expect((await names()).some((n) => n.startsWith('pow'))).toBe(false);
    const loss = page.locator('#graph g.node', { hasText: 'loss = mean' });
    await loss.click();
    await loss.click();
    await page.waitForFunction(() => [...document.querySelectorAll('#graph g.node text')].some((t) => t.textContent?.startsWith('pow(2)')));
    expect(await page.locator('#fold-loss').textContent()).toBe('Fold loss');
    await page.close();
  });
});

describe('lecture mode', () => {
  test('at 1024×768: node text ≥ 16 px, edge labels ≥ 14 px, W1 and the loss on screen together; an edge shows its rule on click', async () => {
    const { page } = await open(baseUrl);
    await page.click('#lecture');
    await page.waitForFunction(() => document.body.classList.contains('lecture') && document.querySelector('#graph')?.getAttribute('data-zoom') !== null);
    await page.waitForFunction(() => document.querySelector('#graph g.node text')?.getAttribute('font-size') === '12.20'); // lecture's fonts
    const m = await page.evaluate(() => {
      const svg = document.querySelector('#graph svg') as SVGSVGElement;
      const scale = svg.getScreenCTM()!.a;
      const sizes = (sel: string) => [...svg.querySelectorAll(sel)].map((t) => parseFloat(t.getAttribute('font-size') ?? '0') * scale);
      const box = (label: string) => {
        const g = [...svg.querySelectorAll('g.node')].find((n) => n.querySelector('text')?.textContent?.trim().startsWith(label));
        const r = g!.getBoundingClientRect();
        return { top: r.top, bottom: r.bottom, left: r.left, right: r.right };
      };
      return { node: Math.min(...sizes('g.node text')), edge: Math.min(...sizes('g.edge text')), w1: box('W1'), loss: box('loss'), vw: innerWidth, vh: innerHeight };
    });
    console.log(`lecture mode at 1024×768: node text ${m.node.toFixed(1)} px, edge labels ${m.edge.toFixed(1)} px`);
    expect(m.node).toBeGreaterThanOrEqual(16);
    expect(m.edge).toBeGreaterThanOrEqual(14);
    for (const b of [m.w1, m.loss]) {
      expect(b.top).toBeGreaterThanOrEqual(0);
      expect(b.bottom).toBeLessThanOrEqual(m.vh);
      expect(b.right).toBeLessThanOrEqual(m.vw);
    }
    // short edge labels; the formula on click
    await page.locator('#graph g.edge', { hasText: '∂a1/∂z1' }).click();
    expect(await page.getByTestId('edge-formula').textContent()).toBe('∂y/∂x = y·(1−y)');
    // zoom and fit
    const zoom = async () => Number(await page.locator('#graph').getAttribute('data-zoom'));
    const fitted = await zoom();
    await page.click('#zoom-in');
    expect(await zoom()).toBeCloseTo(fitted * 1.25, 3);
    await page.click('#zoom-fit');
    expect(await zoom()).toBeCloseTo(fitted, 3);
    await screenshot(page, 'lecture-2-1024x768');
    if (updateDocs) await page.screenshot({ path: `${DOCS}lecture.png` });
    await page.close();
  });
});

describe('every screen', () => {
  test('at 390×844 nothing scrolls sideways, lecture mode included', async () => {
    const { page } = await open(baseUrl, { width: 390, height: 844 });
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(await overflow()).toBe(0);
    await page.locator('#inspector').scrollIntoViewIfNeeded();
    await screenshot(page, 'screen-390x844');
    await page.click('#lecture');
    await page.waitForFunction(() => document.body.classList.contains('lecture'));
    expect(await overflow()).toBe(0);
    await page.close();
  });

  test('graph nodes are reachable by keyboard, with names; Enter opens one', async () => {
    const { page } = await open(baseUrl);
    const names = await page.$$eval('#graph g.node', (gs) => gs.map((g) => [g.getAttribute('tabindex'), g.getAttribute('role'), g.textContent?.trim() ?? '']));
    expect(names.every(([tab, role, text]) => tab === '0' && role === 'button' && (text ?? '').length > 0)).toBe(true); // named by their text
    expect((await page.locator('#graph svg').getAttribute('aria-label'))!.length).toBeLessThan(200);
    await page.locator('#graph g.node', { hasText: 'W2' }).focus();
    await page.keyboard.press('Enter');
    expect(await page.getByTestId('node-label').textContent()).toBe('W2');
    await page.close();
  });

  test('axe-core finds no serious or critical violation (at 1024×768 and 390×844)', async () => {
    for (const viewport of [
      { width: 1024, height: 768 },
      { width: 390, height: 844 },
    ]) {
      const { page } = await open(baseUrl, viewport);
      const results = await new AxeBuilder({ page }).analyze();
      const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      console.log(`axe at ${viewport.width}×${viewport.height}: ${results.violations.length} violations (${results.violations.map((v) => `${v.id}: ${v.impact}`).join(', ') || 'none'})`);
      expect(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
      await page.close();
    }
  });
});

describe('a shared view', () => {
  test('the URL holds the settings, sample, weight, epoch and lecture mode, and opens the same view', async () => {
    const { page } = await open(baseUrl);
    await page.fill('input[name="lr"]', '0.5');
    await page.press('input[name="lr"]', 'Tab'); // leaving the field commits it (one change event)
    await page.waitForFunction(() => document.getElementById('run-description')?.textContent?.includes('lr 0.5'));
    await page.waitForSelector('#graph svg g.node');
    await page.selectOption('#sample', '3');
    await page.waitForFunction(() => document.getElementById('inspector-caption')?.textContent?.includes('sample #3'));
    await page.selectOption('#explain-weight', 'W2');
    await page.selectOption('#explain-element', { label: 'W2[0,1]' });
    await page.selectOption('#epoch', '0');
    await page.click('#lecture');
    await page.waitForFunction(() => location.hash.includes('lecture=1'));
    const url = page.url();
    console.log(`shared view: ${url}`);
    expect(url).toMatch(/#.*lr=0\.5/);
    expect(url).toContain('weight=W2[0,1]');
    await page.close();

    const again = await open(url);
    const p = again.page;
    expect(await p.locator('input[name="lr"]').inputValue()).toBe('0.5');
    await p.waitForFunction(() => document.getElementById('inspector-caption')?.textContent?.includes('sample #3'));
    expect(await p.locator('#sample').inputValue()).toBe('3');
    expect(await p.locator('#explain-element option:checked').textContent()).toBe('W2[0,1]');
    expect(await p.locator('#epoch').inputValue()).toBe('0');
    expect(await p.evaluate(() => document.body.classList.contains('lecture'))).toBe(true);
    expect(p.url()).toBe(url);
    await p.close();
  });
});

describe('downloads', () => {
  test('loss.csv, graph.svg and report.html', async () => {
    const { page } = await open(baseUrl);
    await page.click('#step');
    await page.waitForFunction(() => document.getElementById('status-passes')?.textContent === '1');
    const get = async (button: string) => {
      const [file] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
      return { name: file.suggestedFilename(), text: readFileSync((await file.path()), 'utf8') };
    };
    const csv = await get('#download-csv');
    expect(csv.name).toBe('loss.csv');
    expect(csv.text).toMatch(/^epoch,mean_loss\n21,0\.\d+\n$/);
    const svg = await get('#download-svg');
    expect(svg.name).toBe('graph.svg');
    expect(svg.text).toContain('loss = mean((ŷ−y)²)');
    const report = await get('#download-report');
    expect(report.name).toBe('report.html');
    expect(report.text).toContain('accuracy:');
    expect(report.text).toContain('<img alt="Learning curve" src="data:image/png;base64,');
    await page.close();
  });
});

describe('a large network stays responsive', () => {
  test('the form refuses what the page cannot train, in one clear line', async () => {
    const { page } = await open(baseUrl);
    await page.fill('input[name="hidden"]', '256, 256');
    await page.press('input[name="hidden"]', 'Tab');
    expect(await page.locator('#settings-error').textContent()).toContain('[2,256,256,1] has 66304 parameters, too many (at most 40000)');
    expect(await page.locator('input[name="hidden"]').getAttribute('class')).toContain('invalid');
    await page.close();
  });

  test('Pause acts within 100 ms with the largest network the page accepts', async () => {
    const { page } = await open(baseUrl);
    await page.selectOption('select[name="dataset"]', 'moons');
    await page.fill('input[name="hidden"]', '128, 128, 128'); // 33,152 parameters, batch 1
    await page.press('input[name="hidden"]', 'Tab');
    await page.waitForFunction(() => document.getElementById('run-description')?.textContent?.startsWith('[2,128,128,128,1]'));
    await page.waitForSelector('body[data-phase="ready"]');
    await page.selectOption('#speed', 'fastest');
    const times: number[] = [];
    for (let k = 0; k < 5; k++) {
      await page.click('#play');
      await page.waitForSelector('body[data-phase="running"]');
      await page.waitForTimeout(700);
      times.push(
        await page.evaluate(
          () =>
            new Promise<number>((resolve) => {
              const started = performance.now();
              const seen = new MutationObserver(() => {
                if (document.body.dataset.phase === 'paused') {
                  seen.disconnect();
                  resolve(performance.now() - started);
                }
              });
              seen.observe(document.body, { attributes: true, attributeFilter: ['data-phase'] });
              document.getElementById('pause')!.click();
            }),
        ),
      );
    }
    const sorted = [...times].sort((a, b) => a - b);
    console.log(`Pause with [2,128,128,128,1] on moons: ${times.map((t) => t.toFixed(0)).join(', ')} ms (median ${sorted[2].toFixed(0)} ms)`);
    expect(sorted[2]).toBeLessThan(100);
    await page.close();
  });
});
