// A classifier's figures as data: the confusion matrix's cells (count, share of the true class,
// shade) and a grid of small grayscale images (e.g. the misclassified digits), each image's
// pixels as gray levels. Drawn as static SVG by ../report/static.ts, so no script is needed.

/** One cell of a confusion matrix: row = true class, column = predicted class. */
export interface ConfusionCell {
  row: number;
  column: number;
  count: number;
  /** count / (samples of the true class); 0 when the class has none. */
  share: number;
  /** Background: white (share 0) to dark blue (share 1) on the diagonal, to dark red off it. */
  fill: string;
  /** Black on a light cell, white on a dark one. */
  text: string;
}

export interface ConfusionData {
  classNames: string[];
  cells: ConfusionCell[];
  /** Samples per true class (the rows' sums). */
  support: number[];
  /** Σ diagonal / Σ all (0 with no samples). */
  accuracy: number;
}

const DIAGONAL_RGB = [0x1f, 0x4e, 0x9a];
const OFF_DIAGONAL_RGB = [0xc0, 0x39, 0x2b];

/** The cells of `matrix[true][predicted]` (k×k counts), shaded by their share of the row. */
export function confusionData(matrix: readonly (readonly number[])[], classNames?: readonly string[]): ConfusionData {
  const k = matrix.length;
  if (k === 0) throw new Error('confusionData: the matrix is empty');
  matrix.forEach((row, r) => {
    if (row.length !== k) throw new Error(`confusionData: row ${r} has ${row.length} counts, expected ${k} (a square matrix)`);
    row.forEach((v, c) => {
      if (!Number.isInteger(v) || v < 0) throw new Error(`confusionData: count [${r}][${c}] is ${v}, expected an integer ≥ 0`);
    });
  });
  const names = classNames ? [...classNames] : Array.from({ length: k }, (_, c) => String(c));
  if (names.length !== k) throw new Error(`confusionData: ${names.length} class names for ${k} classes`);
  const support = matrix.map((row) => row.reduce((a, b) => a + b, 0));
  const cells: ConfusionCell[] = [];
  let hits = 0;
  let total = 0;
  for (let r = 0; r < k; r++) {
    for (let c = 0; c < k; c++) {
      const count = matrix[r][c];
      const share = support[r] === 0 ? 0 : count / support[r];
      const target = r === c ? DIAGONAL_RGB : OFF_DIAGONAL_RGB;
      // off the diagonal even a few mistakes should show: the shade grows as √share
      const t = r === c ? share : Math.sqrt(share);
      const rgb = target.map((v) => Math.round(255 + (v - 255) * t));
      cells.push({ row: r, column: c, count, share, fill: `rgb(${rgb.join(',')})`, text: t > 0.55 ? '#ffffff' : '#111111' });
      total += count;
      if (r === c) hits += count;
    }
  }
  return { classNames: names, cells, support, accuracy: total === 0 ? 0 : hits / total };
}

/** One small image of a grid, with its caption (e.g. `true 3, predicted 8`). */
export interface GridImage {
  /** Row-major values, `width × height` of them. */
  pixels: ArrayLike<number>;
  caption: string;
}

export interface ImageGridData {
  width: number;
  height: number;
  /** Each image's gray levels, 0 (white) … 255 (black), row-major. */
  images: { gray: number[]; caption: string }[];
  /** Images given beyond `maxImages` (not drawn). */
  omitted: number;
}

/**
 * The images as gray levels: a value v is drawn as `round(255·(v − min)/(max − min))` of ink
 * (`range` is [min, max]: the digits' 0…16), clamped to the range.
 */
export function imageGridData(
  images: readonly GridImage[],
  options: { width: number; height: number; range: [number, number]; maxImages?: number },
): ImageGridData {
  const { width, height, range } = options;
  const [lo, hi] = range;
  if (!(hi > lo)) throw new Error(`imageGridData: range must be [min, max] with max > min, got [${lo}, ${hi}]`);
  const max = options.maxImages ?? images.length;
  const drawn = images.slice(0, max);
  return {
    width,
    height,
    images: drawn.map((image, i) => {
      if (image.pixels.length !== width * height) {
        throw new Error(`imageGridData: image ${i} has ${image.pixels.length} pixels, expected ${width}×${height}`);
      }
      const gray = Array.from(image.pixels, (v) => Math.round((255 * (Math.min(hi, Math.max(lo, v)) - lo)) / (hi - lo)));
      return { gray, caption: image.caption };
    }),
    omitted: images.length - drawn.length,
  };
}
