// The page's script and styles, produced at report time: page.ts bundled by esbuild (with
// uPlot and the drawing code), and uPlot's stylesheet read from the installed package.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

let script: Promise<string> | undefined;
let uplotCss: Promise<string> | undefined;

/** page.ts and everything it imports as one minified IIFE (built once per process). */
export function pageScript(): Promise<string> {
  script ??= bundlePage().catch((err: unknown) => {
    script = undefined; // let a later call retry
    throw err;
  });
  return script;
}

async function bundlePage(): Promise<string> {
  const { build } = await import('esbuild'); // only when a report is made
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./page.ts', import.meta.url))],
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
  if (!out) throw new Error('pageScript: esbuild produced no output');
  return out.text;
}

/** uPlot's own CSS (legend, title, axes layout). */
export function uPlotCss(): Promise<string> {
  uplotCss ??= readFile(createRequire(import.meta.url).resolve('uplot/dist/uPlot.min.css'), 'utf8');
  return uplotCss;
}
