// report.html + graph.svg + one PNG per figure, in one call.
import { join } from 'node:path';
import { writeFileAtomic } from './atomic.ts';
import { buildReport } from './html.ts';
import { findChromium, PNG_SKIPPED_MESSAGE, renderPngs, type PngOutput } from './png.ts';
import { FIGURE_IDS, type ReportInput } from './types.ts';

export interface WriteReportOptions {
  /** Also screenshot the figures to PNG (needs Chromium). */
  png: boolean;
  /** Chromium binary; default findChromium(). */
  chromiumPath?: string;
}

export interface WriteReportResult {
  /** Absolute or dir-relative paths of the files written. */
  written: string[];
  /** Files not written, with why. */
  skipped: { file: string; reason: string }[];
  /** PNG_SKIPPED_MESSAGE when PNGs were wanted but Chromium was not found. */
  message?: string;
  /** Network requests the page attempted while PNGs were made (blocked; should be none). */
  blockedRequests?: string[];
}

export async function writeReport(
  dir: string,
  input: ReportInput,
  options: WriteReportOptions,
): Promise<WriteReportResult> {
  const result: WriteReportResult = { written: [], skipped: [] };
  const html = await buildReport(input);
  const htmlPath = join(dir, 'report.html');
  await writeFileAtomic(htmlPath, html);
  result.written.push(htmlPath);

  if (input.graphSvg) {
    const svgPath = join(dir, 'graph.svg');
    await writeFileAtomic(svgPath, input.graphSvg);
    result.written.push(svgPath);
  }

  const pngs: PngOutput[] = [];
  if (input.runs.length > 0) pngs.push({ selector: `#${FIGURE_IDS.loss}`, path: join(dir, 'loss.png') });
  if (input.comparison) pngs.push({ selector: `#${FIGURE_IDS.comparison}`, path: join(dir, 'comparison.png') });
  if (input.boundary) pngs.push({ selector: `#${FIGURE_IDS.boundary}`, path: join(dir, 'boundary.png') });
  if (pngs.length === 0) return result;

  if (!options.png) {
    for (const p of pngs) result.skipped.push({ file: p.path, reason: 'PNG output not requested' });
    return result;
  }
  const chromiumPath = options.chromiumPath ?? findChromium();
  if (!chromiumPath) {
    for (const p of pngs) result.skipped.push({ file: p.path, reason: 'Chromium not found' });
    result.message = PNG_SKIPPED_MESSAGE;
    return result;
  }
  const { written, blockedRequests } = await renderPngs(html, pngs, { chromiumPath });
  result.written.push(...written);
  result.blockedRequests = blockedRequests;
  return result;
}
