// Figures drawn once as SVG text (no script): the confusion matrix with its counts, and a grid of
// small grayscale images with captions. Both scale down with the page (viewBox, max-width 100%).
import type { ConfusionData, ImageGridData } from '../data/classification.ts';
import { escapeHtml } from './escape.ts';

const FONT = 'system-ui, -apple-system, Segoe UI, Roboto, DejaVu Sans, Arial, sans-serif';

/** The confusion matrix as an SVG heat map: true classes down, predicted across, counts in the cells. */
export function confusionSvg(data: ConfusionData, title = 'Confusion matrix'): string {
  const k = data.classNames.length;
  const cell = k <= 10 ? 40 : Math.max(14, Math.floor(400 / k));
  const left = 86;
  const top = 62;
  const size = cell * k;
  const width = left + size + 70;
  const height = top + size + 16;
  const font = Math.min(14, Math.round(cell * 0.36));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(title)}" font-family="${FONT}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${left + size / 2}" y="18" text-anchor="middle" font-size="15" font-weight="600">${escapeHtml(title)}</text>`,
    `<text x="${left + size / 2}" y="40" text-anchor="middle" font-size="12" fill="#444">predicted</text>`,
    `<text transform="translate(22 ${top + size / 2}) rotate(-90)" text-anchor="middle" font-size="12" fill="#444">true</text>`,
  ];
  data.classNames.forEach((name, c) => {
    parts.push(`<text x="${left + c * cell + cell / 2}" y="${top - 8}" text-anchor="middle" font-size="${font}">${escapeHtml(name)}</text>`);
    parts.push(`<text x="${left - 8}" y="${top + c * cell + cell / 2}" text-anchor="end" dominant-baseline="central" font-size="${font}">${escapeHtml(name)}</text>`);
    parts.push(
      `<text x="${left + size + 8}" y="${top + c * cell + cell / 2}" dominant-baseline="central" font-size="${Math.min(12, font)}" fill="#666">${data.support[c]}</text>`,
    );
  });
  parts.push(`<text x="${left + size + 8}" y="${top - 8}" font-size="11" fill="#666">n</text>`);
  for (const c of data.cells) {
    const x = left + c.column * cell;
    const y = top + c.row * cell;
    parts.push(`<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${c.fill}" stroke="#dddddd" stroke-width="0.5"/>`);
    const color = c.count === 0 ? '#bbbbbb' : c.text;
    parts.push(
      `<text x="${x + cell / 2}" y="${y + cell / 2}" text-anchor="middle" dominant-baseline="central" font-size="${font}" fill="${color}"${c.row === c.column ? ' font-weight="600"' : ''}>${c.count}</text>`,
    );
  }
  parts.push(`<rect x="${left}" y="${top}" width="${size}" height="${size}" fill="none" stroke="#888888" stroke-width="1"/>`);
  parts.push('</svg>');
  return parts.join('');
}

/**
 * The images as a wrapping row of small figures (as many per line as fit: 10 on a desktop, 4 on a
 * phone), each pixel a gray square of `scale` px, its caption (split on '\n') below it.
 */
export function imageGridHtml(data: ImageGridData, options: { scale?: number; title?: string } = {}): string {
  const scale = options.scale ?? 6;
  const imgW = data.width * scale;
  const imgH = data.height * scale;
  const longest = Math.max(0, ...data.images.flatMap((im) => im.caption.split('\n').map((l) => l.length)));
  // wide enough for the longest caption line (12 px text: about 7 px a character)
  const cellW = Math.ceil(Math.max(imgW, longest * 7)) + 10;
  const parts: string[] = [`<div class="image-grid" style="font-family: ${FONT}">`];
  if (options.title) parts.push(`<div class="image-grid-title">${escapeHtml(options.title)}</div>`);
  if (data.images.length === 0) parts.push('<p>none</p>');
  parts.push('<div class="image-grid-cells">');
  for (const image of data.images) {
    parts.push(`<figure class="image-cell" style="width: ${cellW}px">`);
    parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${imgW} ${imgH}" width="${imgW}" height="${imgH}" role="img" aria-label="${escapeHtml(image.caption.replace(/\n/g, ', '))}">`);
    parts.push(`<rect width="${imgW}" height="${imgH}" fill="#ffffff" stroke="#999999" stroke-width="1"/>`);
    image.gray.forEach((g, p) => {
      if (g === 0) return;
      const v = 255 - g;
      const px = (p % data.width) * scale;
      const py = Math.floor(p / data.width) * scale;
      parts.push(`<rect x="${px}" y="${py}" width="${scale}" height="${scale}" fill="rgb(${v},${v},${v})"/>`);
    });
    parts.push('</svg>');
    parts.push(`<figcaption>${image.caption.split('\n').map(escapeHtml).join('<br>')}</figcaption></figure>`);
  }
  parts.push('</div></div>');
  return parts.join('');
}
