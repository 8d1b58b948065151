// The CLI as built JavaScript: src/cli/bin.ts and everything it imports from the workspace
// (@gradlab/core, nn, data, viz: their TypeScript sources) bundled by esbuild into
// apps/xor-demo/node_modules/.cache/gradlab-cli/,
// so that `pnpm demo` starts without transpiling. What only the report needs (report.ts and the
// report tools) lands in chunks of its own, loaded when a report is written. Third-party
// packages stay imports, resolved where pnpm installed them (their absolute paths: the build
// belongs to this checkout and is rebuilt if it moves). The report page's script (viz's
// `#page-script`, bundled by esbuild on first use in the workspace) is bundled here once and
// carried as text.
//
// Fresh or stale: the build notes every file it read (esbuild's metafile) with its size and
// modification time in inputs.json beside the bundle; demo.js compares them before each start and
// rebuilds when any differs (or falls back to tsx when it cannot build).
//
//   node apps/xor-demo/bin/build-cli.js          build now
//   node apps/xor-demo/bin/build-cli.js --check  exit 0 if the build is fresh, 1 if not
//   node apps/xor-demo/bin/build-cli.js --prepare  build, but never fail (pnpm install's prepare)
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const app = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const repo = resolve(app, '../..');
// Not in dist/ (vite build empties it for the web demo): in node_modules/.cache, five folders
// below the repository (outdir.ts finds the repository from its own folder: four above src/cli,
// five above this). GRADLAB_CLI_OUT: another folder, for the tests.
export const outDir = process.env.GRADLAB_CLI_OUT ? resolve(process.env.GRADLAB_CLI_OUT) : join(app, 'node_modules', '.cache', 'gradlab-cli');
export const entry = join(outDir, 'bin.js');
const STAMP = 'inputs.json';
const FORMAT = 1;

/** Files whose change makes a build stale besides the bundled sources: the lockfile, this script. */
const extraInputs = () => [join(repo, 'pnpm-lock.yaml'), fileURLToPath(import.meta.url)];

/** [size, mtimeMs] of a file, or null if it is gone. */
function fingerprint(path) {
  try {
    const s = statSync(path);
    return [s.size, s.mtimeMs];
  } catch {
    return null;
  }
}

/** Why the built CLI cannot be used as it is, or null if it is fresh. */
export function staleReason() {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(join(outDir, STAMP), 'utf8'));
  } catch {
    return 'not built yet';
  }
  if (stamp.format !== FORMAT || stamp.repo !== repo || stamp.node !== process.versions.node.split('.')[0]) return 'built elsewhere';
  for (const [file, then] of Object.entries(stamp.inputs)) {
    const now = fingerprint(resolve(repo, file));
    if (now === null || now[0] !== then[0] || now[1] !== then[1]) return `${file} changed`;
  }
  return null;
}

/** Plugin: workspace packages are bundled; other packages stay imports of their resolved files. */
function resolvePlugin(pageScript) {
  return {
    name: 'gradlab-cli',
    setup(build) {
      build.onResolve({ filter: /^#page-script$/ }, () => ({ path: 'page-script', namespace: 'gradlab-page-script' }));
      build.onLoad({ filter: /.*/, namespace: 'gradlab-page-script' }, () => ({
        contents: `const text = ${JSON.stringify(pageScript)};\nexport async function bundlePageScript() { return text; }\n`,
        loader: 'js',
      }));
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.path.startsWith('node:') || args.path.startsWith('@gradlab/') || args.pluginData === 'resolving') return undefined;
        const found = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'resolving' });
        if (found.errors.length > 0) return { errors: found.errors };
        if (found.external) return { path: args.path, external: true }; // a Node built-in
        return { path: pathToFileURL(found.path).href, external: true };
      });
    },
  };
}

/** Builds the CLI (into a fresh folder first, then swapped in whole). */
export async function buildCli() {
  const esbuild = await import('esbuild');
  // the report page's script, as viz's own build makes it
  const viz = join(repo, 'packages/viz');
  const page = await esbuild.build({
    entryPoints: [join(viz, 'src/report/page.ts')], bundle: true, format: 'iife', platform: 'browser', target: 'es2020',
    minify: true, write: false, charset: 'utf8', legalComments: 'inline', logLevel: 'silent', metafile: true,
  });
  const tmp = `${outDir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const result = await esbuild.build({
    entryPoints: { bin: join(app, 'src/cli/bin.ts') },
    outdir: tmp,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    conditions: ['node', 'import'],
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'silent',
    chunkNames: 'chunk-[hash]',
    plugins: [resolvePlugin(page.outputFiles[0].text)],
  });
  const inputs = {};
  const files = [...Object.keys(result.metafile.inputs), ...Object.keys(page.metafile.inputs)]
    .filter((f) => !f.includes(':'))
    .map((f) => resolve(process.cwd(), f));
  for (const file of [...files, ...extraInputs()]) {
    const f = fingerprint(file);
    if (f !== null) inputs[relative(repo, file)] = f;
  }
  writeFileSync(join(tmp, STAMP), `${JSON.stringify({ format: FORMAT, repo, node: process.versions.node.split('.')[0], inputs }, null, 1)}\n`);
  mkdirSync(dirname(outDir), { recursive: true });
  const old = `${outDir}.old-${process.pid}`;
  try {
    renameSync(outDir, old);
  } catch {
    // nothing built before
  }
  renameSync(tmp, outDir);
  rmSync(old, { recursive: true, force: true });
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = process.argv[2];
  if (arg === '--check') {
    const why = staleReason();
    console.log(why === null ? 'the built CLI is fresh' : `the built CLI is stale: ${why}`);
    process.exitCode = why === null ? 0 : 1;
  } else {
    const t0 = performance.now();
    try {
      await buildCli();
      console.log(`built ${relative(repo, outDir)} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    } catch (err) {
      console.error(`build-cli: ${err instanceof Error ? err.message : String(err)}`);
      // as pnpm install's prepare step: never fail the install (pnpm demo then runs the sources through tsx)
      if (arg !== '--prepare') process.exitCode = 1;
    }
  }
}
