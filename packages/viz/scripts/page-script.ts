// The report page's script: src/report/page.ts and everything it imports (uPlot, the drawing
// code) bundled by esbuild as one minified IIFE. In the workspace the report gets it from here
// (package.json `imports`: #page-script), bundled on first use; the build (scripts/build.ts at
// the root) writes the same text into dist/report/page-script.js, so the published package
// carries it prebuilt and esbuild is only a dev dependency.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** page.ts and everything it imports as one minified IIFE. */
export async function bundlePageScript(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('../src/report/page.ts', import.meta.url))],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    write: false,
    charset: 'utf8',
    legalComments: 'inline',
    logLevel: 'silent',
  });
  const out = result.outputFiles[0];
  if (!out) throw new Error('bundlePageScript: esbuild produced no output');
  return out.text;
}
