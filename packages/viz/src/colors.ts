// One palette for every figure, so a class or a run has the same color everywhere.

/** Class 0 is red and class 1 is blue, as in the lab's matplotlib figures. */
export const CLASS_COLORS = ['#d62728', '#1f77b4'] as const;

/** Legend labels for the two classes. */
export const CLASS_LABELS = ['class 0', 'class 1'] as const;

/**
 * A qualitative palette for k classes (matplotlib's tab10, red and blue first so that classes 0
 * and 1 keep CLASS_COLORS): class c is `CLASS_PALETTE[c % 10]`.
 */
export const CLASS_PALETTE = [
  '#d62728',
  '#1f77b4',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
] as const;

/** The color of class `c` (0, 1, …): CLASS_COLORS for the two classes of the lab, then tab10's. */
export function classColor(c: number): string {
  return CLASS_PALETTE[((c % CLASS_PALETTE.length) + CLASS_PALETTE.length) % CLASS_PALETTE.length];
}

/** `class 3`. */
export function classLabel(c: number): string {
  return `class ${c}`;
}

/**
 * Heat-map color of a region the model assigns to class `c`: the class color taken 35% of the way
 * from white, pale enough for the data points (in the full color) to stand out on it.
 */
export function classTint(c: number): [r: number, g: number, b: number] {
  const hex = classColor(c);
  const rgb = [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16));
  return rgb.map((v) => Math.round(255 + (v - 255) * 0.35)) as [number, number, number];
}

/** Line colors for overlaid loss curves (matplotlib's tab10 minus red and blue first). */
export const RUN_COLORS = [
  '#ff7f0e',
  '#2ca02c',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
  '#1f77b4',
  '#d62728',
] as const;

/** The color of the i-th run; a single run gets black, which reads best in a printed report. */
export function runColor(index: number, runCount: number): string {
  if (runCount === 1) return '#222222';
  return RUN_COLORS[index % RUN_COLORS.length];
}

/**
 * Heat-map color of a model output y ∈ [0, 1]: light red near 0 (class 0), white at 0.5,
 * light blue near 1 (class 1). Kept pale so the data points stay visible on top.
 */
export function outputColor(y: number): [r: number, g: number, b: number] {
  const t = Number.isFinite(y) ? Math.min(1, Math.max(0, y)) : 0.5;
  const target = t < 0.5 ? RED_RGB : BLUE_RGB;
  const strength = Math.abs(t - 0.5) * 2 * 0.5; // at most half-way from white to the class color
  return [0, 1, 2].map((k) => Math.round(255 + (target[k] - 255) * strength)) as [number, number, number];
}

const RED_RGB = [0xd6, 0x27, 0x28];
const BLUE_RGB = [0x1f, 0x77, 0xb4];
