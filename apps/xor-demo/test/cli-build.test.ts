// `pnpm demo` runs built JavaScript (bin/build-cli.js bundles src/cli into
// node_modules/.cache/gradlab-cli), rebuilt when a source it was built from changes, and falls
// back to tsx when it cannot build. Here the build goes to a temporary folder
// (GRADLAB_CLI_OUT), so the checkout's own build is untouched.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/cli.ts';

const BUILD = 'apps/xor-demo/bin/build-cli.js';
const DEMO = 'apps/xor-demo/bin/demo.js';
const FORBID = resolve(import.meta.dirname, 'helpers/forbid-report-tools.ts');

let dir: string;
let out: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradlab-cli-build-'));
  out = join(dir, 'cli');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function node(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env: { ...process.env, GRADLAB_CLI_OUT: out, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

type Stamp = { inputs: Record<string, [number, number]> };
const stamp = async (): Promise<Stamp> => JSON.parse(await readFile(join(out, 'inputs.json'), 'utf8')) as Stamp;

describe('pnpm demo from built JavaScript', () => {
  it('builds, notes every source it read, and is then fresh', async () => {
    expect((await node([BUILD, '--check'])).code).toBe(1); // nothing built yet
    const built = await node([BUILD]);
    expect(built.stderr).toBe('');
    expect(built.code).toBe(0);
    const { inputs } = await stamp();
    for (const file of ['apps/xor-demo/src/cli/main.ts', 'apps/xor-demo/src/cli/report.ts', 'packages/core/src/autograd.ts', 'packages/viz/src/report/page.ts', 'pnpm-lock.yaml']) {
      expect(Object.keys(inputs)).toContain(file);
    }
    expect((await node([BUILD, '--check'])).stdout).toContain('the built CLI is fresh');
  });

  it('a changed source makes it stale: the next start rebuilds, then runs the built CLI', async () => {
    const before = await stamp();
    // as if main.ts had been edited since the build (another size and time than the ones noted)
    const edited: Stamp = { ...before, inputs: { ...before.inputs, 'apps/xor-demo/src/cli/main.ts': [1, 1] } };
    await writeFile(join(out, 'inputs.json'), JSON.stringify(edited));
    const check = await node([BUILD, '--check']);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('stale: apps/xor-demo/src/cli/main.ts changed');
    const help = await node([DEMO, '--help']);
    expect(help.code).toBe(0);
    expect(help.stderr).toBe('');
    expect(help.stdout).toContain('--explain-epoch');
    expect((await stamp()).inputs['apps/xor-demo/src/cli/main.ts']).toEqual(before.inputs['apps/xor-demo/src/cli/main.ts']);
    expect((await node([BUILD, '--check'])).code).toBe(0);
  });

  it('the built CLI trains without loading the report tools', async () => {
    // the bundle imports packages by their resolved file URLs: refuse any import naming them
    const hooks = `export async function resolve(s, c, next) {
      if (/(playwright-core|esbuild|@viz-js)/.test(s)) throw new Error('forbidden import: ' + s);
      return next(s, c);
    }`;
    const guard = `data:text/javascript,${encodeURIComponent(`import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`)}`;
    const refused = await node(['--import', guard, join(out, 'bin.js'), '--max-epochs', '42', '--quiet', '--out', join(dir, 'with-report')]);
    expect(refused.stderr).toMatch(/forbidden import: .*(playwright-core|@viz-js)/); // the guard works
    const run = await node(['--import', guard, join(out, 'bin.js'), '--no-report', '--max-epochs', '42', '--quiet', '--out', join(dir, 'run')]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const summary = JSON.parse(await readFile(join(dir, 'run', 'summary.json'), 'utf8')) as { epochs: number };
    expect(summary.epochs).toBe(42);
  });

  it('the built CLI in its own place finds the repository, as the sources do (outputs go to runs/)', async () => {
    // the checkout's own build (node_modules/.cache/gradlab-cli), rebuilt first if stale
    const inRepo = await node([DEMO, '--no-report', '--max-epochs', '1', '--quiet', '--out', 'apps/xor-demo/src/not-here'], { GRADLAB_CLI_OUT: '' });
    expect(inRepo.code).not.toBe(0);
    expect(inRepo.stderr).toContain(`inside gradlab's repository (${REPO_ROOT})`);
  });

  it('when it cannot build (esbuild cannot be loaded), it says so and runs the sources through tsx', async () => {
    await writeFile(join(out, 'inputs.json'), '{}'); // stale
    const help = await node(['--import', 'tsx', '--import', FORBID, DEMO, '--help']);
    expect(help.stderr).toMatch(/running the TypeScript sources through tsx \(the build failed: .*esbuild/);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--explain-epoch');
  });
});
