// report.html + graph.svg + one PNG per figure, in one call. The files are written by the
// caller's `writeFile` (the CLI passes writeFileAtomic from @gradlab/nn/node, the repository's
// one atomic writer): report.html first, so a failure of the PNGs never costs the report.
import { join } from 'node:path';
import { buildReport } from './html.ts';
import { findChromium, PNG_SKIPPED_MESSAGE, pngFailedMessage, renderPngs } from './png.ts';
import { FIGURE_IDS, type ReportInput } from './types.ts';

/** Writes one file whole (e.g. writeFileAtomic from @gradlab/nn/node). */
export type WriteFile = (path: string, data: string | Uint8Array) => Promise<void>;

export interface WriteReportOptions {
  /** Also screenshot the figures to PNG (needs Chromium). */
  png: boolean;
  /** Chromium binary; default findChromium(). */
  chromiumPath?: string;
  /** How each file is written; the folder exists. */
  writeFile: WriteFile;
}

export interface WriteReportResult {
  /** Absolute or dir-relative paths of the files written. */
  written: string[];
  /** Files not written, with why. */
  skipped: { file: string; reason: string }[];
  /**
   * One line for the user when PNGs were wanted but not made: PNG_SKIPPED_MESSAGE (no Chromium)
   * or pngFailedMessage(error) (Chromium failed). The HTML and SVG are written either way.
   */
  message?: string;
  /** Network requests the page attempted while PNGs were made (blocked; should be none). */
  blockedRequests?: string[];
}

export async function writeReport(dir: string, input: ReportInput, options: WriteReportOptions): Promise<WriteReportResult> {
  const { writeFile } = options;
  const result: WriteReportResult = { written: [], skipped: [] };
  const html = await buildReport(input);
  const htmlPath = join(dir, 'report.html');
  await writeFile(htmlPath, html);
  result.written.push(htmlPath);

  if (input.graphSvg) {
    const svgPath = join(dir, 'graph.svg');
    await writeFile(svgPath, input.graphSvg);
    result.written.push(svgPath);
  }

  const pngs: { selector: string; path: string }[] = [];
  if (input.runs.length > 0) pngs.push({ selector: `#${FIGURE_IDS.loss}`, path: join(dir, 'loss.png') });
  if (input.comparison) pngs.push({ selector: `#${FIGURE_IDS.comparison}`, path: join(dir, 'comparison.png') });
  if (input.boundary) pngs.push({ selector: `#${FIGURE_IDS.boundary}`, path: join(dir, 'boundary.png') });
  if (pngs.length === 0) return result;

  const skipAll = (reason: string) => {
    for (const p of pngs) result.skipped.push({ file: p.path, reason });
  };
  if (!options.png) {
    skipAll('PNG output not requested');
    return result;
  }
  const chromiumPath = options.chromiumPath ?? findChromium();
  if (!chromiumPath) {
    skipAll('Chromium not found');
    result.message = PNG_SKIPPED_MESSAGE;
    return result;
  }
  let images: Uint8Array[];
  try {
    const rendered = await renderPngs(
      html,
      pngs.map((p) => p.selector),
      { chromiumPath },
    );
    images = rendered.images;
    result.blockedRequests = rendered.blockedRequests;
  } catch (err) {
    result.message = pngFailedMessage(err);
    skipAll(result.message);
    return result;
  }
  for (const [i, { path }] of pngs.entries()) {
    await writeFile(path, images[i]);
    result.written.push(path);
  }
  return result;
}
