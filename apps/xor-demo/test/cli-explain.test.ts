// `pnpm demo explain` and the report's "Backpropagation on your network": the worked example in the
// terminal and in report.html, from the flags or from a finished run's snapshots.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from './helpers/cli.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradlab-explain-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => vi.restoreAllMocks());

/** The numbers after `label … = ` in the output. */
function valueAfter(out: string, label: RegExp): number {
  const m = new RegExp(`^${label.source}\\s*=\\s*(\\S+)`, 'm').exec(out);
  if (!m) throw new Error(`no line ${label}`);
  return Number(m[1]);
}

describe('pnpm demo explain', () => {
  it("works the lab's example at epoch 0 with no training: the paths' sum equals .grad and the hand formula", async () => {
    const { code, out } = await run('explain');
    expect(code).toBe(0);
    expect(out).toMatch(/^Backpropagation on your network: ∂loss\/∂W1\[1,0\] at epoch 0 \(the initial weights\), sample #1: x = \(0, 1\), y = 1$/m);
    expect(out).toContain('The chain rule: ∂loss/∂W1[1,0] is the sum over 3 paths');
    expect(out.match(/^path \d: loss ← ŷ\[0,0\] ← z3\[0,0\]/gm)).toHaveLength(3);
    const sum = valueAfter(out, /sum of the path products/);
    const grad = valueAfter(out, /W1\.grad\[1,0\] from backward\(\)/);
    expect(Math.abs(grad)).toBeGreaterThan(1e-3);
    expect(Math.abs(sum - grad)).toBeLessThanOrEqual(1e-15);
    expect(out).toContain('dW1 = np.kron(x.T, dz1) = xᵀ·dz1');
    const hand = Number(/^ {2}dW1\[1,0\] = (\S+)/m.exec(out)![1]);
    expect(hand).toBe(grad);
  });

  it('takes the element, the sample and an epoch (training up to it)', async () => {
    const { code, out } = await run('explain', '--explain', 'W2[0,1]', '--explain-sample', '3', '--explain-epoch', '210');
    expect(code).toBe(0);
    expect(out).toMatch(/^\(trained to epoch 210\)$/m);
    expect(out).toMatch(/^Backpropagation on your network: ∂loss\/∂W2\[0,1\] at epoch 210, sample #3/m);
    expect(out).toContain('(chosen: as asked)');
  });

  it('refuses what does not fit the network, in one line with exit code 2', async () => {
    for (const [argv, message] of [
      [['--explain', 'W4[0,0]'], "error: --explain: W4[0,0]: the network has no W4 (it has W1, W2, W3)"],
      [['--explain', 'W1[0,7]'], 'error: --explain: W1[0,7] is outside W1, whose shape is [2,3]'],
      [['--explain', 'grad'], "error: --explain: expected a weight element such as W1[1,0] or b2[0], got 'grad'"],
      [['--explain-sample', '21'], 'error: --explain-sample: 21 is outside the data (samples 0..20)'],
      [['--explain-epoch', 'soon'], "error: --explain-epoch: expected an integer ≥ 0, got 'soon'"],
    ] as [string[], string][]) {
      const r = await run('explain', ...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err).toEqual([message]);
    }
  });
});

describe("the report's section, and explain --run on a finished run", () => {
  it('report.html works the example beside the graph; snapshots.json lets explain work it again at any kept epoch', async () => {
    const out = join(dir, 'run');
    const r = await run('--out', out, '--max-epochs', '2100', '--explain-epoch', '420', '--no-png', '--quiet');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/snapshots\.json/);
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<section id="backprop">');
    expect(html).toContain('<h2>Backpropagation on your network</h2>');
    expect(html).toContain('at epoch 420, on sample #');
    expect(html).toContain('np.kron(Z.T, dz)');
    expect(html).toMatch(/<figcaption>One training step of \[2,3,3,1\] sigmoid[^<]*at epoch 420, on sample #\d+/);
    const snapshots = JSON.parse(await readFile(join(out, 'snapshots.json'), 'utf8')) as { snapshots: { epoch: number }[] };
    expect(snapshots.snapshots.map((s) => s.epoch)).toEqual([0, 420, 2100]);

    const again = await run('explain', '--run', out, '--explain-epoch', 'end', '--explain', 'W3[2,0]');
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/^Backpropagation on your network: ∂loss\/∂W3\[2,0\] at epoch 2100 \(the end of training\)/m);
    const missing = await run('explain', '--run', out, '--explain-epoch', '50');
    expect(missing.code).toBe(2);
    expect(missing.err).toEqual([
      'error: --explain-epoch: the run kept the weights at epochs 0, 420, 2100 only, not 50 (train with --explain-epoch 50 to keep them)',
    ]);
    const nothing = await run('explain', '--run', join(dir, 'nowhere'));
    expect(nothing.code).toBe(2);
    expect(nothing.err[0]).toMatch(/^error: --run: cannot read the run's summary\.json \(ENOENT\)/);
  });
});
