// A labelled 2-D data set: inputs [n, 2], one 0/1 label per row in labels [n, 1].
import { GradlabError, tensor, type Tensor } from '@gradlab/core';

export interface Dataset {
  /** The points, shape [n, 2]; row i is (x0, x1). */
  inputs: Tensor;
  /** The class of each point, 0 or 1, shape [n, 1]. */
  labels: Tensor;
  /** Which generator made it ('linear', 'xor', ...). */
  name: string;
}

/** Wraps row-major points (x0, x1, x0, x1, ...) and their labels into a Dataset. */
export function makeDataset(name: string, points: Float64Array, labels: Float64Array): Dataset {
  const n = labels.length;
  if (points.length !== 2 * n) throw new GradlabError(`makeDataset: ${points.length} coordinates for ${n} labels (needs ${2 * n})`);
  return {
    name,
    inputs: tensor(points, { shape: [n, 2] }),
    labels: tensor(labels, { shape: [n, 1] }),
  };
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
