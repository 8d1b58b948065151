import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  buildReport,
  findChromium,
  jsonForScript,
  lossCurveData,
  PAYLOAD_ID,
  PNG_SKIPPED_MESSAGE,
  pngFailedMessage,
  writeReport,
  type ReportPayload,
} from '../src/node.ts';
import { GRAPH_SVG, lossRuns, reportInput } from './helpers/fixture.ts';

function payloadOf(html: string): ReportPayload {
  const m = new RegExp(`<script type="application/json" id="${PAYLOAD_ID}">([\\s\\S]*?)</script>`).exec(html);
  if (!m) throw new Error('no payload script');
  return JSON.parse(m[1]) as ReportPayload;
}

describe('buildReport', () => {
  it('is one self-contained HTML file: no external src/href/url(), no <link>, no imports', async () => {
    const html = await buildReport(reportInput());
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:|\/\/)/i);
    expect(html).not.toMatch(/<link\b|@import|url\(\s*["']?(?:https?:|\/\/)/i);
    expect(html).not.toMatch(/<script[^>]*\bsrc=/i);
    expect(html).toContain('.uplot'); // uPlot's CSS is inlined
  });

  it('has the title, config table, printout, accuracy, figure containers and the ready hook', async () => {
    const html = await buildReport(reportInput());
    expect(html).toContain('<title>Lab 1 – XOR (easy)</title>');
    expect(html).toContain('<tr><th>learningRate</th><td>0.8</td></tr>');
    expect(html).toContain('<tr><th>bias</th><td>false</td></tr>');
    expect(html).toContain('epoch 10000 loss : 0.16234523253277644');
    expect(html).toContain('Accuracy: <strong>95.24%</strong>');
    for (const id of ['loss', 'comparison', 'boundary', 'graph']) expect(html).toContain(`id="${id}"`);
    expect(html).toContain('dataset.ready="1"');
    expect(html).toContain('<div id="graph" class="figure graph"><svg');
    expect(html).not.toContain('<?xml');
    expect(html).toContain('>sigmoid</text>');
  });

  it('embeds the shaped figure data as JSON', async () => {
    const input = reportInput({ runs: lossRuns(300, 2), logScale: true });
    const payload = payloadOf(await buildReport(input));
    expect(payload.loss).toEqual(lossCurveData(input.runs, { logScale: true }));
    expect(payload.comparison?.accuracy).toBeCloseTo(20 / 21);
    expect(payload.comparison?.correct.filter((c) => !c)).toHaveLength(1);
    expect(payload.boundary?.grid.values).toHaveLength(2500);
    expect(payload.boundary?.points).toHaveLength(21);
  });

  it('escapes text: a printout or label cannot close the script or inject markup', async () => {
    const evil = '</script><script>alert(1)</script><!--';
    const html = await buildReport(
      reportInput({ title: evil, printout: evil, config: { [evil]: evil }, runs: [{ label: evil, epochs: [1], losses: [1] }] }),
    );
    expect(html.match(/<script\b/gi)).toHaveLength(2); // the JSON data and the page script
    expect(html.match(/<\/script>/gi)).toHaveLength(2);
    expect(payloadOf(html).loss?.series[0].label).toBe(evil);
    expect(jsonForScript({ s: '</script>\u2028' })).toBe('{"s":"\\u003c/script>\\u2028"}');
  });

  it('leaves out figures that have no data', async () => {
    const html = await buildReport(reportInput({ comparison: undefined, boundary: undefined, graphSvg: undefined }));
    expect(html).toContain('id="loss"');
    expect(html).not.toMatch(/id="(comparison|boundary|graph)"/);
    expect(html).not.toContain('class="accuracy"');
  });
});

// viz writes nothing itself: the caller passes the writer (the CLI passes nn's writeFileAtomic)
const written: string[] = [];
const write = async (path: string, data: string | Uint8Array) => {
  written.push(path);
  await writeFile(path, data);
};

describe('writeReport without PNGs', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('writes report.html and graph.svg atomically and lists the PNGs it skipped', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gradlab-viz-test-'));
    dirs.push(dir);
    written.length = 0;
    const result = await writeReport(dir, reportInput(), { png: false, writeFile: write });
    expect(result.written).toEqual([join(dir, 'report.html'), join(dir, 'graph.svg')]);
    expect(written).toEqual(result.written); // every file went through the caller's writer
    expect(result.skipped.map((s) => s.file)).toEqual(['loss.png', 'comparison.png', 'boundary.png', 'report.pdf'].map((f) => join(dir, f)));
    expect((await readdir(dir)).sort()).toEqual(['graph.svg', 'report.html']); // no temp files left
    expect(await readFile(join(dir, 'graph.svg'), 'utf8')).toBe(GRAPH_SVG);
  });

  it('says how to get PNGs when Chromium is missing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gradlab-viz-test-'));
    dirs.push(dir);
    vi.stubEnv('GRADLAB_CHROMIUM', join(dir, 'no-such-chromium')); // findChromium() then finds none
    const result = await writeReport(dir, reportInput(), { png: true, writeFile: write });
    vi.unstubAllEnvs();
    expect(result.message).toBe(PNG_SKIPPED_MESSAGE);
    expect(result.skipped.every((s) => s.reason === 'Chromium not found')).toBe(true);
    expect(PNG_SKIPPED_MESSAGE).toMatch(/apt-get install chromium/);
    expect(PNG_SKIPPED_MESSAGE).toMatch(/GRADLAB_CHROMIUM/);
  });
});

describe('writeReport when Chromium fails', () => {
  it('says so in one line and keeps report.html and graph.svg', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gradlab-viz-test-'));
    try {
      // an executable that is not Chromium: playwright's launch fails with a long, coloured log
      const result = await writeReport(dir, reportInput(), { png: true, chromiumPath: '/bin/false', writeFile: write });
      expect(result.message).toMatch(/^PNGs and report.pdf skipped: Chromium failed \(.+\); report\.html has the same figures\.$/);
      expect(result.message).not.toContain('\n');
      expect(result.message).not.toContain('\u001b');
      expect(result.skipped.map((s) => s.file)).toEqual(['loss.png', 'comparison.png', 'boundary.png', 'report.pdf'].map((f) => join(dir, f)));
      expect((await readdir(dir)).sort()).toEqual(['graph.svg', 'report.html']);
      expect(await readFile(join(dir, 'report.html'), 'utf8')).toContain('<!doctype html>');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('pngFailedMessage keeps the first line, drops colours and cuts long lines', () => {
    const err = new Error('\u001b[2mbrowserType.launch: Target closed\u001b[22m\n=== logs ===\n  - <launching>');
    expect(pngFailedMessage(err)).toBe('PNGs and report.pdf skipped: Chromium failed (browserType.launch: Target closed); report.html has the same figures.');
    expect(pngFailedMessage(new Error('x'.repeat(500)))).toHaveLength('PNGs and report.pdf skipped: Chromium failed (); report.html has the same figures.'.length + 160);
  });
});

describe('findChromium', () => {
  it('honours GRADLAB_CHROMIUM, and returns null for a path that is not there', () => {
    expect(findChromium({ GRADLAB_CHROMIUM: '/nonexistent/chromium' })).toBeNull();
    expect(findChromium({ GRADLAB_CHROMIUM: process.execPath })).toBe(process.execPath);
  });
});
