// The page's script and styles: page.ts bundled with uPlot and the drawing code (prebuilt in the
// published package, bundled on first use in the workspace: see package.json `imports`), and
// uPlot's stylesheet read from the installed package.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { bundlePageScript } from '#page-script';

let script: Promise<string> | undefined;
let uplotCss: Promise<string> | undefined;

/** page.ts and everything it imports as one minified IIFE (built once per process). */
export function pageScript(): Promise<string> {
  script ??= bundlePageScript().catch((err: unknown) => {
    script = undefined; // let a later call retry
    throw err;
  });
  return script;
}

/** uPlot's own CSS (legend, title, axes layout). */
export function uPlotCss(): Promise<string> {
  uplotCss ??= readFile(createRequire(import.meta.url).resolve('uplot/dist/uPlot.min.css'), 'utf8');
  return uplotCss;
}
