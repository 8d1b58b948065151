// The page's downloads: the learning curve as CSV, the inspector's graph as SVG and PNG, and a
// one-file HTML report (settings, printout, the figures as images, the graph) to keep or hand in.
import { escapeText } from './dom.ts';
import type { Progress, RunData } from './protocol.ts';

/** Offers `data` as a file named `name`. */
export function download(name: string, data: Blob): void {
  const url = URL.createObjectURL(data);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** `epoch,mean_loss`: the learning curve as the page holds it (thinned for long runs). */
export function lossCsv(progress: Progress): string {
  const { epochs, meanLoss } = progress.history;
  return `epoch,mean_loss\n${epochs.map((e, i) => `${e},${meanLoss[i]}`).join('\n')}\n`;
}

/** The graph's SVG as a standalone file. */
export function graphSvgText(svg: SVGSVGElement): string {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  copy.removeAttribute('style');
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(copy)}\n`;
}

/** The graph drawn into a PNG at `scale` × its natural size (white background). */
export async function graphPng(svg: SVGSVGElement, scale = 2): Promise<Blob> {
  const { width, height } = svg.viewBox.baseVal;
  const image = new Image();
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(graphSvgText(svg))}`;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = Math.ceil(width * (4 / 3) * scale);
  canvas.height = Math.ceil(height * (4 / 3) * scale);
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('graph.png: the canvas gave no image'))), 'image/png'));
}

/** Every canvas of a chart container, side by side, as one PNG data URL (uPlot draws on canvases). */
function chartImage(el: HTMLElement): string | null {
  const canvases = [...el.querySelectorAll('canvas')];
  if (canvases.length === 0) return null;
  const width = canvases.reduce((w, c) => w + c.width, 0);
  const height = Math.max(...canvases.map((c) => c.height));
  const out = document.createElement('canvas');
  out.width = width;
  out.height = height;
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  let x = 0;
  for (const c of canvases) {
    ctx.drawImage(c, x, 0);
    x += c.width;
  }
  return out.toDataURL('image/png');
}

/** A self-contained HTML report of what the page shows now. */
export function reportHtml(run: RunData, printout: string, charts: { title: string; el: HTMLElement }[], svg: SVGSVGElement | null, caption: string): string {
  const figures = charts
    .map((c) => ({ title: c.title, src: chartImage(c.el) }))
    .filter((f) => f.src !== null)
    .map((f) => `<h2>${escapeText(f.title)}</h2><img alt="${escapeText(f.title)}" src="${f.src!}">`)
    .join('\n');
  const graph = svg ? `<h2>Computational graph</h2><figure>${graphSvgText(svg).replace(/^<\?xml[^>]*>\n/, '')}<figcaption>${escapeText(caption)}</figcaption></figure>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>gradlab lab 1: ${escapeText(run.description)}</title>
<style>body{font:14px/1.45 system-ui,sans-serif;max-width:1000px;margin:24px auto;padding:0 16px;color:#222}pre{background:#f6f6f6;padding:10px;white-space:pre-wrap}img,svg{max-width:100%;height:auto}figcaption{color:#555;font-size:13px}</style>
</head><body>
<h1>gradlab lab 1: ${escapeText(run.description)}</h1>
<h2>Training output</h2><pre>${escapeText(printout)}</pre>
${figures}
${graph}
</body></html>
`;
}
