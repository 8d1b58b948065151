// Figures as PNG images and the report as a PDF: open the report in headless Chromium, screenshot
// each figure, print the page. One Chromium launch does every page of a run; playwright-core is
// imported only then (so a CLI that writes no PNG never loads it).
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';

/** Where Chromium is looked for after $GRADLAB_CHROMIUM. */
export const CHROMIUM_CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
] as const;

/** The one line to print when PNGs cannot be made. */
export const PNG_SKIPPED_MESSAGE =
  'PNGs and report.pdf skipped: Chromium not found. Install it (apt-get install chromium) or set GRADLAB_CHROMIUM=/path/to/chromium; report.html has the same figures.';

/**
 * The one line to print when Chromium was found but making the PNGs failed (it crashed, is not
 * Chromium, timed out, the page did not draw): the first line of the error, without colours.
 */
export function pngFailedMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  // eslint-disable-next-line no-control-regex
  const first = (text.replace(/\u001b\[[0-9;]*m/g, '').split('\n').find((l) => l.trim() !== '') ?? 'unknown error').trim();
  const short = first.length > 160 ? `${first.slice(0, 157)}...` : first;
  return `PNGs and report.pdf skipped: Chromium failed (${short}); report.html has the same figures.`;
}

/**
 * Path of a Chromium binary, or null. If $GRADLAB_CHROMIUM is set it is the only candidate
 * (a wrong path gives null, so the user hears about it instead of getting another browser).
 */
export function findChromium(env: Record<string, string | undefined> = process.env): string | null {
  const fromEnv = env.GRADLAB_CHROMIUM;
  const candidates = fromEnv ? [fromEnv] : CHROMIUM_CANDIDATES;
  for (const path of candidates) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not there or not executable: try the next one
    }
  }
  return null;
}

export interface RenderPngsOptions {
  /** Chromium binary; default findChromium(). */
  chromiumPath?: string;
  /** Pixels per CSS pixel (default 2, for crisp figures in a PDF). */
  deviceScaleFactor?: number;
  /** How long to wait for the page to draw (default 30 s). */
  timeoutMs?: number;
}

export interface RenderPngsResult {
  /** One PNG per selector, in the order given. */
  images: Uint8Array[];
  /** Non-file:// requests the page attempted (all blocked; empty for a self-contained page). */
  blockedRequests: string[];
}

/** One page to render: its HTML, the figures to screenshot, and whether to print it to PDF. */
export interface RenderJob {
  html: string;
  selectors: readonly string[];
  /** Also print the page to PDF (A4, the page's print styles, backgrounds). */
  pdf?: boolean;
}

export interface RenderedJob extends RenderPngsResult {
  /** The PDF, when asked. */
  pdf: Uint8Array | null;
}

/** The PDF's footer: `page 2 / 5`, small and grey. */
const PDF_FOOTER =
  '<div style="font: 8px sans-serif; color: #777; width: 100%; text-align: center;">page <span class="pageNumber"></span> / <span class="totalPages"></span></div>';

/** The flags that let headless Chromium run as root on a machine with no network (toolchain.md). */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Opens `html` in headless Chromium, waits for `body[data-ready="1"]`, screenshots the element
 * of each selector (e.g. '#loss') and returns the PNGs; the caller writes them (nothing here
 * writes outside a private temporary folder).
 */
export async function renderPngs(html: string, selectors: readonly string[], options: RenderPngsOptions = {}): Promise<RenderPngsResult> {
  const [job] = await renderPages([{ html, selectors }], options);
  return { images: job.images, blockedRequests: job.blockedRequests };
}

/**
 * Renders every job in one Chromium launch: each page is opened, drawn, its figures screenshot
 * and (if asked) printed to PDF with its print styles (`@page` size A4). The caller writes the files.
 */
export async function renderPages(jobs: readonly RenderJob[], options: RenderPngsOptions = {}): Promise<RenderedJob[]> {
  const executablePath = options.chromiumPath ?? findChromium();
  if (!executablePath) throw new Error(PNG_SKIPPED_MESSAGE);
  const timeout = options.timeoutMs ?? 30_000;
  const { chromium } = await import('playwright-core');

  const dir = await mkdtemp(join(tmpdir(), 'gradlab-report-'));
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath, args: [...CHROMIUM_ARGS], timeout });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  try {
    const context = await browser.newContext({
      viewport: { width: 1100, height: 900 },
      deviceScaleFactor: options.deviceScaleFactor ?? 2,
    });
    const blockedRequests: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:') || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
      blockedRequests.push(url);
      return route.abort();
    });
    const results: RenderedJob[] = [];
    for (const [k, job] of jobs.entries()) {
      const htmlPath = join(dir, `page-${k}.html`);
      await writeFile(htmlPath, job.html);
      const page = await context.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (err) => pageErrors.push(err.message));
      await page.goto(pathToFileURL(htmlPath).href, { timeout });
      try {
        await page.waitForSelector('body[data-ready="1"], body[data-error]', { state: 'attached', timeout });
      } catch (err) {
        throw new Error(`renderPngs: the page never finished drawing. ${pageErrors.join('; ')}`, { cause: err });
      }
      const error = await page.getAttribute('body', 'data-error');
      if (error !== null) throw new Error(`renderPngs: the page failed to draw: ${error}`);

      const images: Uint8Array[] = [];
      for (const selector of job.selectors) {
        const target = page.locator(selector);
        if ((await target.count()) === 0) throw new Error(`renderPngs: no element matches ${selector}`);
        images.push(await target.first().screenshot({ type: 'png', timeout }));
      }
      const pdf = job.pdf
        ? await page.pdf({
            format: 'A4',
            preferCSSPageSize: true,
            printBackground: true,
            displayHeaderFooter: true,
            headerTemplate: '<span></span>',
            footerTemplate: PDF_FOOTER,
          })
        : null;
      await page.close();
      results.push({ images, pdf, blockedRequests: [...blockedRequests] });
    }
    return results;
  } finally {
    await browser.close();
    await rm(dir, { recursive: true, force: true });
  }
}
