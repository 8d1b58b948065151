// The report page's script (bundled by esbuild into the HTML): draws every figure from the
// embedded JSON, then marks `body[data-ready="1"]` so a headless browser knows it can shoot.
import { drawComparison } from '../dom/comparison.ts';
import { drawDecisionBoundary } from '../dom/boundary.ts';
import { drawLossCurve } from '../dom/lossCurve.ts';
import { FIGURE_IDS, PAYLOAD_ID, type ReportPayload } from './types.ts';

/**
 * Figure sizes (CSS px) that fit the width of an A4 page less its margins (186 mm ≈ 700 px), so
 * the PDF prints them unscaled; the PNGs are the same figures at 2× pixel density.
 */
const FIGURE_SIZES = { loss: { width: 660, height: 330 }, panel: 315, boundary: 400 } as const;

function figure(id: string): HTMLElement | null {
  return document.getElementById(id);
}

function draw(payload: ReportPayload): void {
  const loss = figure(FIGURE_IDS.loss);
  if (payload.loss && loss) {
    const several = payload.loss.series.filter((s) => s.style === 'line').length > 1;
    const axisText = payload.lossAxis ?? {};
    drawLossCurve(loss, payload.loss, {
      title: axisText.title ?? (several ? 'Learning curves' : 'Learning curve'),
      xLabel: axisText.xLabel,
      yLabel: axisText.yLabel,
      width: FIGURE_SIZES.loss.width,
      height: FIGURE_SIZES.loss.height,
    });
  }
  const accuracy = figure(FIGURE_IDS.accuracy);
  if (payload.accuracy && accuracy) {
    drawLossCurve(accuracy, payload.accuracy, { title: 'Accuracy', xLabel: payload.lossAxis?.xLabel, yLabel: 'accuracy', width: FIGURE_SIZES.loss.width, height: FIGURE_SIZES.loss.height });
  }
  const comparison = figure(FIGURE_IDS.comparison);
  if (payload.comparison && comparison) drawComparison(comparison, payload.comparison, { width: FIGURE_SIZES.panel, height: FIGURE_SIZES.panel });
  const boundary = figure(FIGURE_IDS.boundary);
  if (payload.boundary && boundary) {
    const { grid, points, labels } = payload.boundary;
    drawDecisionBoundary(boundary, grid, { points, labels }, { width: FIGURE_SIZES.boundary, height: FIGURE_SIZES.boundary });
  }
}

/**
 * The charts have fixed sizes (they fit an A4 page); on a narrower screen (a phone) each is
 * zoomed down to the width there is, so the page never scrolls sideways.
 */
function fitCharts(): void {
  for (const el of document.querySelectorAll<HTMLElement>('.figure:not(.static):not(.graph)')) {
    el.style.zoom = '';
    const avail = el.parentElement?.clientWidth ?? 0;
    const width = el.scrollWidth;
    if (avail > 0 && width > avail) el.style.zoom = String(avail / width);
  }
}

async function main(): Promise<void> {
  const body = document.body;
  try {
    const text = document.getElementById(PAYLOAD_ID)?.textContent ?? '{}';
    draw(JSON.parse(text) as ReportPayload);
    await document.fonts.ready;
    // uPlot commits its first draw in a microtask; two frames later everything is painted
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    fitCharts(); // once the charts have their sizes
    window.addEventListener('resize', fitCharts);
    body.dataset.ready = '1';
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    body.dataset.error = message;
    const box = document.createElement('pre');
    box.className = 'error';
    box.textContent = `Could not draw the figures: ${message}`;
    body.prepend(box);
    throw err;
  }
}

void main();
