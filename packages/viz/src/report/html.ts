// One self-contained HTML report: styles, script and data inlined, no network requests.
import { confusionData, imageGridData } from '../data/classification.ts';
import { comparisonData } from '../data/comparison.ts';
import { lossCurveData } from '../data/lossCurve.ts';
import { svgForInline } from '../graph/renderGraphSvg.ts';
import { pageScript, uPlotCss } from './assets.ts';
import { escapeHtml } from './escape.ts';
import { confusionSvg, imageGridHtml } from './static.ts';
import { FIGURE_IDS, PAYLOAD_ID, type ReportInput, type ReportPayload } from './types.ts';

export async function buildReport(input: ReportInput): Promise<string> {
  const payload = reportPayload(input);
  const [script, css] = await Promise.all([pageScript(), uPlotCss()]);
  const accuracy = input.accuracy ?? payload.comparison?.accuracy;

  const sections: string[] = [];
  if (Object.keys(input.config).length > 0) {
    const rows = Object.entries(input.config)
      .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(String(v))}</td></tr>`)
      .join('');
    sections.push(section('Configuration', `<table class="config">${rows}</table>`));
  }
  if (input.printout) sections.push(section('Training output', `<pre class="printout">${escapeHtml(input.printout)}</pre>`));
  const captions = input.captions ?? {};
  if (payload.loss) {
    sections.push(
      section(
        payload.loss.series.filter((s) => s.style === 'line').length > 1 ? 'Learning curves' : 'Learning curve',
        figure(FIGURE_IDS.loss, [captions.loss, ...payload.loss.notes]),
      ),
    );
  }
  if (payload.accuracy) sections.push(section('Accuracy', figure(FIGURE_IDS.accuracy, [captions.accuracy])));
  if (input.confusion) {
    const { matrix, classNames, title } = input.confusion;
    sections.push(section('Confusion matrix', staticFigure(FIGURE_IDS.confusion, confusionSvg(confusionData(matrix, classNames), title), captions.confusion)));
  }
  if (input.gallery) {
    const g = input.gallery;
    const data = imageGridData(g.images, { width: g.width, height: g.height, range: g.range, maxImages: g.maxImages });
    const more = data.omitted > 0 ? ` ${data.omitted} more not shown.` : '';
    sections.push(section(g.heading, staticFigure(FIGURE_IDS.gallery, imageGridHtml(data, { title: g.title }), (captions.gallery ?? '') + more)));
  }
  if (payload.comparison) sections.push(section('Ground truth vs prediction', figure(FIGURE_IDS.comparison, [captions.comparison])));
  if (payload.boundary) sections.push(section('Decision boundary', figure(FIGURE_IDS.boundary, [captions.boundary])));
  for (const extra of input.sections ?? []) sections.push(section(extra.title, extra.html, extra.id));
  if (input.graphSvg) {
    const caption = input.graphCaption ? `<figcaption>${escapeHtml(input.graphCaption)}</figcaption>` : '';
    sections.push(
      section('Computational graph', `<figure class="graph-figure"><div id="${FIGURE_IDS.graph}" class="figure graph">${svgForInline(input.graphSvg)}</div>${caption}</figure>`, 'graph-section'),
    );
  }

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.title)}</title>
<style>
${css}
${REPORT_CSS}
</style>
</head>
<body>
<main>
<h1>${escapeHtml(input.title)}</h1>
${accuracy === undefined ? '' : `<p class="accuracy">Accuracy: <strong>${formatPercent(accuracy)}</strong></p>`}
${sections.join('\n')}
</main>
<script type="application/json" id="${PAYLOAD_ID}">${jsonForScript(payload)}</script>
<script>${scriptForHtml(script)}</script>
</body>
</html>
`;
}

/** The figures' data: shaped here in Node so the page only draws. */
export function reportPayload(input: ReportInput): ReportPayload {
  const payload: ReportPayload = {};
  if (input.runs.length > 0) payload.loss = lossCurveData(input.runs, { logScale: input.logScale, xMax: input.xMax });
  if (input.accuracyRuns && input.accuracyRuns.length > 0) payload.accuracy = lossCurveData(input.accuracyRuns);
  if (input.lossAxis) payload.lossAxis = input.lossAxis;
  if (input.comparison) {
    const { points, labels, predictions, threshold, classes } = input.comparison;
    payload.comparison = comparisonData(points, labels, predictions, { threshold, classes });
  }
  if (input.boundary) {
    const { grid, points, labels } = input.boundary;
    payload.boundary = { grid, points: Array.from(points, (p) => Array.from(p)), labels: Array.from(labels) };
  }
  return payload;
}

/** JSON that cannot end its `<script>` early: every `<` becomes `\u003c` (still valid JSON). */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Script text safe inside `<script>…</script>` (esbuild already escapes `</script` in strings). */
function scriptForHtml(js: string): string {
  return js.replace(/<\/script/gi, '<\\/script');
}

export { escapeHtml };

function section(title: string, body: string, id?: string): string {
  return `<section${id ? ` id="${escapeHtml(id)}"` : ''}>\n<h2>${escapeHtml(title)}</h2>\n${body}\n</section>`;
}

/** A figure's container, with a caption below it (outside the element the PNG is shot from). */
function figure(id: string, captions: (string | undefined)[] = []): string {
  const text = captions.filter((c): c is string => c !== undefined && c !== '');
  const caption = text.length > 0 ? `<figcaption class="notes">${text.map(escapeHtml).join(' ')}</figcaption>` : '';
  return `<figure class="plot"><div id="${id}" class="figure"></div>${caption}</figure>`;
}

/** A figure drawn here as SVG (the PNG is shot from the element with `id`). */
function staticFigure(id: string, svg: string, caption?: string): string {
  const text = caption?.trim() ? `<figcaption class="notes">${escapeHtml(caption.trim())}</figcaption>` : '';
  return `<figure class="plot"><div id="${id}" class="figure static">${svg}</div>${text}</figure>`;
}

function formatPercent(x: number): string {
  return `${(x * 100).toFixed(2)}%`;
}

const REPORT_CSS = `
body { margin: 0; background: #fff; color: #222; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif; }
main { max-width: 1000px; margin: 0 auto; padding: 24px 32px 48px; }
h1 { font-size: 26px; margin: 0 0 8px; }
h2 { font-size: 19px; margin: 32px 0 10px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.accuracy { font-size: 17px; margin: 4px 0 0; }
table.config { border-collapse: collapse; font-size: 14px; }
table.config th, table.config td { border: 1px solid #ddd; padding: 4px 12px; text-align: left; font-variant-numeric: tabular-nums; }
table.config th { background: #f6f6f6; font-weight: 600; }
pre.printout { background: #f6f6f6; border: 1px solid #e2e2e2; padding: 10px 12px; font-size: 13px; line-height: 1.4; max-height: 420px; overflow: auto; }
.figure { display: inline-block; background: #fff; padding: 10px 14px; }
.figure.graph { display: block; padding: 0; }
.figure.static { max-width: 100%; box-sizing: border-box; }
.figure.static > svg { display: block; max-width: 100%; height: auto; }
.image-grid { max-width: 940px; }
.image-grid-title { font-size: 15px; font-weight: 600; margin: 0 0 8px; }
.image-grid-cells { display: flex; flex-wrap: wrap; gap: 8px 2px; }
.image-cell { margin: 0; text-align: center; }
.image-cell svg { display: block; margin: 0 auto; }
.image-cell figcaption { font-size: 12px; color: #222; margin: 3px 0 0; line-height: 1.3; }
.figure.graph svg { display: block; max-width: 100%; height: auto; margin: 0 auto; }
figure.graph-figure { margin: 0; }
figcaption { font-size: 13px; color: #444; margin: 6px 0 0; line-height: 1.45; }
h3 { font-size: 16px; margin: 22px 0 8px; }
code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; background: #f3f3f3; padding: 0 3px; border-radius: 3px; }
section > table:not(.config), section .path > table { border-collapse: collapse; font-size: 13px; margin: 6px 0 10px; }
section > table:not(.config) th, section > table:not(.config) td, section .path > table th, section .path > table td { border-bottom: 1px solid #e4e4e4; padding: 3px 10px 3px 0; text-align: left; vertical-align: top; }
section td.name { white-space: nowrap; }
section td.num { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; overflow-wrap: anywhere; }
section .path { margin: 10px 0 14px; padding: 6px 12px; border-left: 3px solid #c9d6ea; }
section .path p { margin: 4px 0; }
section table.verdict td { font-weight: 600; }
section .keep > table { border-collapse: collapse; font-size: 13px; margin: 6px 0 10px; }
section .keep > table th, section .keep > table td { border-bottom: 1px solid #e4e4e4; padding: 3px 10px 3px 0; text-align: left; vertical-align: top; }
figure.plot { margin: 0; }
@media (max-width: 600px) {
  main { padding: 16px 12px 32px; }
  h1 { font-size: 22px; }
  .figure { padding: 6px 0; }
}
figcaption.notes { font-size: 12.5px; color: #555; margin: 2px 0 0; max-width: 700px; }
pre.error { color: #b00; background: #fee; padding: 8px; white-space: pre-wrap; }

/* Printing (report.pdf is Chromium's print of this page): A4, every section whole, the training
   output complete to its last line, figures unscaled, the graph on a page of its own, scaled to fit. */
@page { size: A4; margin: 14mm 12mm 16mm; }
@media print {
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  h1 { font-size: 18pt; }
  h2 { font-size: 14pt; margin: 18px 0 8px; break-after: avoid; }
  h3 { break-after: avoid; }
  pre.printout { max-height: none; overflow: visible; white-space: pre-wrap; overflow-wrap: anywhere; font-size: 8.5pt; }
  .figure { padding: 4px 0; break-inside: avoid; }
  table, tr, .path, figure, .keep { break-inside: avoid; }
  section > table:not(.config), section .path > table { font-size: 9pt; }
  section#graph-section { break-before: page; }
  .figure.graph svg { width: 100%; max-height: 228mm; }
  code { white-space: pre-wrap; }
}
`;
