// Chromium through playwright-core, launched as toolchain.md says, with a recorder of everything
// the page does wrong: console errors, uncaught exceptions, failed requests, requests off-host.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from '@gradlab/viz/node';

export const ARTIFACTS = fileURLToPath(new URL('../artifacts/e2e/', import.meta.url));
export const DOCS = fileURLToPath(new URL('../docs/', import.meta.url));

export async function launchChromium(): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath) {
    throw new Error('Chromium not found: install it (apt-get install chromium) or set GRADLAB_CHROMIUM=/path/to/chromium');
  }
  return chromium.launch({ executablePath, args: [...CHROMIUM_ARGS] });
}

export interface PageProblems {
  consoleErrors: string[];
  pageErrors: string[];
  failedRequests: string[];
  offHostRequests: string[];
  requests: string[];
}

/** Starts recording the page's problems; `allowedOrigin` is the only host it may talk to. */
export function watchPage(page: Page, allowedOrigin: string): PageProblems {
  const problems: PageProblems = { consoleErrors: [], pageErrors: [], failedRequests: [], offHostRequests: [], requests: [] };
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.consoleErrors.push(msg.text());
  });
  page.on('pageerror', (error) => problems.pageErrors.push(error.message));
  page.on('requestfailed', (req) => problems.failedRequests.push(`${req.url()}: ${req.failure()?.errorText ?? '?'}`));
  page.on('response', (res) => {
    if (res.status() >= 400) problems.failedRequests.push(`${res.url()}: HTTP ${res.status()}`);
  });
  page.on('request', (req) => {
    const url = req.url();
    problems.requests.push(url);
    if (!url.startsWith(allowedOrigin) && !url.startsWith('data:') && !url.startsWith('blob:')) problems.offHostRequests.push(url);
  });
  return problems;
}

/** A full-page screenshot into artifacts/e2e/ (git-ignored). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = `${ARTIFACTS}${name}.png`;
  await page.screenshot({ path, fullPage: true });
  return path;
}
