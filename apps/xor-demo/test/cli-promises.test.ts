// What the CLI promises (README, "What the CLI promises"): every flag and the output folder are
// checked before training; a run that diverges, is interrupted or cannot make its PNGs still
// writes what it has; memory stays bounded however long the run. One test per example of issue
// 13 ("Reliability"); each failed before these guarantees were built.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadModel } from '@gradlab/nn/node';
import { testHooks } from '../src/cli/main.ts';
import { BoundedPrintout } from '../src/cli/run.ts';
import { PAYLOAD_ID } from '@gradlab/viz/node';
import { REPO_ROOT, run, spawnCli } from './helpers/cli.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradlab-promises-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  delete testHooks.historyCapacity;
});

const TINY = ['--max-epochs', '210', '--no-report'];
const DIVERGING = ['--activation', 'none', '--output-activation', 'none', '--lr', '50'];
const hasCommand = (name: string) => spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;

/** A refusal: exit code 2, exactly one line on stderr, nothing trained. */
function expectRefused(r: { code: number; out: string; err: string[] }, message: RegExp) {
  expect(r.code).toBe(2);
  expect(r.err).toHaveLength(1);
  expect(r.err[0]).toMatch(message);
  expect(r.out).not.toContain('gradlab lab 1:'); // refused before training started
}

describe('the output folder is checked before training', () => {
  it("--out '' is refused (it used to write into the current folder)", async () => {
    expectRefused(await run(...TINY, '--out', ''), /^error: --out: the path is empty; name a folder, e\.g\. --out runs\/xor$/);
  });

  it('--out naming a file is refused', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, 'mine');
    expectRefused(await run(...TINY, '--out', file), /^error: --out: .*a-file: is a file, not a folder$/);
    expectRefused(await run(...TINY, '--out', join(file, 'below')), /^error: --out: .*below: .*a-file is a file, not a folder$/);
    expect(await readFile(file, 'utf8')).toBe('mine');
  });

  it('--out /proc/... is refused at once (it used to hang forever in mkdir -p)', async () => {
    const r = await spawnCli([...TINY, '--out', '/proc/gradlab/run'], { timeoutMs: 20_000 });
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      "error: --out: /proc/gradlab/run: is on the kernel's proc file system, where files cannot be written",
    ]);
    expect(r.stdout).toBe('');
  });

  it('an unwritable --out is refused before training', async () => {
    const locked = join(dir, 'locked');
    await mkdir(locked);
    await chmod(locked, 0o555);
    await chmod(dir, 0o755);
    // root may write anywhere: run as nobody then (setpriv, util-linux)
    const asRoot = process.getuid?.() === 0;
    if (asRoot && !hasCommand('setpriv')) return;
    const r = await spawnCli([...TINY, '--out', join(locked, 'run')], {
      wrap: asRoot ? (argv) => ['setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', ...argv]] : undefined,
    });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`error: --out: ${join(locked, 'run')}: cannot create ${join(locked, 'run')} (EACCES)`]);
    expect(r.stdout).toBe('');
    expect(await readdir(locked)).toEqual([]);
  });

  it("a folder inside gradlab's repository is refused, except under runs/ or with --allow-in-repo", async () => {
    const inside = join(REPO_ROOT, 'apps', 'xor-demo', 'src', 'gradlab-test-out');
    expectRefused(await run(...TINY, '--out', inside), /^error: --out: .*gradlab-test-out: inside gradlab's repository .*--allow-in-repo$/);
    const r = await run(...TINY, '--quiet', '--out', inside, '--allow-in-repo');
    await rm(inside, { recursive: true, force: true });
    expect(r.code).toBe(0);
  });

  it('a folder holding an earlier run is refused; --force removes that run first (its report too), nothing else', async () => {
    const out = join(dir, 'again');
    expect((await run('--max-epochs', '210', '--no-png', '--quiet', '--out', out)).code).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['graph.svg', 'loss.csv', 'model.json', 'report.html', 'snapshots.json', 'summary.json']);
    await writeFile(join(out, 'notes.txt'), 'mine');

    expectRefused(await run(...TINY, '--out', out), /^error: --out: .*again: holds an earlier run \(graph\.svg, loss\.csv, model\.json, report\.html, …\); choose another folder, or add --force to replace it$/);
    const r = await run(...TINY, '--quiet', '--out', out, '--force');
    expect(r.code).toBe(0);
    // the old run's report is gone: it does not sit beside the new summary
    expect((await readdir(out)).sort()).toEqual(['loss.csv', 'model.json', 'notes.txt', 'snapshots.json', 'summary.json']);
    expect(await readFile(join(out, 'notes.txt'), 'utf8')).toBe('mine');
  });
});

describe('limits, checked before anything is built: exit code 2 and one line', () => {
  const cases: [string[], RegExp][] = [
    [['--hidden', '1000000000'], /^error: --hidden: 1000000000 units in a layer is too many \(at most 4096\)$/],
    [['--hidden', '3000,3000'], /^error: --hidden: \[2,3000,3000,1\] has 9009000 parameters, too many \(at most 4000000\)$/],
    [['--hidden', Array.from({ length: 17 }, () => '2').join(',')], /^error: --hidden: 17 layers is too many \(at most 16\)$/],
    [['--n', '1000001'], /^error: --n: 1000001 points is too many \(at most 1000000\)$/],
    [['compare', '--seed', '1,2,3,4,5,6,7,8,9,10', '--lr', '1,2,3,4,5,6,7'], /^error: compare: 70 combinations is too many \(at most 64\)$/],
    // counted before the product is built: 10^8 combinations used to be built first (minutes, gigabytes)
    [
      ['compare', ...['--lr', '--seed', '--n', '--batch-size', '--activation', '--init', '--loss', '--optimizer'].flatMap((f) => [f, '1,2,3,4,5,6,7,8,9,10'])],
      /^error: compare: 100000000 combinations is too many \(at most 64\)$/,
    ],
  ];
  for (const [argv, message] of cases) {
    it(argv.join(' ').slice(0, 60), async () => {
      const started = performance.now();
      expectRefused(await run(...argv, '--out', join(dir, 'never')), message);
      expect(performance.now() - started).toBeLessThan(5000); // not minutes filling the memory
      expect(await readdir(dir)).not.toContain('never');
    });
  }
});

describe('a diverging run', () => {
  it('stops as "diverged at epoch N (loss …): try a smaller --lr", writes its outputs, exit code 3', async () => {
    const out = join(dir, 'diverged');
    const r = await run(...DIVERGING, '--no-png', '--out', out);
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/^diverged at epoch \d+ \(loss [^)]+\): try a smaller --lr$/m);
    expect(r.out).not.toMatch(/SGD: the gradient/); // not the optimizer's error
    expect(await readdir(out)).toEqual(expect.arrayContaining(['model.json', 'loss.csv', 'summary.json', 'report.html']));
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as { stopReason: string; diverged: { epoch: number } };
    expect(summary.stopReason).toBe('diverged');
    expect(r.out).toContain(`diverged at epoch ${summary.diverged.epoch} `);
    // the weights before the diverging step: finite, loadable
    const model = await loadModel(join(out, 'model.json'));
    expect(model.parameters().every((p) => p.data.every(Number.isFinite))).toBe(true);
  });

  it('compare records it in its table and goes on with the other runs', async () => {
    const out = join(dir, 'compare-diverged');
    const r = await run('compare', '--activation', 'none', '--output-activation', 'none', '--lr', '50,0.01', '--max-epochs', '210', '--no-report', '--out', out);
    expect(r.code).toBe(0);
    const rows = r.out.slice(r.out.indexOf('lr  ')).split('\n');
    expect(rows[2]).toMatch(/^50\s+diverged at \d+\s+/);
    expect(rows[3]).toMatch(/^0\.01\s+not reached \(210\)\s+0\.\d+\s+/);
    expect((await readdir(out)).sort()).toEqual(['compare.csv', 'compare.txt', 'run-1', 'run-2']);
    expect((await readdir(join(out, 'run-1'))).sort()).toEqual(['loss.csv', 'model.json', 'summary.json']);
    expect((await readFile(join(out, 'compare.csv'), 'utf8')).split('\n')[1]).toMatch(/^"50",false,diverged,\d+,/);
  });
});

describe('memory stays bounded however long the run', () => {
  it('loss.csv is streamed with every pass while memory and the figure keep a thinned history', async () => {
    testHooks.historyCapacity = 16;
    const out = join(dir, 'long');
    const r = await run('--loss-threshold', '1e-12', '--max-epochs', String(21 * 500), '--quiet', '--no-png', '--out', out);
    expect(r.code).toBe(0);
    const csv = (await readFile(join(out, 'loss.csv'), 'utf8')).trim().split('\n');
    expect(csv).toHaveLength(501);
    expect(csv[0]).toBe('epoch,pass,mean_loss,max_loss');
    expect(csv[500]).toMatch(/^10500,500,/);
    const html = await readFile(join(out, 'report.html'), 'utf8');
    const payload = new RegExp(`<script type="application/json" id="${PAYLOAD_ID}">([\\s\\S]*?)</script>`).exec(html)![1];
    const curve = (JSON.parse(payload) as { loss: { data: number[][] } }).loss.data[0];
    expect(curve.length).toBeLessThanOrEqual(16);
    expect(curve.at(-1)).toBe(10500); // the last pass is in
  });

  it('the printout kept for the report holds its first and last lines only', () => {
    const p = new BoundedPrintout(3);
    for (let i = 1; i <= 100_000; i++) p.push(`line ${i}`);
    expect(p.toString()).toBe(['line 1', 'line 2', 'line 3', '... (99994 lines not kept here; all of them were printed)', 'line 99998', 'line 99999', 'line 100000'].join('\n'));
  });

  it('--n 150000 prints a summarised column instead of overflowing the stack', async () => {
    const out = join(dir, 'n150000');
    const r = await run('--dataset', 'linear', '--n', '150000', '--max-epochs', '5', '--no-report', '--out', out);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^\[\[0\.\d+\]\n \[0\.\d+\]\n \[0\.\d+\]\n \.\.\.\n \[0\.\d+\]\n \[0\.\d+\]\n \[0\.\d+\]\]$/m);
    expect(r.out).toMatch(/^predictions \(>= 0\.5 is class 1\): \[\d, \d, \d, \.\.\., \d, \d, \d\]$/m);
    expect(r.out).toMatch(/^accuracy: \d+\.\d\d% \(\d+\/150000\)$/m);
  });
});

describe('Ctrl-C writes what exists, restores the cursor and exits 130', () => {
  const LONG = ['--loss-threshold', '1e-12', '--max-epochs', '100000000', '--log-every', '21000', '--no-png'];

  it('piped: the outputs up to the interruption are written', async () => {
    const out = join(dir, 'interrupted');
    let sent = false;
    const r = await spawnCli([...LONG, '--out', out], {
      onStdout: (text, child) => {
        if (!sent && text.includes('epoch 21000 loss')) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('interrupted (Ctrl-C): writing what exists');
    expect(r.stdout).toMatch(/^interrupted at epoch \d+/m);
    expect((await readdir(out)).sort()).toEqual(['graph.svg', 'loss.csv', 'model.json', 'report.html', 'snapshots.json', 'summary.json']);
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as { stopReason: string; epochs: number };
    expect(summary.stopReason).toBe('interrupted');
    const csv = (await readFile(join(out, 'loss.csv'), 'utf8')).trim().split('\n');
    expect(csv.length).toBeGreaterThan(1000); // every pass up to the interruption
  });

  it('in the middle of a long pass (30,000 samples, ~5 s, here): it stops within the pass', async () => {
    const out = join(dir, 'interrupted-mid-pass');
    let sent = false;
    const started = performance.now();
    const r = await spawnCli(['--dataset', 'linear', '--n', '30000', '--hidden', '64,64', '--no-report', '--out', out], {
      onStdout: (text, child) => {
        if (!sent && text.includes('data: linear')) {
          sent = true;
          setTimeout(() => child.kill('SIGINT'), 300);
        }
      },
    });
    expect(r.code).toBe(130);
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as { stopReason: string; epochs: number; passes: number };
    expect(summary).toMatchObject({ stopReason: 'interrupted', passes: 0 });
    expect(summary.epochs).toBeGreaterThan(0);
    expect(summary.epochs).toBeLessThan(30_000);
    expect(performance.now() - started).toBeLessThan(30_000);
  });

  it.skipIf(!hasCommand('script'))('on a terminal: the progress bar hides the cursor, Ctrl-C shows it again', async () => {
    const out = join(dir, 'interrupted-tty');
    let sent = false;
    // script(1) gives the CLI a terminal; ^C typed into it reaches the CLI as SIGINT
    const r = await spawnCli([...LONG, '--out', out], {
      wrap: (argv) => ['script', ['-qfec', argv.map((a) => `'${a}'`).join(' '), '/dev/null']],
      onStdout: (text, child) => {
        if (!sent && text.includes('\u001b[?25l')) {
          sent = true;
          setTimeout(() => child.stdin!.write('\u0003'), 300);
        }
      },
    });
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(130);
    const hidden = r.stdout.indexOf('\u001b[?25l');
    expect(hidden).toBeGreaterThan(-1);
    expect(r.stdout.lastIndexOf('\u001b[?25h')).toBeGreaterThan(hidden); // shown again after
    expect(await readdir(out)).toEqual(expect.arrayContaining(['model.json', 'loss.csv', 'summary.json']));
  });
});

describe('the report', () => {
  it('a Chromium that fails is one line; report.html is kept and the run succeeds', async () => {
    vi.stubEnv('GRADLAB_CHROMIUM', '/bin/false'); // an executable that is not Chromium
    const out = join(dir, 'chromium-fails');
    const r = await run('--max-epochs', '210', '--quiet', '--out', out);
    expect(r.code).toBe(0);
    expect(r.err).toEqual([]);
    const lines = r.out.split('\n').filter((l) => l.startsWith('PNGs and report.pdf skipped'));
    expect(lines).toEqual([expect.stringMatching(/^PNGs and report.pdf skipped: Chromium failed \(.+\); report\.html has the same figures\.$/)]);
    expect((await readdir(out)).sort()).toEqual(['graph.svg', 'loss.csv', 'model.json', 'report.html', 'snapshots.json', 'summary.json']);
  });
});
