import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadModel } from '@gradlab/nn/node';
import { findChromium, PNG_SKIPPED_MESSAGE } from '@gradlab/viz/node';
import { run } from './helpers/cli.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradlab-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

afterEach(() => vi.restoreAllMocks());

describe('bad flags: one clear line, exit code 2', () => {
  const cases: [string[], RegExp][] = [
    [['--lr', 'abc'], /^error: --lr: expected a number, got 'abc'$/],
    [['--lr', '-1'], /^error: lr must be a positive number, got -1$/],
    [['--frobnicate'], /^error: unknown option '--frobnicate'/],
    [['--activation', 'softmax'], /^error: activation must be one of sigmoid, tanh, relu, leaky-relu, none, got 'softmax'$/],
    [['--dataset', 'mnist'], /^error: dataset must be one of xor, linear, circle, spiral, moons, gaussians, blobs, got 'mnist'$/],
    [['--hidden', '3,x'], /^error: --hidden: expected an integer, got 'x'$/],
    [['--batch-size', '0'], /^error: batch size must be a positive integer, got 0$/],
    [['--lr', '0.1,0.8'], /^error: --lr: one value expected, got '0.1,0.8' \(use 'compare' to sweep over several\)$/],
    [['compare', '--optimizer', 'sgd,rmsprop'], /^error: optimizer must be one of sgd, momentum, adam, got 'rmsprop'$/],
  ];
  for (const [argv, message] of cases) {
    it(argv.join(' '), async () => {
      const { code, err } = await run(...argv);
      expect(code).toBe(2);
      expect(err).toHaveLength(1);
      expect(err[0]).toMatch(message);
    });
  }

  it('the real process exits with code 2 and prints one line', () => {
    const root = resolve(import.meta.dirname, '../../..');
    const p = spawnSync(process.execPath, ['--import', 'tsx', 'apps/xor-demo/src/cli/bin.ts', '--lr', 'abc'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(p.status).toBe(2);
    expect(p.stderr.trim().split('\n')).toEqual(["error: --lr: expected a number, got 'abc'"]);
  });
});

describe('pnpm demo', () => {
  it('--help lists the flags and exits 0', async () => {
    const { code, out } = await run('--help');
    expect(code).toBe(0);
    for (const flag of ['--dataset', '--hidden', '--activation', '--bias', '--no-bias', '--optimizer', '--lr', '--batch-size', '--seed', '--init', '--log-every', '--loss-threshold', '--max-epochs', '--out']) {
      expect(out).toContain(flag);
    }
  });

  it("prints the lab's output and 100% accuracy on XOR-easy, and writes model.json, loss.csv, summary.json", async () => {
    const out = join(dir, 'xor');
    const r = await run('--out', out, '--no-report');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^epoch 5000 loss: 0\.\d+$/m);
    expect(r.out).toMatch(/converged at epoch \d+: every per-sample loss of the last pass is below 0.04/);
    expect(r.out).toMatch(/^\[\[0\.\d{8}\]\n \[0\.\d{8}\]/m);
    expect(r.out).toContain('predictions (>= 0.5 is class 1): [0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]');
    expect(r.out).toContain('accuracy: 100.00% (21/21)');
    expect(r.out).toMatch(/^time: /m);
    expect((await readdir(out)).sort()).toEqual(['loss.csv', 'model.json', 'snapshots.json', 'summary.json']);
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as { accuracy: number; converged: boolean; epochs: number };
    expect(summary).toMatchObject({ accuracy: 1, converged: true });
    const csv = (await readFile(join(out, 'loss.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('epoch,pass,mean_loss,max_loss');
    expect(csv).toHaveLength(summary.epochs / 21 + 1);
    const model = await loadModel(join(out, 'model.json'));
    expect(model.parameters().map((p) => p.shape)).toEqual([[2, 3], [3, 3], [3, 1]]);
  });

  it('says clearly when it stops at --max-epochs', async () => {
    const r = await run('--max-epochs', '1000', '--out', join(dir, 'short'), '--no-report');
    expect(r.code).toBe(0);
    expect(r.out).toContain('NOT converged: stopped at --max-epochs 1000');
  });

  it('--dataset linear reaches 100%', async () => {
    const r = await run('--dataset', 'linear', '--out', join(dir, 'linear'), '--no-report', '--quiet');
    expect(r.code).toBe(0);
    expect(r.out).toContain('accuracy: 100.00% (100/100)');
  });

  it('compare --lr 0.1,0.8 prints a table and writes each run', async () => {
    const out = join(dir, 'compare');
    const r = await run('compare', '--lr', '0.1,0.8', '--max-epochs', '3000', '--out', out, '--no-report');
    expect(r.code).toBe(0);
    const table = r.out.slice(r.out.indexOf('lr  '));
    const rows = table.split('\n');
    expect(rows[0]).toMatch(/^lr\s+epochs to stop rule\s+final loss\s+accuracy\s+time$/);
    expect(rows[2]).toMatch(/^0\.1\s+not reached \(3000\)/);
    expect(rows[3]).toMatch(/^0\.8\s+/);
    const files = await readdir(out);
    expect(files).toEqual(expect.arrayContaining(['compare.csv', 'compare.txt', 'run-1', 'run-2']));
    expect((await readFile(join(out, 'compare.csv'), 'utf8')).split('\n')[0]).toBe('lr,converged,stop_reason,epochs,final_loss,accuracy,seconds,folder');
  });

  it('compare sweeps the cartesian product of several flags', async () => {
    const r = await run('compare', '--hidden', '2,2/3,3', '--activation', 'sigmoid,none', '--max-epochs', '500', '--out', join(dir, 'grid'), '--no-report');
    expect(r.code).toBe(0);
    expect(r.out).toContain('run 4/4: hidden=3,3 activation=none');
  });

  it('writes the report: report.html, graph.svg, the PNG figures and report.pdf', async () => {
    const out = join(dir, 'report');
    const r = await run('--max-epochs', '2100', '--out', out);
    expect(r.code).toBe(0);
    const files = await readdir(out);
    expect(files).toEqual(expect.arrayContaining(['report.html', 'graph.svg', 'model.json', 'loss.csv', 'summary.json']));
    if (findChromium()) expect(files).toEqual(expect.arrayContaining(['loss.png', 'comparison.png', 'boundary.png', 'report.pdf']));
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).toContain('Ground truth');
    expect(html).toContain('NOT converged: stopped at --max-epochs 2100'); // the printout is in the report
    expect(html).not.toMatch(/<script[^>]+src=["']https?:/);
    const svg = await readFile(join(out, 'graph.svg'), 'utf8');
    for (const name of ['matmul', 'sigmoid', 'loss', 'W1', 'W2', 'W3', 'z1', 'a1', 'ŷ']) expect(svg).toContain(name);
    expect(svg).not.toContain('0.weight'); // the lab's names, as in the inspector
  });

  it('without Chromium it still writes the HTML and says in one line how to get PNGs', async () => {
    const out = join(dir, 'no-chromium');
    const previous = process.env.GRADLAB_CHROMIUM;
    process.env.GRADLAB_CHROMIUM = '/nonexistent/chromium';
    try {
      const r = await run('--max-epochs', '210', '--out', out);
      expect(r.code).toBe(0);
      expect(r.out).toContain(PNG_SKIPPED_MESSAGE);
      const files = await readdir(out);
      expect(files).toContain('report.html');
      expect(files.filter((f) => f.endsWith('.png'))).toEqual([]);
    } finally {
      if (previous === undefined) delete process.env.GRADLAB_CHROMIUM;
      else process.env.GRADLAB_CHROMIUM = previous;
    }
  });
});
