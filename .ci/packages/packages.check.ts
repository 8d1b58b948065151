// `pnpm test:packages` (part of .ci/run): the packages as a user gets them. Builds and packs
// @gradlab/core, nn, data and viz, lints the tarballs (publint, arethetypeswrong), installs them
// with npm into a scratch project outside the workspace (the tarballs from disk, third-party
// packages from the npm registry), and there: trains the lab's network with plain `node`, loads
// the packages with require(), writes a report with @gradlab/viz/node, typechecks a TypeScript
// consumer under strict user settings, and bundles a page with Vite that runs in Chromium.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGES, packAll } from './pack.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
/** What the scratch project installs from the registry, at the workspace's own pins. */
const TOOLS = ['typescript', '@types/node', 'vite', 'playwright-core'] as const;
const NPM_FLAGS = ['--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];

const work = mkdtempSync(join(tmpdir(), 'gradlab-packages-'));
const tarballDir = join(work, 'tarballs');
const app = join(work, 'app');
const tarballs = {} as Record<(typeof PACKAGES)[number], string>;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], options: SpawnSyncOptions = {}): Run {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...options });
  if (result.error) throw result.error;
  return { status: result.status, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** Runs a command that must succeed; its output goes into the error when it does not. */
function must(command: string, args: string[], options: SpawnSyncOptions = {}): string {
  const r = run(command, args, options);
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const bin = (name: string): string => join(app, 'node_modules/.bin', name);

beforeAll(() => {
  Object.assign(tarballs, packAll(tarballDir));
  // the scratch project, made as the README's "Use it in your own project" says
  mkdirSync(app);
  must('npm', ['init', '-y'], { cwd: app });
  must('npm', ['pkg', 'set', 'type=module'], { cwd: app });
  must('npm', ['install', ...NPM_FLAGS, ...PACKAGES.map((name) => tarballs[name])], { cwd: app, stdio: 'inherit' });
  // and what the other checks need: TypeScript, Node's types, Vite, a driver for Chromium
  const tools = TOOLS.map((name) => `${name}@${rootManifest.devDependencies[name]?.replace(/^\^/, '') ?? 'missing'}`);
  must('npm', ['install', '--save-dev', ...NPM_FLAGS, ...tools], { cwd: app, stdio: 'inherit' });
  cpSync(join(root, '.ci/packages/consumer'), app, { recursive: true });
}, 600_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('the tarballs', () => {
  for (const name of PACKAGES) {
    it(`@gradlab/${name}: publint finds no problem`, async () => {
      const file = tarballs[name];
      const bytes = readFileSync(file);
      const tarball = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
      const { messages, pkg } = await publint({ pack: { tarball }, level: 'suggestion', strict: true });
      const lines = messages.map((m) => `${m.type}: ${formatMessage(m, pkg) ?? m.code}`);
      console.log(`publint @gradlab/${name}: ${lines.length === 0 ? 'no messages' : lines.join('\n')}`);
      expect(lines).toEqual([]);
    });

    it(`@gradlab/${name}: arethetypeswrong finds no problem (ESM-only profile)`, () => {
      const r = run(join(root, 'node_modules/.bin/attw'), [tarballs[name], '--profile', 'esm-only', '--format', 'table-flipped']);
      console.log(`attw @gradlab/${name} (exit ${r.status}):\n${r.stdout}${r.stderr}`);
      expect(r.status).toBe(0);
    });

    it(`@gradlab/${name}: ships dist, sources, README, LICENSE and CHANGELOG, and no tests or benches`, () => {
      const files = must('tar', ['-tzf', tarballs[name]]).trim().split('\n');
      for (const f of ['package/package.json', 'package/README.md', 'package/LICENSE', 'package/CHANGELOG.md', 'package/dist/index.js', 'package/dist/index.d.ts', 'package/dist/index.d.ts.map']) {
        expect(files).toContain(f);
      }
      expect(files.filter((f) => /^package\/(test|bench|scripts)\//.test(f) || f.endsWith('.tsbuildinfo'))).toEqual([]);
    });
  }

  it('@gradlab/viz has no esbuild at run time, and its report script is prebuilt', () => {
    const manifest = JSON.parse(must('tar', ['-xzOf', tarballs.viz, 'package/package.json'])) as Record<string, unknown>;
    expect(Object.keys(manifest.dependencies as object)).not.toContain('esbuild');
    expect(JSON.stringify(manifest.imports)).toContain('./dist/report/page-script.js');
    const script = must('tar', ['-xzOf', tarballs.viz, 'package/dist/report/page-script.js']);
    expect(script).not.toMatch(/from\s+['"]esbuild['"]/);
    expect(script.length).toBeGreaterThan(10_000);
  });

  it("@gradlab/core's published exports have no ./bench", () => {
    const manifest = JSON.parse(must('tar', ['-xzOf', tarballs.core, 'package/package.json'])) as { exports: object };
    expect(Object.keys(manifest.exports)).toEqual(['.', './fast', './package.json']);
  });
});

describe('a project that installed the tarballs', () => {
  it("the README's script is the one run here", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const block = /<!-- \.ci\/packages\/consumer\/train\.mjs[^>]*-->\n```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBe(readFileSync(join(root, '.ci/packages/consumer/train.mjs'), 'utf8'));
  });

  it('node trains the lab network to 100% accuracy (plain ESM, no TypeScript)', () => {
    const out = must(process.execPath, ['train.mjs'], { cwd: app });
    console.log(out);
    expect(out).toMatch(/^accuracy: 100\.00% \(21\/21\)$/m);
  });

  it('@gradlab/nn/export writes ONNX and safetensors, and reads the weights back', () => {
    const out = must(process.execPath, ['export.mjs'], { cwd: app });
    console.log(out);
    expect(out).toMatch(/model\.onnx: \d+ bytes, model\.safetensors: 352 bytes, round trip: same weights/);
  });

  it('require() loads the ESM packages (Node 20.19+)', () => {
    expect(must(process.execPath, ['require.cjs'], { cwd: app })).toContain('require: ok, output shape [1, 1]');
  });

  it('@gradlab/viz/node writes a report without esbuild installed', () => {
    expect(existsSync(join(app, 'node_modules/esbuild'))).toBe(false);
    const out = must(process.execPath, ['report.mjs'], { cwd: app });
    const [, script] = /page script (\d+) characters/.exec(out) ?? [];
    expect(Number(script)).toBeGreaterThan(10_000);
  });

  for (const config of ['tsconfig.json', 'tsconfig.web.json']) {
    it(`tsc -p ${config}: zero errors under nodenext, strict, noUncheckedIndexedAccess, exactOptionalPropertyTypes, skipLibCheck false`, () => {
      const r = run(bin('tsc'), ['-p', config, '--pretty', 'false'], { cwd: app });
      const errors = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.includes('error TS'));
      console.log(`tsc -p ${config}: ${errors.length} errors${errors.length ? `\n${errors.join('\n')}` : ''}`);
      expect(errors).toEqual([]);
      expect(r.status).toBe(0);
    });
  }

  describe('a page bundled with Vite', () => {
    let server: Server;
    let origin = '';

    beforeAll(async () => {
      must(bin('vite'), ['build', 'web', '--outDir', '../web-dist', '--emptyOutDir', '--logLevel', 'warn'], { cwd: app });
      const dist = join(app, 'web-dist');
      const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
      server = createServer((req, res) => {
        const path = join(dist, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/\/$/, '/index.html'));
        if (!path.startsWith(dist) || !existsSync(path)) {
          res.writeHead(404).end();
          return;
        }
        res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(readFileSync(path));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const address = server.address();
      if (!address || typeof address === 'string') throw new Error('no port');
      origin = `http://127.0.0.1:${address.port}`;
    }, 120_000);

    afterAll(() => {
      server.close();
    });

    it('trains to 100% and draws its learning curve in headless Chromium, without errors', async () => {
      const browser = await chromium.launch({
        executablePath: process.env.GRADLAB_CHROMIUM ?? '/usr/bin/chromium',
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      });
      try {
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        page.on('console', (m) => {
          if (m.type() === 'error') errors.push(m.text());
        });
        await page.goto(`${origin}/`);
        await page.waitForSelector('body[data-done]', { timeout: 60_000 });
        const result = await page.textContent('#result');
        console.log(`browser: ${result}`);
        expect(result).toBe('accuracy: 100.00% (21/21)');
        expect(await page.locator('#loss canvas').count()).toBeGreaterThan(0);
        expect(Number(await page.getAttribute('body', 'data-onnx-bytes'))).toBeGreaterThan(500); // protobufjs in a browser bundle
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    }, 120_000);
  });
});
