// report.html + graph.svg + one PNG per figure + report.pdf, in one call. The files are written by
// the caller's `writeFile` (the CLI passes writeFileAtomic from @gradlab/nn/node, the repository's
// one atomic writer): report.html first, so a failure of Chromium never costs the report. Every
// PNG and the PDF come from one Chromium launch, companions' figures included.
import { join } from 'node:path';
import { buildReport } from './html.ts';
import { findChromium, PNG_SKIPPED_MESSAGE, pngFailedMessage, renderPages, type RenderJob } from './png.ts';
import { FIGURE_IDS, type ReportInput } from './types.ts';

/** Writes one file whole (e.g. writeFileAtomic from @gradlab/nn/node). */
export type WriteFile = (path: string, data: string | Uint8Array) => Promise<void>;

export interface WriteReportOptions {
  /** Also screenshot the figures to PNG (needs Chromium). */
  png: boolean;
  /** Also print the report to report.pdf (needs Chromium; default: as `png`). */
  pdf?: boolean;
  /** Chromium binary; default findChromium(). */
  chromiumPath?: string;
  /** How each file is written; the folder exists. */
  writeFile: WriteFile;
  /**
   * Other figures made in the same Chromium launch: each input's figures are written as PNGs into
   * its `dir` (no HTML there), e.g. each run's comparison figure of a sweep.
   */
  companions?: { dir: string; input: ReportInput }[];
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

/** The PNGs of a report's figures: selector and file, for the figures the input has. */
function figureFiles(dir: string, input: ReportInput): { selector: string; path: string }[] {
  const pngs: { selector: string; path: string }[] = [];
  if (input.runs.length > 0) pngs.push({ selector: `#${FIGURE_IDS.loss}`, path: join(dir, 'loss.png') });
  if (input.accuracyRuns && input.accuracyRuns.length > 0) pngs.push({ selector: `#${FIGURE_IDS.accuracy}`, path: join(dir, 'accuracy.png') });
  if (input.confusion) pngs.push({ selector: `#${FIGURE_IDS.confusion}`, path: join(dir, 'confusion.png') });
  if (input.gallery) pngs.push({ selector: `#${FIGURE_IDS.gallery}`, path: join(dir, 'misclassified.png') });
  if (input.comparison) pngs.push({ selector: `#${FIGURE_IDS.comparison}`, path: join(dir, 'comparison.png') });
  if (input.boundary) pngs.push({ selector: `#${FIGURE_IDS.boundary}`, path: join(dir, 'boundary.png') });
  return pngs;
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

  const pdf = options.pdf ?? options.png;
  const pdfPath = join(dir, 'report.pdf');
  const pages: { job: RenderJob; pngs: { selector: string; path: string }[]; pdfPath: string | null }[] = [];
  const own = options.png ? figureFiles(dir, input) : [];
  if (own.length > 0 || pdf) pages.push({ job: { html, selectors: own.map((p) => p.selector), pdf }, pngs: own, pdfPath: pdf ? pdfPath : null });
  if (options.png) {
    for (const c of options.companions ?? []) {
      const pngs = figureFiles(c.dir, c.input);
      if (pngs.length > 0) pages.push({ job: { html: await buildReport(c.input), selectors: pngs.map((p) => p.selector) }, pngs, pdfPath: null });
    }
  }
  const wanted = [...pages.flatMap((p) => p.pngs.map((q) => q.path)), ...(pdf ? [pdfPath] : [])];
  const skipAll = (reason: string) => {
    for (const file of wanted) result.skipped.push({ file, reason });
  };
  if (!options.png) for (const p of figureFiles(dir, input)) result.skipped.push({ file: p.path, reason: 'PNG output not requested' });
  if (!pdf) result.skipped.push({ file: pdfPath, reason: 'PDF output not requested' });
  if (pages.length === 0) return result;

  const chromiumPath = options.chromiumPath ?? findChromium();
  if (!chromiumPath) {
    skipAll('Chromium not found');
    result.message = PNG_SKIPPED_MESSAGE;
    return result;
  }
  let rendered;
  try {
    rendered = await renderPages(
      pages.map((p) => p.job),
      { chromiumPath },
    );
  } catch (err) {
    result.message = pngFailedMessage(err);
    skipAll(result.message);
    return result;
  }
  result.blockedRequests = rendered.flatMap((r) => r.blockedRequests);
  for (const [k, page] of pages.entries()) {
    for (const [i, { path }] of page.pngs.entries()) {
      await writeFile(path, rendered[k].images[i]);
      result.written.push(path);
    }
    if (page.pdfPath && rendered[k].pdf) {
      await writeFile(page.pdfPath, rendered[k].pdf);
      result.written.push(page.pdfPath);
    }
  }
  return result;
}
