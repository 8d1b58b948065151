// The CLI loads the report's tools (playwright-core, esbuild, Graphviz) only when it writes a
// report: `pnpm demo --help` and `--no-report` run with those imports made to fail.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCli } from './helpers/cli.ts';

const FORBID = resolve(import.meta.dirname, 'helpers/forbid-report-tools.ts');
/** node --import tsx --import forbid-report-tools.ts bin.ts …: tsx first (it runs the TypeScript), then the guard. */
const withoutReportTools = (nodeArgv: string[]): [string, string[]] => [nodeArgv[0], [...nodeArgv.slice(1, 3), '--import', FORBID, ...nodeArgv.slice(3)]];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradlab-startup-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the report tools are loaded only for a report', () => {
  it('the guard works: a run with a report fails to load them', async () => {
    const r = await spawnCli(['--out', join(dir, 'with'), '--max-epochs', '42', '--quiet'], { wrap: withoutReportTools, timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/forbidden import: (esbuild|@viz-js\/viz|playwright-core)/);
  });

  it('--help and --no-report never import playwright-core, esbuild or Graphviz', async () => {
    const help = await spawnCli(['--help'], { wrap: withoutReportTools, timeoutMs: 60_000 });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--explain-epoch');
    const run = await spawnCli(['--out', join(dir, 'plain'), '--no-report', '--max-epochs', '42', '--quiet'], { wrap: withoutReportTools, timeoutMs: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect((await readdir(join(dir, 'plain'))).sort()).toEqual(['loss.csv', 'model.json', 'snapshots.json', 'summary.json']);
    const explain = await spawnCli(['explain'], { wrap: withoutReportTools, timeoutMs: 60_000 });
    expect(explain.code).toBe(0);
  });
});
