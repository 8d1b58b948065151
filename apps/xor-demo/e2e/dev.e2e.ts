// `pnpm demo:web` serves the page from the TS sources (vite's dev server): it must work there too.
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchChromium, screenshot, watchPage } from './browser.ts';

const appDir = fileURLToPath(new URL('..', import.meta.url));
let server: ViteDevServer;
let browser: Browser;

beforeAll(async () => {
  server = await createServer({
    root: appDir,
    configFile: `${appDir}/vite.config.ts`,
    logLevel: 'warn',
    server: { host: '127.0.0.1', port: 0, strictPort: true, hmr: false },
  });
  await server.listen();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

test('the dev server (pnpm demo:web) serves a working page', async () => {
  const { port } = server.httpServer!.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}/`;
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  page.setDefaultTimeout(60_000);
  const problems = watchPage(page, baseUrl);
  await page.goto(baseUrl);
  await page.waitForSelector('body[data-phase="ready"]');
  await page.waitForSelector('#graph svg g.node');
  await page.click('#step');
  await page.waitForFunction(() => document.getElementById('status-passes')?.textContent === '1');
  await screenshot(page, 'dev-server');
  // vite.config.ts's headers isolate the page, so core's matmuls may use threads in the training worker
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  expect(problems.pageErrors).toEqual([]);
  expect(problems.consoleErrors).toEqual([]);
  expect(problems.failedRequests).toEqual([]);
  expect(problems.offHostRequests).toEqual([]);
});
