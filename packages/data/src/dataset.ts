// A labelled data set: inputs [n, d] (d = 2 for every generated set but `generateBlobs` with
// `features` ≠ 2), one class index per row in labels [n, 1].
import { GradlabError, tensor, type Tensor } from '@gradlab/core';

export interface Dataset {
  /** The points, shape [n, d] (d = 2 for the 2-D sets); row i is (x0, x1, …). */
  inputs: Tensor;
  /**
   * The class of each point as a float, shape [n, 1]: 0 or 1 for the two-class sets, the class
   * index 0…k−1 for a set with k = `classes` classes (the shape stays [n, 1] either way; for
   * cross-entropy take `labels.reshape([n])` as the targets).
   */
  labels: Tensor;
  /** Which generator made it ('linear', 'xor', ...). */
  name: string;
  /**
   * The number of classes k: 2 for the two-class sets, the `classes` option of the others. Every
   * generator and loader sets it; it is optional only so that a Dataset written by hand as
   * { name, inputs, labels } still typechecks, and then means 2 (`classCount(dataset)`).
   */
  classes?: number;
}

/** Wraps row-major points (x0, x1, …, x0, x1, …) and their labels into a Dataset. */
export function makeDataset(
  name: string,
  points: Float64Array,
  labels: Float64Array,
  { classes = 2, features = 2 }: { classes?: number; features?: number } = {},
): Dataset {
  const n = labels.length;
  if (points.length !== features * n) throw new GradlabError(`makeDataset: ${points.length} coordinates for ${n} labels (needs ${features * n})`);
  return {
    name,
    inputs: tensor(points, { shape: [n, features] }),
    labels: tensor(labels, { shape: [n, 1] }),
    classes,
  };
}

/** The number of classes of a data set: its `classes`, or 2 if it has none (a hand-made one). */
export function classCount(dataset: Pick<Dataset, 'classes'>): number {
  return dataset.classes ?? 2;
}

/** The data as plain arrays, handy for plotting: x[i] is row i of the inputs, y[i] its label. */
export function toRows(dataset: Pick<Dataset, 'inputs' | 'labels'>): { x: number[][]; y: number[] } {
  const { inputs, labels } = dataset;
  if (inputs.rank !== 2) throw new GradlabError(`toRows: inputs must have shape [n, d], got [${inputs.shape.join(',')}]`);
  const [n, d] = inputs.shape as [number, number];
  if (labels.size !== n) throw new GradlabError(`toRows: ${n} input rows but ${labels.size} labels`);
  const x: number[][] = [];
  for (let i = 0; i < n; i++) x.push(Array.from(inputs.data.subarray(i * d, (i + 1) * d)));
  return { x, y: Array.from(labels.data) };
}
