// Core's matmul on several threads in a real browser: a cross-origin isolated page (the two
// headers xor-demo's vite.config.ts sends) whose main thread runs matmuls on one thread, and
// a worker in it that starts a nested worker for a large product: 1 thread and 2 threads give
// the textbook loop's bits, and the nested worker computes part of it (matmul-threads/).
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchChromium, watchPage } from './browser.ts';

const pageDir = fileURLToPath(new URL('./matmul-threads/', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
let server: ViteDevServer;
let browser: Browser;

beforeAll(async () => {
  server = await createServer({
    root: pageDir,
    configFile: false,
    logLevel: 'warn',
    worker: { format: 'es' },
    server: { host: '127.0.0.1', port: 0, strictPort: true, hmr: false, headers: isolation, fs: { allow: [repoRoot] } },
  });
  await server.listen();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

test('matmul threads: one thread on the page, two in a worker, the same bits', async () => {
  const { port } = server.httpServer!.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}/`;
  const page = await browser.newPage();
  const problems = watchPage(page, baseUrl);
  await page.goto(baseUrl);
  await page.waitForFunction(() => (window as { matmulResult?: unknown }).matmulResult !== undefined, undefined, { timeout: 120_000 });
  const result = await page.evaluate(() => (window as { matmulResult?: Record<string, unknown> }).matmulResult);
  expect(result).toMatchObject({
    isolated: true, // SharedArrayBuffer allowed
    mainThreads: false, // the page's main thread may not wait: one thread
    mainValue: 300 * 1.5 * 1.5,
    ready: true, // the worker's nested worker started
    one: true,
    two: true,
  });
  expect(result!.chunksByWorkers).toBeGreaterThan(0);
  expect(problems.pageErrors).toEqual([]);
  expect(problems.consoleErrors).toEqual([]);
  expect(problems.failedRequests).toEqual([]);
});
