// The report a student hands in: report.pdf is Chromium's print of report.html (A4, print styles),
// made in the same Chromium launch as the PNGs. Checked as a reader would: poppler's pdfinfo,
// pdftotext (every page's text) and pdftoppm (pages as pictures).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { main } from '../src/cli/main.ts';
import { ARTIFACTS, DOCS } from './browser.ts';

const updateDocs = process.env.UPDATE_DOCS === '1';
let dir: string;
let launches = 0;
let pages: string[] = [];

const pdf = (...args: string[]) => execFileSync(args[0], args.slice(1), { encoding: 'utf8' });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gradlab-pdf-'));
  const launch = chromium.launch.bind(chromium);
  vi.spyOn(chromium, 'launch').mockImplementation((...a) => {
    launches++;
    return launch(...a);
  });
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    expect(await main(['--out', join(dir, 'run'), '--quiet'])).toBe(0);
  } finally {
    log.mockRestore();
  }
  const count = Number(/^Pages:\s+(\d+)/m.exec(pdf('pdfinfo', join(dir, 'run/report.pdf')))![1]);
  pages = Array.from({ length: count }, (_, k) => pdf('pdftotext', '-f', String(k + 1), '-l', String(k + 1), '-layout', join(dir, 'run/report.pdf'), '-'));
}, 180_000);

afterAll(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

/** The 1-based pages whose text contains `text`. */
const pagesWith = (text: string) => pages.flatMap((p, k) => (p.includes(text) ? [k + 1] : []));

describe('report.pdf', () => {
  test('is A4, a handful of pages, and made in the one Chromium launch that made the PNGs', () => {
    const info = pdf('pdfinfo', join(dir, 'run/report.pdf'));
    expect(info).toMatch(/^Page size:\s+59[45]\.\d+ x 84[12]\.\d+ pts \(A4\)$/m);
    expect(pages.length).toBeGreaterThanOrEqual(4);
    expect(pages.length).toBeLessThanOrEqual(10);
    expect(launches).toBe(1);
    expect(readdirSync(join(dir, 'run')).filter((f) => /\.(png|pdf)$/.test(f)).sort()).toEqual(['boundary.png', 'comparison.png', 'loss.png', 'report.pdf']);
  });

  test('holds the training output complete, to the accuracy and time lines', () => {
    const text = pages.join('\n');
    expect(text).toContain('epoch 5000 loss: 0.2932126280801493');
    expect(text).toContain('converged at epoch 60123');
    expect(text).toContain('accuracy: 100.00% (21/21)');
    expect(text).toMatch(/time: \d+ ms for 60123 epochs/);
  });

  test('cuts no figure: each one has its title and its last line on the same page', () => {
    for (const [first, last] of [
      ['Learning curve', 'mean loss per pass'],
      ['Ground truth', 'Accuracy: 100.00% (21/21)'],
      ['Decision boundary', 'model output'],
    ]) {
      const pagesOfFirst = pagesWith(first);
      expect(pagesOfFirst.length, first).toBeGreaterThan(0);
      expect(pagesOfFirst.some((p) => pages[p - 1].includes(last)), `${first} … ${last}`).toBe(true);
    }
  });

  test('draws the whole graph, top to bottom, on one page with its caption', () => {
    const [page] = pagesWith('Computational graph');
    const text = pages[page - 1];
    for (const node of ['W1', 'z1 = matmul', 'a1 = sigmoid', 'W2', 'W3', 'ŷ = sigmoid', 'loss = mean((ŷ−y)²)']) expect(text, node).toContain(node);
    expect(text.indexOf('W1')).toBeLessThan(text.indexOf('loss = mean((ŷ−y)²)')); // top to bottom
    expect(text.replace(/\s+/g, ' ')).toContain('One training step of [2,3,3,1] sigmoid, no bias, normal init, MSE, SGD lr 0.8, batch 1, seed 11, at epoch 0 (the initial weights), on sample #1');
  });

  test('works backpropagation on the network, the hand formula beside the graph', () => {
    const text = pages.join('\n').replace(/[ \t]+/g, ' ');
    expect(text).toContain('Backpropagation on your network');
    expect(text).toContain('∂loss/∂W1[1,0]');
    expect(text).toMatch(/sum of the path products -0\.01694245530518\d*/);
    expect(text).toMatch(/dW1\[1,0\] by the hand formula -0\.016942455305185705/);
  });

  test('renders to pictures page by page (pdftoppm), and the pages are not blank', () => {
    const out = join(dir, 'png');
    execFileSync('mkdir', ['-p', out]);
    execFileSync('pdftoppm', ['-r', '40', '-png', join(dir, 'run/report.pdf'), join(out, 'page')]);
    const files = readdirSync(out).sort();
    expect(files).toHaveLength(pages.length);
    mkdirSync(ARTIFACTS, { recursive: true });
    for (const f of files) {
      copyFileSync(join(out, f), join(ARTIFACTS, `report-${f}`));
      // a blank A4 page at 40 dpi is a PNG of about 1 kB; each of these has text and figures
      expect(statSync(join(out, f)).size, f).toBeGreaterThan(8000);
    }
    if (updateDocs) {
      const backprop = pagesWith('Backpropagation on your network')[0];
      execFileSync('pdftoppm', ['-r', '80', '-png', '-singlefile', '-f', String(backprop), '-l', String(backprop), join(dir, 'run/report.pdf'), join(DOCS, 'report-backprop')]);
      const graph = pagesWith('Computational graph')[0];
      execFileSync('pdftoppm', ['-r', '80', '-png', '-singlefile', '-f', String(graph), '-l', String(graph), join(dir, 'run/report.pdf'), join(DOCS, 'report-graph')]);
    }
  });
});
