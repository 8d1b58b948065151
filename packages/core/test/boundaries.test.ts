// The repository's package boundaries match the imports: every package and app imports only
// packages it declares (its sources only its `dependencies`; tests, benchmarks and tooling may
// use `devDependencies` and the root's), never a file of another package by relative path, and
// uses every dependency it declares.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

interface Manifest {
  name: string;
  imports?: Record<string, unknown>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const readManifest = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
const rootDevDependencies = Object.keys(readManifest(root).devDependencies ?? {});

const workspaces = ['packages', 'apps'].flatMap((group) =>
  readdirSync(join(root, group))
    .map((name) => join(root, group, name))
    .filter((dir) => statSync(dir).isDirectory()),
);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|js|mjs)$/.test(name) ? [path] : [];
  });
}

/** Every module specifier a file imports or re-exports (static and dynamic). */
function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found = [
    ...text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+'([^']+)'/gms),
    ...text.matchAll(/^\s*import\s+'([^']+)'/gm),
    ...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g),
  ];
  return found.map((m) => m[1]);
}

/** '@scope/name/sub' → '@scope/name'; 'name/sub' → 'name'. */
const packageOf = (specifier: string): string =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

describe('package boundaries', () => {
  it('finds the workspaces', () => {
    expect(workspaces.map((dir) => relative(root, dir)).sort()).toEqual([
      'apps/xor-demo',
      'packages/core',
      'packages/data',
      'packages/nn',
      'packages/viz',
    ]);
  });

  for (const dir of workspaces) {
    const where = relative(root, dir);
    const manifest = readManifest(dir);
    const dependencies = Object.keys(manifest.dependencies ?? {});
    const devDependencies = Object.keys(manifest.devDependencies ?? {});
    const files = sourceFiles(dir);

    it(`${where}: imports only what it declares, and nothing of another package by path`, () => {
      const problems: string[] = [];
      for (const file of files) {
        const inSrc = relative(dir, file).startsWith('src/');
        for (const s of specifiers(file)) {
          if (s.startsWith('.')) {
            const target = resolve(dirname(file), s);
            if (relative(dir, target).startsWith('..')) problems.push(`${relative(root, file)} imports ${s} (outside ${where})`);
            continue;
          }
          if (s.startsWith('node:')) continue;
          if (s.startsWith('#')) {
            // the package's own subpath imports (package.json `imports`)
            if (!(s in (manifest.imports ?? {}))) problems.push(`${relative(root, file)} imports ${s}, not in package.json imports`);
            continue;
          }
          const name = packageOf(s);
          const allowed = inSrc ? dependencies : [...dependencies, ...devDependencies, ...rootDevDependencies];
          if (!allowed.includes(name)) problems.push(`${relative(root, file)} imports ${name}, not declared${inSrc ? ' in dependencies' : ''}`);
        }
      }
      expect(problems).toEqual([]);
    });

    it(`${where}: uses every dependency it declares in its sources`, () => {
      const used = new Set(files.filter((f) => relative(dir, f).startsWith('src/')).flatMap((f) => specifiers(f).map(packageOf)));
      expect(dependencies.filter((name) => !used.has(name))).toEqual([]);
    });
  }
});
